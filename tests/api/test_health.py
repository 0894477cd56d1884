from __future__ import annotations

from sqlalchemy import text


async def test_health_and_ready(client):
    assert (await client.get("/health")).json() == {"status": "ok"}
    assert (await client.get("/ready")).json() == {"status": "ready"}


async def test_not_ready_when_schema_is_behind_but_ready_when_ahead(app, client, session):
    current = (await session.execute(text("SELECT version_num FROM alembic_version"))).scalar_one()
    # This build expects a newer head: the database is behind it.
    app.state.schema_head = "9999_not_applied"
    app.state.known_revisions = frozenset({current, "9999_not_applied"})
    r = await client.get("/ready")
    assert r.status_code == 503 and r.json()["type"].endswith("/not-ready")
    # The database is at a revision this build does not know: a newer release migrated it.
    app.state.schema_head = "0000_older_head"
    app.state.known_revisions = frozenset({"0000_older_head"})
    assert (await client.get("/ready")).status_code == 200
