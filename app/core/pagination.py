"""Cursor pagination (the SPA contract): `limit` + opaque `cursor` in, `items` + `next_cursor` out.

Keys are time-ordered UUIDs, so "after this id" is a stable keyset that never skips or repeats a row
when rows are added between pages.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from contextvars import ContextVar
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import ValidationFailed, field_problem


class PageTooLarge(ValidationFailed):
    """A GraphQL connection was asked for more nodes (`first`) than its documented maximum."""

    slug, title = "page-too-large", "Page too large"


T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=200, description="Page size.")]
# Every cursor is 16 bytes in base64url (22 characters), so any well-formed cursor is one the API can
# resume from: the schema alone tells a client what is valid.
CURSOR_PATTERN = r"^[A-Za-z0-9_-]{22}$"
Cursor = Annotated[
    str | None, Query(pattern=CURSOR_PATTERN, description="`next_cursor` of the previous page.")
]
_MAX_BIGINT = 2**63 - 1


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(last_key: uuid.UUID | int) -> str:
    raw = last_key.bytes if isinstance(last_key, uuid.UUID) else last_key.to_bytes(16, "big")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, key_type: type = uuid.UUID) -> uuid.UUID | int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        if key_type is uuid.UUID:
            return uuid.UUID(bytes=raw)
        return min(int.from_bytes(raw, "big"), _MAX_BIGINT) if len(raw) == 16 else int("invalid")
    except (binascii.Error, ValueError) as exc:
        raise ValidationFailed(
            "The cursor is not one this API issued.",
            errors=[
                field_problem("query.cursor", "invalid_cursor", "Use the next_cursor of a previous page.")
            ],
        ) from exc


# Set by the GraphQL layer (app/api/gql_pagination.py) around a service call: paginate() leaves there
# the statement counting every row of the list, so a connection's `totalCount` runs it only if it is
# asked for, and services keep one signature for REST and GraphQL.
COUNT_SINK: ContextVar[dict[str, Any] | None] = ContextVar("verity_count_sink", default=None)


async def paginate(
    session: AsyncSession, stmt: Select, key_column: Any, limit: int, cursor: str | None
) -> tuple[list[Any], str | None]:
    """Keyset pagination on a unique, ordered key (a UUIDv7 id, or a sequence number)."""
    key_type = key_column.type.python_type
    sink = COUNT_SINK.get()
    if sink is not None:
        sink["count"] = select(func.count()).select_from(stmt.order_by(None).subquery())
        sink["key"] = key_column.key
    if cursor:
        stmt = stmt.where(key_column > decode_cursor(cursor, key_type))
    rows = list((await session.scalars(stmt.order_by(key_column).limit(limit + 1))).all())
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, encode_cursor(getattr(rows[-1], key_column.key))
    return rows, None
