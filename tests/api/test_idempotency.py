"""Idempotency-Key on every creating POST and on GraphQL mutations: a retry replays the stored answer
(status, body, ETag/Location, `Idempotent-Replayed: true`) instead of writing again; the same key with
another body is refused; keys are per centre and per principal, and expire."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from tests.conftest import CENTRE_A, CENTRE_B

pytestmark = pytest.mark.usefixtures("centres")

AMARA = {"given_name": "Amara", "family_name": "Bello", "date_of_birth": "2008-03-14", "mis_id": "MIS-1"}
HOOK = {"url": "https://93.184.215.14/verity", "description": "MIS", "event_types": ["learner.created"]}


async def count(session, table: str) -> int:
    return (await session.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()


def keyed(auth, role: str, key: str, **kw) -> dict[str, str]:
    return {**auth(role, **kw), "Idempotency-Key": key}


async def test_a_retried_create_learner_replays_instead_of_duplicating(client, auth, session):
    first = await client.post("/v1/learners", json=AMARA, headers=keyed(auth, "exams_officer", "k-1"))
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    retry = await client.post("/v1/learners", json=AMARA, headers=keyed(auth, "exams_officer", "k-1"))
    assert retry.status_code == 201, retry.text
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json() == first.json() and retry.headers["etag"] == first.headers["etag"]
    assert await count(session, "learners") == 1


async def test_a_retried_create_webhook_endpoint_replays_instead_of_duplicating(client, auth, session):
    first = await client.post("/v1/webhook-endpoints", json=HOOK, headers=keyed(auth, "hoc", "hook-1"))
    assert first.status_code == 201, first.text
    retry = await client.post("/v1/webhook-endpoints", json=HOOK, headers=keyed(auth, "hoc", "hook-1"))
    assert retry.status_code == 201 and retry.headers["idempotent-replayed"] == "true"
    assert retry.json() == first.json()  # the same endpoint, and the secret shown on its creation
    assert retry.headers["cache-control"] == "no-store" and retry.headers["etag"] == first.headers["etag"]
    assert await count(session, "webhook_endpoints") == 1


async def test_the_same_key_with_another_body_is_refused(client, auth, session):
    await client.post("/v1/learners", json=AMARA, headers=keyed(auth, "exams_officer", "k-2"))
    other = await client.post(
        "/v1/learners", json={**AMARA, "mis_id": "MIS-2"}, headers=keyed(auth, "exams_officer", "k-2")
    )
    assert other.status_code == 422 and other.json()["type"] == "/problems/idempotency-key-reused"
    assert other.json()["errors"][0]["field"] == "header.idempotency-key"
    assert await count(session, "learners") == 1


async def test_the_same_key_on_another_operation_is_refused(client, auth):
    await client.post("/v1/learners", json=AMARA, headers=keyed(auth, "hoc", "k-3"))
    other = await client.post("/v1/webhook-endpoints", json=HOOK, headers=keyed(auth, "hoc", "k-3"))
    assert other.status_code == 422 and other.json()["type"] == "/problems/idempotency-key-reused"


async def test_key_order_and_spacing_do_not_make_two_bodies_differ(client, auth, session):
    headers = {**keyed(auth, "exams_officer", "k-4"), "Content-Type": "application/json"}
    await client.post("/v1/learners", content=json.dumps(AMARA), headers=headers)
    reordered = json.dumps(dict(reversed(list(AMARA.items()))), indent=2)
    retry = await client.post("/v1/learners", content=reordered, headers=headers)
    assert retry.status_code == 201 and retry.headers["idempotent-replayed"] == "true"
    assert await count(session, "learners") == 1


async def test_keys_are_scoped_per_principal(client, auth, session):
    """Two callers who happen to pick the same key each get their own answer, never the other's."""
    first = await client.post("/v1/learners", json=AMARA, headers=keyed(auth, "exams_officer", "shared"))
    second = await client.post(
        "/v1/learners", json={**AMARA, "mis_id": "MIS-9"}, headers=keyed(auth, "hoc", "shared")
    )
    assert second.status_code == 201 and "idempotent-replayed" not in second.headers
    assert second.json()["id"] != first.json()["id"]
    assert await count(session, "learners") == 2


async def test_keys_are_scoped_per_centre(client, auth, session):
    a = await client.post("/v1/learners", json=AMARA, headers=keyed(auth, "hoc", "k-5", centre=CENTRE_A))
    b = await client.post("/v1/learners", json=AMARA, headers=keyed(auth, "hoc", "k-5", centre=CENTRE_B))
    assert a.status_code == b.status_code == 201 and "idempotent-replayed" not in b.headers
    assert a.json()["centre_id"] != b.json()["centre_id"]


async def test_an_expired_key_is_a_new_request(client, auth, session):
    await client.post("/v1/learners", json=AMARA, headers=keyed(auth, "hoc", "k-6"))
    await session.execute(text("UPDATE idempotency_keys SET expires_at = now() - interval '1 second'"))
    again = await client.post(
        "/v1/learners", json={**AMARA, "mis_id": "MIS-7"}, headers=keyed(auth, "hoc", "k-6")
    )
    assert again.status_code == 201 and "idempotent-replayed" not in again.headers
    assert await count(session, "learners") == 2


