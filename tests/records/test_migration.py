"""0021_records and the rows already in the log: rehashed under the payload-digest formula, the old head
recorded in the new chain; a downgrade restores the old hashes exactly."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import text

from app.audit.service import verify
from app.core.db import make_engine
from tests.conftest import migrate, recreate_database

CENTRE = uuid.UUID("0190a1b2-0000-7000-8000-0000000000ee")


async def test_existing_rows_are_rehashed_and_the_old_head_recorded(server_url, worker_id_name):
    url = await recreate_database(server_url, f"verity_records_migration_{worker_id_name}")
    await asyncio.to_thread(migrate, url, "0015_review")
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.begin() as conn:
            for i in range(3):
                await conn.execute(
                    text(
                        "SELECT audit_append(:c, 'x', 'system', 'x.made', 'x', :s, NULL, "
                        "CAST(:a AS jsonb), NULL)"
                    ),
                    {"c": CENTRE, "s": str(i), "a": f'{{"n": {i}}}'},
                )
        async with engine.connect() as conn:
            before = (await conn.execute(text("SELECT seq, hash FROM audit_events ORDER BY seq"))).all()
        await engine.dispose()
        await asyncio.to_thread(migrate, url)
        async with engine.connect() as conn:
            report = await verify(conn, CENTRE)
            assert report.ok and report.events == 4
            last = (await conn.execute(text("SELECT action, after FROM audit_events WHERE seq = 4"))).one()
            assert last.action == "audit.chain_rehashed" and last.after["through_seq"] == 3
            assert (
                await conn.execute(
                    text(
                        "SELECT count(*) FROM audit_events WHERE before_digest IS NULL "
                        "AND after_digest IS NOT NULL"
                    )
                )
            ).scalar_one() == 4
        await engine.dispose()
        await asyncio.to_thread(migrate, url, "0015_review", down=True)
        async with engine.connect() as conn:
            after = (
                await conn.execute(text("SELECT seq, hash FROM audit_events WHERE seq <= 3 ORDER BY seq"))
            ).all()
        assert after == before
    finally:
        await engine.dispose()
