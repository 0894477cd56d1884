from __future__ import annotations

from sqlalchemy import text


async def test_health_and_ready(client):
    assert (await client.get("/health")).json() == {"status": "ok"}
    assert (await client.get("/ready")).json() == {"status": "ready"}


async def test_not_ready_when_schema_is_behind(app, client, session):
    app.state.schema_head = "a_revision_not_applied"
    r = await client.get("/ready")
    assert r.status_code == 503 and r.json()["type"].endswith("/not-ready")
    assert (await session.execute(text("SELECT 1"))).scalar_one() == 1
