"""The server makes every request id; a client's X-Request-ID is only kept beside it, and only when it
matches the safe pattern. Audit rows record the server's id."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent

pytestmark = pytest.mark.usefixtures("centres")
LEARNER = {"given_name": "Ben", "family_name": "Carter", "date_of_birth": "2008-07-02"}


async def test_the_server_makes_the_request_id_and_echoes_a_safe_client_id(client, auth, session):
    r = await client.post("/v1/learners", json=LEARNER, headers={**auth("hoc"), "X-Request-ID": "req-123"})
    assert r.status_code == 201
    server_id = r.headers["x-request-id"]
    assert server_id != "req-123" and uuid.UUID(server_id)
    assert r.headers["x-client-request-id"] == "req-123"
    row = (await session.scalars(select(AuditEvent).where(AuditEvent.subject_id == r.json()["id"]))).one()
    assert row.request_id == server_id


async def test_a_client_cannot_reuse_or_forge_request_ids(client, auth):
    first = await client.get("/v1/learners", headers={**auth("hoc"), "X-Request-ID": "same"})
    second = await client.get("/v1/learners", headers={**auth("hoc"), "X-Request-ID": "same"})
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
    for unsafe in ("x" * 129, "a b", "<script>", "id;drop", "é"):
        r = await client.get("/v1/learners", headers={**auth("hoc"), "X-Request-ID": unsafe.encode("utf-8")})
        assert "x-client-request-id" not in r.headers, unsafe
        assert r.headers["x-request-id"] != unsafe
    # Errors carry both ids too.
    r = await client.get("/v1/learners", headers={"X-Request-ID": "ok.id:1"})
    assert (
        r.status_code == 401 and r.headers["x-client-request-id"] == "ok.id:1" and r.headers["x-request-id"]
    )
