"""Reads that may lag, served by a streaming standby when one is configured (issue 18).

`ReadSession` is the dependency for them: a read-only transaction on the replica engine when
VERITY_REPLICA_DATABASE_URL is set and the standby answers; otherwise, or when connecting fails or times
out, the same read on the primary (logged, counted in `verity_db_reads`). Writes never take this path:
`ReadSession` is used only by GET handlers that write nothing (no audit of the read) and whose answer
may be a few seconds old (the list in docs/scaling.md); on the standby its transaction is READ ONLY.

Each answer says where it was read (`Verity-Read-Source: replica | primary`), which the drill
(bench/replica_drill.py) and the tests check.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request, Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.core.db import make_engine, make_sessionmaker

log = logging.getLogger("verity.db.replica")

SOURCE_HEADER = "Verity-Read-Source"
APPLICATION_NAME = "verity-replica-reads"


class ReadRouter:
    """The replica engine, the time until which it is not tried again, and what served each read."""

    def __init__(self, settings: Settings, role: str = "") -> None:
        self.engine: AsyncEngine | None = None
        self.sessionmaker: async_sessionmaker[AsyncSession] | None = None
        self.retry_seconds = settings.replica_retry_seconds
        self.down_until = 0.0
        self.served: Counter[str] = Counter({"replica": 0, "primary": 0, "fallback": 0})
        if settings.replica_database_url:
            self.engine = make_engine(
                settings.replica_database_url,
                role=role,
                pool_size=settings.pool_size,
                connect_timeout=settings.replica_connect_timeout_seconds,
                pool_timeout=settings.replica_connect_timeout_seconds,
                application_name=APPLICATION_NAME,
            )
            self.sessionmaker = make_sessionmaker(self.engine)

    async def replica_session(self) -> AsyncSession | None:
        """A session in a read-only transaction on the standby, or None (unset, down, or unreachable)."""
        if self.sessionmaker is None or time.monotonic() < self.down_until:
            return None
        session = self.sessionmaker()
        try:
            await session.execute(text("SET TRANSACTION READ ONLY"))
        except Exception as exc:  # refused, timed out, or the standby answered with an error
            await session.close()
            self.down_until = time.monotonic() + self.retry_seconds
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
            log.warning(
                "replica unreachable, reading from the primary for %g s: %s: %s",
                self.retry_seconds,
                type(exc).__name__,
                reason,
            )
            return None
        return session

    async def dispose(self) -> None:
        if self.engine is not None:
            await self.engine.dispose()


async def get_read_session(request: Request, response: Response) -> AsyncIterator[AsyncSession]:
    """A read that may lag: on the standby when there is one that answers, else on the primary."""
    router: ReadRouter | None = getattr(request.app.state, "read_router", None)
    replica = await router.replica_session() if router is not None else None
    if router is not None:
        configured = router.sessionmaker is not None
        router.served["replica" if replica else "fallback" if configured else "primary"] += 1
    response.headers[SOURCE_HEADER] = "replica" if replica else "primary"
    if replica is None:
        replica = request.app.state.sessionmaker()
    # Closing rolls back: these reads have nothing to commit.
    async with replica as session:
        yield session


ReadSession = Annotated[AsyncSession, Depends(get_read_session, scope="function")]
