"""Webhook endpoints and deliveries over REST: secrets, URL policy, subscriptions, ETags, roles, tenancy."""

from __future__ import annotations

import base64
import uuid

import pytest
from sqlalchemy import text

from app.webhooks.catalogue import CATALOGUE

pytestmark = pytest.mark.usefixtures("centres")

MANAGERS = ("hoc", "exams_officer")
OTHERS = ("qn", "liv", "iv", "assessor", "programme_leader", "learner", "standards_verifier")
# A public address needs no DNS; the tests' app allows http and loopback (the development settings).
PUBLIC_URL = "https://93.184.215.14/verity"
ENDPOINT = {
    "url": PUBLIC_URL,
    "description": "School MIS",
    "event_types": ["learner.created", "learner.updated"],
}


async def create(client, auth, role="hoc", **changes):
    r = await client.post("/v1/webhook-endpoints", json={**ENDPOINT, **changes}, headers=auth(role))
    assert r.status_code == 201, r.text
    return r


async def test_create_shows_the_secret_once(client, auth, session):
    r = await create(client, auth)
    body = r.json()
    assert body["secret"].startswith("whsec_") and len(base64.b64decode(body["secret"][6:])) == 32
    assert r.headers["etag"] == '"1"' and r.headers["cache-control"] == "no-store"
    assert body["enabled"] is True and body["event_types"] == ["learner.created", "learner.updated"]

    got = await client.get(f"/v1/webhook-endpoints/{body['id']}", headers=auth("exams_officer"))
    assert got.status_code == 200 and "secret" not in got.json() and got.headers["etag"] == '"1"'
    listed = await client.get("/v1/webhook-endpoints", headers=auth("hoc"))
    assert [e["id"] for e in listed.json()["items"]] == [body["id"]]
    assert "secret" not in listed.json()["items"][0]

    # Audited, and the audit log never holds the secret.
    rows = (
        await session.execute(
            text("SELECT action, after::text FROM audit_events WHERE subject_type = 'webhook_endpoint'")
        )
    ).all()
    assert [a for a, _ in rows] == ["webhook_endpoint.created"]
    assert "whsec_" not in rows[0][1] and body["secret"] not in rows[0][1]


async def test_unknown_event_types_are_named(client, auth):
    r = await client.post(
        "/v1/webhook-endpoints",
        headers=auth("hoc"),
        json={**ENDPOINT, "event_types": ["learner.created", "learner.deleted", "nope"]},
    )
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["type"] == "/problems/unknown-event-type"
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [
        ("body.event_types.1", "unknown_event_type"),
        ("body.event_types.2", "unknown_event_type"),
    ]
    empty = await client.post(
        "/v1/webhook-endpoints", headers=auth("hoc"), json={**ENDPOINT, "event_types": []}
    )
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "body.event_types"


async def test_event_type_catalogue(client, auth):
    r = await client.get("/v1/webhook-event-types", headers=auth("hoc"))
    names = {e["name"] for e in r.json()}
    assert names == set(CATALOGUE)
    assert {
        "learner.created",
        "learner.updated",
        "centre.updated",
        "site.created",
        "site.updated",
        "staff_member.created",
        "staff_member.updated",
        "webhook.ping",
    } <= names


@pytest.mark.parametrize(
    "url, code",
    [
        ("http://93.184.215.14/hook", "url_scheme_not_allowed"),
        ("ftp://93.184.215.14/hook", "url_scheme_not_allowed"),
        ("https://127.0.0.1/hook", "url_not_allowed"),
        ("https://localhost:8443/hook", "url_not_allowed"),
        ("https://10.1.2.3/hook", "url_not_allowed"),
        ("https://192.168.0.10/hook", "url_not_allowed"),
        ("https://172.16.5.4/hook", "url_not_allowed"),
        ("https://100.64.0.1/hook", "url_not_allowed"),
        ("https://169.254.169.254/latest/meta-data", "url_not_allowed"),
        ("https://[::1]/hook", "url_not_allowed"),
        ("https://[fe80::1]/hook", "url_not_allowed"),
        ("https://[fd00::1]/hook", "url_not_allowed"),
        ("https://[::ffff:10.0.0.1]/hook", "url_not_allowed"),
        ("https://0.0.0.0/hook", "url_not_allowed"),
        ("https://224.0.0.1/hook", "url_not_allowed"),
        ("https://user:pw@93.184.215.14/hook", "url_credentials_not_allowed"),
        ("https:///hook", "url_invalid"),
        ("https://no-such-host.invalid/hook", "url_unresolvable"),
    ],
)
async def test_production_refuses_urls(production_client, auth, url, code):
    async with production_client() as client:
        r = await client.post("/v1/webhook-endpoints", json={**ENDPOINT, "url": url}, headers=auth("hoc"))
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["type"] == "/problems/webhook-url-refused"
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [("body.url", code)]


