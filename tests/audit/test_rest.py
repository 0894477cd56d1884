"""One audit row per committed change, none for a rolled-back one; the log and its check over HTTP."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.events.models import OutboxEvent

pytestmark = pytest.mark.usefixtures("centres")
LEARNER = {"given_name": "Ben", "family_name": "Carter", "date_of_birth": "2008-07-02", "mis_id": "M-2"}


async def _count(session, model, **where):
    stmt = select(func.count()).select_from(model)
    for k, v in where.items():
        stmt = stmt.where(getattr(model, k) == v)
    return (await session.execute(stmt)).scalar_one()


async def test_committed_mutation_leaves_exactly_one_audit_row_and_one_event(client, auth, session):
    before_audit = await _count(session, AuditEvent)
    before_outbox = await _count(session, OutboxEvent)
    r = await client.post("/v1/learners", json=LEARNER, headers={**auth("hoc"), "X-Request-ID": "req-123"})
    assert r.status_code == 201
    rows = (await session.scalars(select(AuditEvent).where(AuditEvent.subject_id == r.json()["id"]))).all()
    assert len(rows) == 1
    row = rows[0]
    # The server's request id, never the client's (tests/api/test_request_ids.py).
    assert (row.action, row.actor, row.actor_role, row.request_id) == (
        "learner.created",
        "test-hoc",
        "hoc",
        r.headers["x-request-id"],
    )
    assert row.before is None and row.after["family_name"] == "Carter"
    assert await _count(session, AuditEvent) == before_audit + 1
    assert await _count(session, OutboxEvent) == before_outbox + 1


async def test_rolled_back_request_leaves_no_audit_row_and_no_event(client, auth, session):
    r = await client.post("/v1/learners", json=LEARNER, headers=auth("hoc"))
    assert r.status_code == 201
    before_audit = await _count(session, AuditEvent)
    before_outbox = await _count(session, OutboxEvent)
    # Same MIS id again: the insert is refused at flush, the request's transaction rolls back.
    clash = await client.post("/v1/learners", json={**LEARNER, "given_name": "Other"}, headers=auth("hoc"))
    assert clash.status_code == 409
    assert clash.json()["errors"][0]["field"] == "body.mis_id"
    assert await _count(session, AuditEvent) == before_audit
    assert await _count(session, OutboxEvent) == before_outbox


async def test_update_that_changes_nothing_writes_nothing(client, auth, session):
    r = await client.post("/v1/learners", json=LEARNER, headers=auth("hoc"))
    before = await _count(session, AuditEvent)
    same = await client.patch(
        f"/v1/learners/{r.json()['id']}",
        json={"family_name": "Carter"},
        headers={**auth("hoc"), "If-Match": '"1"'},
    )
    assert same.status_code == 200 and same.json()["version"] == 1
    assert await _count(session, AuditEvent) == before


async def test_audit_log_and_verification_endpoints(client, auth):
    await client.post("/v1/learners", json=LEARNER, headers=auth("hoc"))
    listed = await client.get("/v1/audit-events", params={"subject_type": "learner"}, headers=auth("qn"))
    assert listed.status_code == 200
    assert [e["action"] for e in listed.json()["items"]] == ["learner.created"]
    check = await client.get("/v1/audit/verification", headers=auth("qn"))
    assert check.status_code == 200
    assert check.json()["ok"] is True and check.json()["events"] >= 2  # centre.created + learner.created
    assert (check.json()["checked_from"], check.json()["checked_to"]) == (1, check.json()["events"])
    assert check.json()["next_cursor"] is None
    first = (await client.get("/v1/audit/verification", params={"limit": 1}, headers=auth("qn"))).json()
    assert (first["checked_from"], first["checked_to"], first["ok"]) == (1, 1, True) and first["next_cursor"]
    rest = await client.get(
        "/v1/audit/verification", params={"limit": 1, "cursor": first["next_cursor"]}, headers=auth("qn")
    )
    assert (rest.json()["checked_from"], rest.json()["checked_to"]) == (2, 2)
    for bad in ({"limit": 50001}, {"limit": 0}, {"cursor": "not a cursor"}):
        refused = await client.get("/v1/audit/verification", params=bad, headers=auth("qn"))
        assert refused.status_code == 422 and next(iter(bad)) in refused.text, (bad, refused.text)
    assert (await client.get("/v1/audit/verification", headers=auth("assessor"))).status_code == 403
