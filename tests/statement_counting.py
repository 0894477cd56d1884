"""Counting the statements a block of code sends, for the tests that pin how many a read takes."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession


@contextlib.asynccontextmanager
async def statements_of(session: AsyncSession) -> AsyncIterator[list[str]]:
    """Every statement the session's connection sends inside the block."""
    conn = await session.connection()
    statements: list[str] = []

    def count(*args):
        statements.append(args[2])

    event.listen(conn.sync_connection, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(conn.sync_connection, "before_cursor_execute", count)


def own(statements: list[str]) -> list[str]:
    """The code's own statements: not the savepoints the tests' shared transaction adds."""
    return [s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))]