async def test_production_accepts_a_public_https_url(production_client, auth):
    async with production_client() as client:
        r = await client.post("/v1/webhook-endpoints", json=ENDPOINT, headers=auth("hoc"))
    assert r.status_code == 201, r.text


async def test_development_setting_allows_http_loopback_only(client, auth):
    r = await client.post(
        "/v1/webhook-endpoints", json={**ENDPOINT, "url": "http://127.0.0.1:9/hook"}, headers=auth("hoc")
    )
    assert r.status_code == 201, r.text
    private = await client.post(
        "/v1/webhook-endpoints", json={**ENDPOINT, "url": "http://10.0.0.1/hook"}, headers=auth("hoc")
    )
    assert private.status_code == 422 and private.json()["errors"][0]["code"] == "url_not_allowed"


async def test_update_needs_if_match_and_validates(client, auth):
    endpoint = (await create(client, auth)).json()
    url = f"/v1/webhook-endpoints/{endpoint['id']}"
    missing = await client.patch(url, json={"description": "x"}, headers=auth("hoc"))
    assert missing.status_code == 428
    r = await client.patch(
        url,
        json={"description": "MIS (live)", "event_types": ["centre.updated"]},
        headers={**auth("hoc"), "If-Match": '"1"'},
    )
    assert r.status_code == 200, r.text
    assert r.json()["event_types"] == ["centre.updated"] and r.headers["etag"] == '"2"'
    stale = await client.patch(url, json={"description": "y"}, headers={**auth("hoc"), "If-Match": '"1"'})
    assert stale.status_code == 412
    bad = await client.patch(
        url, json={"url": "https://10.0.0.8/x"}, headers={**auth("hoc"), "If-Match": '"2"'}
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body.url"
    unknown_field = await client.patch(
        url, json={"secret": "whsec_x"}, headers={**auth("hoc"), "If-Match": '"2"'}
    )
    assert unknown_field.status_code == 422


async def test_reenabling_clears_the_disabled_reason(client, auth, session):
    endpoint = (await create(client, auth)).json()
    await session.execute(
        text(
            "UPDATE webhook_endpoints SET enabled = false, disabled_reason = 'The receiver answered 410 Gone', "
            "disabled_at = now(), failing_since = now(), version = version + 1 WHERE id = :id"
        ),
        {"id": endpoint["id"]},
    )
    url = f"/v1/webhook-endpoints/{endpoint['id']}"
    seen = (await client.get(url, headers=auth("hoc"))).json()
    assert seen["enabled"] is False and "410" in seen["disabled_reason"] and seen["version"] == 2
    r = await client.patch(url, json={"enabled": True}, headers={**auth("hoc"), "If-Match": '"2"'})
    assert r.status_code == 200, r.text
    assert (
        r.json()["enabled"] is True
        and r.json()["disabled_reason"] is None
        and r.json()["failing_since"] is None
    )


async def test_rotate_secret_keeps_the_old_one_for_the_overlap(client, auth, session):
    endpoint = (await create(client, auth)).json()
    r = await client.post(
        f"/v1/webhook-endpoints/{endpoint['id']}/rotate-secret",
        json={"overlap_seconds": 3600},
        headers=auth("exams_officer"),
    )
    assert r.status_code == 200, r.text
    rotated = r.json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != endpoint["secret"]
    assert rotated["previous_secret_expires_at"] is not None and r.headers["etag"] == '"2"'
    row = (
        await session.execute(
            text("SELECT secret, previous_secret FROM webhook_endpoints WHERE id = :id"),
            {"id": endpoint["id"]},
        )
    ).one()
    assert (row.secret, row.previous_secret) == (rotated["secret"], endpoint["secret"])
    default = await client.post(f"/v1/webhook-endpoints/{endpoint['id']}/rotate-secret", headers=auth("hoc"))
    assert default.status_code == 200 and default.json()["previous_secret_expires_at"] is not None
    none = await client.post(
        f"/v1/webhook-endpoints/{endpoint['id']}/rotate-secret",
        json={"overlap_seconds": 0},
        headers=auth("hoc"),
    )
    assert none.json()["previous_secret_expires_at"] is None
    too_long = await client.post(
        f"/v1/webhook-endpoints/{endpoint['id']}/rotate-secret",
        json={"overlap_seconds": 10**8},
        headers=auth("hoc"),
    )
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["field"] == "body.overlap_seconds"


async def test_ping_queues_a_delivery_that_can_be_inspected_and_redelivered(client, auth):
    endpoint = (await create(client, auth)).json()
    r = await client.post(f"/v1/webhook-endpoints/{endpoint['id']}/ping", headers=auth("hoc"))
    assert r.status_code == 202, r.text
    delivery = r.json()
    assert delivery["event_type"] == "webhook.ping" and delivery["status"] == "pending"
    assert delivery["endpoint_id"] == endpoint["id"] and delivery["attempt_count"] == 0

    listed = await client.get(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries", headers=auth("hoc"))
    assert [d["id"] for d in listed.json()["items"]] == [delivery["id"]]
    none = await client.get(
        f"/v1/webhook-endpoints/{endpoint['id']}/deliveries?status=succeeded", headers=auth("hoc")
    )
    assert none.json()["items"] == []

    detail = (await client.get(f"/v1/webhook-deliveries/{delivery['id']}", headers=auth("hoc"))).json()
    assert detail["payload"]["id"] == delivery["event_id"] and detail["payload"]["type"] == "webhook.ping"
    assert detail["payload"]["data"] == {"endpoint_id": endpoint["id"], "message": "ping"}
    assert detail["payload"]["centre_id"] == endpoint["centre_id"] and detail["attempts"] == []

    again = await client.post(
        f"/v1/webhook-deliveries/{delivery['id']}/redeliver", headers=auth("exams_officer")
    )
    assert again.status_code == 202 and again.json()["event_id"] == delivery["event_id"]
    assert again.json()["status"] == "pending"


async def test_other_roles_are_refused_everything(client, auth):
    endpoint = (await create(client, auth)).json()
    delivery = (await client.post(f"/v1/webhook-endpoints/{endpoint['id']}/ping", headers=auth("hoc"))).json()
    calls = _calls(endpoint["id"], delivery["id"])
    for role in OTHERS:
        for method, url, body in calls:
            r = await client.request(method, url, json=body, headers={**auth(role), "If-Match": '"1"'})
            assert r.status_code == 403, (role, method, url, r.status_code)
            assert r.json()["type"] == "/problems/forbidden"
    for method, url, body in calls:
        r = await client.request(method, url, json=body)
        assert r.status_code == 401, (method, url)


async def test_another_centres_endpoints_and_deliveries_are_not_found(client, auth, centres):
    endpoint = (await create(client, auth)).json()
    delivery = (await client.post(f"/v1/webhook-endpoints/{endpoint['id']}/ping", headers=auth("hoc"))).json()
    other = auth("hoc", centre=centres["b"])
    for method, url, body in _calls(endpoint["id"], delivery["id"]):
        if "{" in url or url.endswith(("webhook-endpoints", "webhook-event-types")):
            continue
        r = await client.request(method, url, json=body, headers={**other, "If-Match": '"1"'})
        assert r.status_code == 404, (method, url, r.status_code)
    assert (await client.get("/v1/webhook-endpoints", headers=other)).json()["items"] == []
    missing = await client.get(f"/v1/webhook-deliveries/{uuid.uuid4()}", headers=auth("hoc"))
    assert missing.status_code == 404


def _calls(endpoint_id: str, delivery_id: str) -> list[tuple[str, str, dict | None]]:
    e, d = f"/v1/webhook-endpoints/{endpoint_id}", f"/v1/webhook-deliveries/{delivery_id}"
    return [
        ("GET", "/v1/webhook-event-types", None),
        ("GET", "/v1/webhook-endpoints", None),
        ("POST", "/v1/webhook-endpoints", ENDPOINT),
        ("GET", e, None),
        ("PATCH", e, {"description": "x"}),
        ("POST", f"{e}/rotate-secret", None),
        ("POST", f"{e}/ping", None),
        ("GET", f"{e}/deliveries", None),
        ("GET", d, None),
        ("POST", f"{d}/redeliver", None),
    ]


async def test_openapi_documents_every_event_type_and_operation(app):
    spec = app.openapi()
    assert set(spec["webhooks"]) == set(CATALOGUE)
    learner_updated = spec["webhooks"]["learner.updated"]["post"]
    assert learner_updated["operationId"] == "onLearnerUpdated"
    ref = learner_updated["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    envelope = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(envelope["required"]) == {"id", "type", "occurred_at", "centre_id", "data"}
    headers = {p["name"] for p in learner_updated["parameters"] if p["in"] == "header"}
    assert headers == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    operations = {
        op["operationId"] for path, item in spec["paths"].items() if "webhook" in path for op in item.values()
    }
    assert operations == {
        "listWebhookEventTypes",
        "listWebhookEndpoints",
        "createWebhookEndpoint",
        "getWebhookEndpoint",
        "updateWebhookEndpoint",
        "rotateWebhookEndpointSecret",
        "pingWebhookEndpoint",
        "listWebhookDeliveries",
        "getWebhookDelivery",
        "redeliverWebhookDelivery",
    }
