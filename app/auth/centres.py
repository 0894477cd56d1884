"""Does the token's centre exist? Asked on every authenticated request, so found centres are cached.

`auth` sits below the domains and cannot read the centres table itself: create_app() hands in the
lookup and the reserved ids (the platform catalogue's centre, which no caller may act as).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Iterable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.auth.tokens import INVALID_TOKEN
from app.core.errors import Unauthenticated

CentreLookup = Callable[[AsyncSession, uuid.UUID], Awaitable[bool]]
MAX_CACHED = 10_000


class CentreDirectory:
    def __init__(
        self, lookup: CentreLookup, *, reserved: Iterable[uuid.UUID] = (), ttl_seconds: float = 60.0
    ):
        self.lookup = lookup
        self.reserved = frozenset(reserved)
        self.ttl = ttl_seconds
        self._found: dict[uuid.UUID, float] = {}

    async def require_known(
        self, sessionmaker: async_sessionmaker[AsyncSession], centre_id: uuid.UUID
    ) -> None:
        if centre_id in self.reserved:
            raise Unauthenticated(INVALID_TOKEN)
        seen = self._found.get(centre_id)
        now = time.monotonic()
        if seen is not None and now - seen < self.ttl:
            return
        # Absence is not cached: a centre created a moment ago must work at once. Its own short
        # session, because the request's session has not begun and must stay one transaction.
        async with sessionmaker() as session:
            exists = await self.lookup(session, centre_id)
        if not exists:
            self._found.pop(centre_id, None)
            raise Unauthenticated(INVALID_TOKEN)
        if len(self._found) >= MAX_CACHED:
            self._found.clear()
        self._found[centre_id] = now
