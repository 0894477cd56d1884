"""Engine, sessions and the one-transaction-per-request dependency (house rule 1).

PostgreSQL only. With no DATABASE_URL the embedded server from `pgserver` is started in the data
folder, so a fresh clone runs with nothing installed but Python and uv.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, urlsplit

import pydantic_core
from fastapi import Depends, Request
from sqlalchemy import Executable, event
from sqlalchemy.engine import Connection, Engine, ExceptionContext, make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from app.core.config import Settings

log = logging.getLogger("verity.db")

APP_DATABASE = "verity"


@dataclass(frozen=True)
class DatabaseUrls:
    app: str  # what the service connects with
    owner: str  # what migrations run as
    app_role: str  # SET ROLE on each service connection ("" when the URL already logs in as it)


def asyncpg_url(url: str) -> str:
    """Accept the usual spellings (postgres://, postgresql://) and use the asyncpg driver."""
    u = make_url(url.replace("postgres://", "postgresql://", 1))
    return u.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def embedded_server_url(data_dir: Path, database: str = APP_DATABASE) -> str:
    """Start (or join) the embedded PostgreSQL 16 in `data_dir/pgdata`; it listens on a Unix socket.

    The server is stopped when the last process that started or joined it exits (pgserver's
    cleanup_mode="stop", run at interpreter exit); `stop_embedded_server` stops it sooner."""
    import os

    data_dir.mkdir(parents=True, exist_ok=True)
    # pgserver keeps its inter-process lock in the user's runtime dir, which platformdirs looks up
    # (and warns about, on every command, when it is unset: containers, CI, ssh) at import time.
    # A folder under the data dir is private to this user and on a local disk, as the lock needs.
    if not os.environ.get("XDG_RUNTIME_DIR"):
        runtime = data_dir.resolve() / "run"
        runtime.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    try:
        import pgserver
    except ImportError as exc:  # production images are built without the development extras
        raise RuntimeError(
            "DATABASE_URL is not set and the embedded development server (pgserver) "
            "is not installed: set DATABASE_URL"
        ) from exc

    server = pgserver.get_server(data_dir.resolve() / "pgdata", cleanup_mode="stop")
    uri = server.get_uri()
    host = parse_qs(urlsplit(uri).query)["host"][0]
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    return f"postgresql+asyncpg://postgres@/{database}?host={host}"


def resolve_urls(settings: Settings) -> DatabaseUrls:
    if settings.database_url:
        app_url = asyncpg_url(settings.database_url)
        owner = asyncpg_url(settings.migration_database_url or settings.database_url)
        return DatabaseUrls(app=app_url, owner=owner, app_role=settings.database_role)
    url = embedded_server_url(settings.data_dir)
    return DatabaseUrls(app=url, owner=url, app_role=settings.database_role)


def json_loads(text: str) -> Any:
    """jsonb as the driver hands it over, decoded by pydantic-core's parser: 2.7 times faster than
    the standard library on a decision's criteria, which a cohort grid decodes for every decision
    (issue 18), with the same values and types, wide integers included (tests/core/test_json_decoding.py).
    What it refuses (a lone surrogate escape, which jsonb can hold) goes to the standard library."""
    try:
        return pydantic_core.from_json(text, allow_inf_nan=True)
    except ValueError:
        return json.loads(text)


def make_engine(
    url: str,
    *,
    role: str = "",
    pool_size: int = 10,
    connect_timeout: float = 10.0,
    pool_timeout: float = 10.0,
    application_name: str = "",
) -> AsyncEngine:
    # Both timeouts bound how long a request waits while the database is unreachable before it
    # answers 503 (asyncpg's own default is 60 s, the pool's 30 s).
    engine = create_async_engine(
        asyncpg_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=False,
        pool_timeout=pool_timeout,
        json_deserializer=json_loads,
        # JIT off: a grid query once spent 1 s compiling for a 10 ms plan (issue 18); OLTP never gains.
        connect_args={
            "server_settings": {
                "timezone": "UTC",
                "jit": "off",
                # Who is connected, in pg_stat_activity (the replica's reads carry their own name).
                **({"application_name": application_name} if application_name else {}),
            },
            "timeout": connect_timeout,
        },
    )
    if role:
        # Dropping to the application role on every new connection keeps the service on the least
        # privilege even when it was given the owner's URL (development, embedded server).
        # Sent straight to asyncpg, outside any transaction: through a DBAPI cursor it would run inside
        # the connection's first transaction, and that transaction's rollback would undo the SET ROLE.
        @event.listens_for(engine.sync_engine, "connect")
        def _set_role(dbapi_connection: Any, _record: Any) -> None:  # the DBAPI adapter's
            dbapi_connection.run_async(lambda conn: conn.execute(f'SET ROLE "{role}"'))

    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


# Statements held back until just before commit (the audit appends): see defer_until_commit.
_DEFERRED = "verity.deferred"


def deferred_statements(session: AsyncSession | AsyncConnection) -> list[tuple[Executable, dict]] | None:
    """The session's queue of statements to run at commit, or None when it runs them at once."""
    return session.info.get(_DEFERRED)


def defer_until_commit(session: AsyncSession) -> None:
    """From now on, statements that take a lock held until commit (the centre's audit advisory lock)
    wait in the session and run, in the order they were queued, just before commit. Every row lock of
    the request is then taken before that lock, whatever order the request's steps ran in: the
    service's one lock order (docs/architecture.md, "Lock order")."""
    session.info.setdefault(_DEFERRED, [])


async def run_deferred(session: AsyncSession) -> None:
    queue = session.info.get(_DEFERRED)
    if not queue:
        return
    # On the session's connection: the queued statements are Core text (the write path's one
    # statement), and Session.execute's ORM layer only costs time on the hot write path (issue 18).
    conn = await session.connection()
    while queue:
        statement, params = queue.pop(0)
        await conn.execute(statement, params)


@asynccontextmanager
async def savepoint(session: AsyncSession) -> AsyncIterator[None]:
    """One step of a request that may fail alone (a GraphQL field): if it raises, its changes, its
    queued statements and any database error it caused are undone, and the request's transaction
    stays usable for the other steps."""
    queue = session.info.get(_DEFERRED)
    mark = len(queue) if queue is not None else 0
    try:
        async with session.begin_nested():
            yield
    except BaseException:
        if queue is not None:
            del queue[mark:]
        raise


class FailedTransaction(RuntimeError):
    """The request's transaction can no longer commit (a database error escaped every savepoint)."""


# PostgreSQL answers COMMIT of a transaction aborted by an error with a silent ROLLBACK, and
# SQLAlchemy does not notice an error that the code caught. So every connection remembers that a
# statement failed until a rollback (of a savepoint or of the transaction) recovers it.
_FAILED = "verity.failed"


@event.listens_for(Engine, "handle_error")
def _mark_failed(context: ExceptionContext) -> None:
    if context.connection is not None and not context.is_disconnect:
        context.connection.info[_FAILED] = True


@event.listens_for(Engine, "rollback_savepoint")
def _savepoint_recovered(connection: Connection, name: str, context: object) -> None:
    connection.info.pop(_FAILED, None)


@event.listens_for(Engine, "rollback")
def _rolled_back(connection: Connection) -> None:
    if connection.invalidated:
        return  # the connection was lost: the pool gives a fresh one, whose info starts empty
    connection.info.pop(_FAILED, None)


async def transaction_failed(session: AsyncSession) -> bool:
    if not session.in_transaction():
        return False
    transaction = session.get_transaction()
    if transaction is not None and not transaction.is_active:
        return True
    return bool((await session.connection()).info.get(_FAILED))


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: commit when the endpoint returns, roll back when it raises.

    Declared with scope="function" so the commit happens before the response is sent: a client never
    sees success for a write that then failed to commit. A transaction that has failed is never
    committed (PostgreSQL would answer COMMIT with a silent ROLLBACK): it is rolled back and the
    request fails. The audit appends deferred by defer_until_commit run last, just before commit.
    """
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessionmaker() as session:
        defer_until_commit(session)
        try:
            yield session
            if await transaction_failed(session):
                raise FailedTransaction("the request's transaction failed; it was rolled back")
            await run_deferred(session)
            await session.commit()
        except BaseException:
            session.info.pop(_DEFERRED, None)
            await session.rollback()
            raise


Session = Annotated[AsyncSession, Depends(get_session, scope="function")]
