"""Async Alembic environment. Migrations run as the schema owner, never as the application role."""

from __future__ import annotations

import asyncio

from sqlalchemy import pool
from sqlalchemy.ext.asyncio import create_async_engine

from alembic import context
from app.core.config import get_settings
from app.core.db import asyncpg_url, resolve_urls
from app.models import all_models

config = context.config
target_metadata = all_models()


def owner_url() -> str:
    # Tests and `verity migrate` hand the URL over in attributes; otherwise read the environment.
    url = config.attributes.get("owner_url")
    return asyncpg_url(url) if url else resolve_urls(get_settings()).owner


def app_role() -> str:
    return config.attributes.get("app_role") or get_settings().database_role


def do_run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations(app_role=app_role())


async def run_async() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        await connection.run_sync(do_run_migrations)
        return
    engine = create_async_engine(owner_url(), poolclass=pool.NullPool)
    async with engine.connect() as conn:
        await conn.run_sync(do_run_migrations)
    await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported: run `verity migrate`")
asyncio.run(run_async())
