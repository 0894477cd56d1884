"""House rule 9: one head; upgrade → downgrade → upgrade works; the models and the migrations agree."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from app.core.db import make_engine
from app.models import alembic_config, all_models
from tests.conftest import migrate, recreate_database


def test_single_head():
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, f"several migration heads: {heads}"


async def _diff(url: str) -> list:
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:

            def compare(sync_conn):
                ctx = MigrationContext.configure(sync_conn, opts={"compare_type": True})
                return compare_metadata(ctx, all_models())

            return await conn.run_sync(compare)
    finally:
        await engine.dispose()


async def _tables(url: str) -> set[str]:
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
            return {r[0] for r in rows}
    finally:
        await engine.dispose()


async def test_upgrade_downgrade_upgrade_and_models_match(server_url, worker_id_name):
    url = await recreate_database(server_url, f"verity_migrations_{worker_id_name}")
    await asyncio.to_thread(migrate, url)
    assert await _diff(url) == []
    assert {"centres", "learners", "audit_events", "outbox"} <= await _tables(url)
    await asyncio.to_thread(migrate, url, "base", down=True)
    assert await _tables(url) == {"alembic_version"}
    await asyncio.to_thread(migrate, url)
    assert await _diff(url) == []
