"""The worker against a real receiver, on committed data: fan-out, signatures, retries, leases, disabling.

The worker runs in-process here (run_worker with a stop event) so each test can arrange and inspect
states; tests/webhooks/test_no_loss.py runs it as a separate process and kills it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from collections.abc import Callable

import pytest
import standardwebhooks

from app.core.db import make_sessionmaker
from app.webhooks import dispatch
from app.webhooks.sender import make_client, send
from app.webhooks.worker import run_worker
from tests.conftest import CENTRE_A, CENTRE_B
from tests.webhooks.conftest import Live
from tests.webhooks.outbox_rows import outbox_row
from tests.webhooks.receiver import Answer, Receiver

LEARNER = {"given_name": "Amara", "family_name": "Bello", "date_of_birth": "2008-03-14"}


async def run_until(live: Live, done: Callable[[], bool], settings=None, limit: float = 30.0) -> None:
    """Run the worker until `done()` holds; `limit` only bounds a failing test, it asserts nothing about time."""
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(settings or live.settings, stop=stop, engine=live.engine))
    try:
        for _ in range(int(limit / 0.02)):
            if done() or worker.done():
                break
            await asyncio.sleep(0.02)
    finally:
        stop.set()
        await worker


async def endpoint(
    live: Live, auth, url: str, event_types=("learner.created", "learner.updated"), centre=CENTRE_A
) -> dict:
    async with live.client() as client:
        r = await client.post(
            "/v1/webhook-endpoints",
            headers=auth("hoc", centre=centre),
            json={"url": url, "event_types": list(event_types)},
        )
    assert r.status_code == 201, r.text
    return r.json()


async def emit_events(live: Live, n: int, centre=CENTRE_A, event_type="learner.created") -> list[str]:
    async with make_sessionmaker(live.engine)() as session:
        ids = [str(await outbox_row(session, centre, event_type, {"n": i})) for i in range(n)]
        await session.commit()
    return ids


async def test_a_committed_change_is_delivered_signed_and_enveloped(live, auth, receiver):
    hook = await endpoint(live, auth, receiver.url)
    async with live.client() as client:
        created = await client.post("/v1/learners", json=LEARNER, headers=auth("hoc"))
    assert created.status_code == 201
    event_id = (await live.sql("SELECT id FROM outbox WHERE event_type = 'learner.created'"))[0].id

    await run_until(live, lambda: len(receiver.requests) >= 1)
    [got] = receiver.snapshot()
    payload = standardwebhooks.Webhook(hook["secret"]).verify(got.body, got.headers)
    assert got.headers["webhook-id"] == str(event_id) == payload["id"]
    assert got.headers["content-type"] == "application/json"
    assert set(payload) == {"id", "type", "occurred_at", "centre_id", "data"}
    assert payload["type"] == "learner.created" and payload["centre_id"] == str(CENTRE_A)
    assert payload["data"] == created.json()
    stored = (await live.sql("SELECT body FROM webhook_messages WHERE id = :id", id=event_id))[0].body
    assert got.body == stored  # the exact stored bytes
    # The worker's start-up checkpoints are written after its first fan-out and wait for the next.
    assert await live.sql("SELECT id FROM outbox WHERE event_type <> 'audit.checkpointed'") == []

    async with live.client() as client:
        deliveries = (
            await client.get(f"/v1/webhook-endpoints/{hook['id']}/deliveries", headers=auth("hoc"))
        ).json()["items"]
        assert [(d["status"], d["attempt_count"], d["last_status_code"]) for d in deliveries] == [
            ("succeeded", 1, 204)
        ]
        detail = (
            await client.get(f"/v1/webhook-deliveries/{deliveries[0]['id']}", headers=auth("hoc"))
        ).json()
    [attempt] = detail["attempts"]
    assert attempt["succeeded"] and attempt["status_code"] == 204 and attempt["latency_ms"] >= 0
    assert attempt["error"] is None


async def test_fan_out_follows_centre_subscription_and_enabled(live, auth, receiver):
    second = Receiver()
    second.start()
    try:
        a_created = await endpoint(live, auth, receiver.url, ["learner.created"])
        a_updated = await endpoint(live, auth, second.url, ["learner.updated"])
        b_created = await endpoint(live, auth, second.url + "/b", ["learner.created"], centre=CENTRE_B)
        disabled = await endpoint(live, auth, receiver.url + "/off", ["learner.created"])
        async with live.client() as client:
            r = await client.patch(
                f"/v1/webhook-endpoints/{disabled['id']}",
                json={"enabled": False},
                headers={**auth("hoc"), "If-Match": '"1"'},
            )
            assert r.status_code == 200
        a_ids = await emit_events(live, 3)
        b_ids = await emit_events(live, 2, centre=CENTRE_B)
        upd_ids = await emit_events(live, 1, event_type="learner.updated")
        unknown = await emit_events(live, 1, event_type="learner.deleted")  # not in the catalogue

        await run_until(live, lambda: len(receiver.requests) >= 3 and len(second.requests) >= 3)
        assert receiver.ids() == set(a_ids) and {r.path for r in receiver.snapshot()} == {"/hook"}
        by_path = {}
        for r in second.snapshot():
            by_path.setdefault(r.path, set()).add(r.webhook_id)
        assert by_path == {"/hook": set(upd_ids), "/hook/b": set(b_ids)}
        # Unmatched and unknown events are consumed too. The worker also checkpoints each chain as it starts
        # those events, written after the last fan-out, wait for the next one.
        assert await live.sql("SELECT id FROM outbox WHERE event_type <> 'audit.checkpointed'") == []
        assert (
            await live.sql("SELECT id FROM webhook_messages WHERE id = :id", id=uuid.UUID(unknown[0])) == []
        )
        for hook, rcv in ((a_created, receiver), (a_updated, second)):
            for got in rcv.snapshot():
                if got.path == "/hook":
                    standardwebhooks.Webhook(hook["secret"]).verify(got.body, got.headers)
        standardwebhooks.Webhook(b_created["secret"]).verify(
            next(r for r in second.snapshot() if r.path == "/hook/b").body,
            next(r for r in second.snapshot() if r.path == "/hook/b").headers,
        )
    finally:
        second.stop()


async def test_failures_are_retried_with_the_same_id_until_2xx(live, auth):
    receiver = Receiver(
        answer=lambda _r, seen: Answer(503, body=b"busy") if seen < 2 else Answer(200, body=b"ok")
    )
    receiver.start()
    try:
        hook = await endpoint(live, auth, receiver.url)
        [event_id] = await emit_events(live, 1)
        await run_until(live, lambda: len(receiver.requests) >= 3)
    finally:
        receiver.stop()
    got = receiver.snapshot()
    assert [r.webhook_id for r in got] == [event_id] * 3
    assert len({r.body for r in got}) == 1
    for r in got:
        standardwebhooks.Webhook(hook["secret"]).verify(r.body, r.headers)
    row = (await live.sql("SELECT status, attempt_count, last_status_code FROM webhook_deliveries"))[0]
    assert (row.status, row.attempt_count, row.last_status_code) == ("succeeded", 3, 200)
    attempts = await live.sql(
        "SELECT succeeded, status_code, response_excerpt, error FROM webhook_attempts ORDER BY id"
    )
    assert [(a.succeeded, a.status_code, a.response_excerpt, a.error) for a in attempts] == [
        (False, 503, "busy", "HTTP 503"),
        (False, 503, "busy", "HTTP 503"),
        (True, 200, "ok", None),
    ]
    assert (await live.sql("SELECT failing_since FROM webhook_endpoints"))[0].failing_since is None


async def test_retry_after_is_honoured(live, auth):
    receiver = Receiver(answer=lambda _r, _n: Answer(429, {"Retry-After": "7200"}))
    receiver.start()
    try:
        await endpoint(live, auth, receiver.url)
        await emit_events(live, 1)
        await run_until(live, lambda: len(receiver.requests) >= 1)
    finally:
        receiver.stop()
    row = (
        await live.sql("SELECT status, next_attempt_at - last_attempt_at AS wait FROM webhook_deliveries")
    )[0]
    assert row.status == "pending" and row.wait >= dt.timedelta(seconds=7199)


def test_backoff_grows_is_jittered_and_capped(live):
    settings = live.settings_with(webhooks_retry_base_seconds=30, webhooks_retry_max_delay_seconds=4 * 3600)
    waits = [dispatch.backoff_seconds(n, settings) for n in range(1, 16)]
    assert 22.5 <= waits[0] <= 37.5 and 45 <= waits[1] <= 75
    assert all(w <= 4 * 3600 * 1.25 for w in waits)
    assert sum(waits) >= 20 * 3600  # the schedule spans about a day before the window closes
    assert dispatch.backoff_seconds(1, settings, retry_after=600) >= 600


async def test_the_retry_window_ends_in_failure(live, auth):
    receiver = Receiver(answer=lambda _r, _n: Answer(500))
    receiver.start()
    try:
        await endpoint(live, auth, receiver.url)
        await emit_events(live, 1)
        async with live.engine.connect() as conn:
            await dispatch.fan_out(conn, 10)
        await live.sql("UPDATE webhook_deliveries SET window_started_at = now() - interval '2 days'")
        await run_until(live, lambda: len(receiver.requests) >= 1)
    finally:
        receiver.stop()
    row = (await live.sql("SELECT status, next_attempt_at FROM webhook_deliveries"))[0]
    assert (row.status, row.next_attempt_at) == ("failed", None)


async def test_410_disables_the_endpoint_with_a_reason(live, auth):
    receiver = Receiver(answer=lambda _r, _n: Answer(410))
    receiver.start()
    try:
        hook = await endpoint(live, auth, receiver.url)
        await emit_events(live, 1)
        await run_until(live, lambda: len(receiver.requests) >= 1)
        await emit_events(live, 2)  # after disabling: not fanned out to it
        await run_until(live, lambda: False, limit=0.5)
    finally:
        receiver.stop()
    assert len(receiver.requests) == 1
    async with live.client() as client:
        seen = (await client.get(f"/v1/webhook-endpoints/{hook['id']}", headers=auth("hoc"))).json()
    assert seen["enabled"] is False and "410" in seen["disabled_reason"] and seen["version"] == 2
    assert (await live.sql("SELECT status FROM webhook_deliveries"))[0].status == "failed"
    audit = await live.sql(
        "SELECT actor, actor_role FROM audit_events WHERE action = 'webhook_endpoint.disabled' "
        "AND subject_id = :id",
        id=hook["id"],
    )
    assert [(a.actor, a.actor_role) for a in audit] == [("system:webhooks-worker", "system")]


async def test_an_endpoint_failing_for_days_is_disabled(live, auth):
    receiver = Receiver(answer=lambda _r, _n: Answer(500, body=b"down"))
    receiver.start()
    try:
        hook = await endpoint(live, auth, receiver.url)
        await live.sql("UPDATE webhook_endpoints SET failing_since = now() - interval '6 days'")
        await emit_events(live, 1)
        await run_until(live, lambda: len(receiver.requests) >= 1)
    finally:
        receiver.stop()
    async with live.client() as client:
        seen = (await client.get(f"/v1/webhook-endpoints/{hook['id']}", headers=auth("hoc"))).json()
    assert seen["enabled"] is False and "failed since" in seen["disabled_reason"]
    assert "HTTP 500" in seen["disabled_reason"]


async def test_one_failure_does_not_disable(live, auth):
    receiver = Receiver(answer=lambda _r, _n: Answer(500))
    receiver.start()
    try:
        await endpoint(live, auth, receiver.url)
        await emit_events(live, 1)
        await run_until(live, lambda: len(receiver.requests) >= 1)
    finally:
        receiver.stop()
    row = (await live.sql("SELECT enabled, failing_since FROM webhook_endpoints"))[0]
    assert row.enabled is True and row.failing_since is not None


async def test_redirects_are_not_followed(live, auth):
    receiver = Receiver(
        answer=lambda r, _n: Answer(302, {"Location": "/elsewhere"}) if r.path == "/hook" else Answer(200)
    )
    receiver.start()
    try:
        await endpoint(live, auth, receiver.url)
        await emit_events(live, 1)
        await run_until(live, lambda: len(receiver.requests) >= 1)
        await asyncio.sleep(0.2)
    finally:
        receiver.stop()
    # Never /elsewhere. The 302 is retried like any failure, and on a loaded machine a retry can land
    # inside the wait above: the attempts are counted by the set, not the list.
    paths = [r.path for r in receiver.snapshot()]
    assert paths and set(paths) == {"/hook"}, paths
    row = (await live.sql("SELECT status, last_status_code, last_error FROM webhook_deliveries"))[0]
    assert row.status == "pending" and row.last_status_code == 302 and "not followed" in row.last_error


async def test_during_a_rotation_both_secrets_verify(live, auth, receiver):
    hook = await endpoint(live, auth, receiver.url)
    async with live.client() as client:
        rotated = (
            await client.post(
                f"/v1/webhook-endpoints/{hook['id']}/rotate-secret",
                headers=auth("hoc"),
                json={"overlap_seconds": 600},
            )
        ).json()
    await emit_events(live, 1)
    await run_until(live, lambda: len(receiver.requests) >= 1)
    [got] = receiver.snapshot()
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    for secret in (hook["secret"], rotated["secret"]):
        standardwebhooks.Webhook(secret).verify(got.body, got.headers)

    await live.sql("UPDATE webhook_endpoints SET previous_secret_expires_at = now() - interval '1 second'")
    await emit_events(live, 1)
    await run_until(live, lambda: len(receiver.requests) >= 2)
    latest = receiver.snapshot()[-1]
    assert len(latest.headers["webhook-signature"].split(" ")) == 1
    standardwebhooks.Webhook(rotated["secret"]).verify(latest.body, latest.headers)
    with pytest.raises(standardwebhooks.webhooks.WebhookVerificationError):
        standardwebhooks.Webhook(hook["secret"]).verify(latest.body, latest.headers)


async def test_a_ping_reaches_only_its_endpoint_even_disabled(live, auth, receiver):
    hook = await endpoint(live, auth, receiver.url, ["webhook.ping"])
    await endpoint(live, auth, receiver.url + "/other", ["webhook.ping"])
    async with live.client() as client:
        await client.patch(
            f"/v1/webhook-endpoints/{hook['id']}",
            json={"enabled": False},
            headers={**auth("hoc"), "If-Match": '"1"'},
        )
        ping = (await client.post(f"/v1/webhook-endpoints/{hook['id']}/ping", headers=auth("hoc"))).json()
    await run_until(live, lambda: len(receiver.requests) >= 1)
    await run_until(live, lambda: False, limit=0.3)
    [got] = receiver.snapshot()
    assert got.path == "/hook" and got.webhook_id == ping["event_id"]
    assert standardwebhooks.Webhook(hook["secret"]).verify(got.body, got.headers)["type"] == "webhook.ping"


async def test_redelivery_sends_the_same_message_again(live, auth, receiver):
    hook = await endpoint(live, auth, receiver.url)
    [event_id] = await emit_events(live, 1)
    await run_until(live, lambda: len(receiver.requests) >= 1)
    delivery_id = (await live.sql("SELECT id FROM webhook_deliveries"))[0].id
    async with live.client() as client:
        r = await client.post(f"/v1/webhook-deliveries/{delivery_id}/redeliver", headers=auth("hoc"))
        assert r.status_code == 202 and r.json()["status"] == "pending"
    await run_until(live, lambda: len(receiver.requests) >= 2)
    first, second = receiver.snapshot()
    assert first.webhook_id == second.webhook_id == event_id and first.body == second.body
    standardwebhooks.Webhook(hook["secret"]).verify(second.body, second.headers)
    row = (await live.sql("SELECT status, attempt_count FROM webhook_deliveries"))[0]
    assert (row.status, row.attempt_count) == ("succeeded", 2)


async def test_a_lease_that_expires_is_claimed_again_and_a_stale_result_is_fenced(live, auth, receiver):
    await endpoint(live, auth, receiver.url)
    await emit_events(live, 1)
    async with live.engine.connect() as conn:
        await dispatch.fan_out(conn, 10)
        [first] = await dispatch.claim(conn, 10, lease_seconds=60)
        assert await dispatch.claim(conn, 10, lease_seconds=60) == []  # leased: nobody else takes it
    # The worker holding it "dies"; its lease runs out.
    await live.sql("UPDATE webhook_deliveries SET locked_until = now() - interval '1 second'")
    async with live.engine.connect() as conn:
        [second] = await dispatch.claim(conn, 10, lease_seconds=60)
    assert second.delivery_id == first.delivery_id and second.lease_token != first.lease_token
    client = make_client(live.settings, 2)
    try:
        outcome = await send(
            client, live.settings, first.url, str(first.message_id), first.body, first.secrets
        )
    finally:
        await client.aclose()
    async with live.engine.connect() as conn:
        assert await dispatch.record_outcome(conn, first, outcome, live.settings) is None  # fenced
        assert await dispatch.record_outcome(conn, second, outcome, live.settings) == "succeeded"
    rows = await live.sql("SELECT count(*) AS n FROM webhook_attempts")
    assert rows[0].n == 2  # both attempts are on record


async def test_the_address_is_checked_again_at_send_time(live, auth, receiver):
    await endpoint(live, auth, receiver.url)  # saved while loopback was allowed
    await emit_events(live, 1)
    strict = live.settings_with(webhooks_allow_loopback=False)
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(strict, stop=stop, engine=live.engine))
    for _ in range(500):
        rows = await live.sql("SELECT last_error FROM webhook_deliveries WHERE attempt_count > 0")
        if rows:
            break
        await asyncio.sleep(0.02)
    stop.set()
    await worker
    assert receiver.requests == []
    assert rows and rows[0].last_error.startswith("url_not_allowed")


async def test_purge_removes_old_finished_deliveries_only(live, auth, receiver):
    hook = await endpoint(live, auth, receiver.url)
    await emit_events(live, 1)
    await run_until(live, lambda: len(receiver.requests) >= 1)
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=40)
    ids = {
        status: uuid.UUID(int=(int(old.timestamp() * 1000) << 80) | (7 << 76) | n)
        for n, status in enumerate(("succeeded", "failed", "pending"), start=1)
    }
    for status, old_id in ids.items():
        await live.sql(
            "INSERT INTO webhook_messages (id, centre_id, event_type, occurred_at, body) "
            "VALUES (:id, :c, 'learner.created', now(), '{}')",
            id=old_id,
            c=CENTRE_A,
        )
        await live.sql(
            "INSERT INTO webhook_deliveries (id, centre_id, endpoint_id, message_id, event_type, status, "
            "attempt_count, retry_count, window_started_at, next_attempt_at, updated_at) VALUES (:id, :c, :e, :id, "
            "'learner.created', :s, 1, 1, now(), now() + interval '1 hour', now() - interval '40 days')",
            id=old_id,
            c=CENTRE_A,
            e=uuid.UUID(hook["id"]),
            s=status,
        )
        await live.sql(
            "INSERT INTO webhook_attempts (id, delivery_id, centre_id, attempted_at, succeeded, "
            "latency_ms) VALUES (:a, :id, :c, now(), true, 1)",
            a=uuid.uuid4(),
            id=old_id,
            c=CENTRE_A,
        )
    async with live.engine.connect() as conn:
        assert await dispatch.purge(conn, retention_days=30) == 2
        assert await dispatch.purge(conn, retention_days=30) == 0
    left = {r.id for r in await live.sql("SELECT id FROM webhook_deliveries")}
    assert (
        ids["pending"] in left
        and ids["succeeded"] not in left
        and ids["failed"] not in left
        and len(left) == 2
    )
    messages = {r.id for r in await live.sql("SELECT id FROM webhook_messages")}
    assert ids["succeeded"] not in messages and ids["pending"] in messages and len(messages) == 2
    assert (await live.sql("SELECT count(*) AS n FROM webhook_attempts"))[0].n == 2


def test_body_is_compact_utf8_json():
    from app.webhooks.signing import encode_body

    body = encode_body({"id": "x", "data": {"name": "Zoë"}})
    assert body == '{"id":"x","data":{"name":"Zoë"}}'.encode()
    assert json.loads(body)["data"]["name"] == "Zoë"
