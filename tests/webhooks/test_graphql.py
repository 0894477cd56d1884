"""Webhooks over GraphQL: the same service as REST, the same problems (extensions.code), the same roles."""

from __future__ import annotations

import pytest

from tests.webhooks.conftest import gql

pytestmark = pytest.mark.usefixtures("centres")

CREATE = """mutation($input: WebhookEndpointCreateInput!) {
  createWebhookEndpoint(input: $input) { id secret version enabled eventTypes url }
}"""
ENDPOINT = {"url": "https://93.184.215.14/verity", "eventTypes": ["learner.created"], "description": "MIS"}


async def test_endpoint_lifecycle(client, auth):
    hoc = auth("hoc")
    created = (await gql(client, hoc, CREATE, input=ENDPOINT))["data"]["createWebhookEndpoint"]
    assert created["secret"].startswith("whsec_") and created["version"] == 1
    eid = created["id"]

    read = await gql(
        client,
        hoc,
        """query($id: UUID!) {
      webhookEndpoint(id: $id) { id url description disabledReason }
      webhookEndpoints { nodes { id } pageInfo { hasNextPage } }
      webhookEventTypes { name }
    }""",
        id=eid,
    )
    assert read["data"]["webhookEndpoint"]["description"] == "MIS"
    assert [n["id"] for n in read["data"]["webhookEndpoints"]["nodes"]] == [eid]
    assert "webhook.ping" in {t["name"] for t in read["data"]["webhookEventTypes"]}

    updated = await gql(
        client,
        hoc,
        """mutation($id: UUID!) {
      updateWebhookEndpoint(id: $id, version: 1, input: {eventTypes: ["learner.updated", "site.created"]}) {
        eventTypes version } }""",
        id=eid,
    )
    assert updated["data"]["updateWebhookEndpoint"] == {
        "eventTypes": ["learner.updated", "site.created"],
        "version": 2,
    }
    stale = await gql(
        client,
        hoc,
        """mutation($id: UUID!) {
      updateWebhookEndpoint(id: $id, version: 1, input: {description: "x"}) { version } }""",
        id=eid,
    )
    assert stale["errors"][0]["extensions"]["code"] == "precondition-failed"

    rotated = await gql(
        client,
        hoc,
        """mutation($id: UUID!) {
      rotateWebhookEndpointSecret(id: $id, overlapSeconds: 60) { secret previousSecretExpiresAt } }""",
        id=eid,
    )
    assert rotated["data"]["rotateWebhookEndpointSecret"]["secret"] != created["secret"]

    ping = (
        await gql(
            client,
            hoc,
            """mutation($id: UUID!) {
      pingWebhookEndpoint(id: $id) { id eventId eventType status } }""",
            id=eid,
        )
    )["data"]["pingWebhookEndpoint"]
    assert ping["eventType"] == "webhook.ping" and ping["status"] == "pending"

    listed = await gql(
        client,
        hoc,
        """query($id: UUID!) {
      webhookDeliveries(endpointId: $id, status: pending) { nodes { id } } }""",
        id=eid,
    )
    assert [n["id"] for n in listed["data"]["webhookDeliveries"]["nodes"]] == [ping["id"]]
    detail = await gql(
        client,
        hoc,
        """query($id: UUID!) {
      webhookDelivery(id: $id) { eventId payload attempts { id } } }""",
        id=ping["id"],
    )
    assert detail["data"]["webhookDelivery"]["payload"]["id"] == ping["eventId"]
    again = await gql(
        client,
        auth("exams_officer"),
        """mutation($id: UUID!) {
      redeliverWebhookDelivery(id: $id) { status } }""",
        id=ping["id"],
    )
    assert again["data"]["redeliverWebhookDelivery"]["status"] == "pending"


async def test_problems_name_fields(client, auth):
    bad = await gql(
        client,
        auth("hoc"),
        CREATE,
        input={**ENDPOINT, "url": "https://10.0.0.1/x", "eventTypes": ["learner.created"]},
    )
    ext = bad["errors"][0]["extensions"]
    assert ext["code"] == "webhook-url-refused" and ext["errors"][0]["field"] == "body.url"
    unknown = await gql(client, auth("hoc"), CREATE, input={**ENDPOINT, "eventTypes": ["nope"]})
    assert unknown["errors"][0]["extensions"]["code"] == "unknown-event-type"


@pytest.mark.parametrize(
    "role", ["qn", "liv", "iv", "assessor", "programme_leader", "learner", "standards_verifier"]
)
async def test_other_roles_are_forbidden(client, auth, role):
    for query in ("{ webhookEndpoints { nodes { id } } }", "{ webhookEventTypes { name } }"):
        body = await gql(client, auth(role), query)
        assert body["errors"][0]["extensions"]["code"] == "forbidden"
    body = await gql(client, auth(role), CREATE, input=ENDPOINT)
    assert body["errors"][0]["extensions"]["code"] == "forbidden"


async def test_another_centre_sees_nothing(client, auth, centres):
    created = (await gql(client, auth("hoc"), CREATE, input=ENDPOINT))["data"]["createWebhookEndpoint"]
    other = auth("hoc", centre=centres["b"])
    got = await gql(client, other, "query($id: UUID!) { webhookEndpoint(id: $id) { id } }", id=created["id"])
    assert got["errors"][0]["extensions"]["code"] == "not-found"
    ping = await gql(
        client, other, "mutation($id: UUID!) { pingWebhookEndpoint(id: $id) { id } }", id=created["id"]
    )
    assert ping["errors"][0]["extensions"]["code"] == "not-found"