async def test_a_refused_request_is_not_stored(client, auth, session):
    bad = await client.post(
        "/v1/learners", json={**AMARA, "date_of_birth": "nope"}, headers=keyed(auth, "hoc", "k-7")
    )
    assert bad.status_code == 422
    good = await client.post("/v1/learners", json=AMARA, headers=keyed(auth, "hoc", "k-7"))
    assert good.status_code == 201 and "idempotent-replayed" not in good.headers


async def test_an_invalid_key_names_the_header(client, auth):
    r = await client.post("/v1/learners", json=AMARA, headers=keyed(auth, "hoc", "x" * 300))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "header.Idempotency-Key"


CREATE_LEARNER = (
    """mutation($input: LearnerCreateInput!) { createLearner(input: $input) { id familyName } }"""
)
CREATE_HOOK = """mutation($input: WebhookEndpointCreateInput!) {
  createWebhookEndpoint(input: $input) { id secret } }"""


async def gql(client, headers, query, variables):
    r = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert r.status_code == 200, r.text
    return r


GQL_AMARA = {"givenName": "Amara", "familyName": "Bello", "dateOfBirth": "2008-03-14", "misId": "MIS-1"}
GQL_HOOK = {"url": HOOK["url"], "description": "MIS", "eventTypes": ["learner.created"]}


async def test_a_retried_graphql_create_learner_replays(client, auth, session):
    headers = keyed(auth, "exams_officer", "g-1")
    first = await gql(client, headers, CREATE_LEARNER, {"input": GQL_AMARA})
    assert "errors" not in first.json(), first.text
    retry = await gql(client, headers, CREATE_LEARNER, {"input": GQL_AMARA})
    assert retry.headers["idempotent-replayed"] == "true" and retry.json() == first.json()
    assert await count(session, "learners") == 1


async def test_a_retried_graphql_create_webhook_endpoint_replays(client, auth, session):
    headers = keyed(auth, "hoc", "g-2")
    first = await gql(client, headers, CREATE_HOOK, {"input": GQL_HOOK})
    assert "errors" not in first.json(), first.text
    retry = await gql(client, headers, CREATE_HOOK, {"input": GQL_HOOK})
    assert retry.headers["idempotent-replayed"] == "true" and retry.json() == first.json()
    assert await count(session, "webhook_endpoints") == 1


async def test_graphql_same_key_other_variables_is_refused(client, auth, session):
    headers = keyed(auth, "exams_officer", "g-3")
    await gql(client, headers, CREATE_LEARNER, {"input": GQL_AMARA})
    other = await gql(client, headers, CREATE_LEARNER, {"input": {**GQL_AMARA, "misId": "MIS-2"}})
    assert other.json()["errors"][0]["extensions"]["code"] == "idempotency-key-reused", other.text
    assert await count(session, "learners") == 1


async def test_graphql_a_failed_mutation_stores_nothing_and_writes_nothing(client, auth, session):
    headers = keyed(auth, "exams_officer", "g-4")
    both = """mutation($a: LearnerCreateInput!, $b: LearnerCreateInput!) {
      a: createLearner(input: $a) { id } b: createLearner(input: $b) { id } }"""
    failed = await gql(client, headers, both, {"a": GQL_AMARA, "b": GQL_AMARA})
    assert failed.json().get("errors"), failed.text
    assert await count(session, "learners") == 0  # all or nothing under a key: a retry runs again
    ok = await gql(client, headers, CREATE_LEARNER, {"input": GQL_AMARA})
    assert "errors" not in ok.json() and "idempotent-replayed" not in ok.headers


async def test_graphql_queries_ignore_the_key(client, auth):
    headers = keyed(auth, "exams_officer", "g-5")
    q = "query { learners(first: 5) { nodes { id } } }"
    r1 = await gql(client, headers, q, {})
    await gql(client, headers, CREATE_LEARNER, {"input": GQL_AMARA})
    r2 = await gql(client, headers, q, {})
    assert "idempotent-replayed" not in r2.headers and len(r2.json()["data"]["learners"]["nodes"]) == 1
    assert r1.json()["data"]["learners"]["nodes"] == []


def test_every_creating_post_declares_idempotency_key_and_replayed_header(app):
    """Walk the contract (test_contracts keeps the committed one equal to it): every POST answering 201
    takes the header and marks a replay."""
    missing, unmarked = [], []
    for item in app.openapi()["paths"].values():
        operation = item.get("post")
        if operation is None or "201" not in operation["responses"]:
            continue
        headers = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        if "Idempotency-Key" not in headers:
            missing.append(operation["operationId"])
        if "Idempotent-Replayed" not in operation["responses"]["201"].get("headers", {}):
            unmarked.append(operation["operationId"])
    assert missing == [] and unmarked == [], (missing, unmarked)


async def test_purge_deletes_expired_keys_only(client, auth, session):
    from app.core.idempotency import purge_expired

    await client.post("/v1/learners", json=AMARA, headers=keyed(auth, "hoc", "old"))
    await client.post("/v1/learners", json={**AMARA, "mis_id": "MIS-8"}, headers=keyed(auth, "hoc", "new"))
    await session.execute(
        text("UPDATE idempotency_keys SET expires_at = now() - interval '1 minute' WHERE key = 'old'")
    )
    assert await purge_expired(session) == 1
    rows = (await session.execute(text("SELECT key FROM idempotency_keys"))).scalars().all()
    assert rows == ["new"]
