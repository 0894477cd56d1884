"""The webhook tables: the models match 0003_webhooks, and the application role holds only what it needs."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.models import all_models

WEBHOOK_TABLES = {"webhook_endpoints", "webhook_messages", "webhook_deliveries", "webhook_attempts"}


def _table_of(diff) -> str | None:
    for part in diff if isinstance(diff, tuple) else diff[0]:
        name = getattr(part, "name", None) if not isinstance(part, str) else None
        table = getattr(part, "table", None)
        if table is not None and getattr(table, "name", None):
            return table.name
        if name in WEBHOOK_TABLES:
            return name
        if isinstance(part, str) and part in WEBHOOK_TABLES:
            return part
    return None


async def test_models_match_the_migration(owner_engine):
    async with owner_engine.connect() as conn:

        def compare(sync_conn):
            ctx = MigrationContext.configure(sync_conn, opts={"compare_type": True})
            return compare_metadata(ctx, all_models())

        diff = await conn.run_sync(compare)
    assert [d for d in diff if _table_of(d) in WEBHOOK_TABLES | {"outbox"}] == []


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE webhook_attempts SET error = 'x'",
        "UPDATE webhook_messages SET body = ''",
        "DELETE FROM webhook_endpoints",
        "UPDATE outbox SET payload = '{}'",
        "TRUNCATE webhook_deliveries",
    ],
)
async def test_the_app_role_cannot(app_engine, statement):
    async with app_engine.connect() as conn:
        with pytest.raises(DBAPIError, match="permission denied"):
            await conn.execute(text(statement))


async def test_the_app_role_can_consume_the_outbox(app_engine):
    async with app_engine.connect() as conn, conn.begin() as trans:
        await conn.execute(text("SELECT id FROM outbox ORDER BY occurred_at LIMIT 1 FOR UPDATE SKIP LOCKED"))
        await conn.execute(text("DELETE FROM outbox WHERE false"))
        await trans.rollback()
