"""Idempotency-Key: the one mechanism behind every creating POST, every GraphQL mutation and the bulk
sync. A key is claimed by inserting its row at the start of the request, in the request's transaction;
the answer (status, body, headers) is written to that row before the transaction commits, so the key
and the writes it guards are committed together or not at all.

- same key, same request → the stored answer, whatever happened in between;
- same key, another request (operation or hash) → 422 idempotency-key-reused;
- a concurrent request with the same key blocks on the row's unique index until the first commits
  (then replays it) or rolls back (then runs itself): never two writes;
- keys belong to one centre and one principal (the token's subject), and expire (`idempotency_key_ttl_hours`);
  an expired key is a new key. `purge_expired` deletes them (the worker, `verity idempotency purge`).

Only a success is stored: a refused request leaves no trace, so its retry runs again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Protocol, runtime_checkable

from fastapi import Header
from pydantic import BaseModel
from sqlalchemy import ColumnElement, DateTime, Integer, String, delete, func, select, tuple_, update
from sqlalchemy.dialects.postgresql import JSONB, UUID, insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.core.errors import ProblemError, field_problem
from app.core.models import Base

IDEMPOTENCY_KEY_PATTERN = r"^[A-Za-z0-9._:-]{1,200}$"
REPLAYED_HEADER = "Idempotent-Replayed"
DEFAULT_TTL_HOURS = 24.0

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=IDEMPOTENCY_KEY_PATTERN,
        description="Any unique string (a UUID): a retry with the same key and the same body replays the first "
        "answer (marked `Idempotent-Replayed: true`) instead of writing again; the same key with another body "
        "answers 422. Keys are per caller and expire after 24 hours.",
    ),
]


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"

    centre_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    # The token's subject: two callers who pick the same key never see each other's answers.
    subject: Mapped[str] = mapped_column(String(255), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    operation: Mapped[str] = mapped_column(String(60))
    # sha256 of the canonical request: the same key with another body is refused, never replayed.
    request_hash: Mapped[str] = mapped_column(String(64))
    # Null while the claiming transaction runs; nobody else can see that state.
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    headers: Mapped[dict] = mapped_column(JSONB, server_default="{}")
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), default=clock.now
    )
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


@runtime_checkable
class Caller(Protocol):
    """Whose key it is: the principal, seen only through what scopes a key (core imports no auth)."""

    @property
    def subject(self) -> str: ...
    @property
    def centre_id(self) -> uuid.UUID: ...


@dataclass(frozen=True)
class StoredAnswer:
    status_code: int
    body: Any
    headers: dict[str, str]


class IdempotencyKeyReused(ProblemError):
    status, slug, title = 422, "idempotency-key-reused", "Idempotency key reused"


def request_hash(*parts: Any) -> str:
    """sha256 of the request's canonical JSON: key order and spacing do not make two requests differ."""
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _reused() -> IdempotencyKeyReused:
    return IdempotencyKeyReused(
        "This Idempotency-Key was used for a different request; use a new key for a new request.",
        errors=[
            field_problem(
                "header.idempotency-key",
                "idempotency_key_reused",
                "already used with another request body or operation",
            )
        ],
    )


def _where(caller: Caller, key: str) -> tuple[ColumnElement[bool], ...]:
    return (
        IdempotencyKey.centre_id == caller.centre_id,
        IdempotencyKey.subject == caller.subject,
        IdempotencyKey.key == key,
    )


async def claim(
    session: AsyncSession, caller: Caller, key: str, operation: str, digest: str, ttl_hours: float
) -> StoredAnswer | None:
    """Claim `key` for this request (None: go ahead, then `store`) or return the answer to replay.

    The insert waits on a concurrent claim of the same key until that transaction ends; an expired row
    is taken over in the same statement."""
    now = clock.now()
    expires = now + dt.timedelta(hours=ttl_hours)
    fresh = {"operation": operation, "request_hash": digest, "expires_at": expires}
    statement = (
        insert(IdempotencyKey)
        .values(centre_id=caller.centre_id, subject=caller.subject, key=key, **fresh)
        .on_conflict_do_update(
            index_elements=["centre_id", "subject", "key"],
            set_={**fresh, "status_code": None, "response": None, "headers": {}, "created_at": now},
            where=IdempotencyKey.expires_at <= now,
        )
        .returning(IdempotencyKey.key)
    )
    if (await session.execute(statement)).first() is not None:
        return None
    stored = (
        await session.execute(
            select(
                IdempotencyKey.operation,
                IdempotencyKey.request_hash,
                IdempotencyKey.status_code,
                IdempotencyKey.response,
                IdempotencyKey.headers,
            ).where(*_where(caller, key))
        )
    ).one()
    if (stored.operation, stored.request_hash) != (operation, digest):
        raise _reused()
    if stored.status_code is None:  # claimed earlier in this same transaction (two fields, one key)
        raise _reused()
    return StoredAnswer(stored.status_code, stored.response, dict(stored.headers))


async def store(session: AsyncSession, caller: Caller, key: str, answer: StoredAnswer) -> None:
    await session.execute(
        update(IdempotencyKey)
        .where(*_where(caller, key))
        .values(status_code=answer.status_code, response=answer.body, headers=answer.headers)
    )


async def once(
    session: AsyncSession,
    caller: Caller,
    key: str | None,
    operation: str,
    request: Callable[[], Any],
    work: Callable[[], Awaitable[BaseModel]],
    ttl_hours: float = DEFAULT_TTL_HOURS,
) -> tuple[dict[str, Any], bool]:
    """Run `work` once per key; returns (answer as JSON, replayed?). `request()` gives what identifies
    the request (hashed only when a key is given)."""
    if key is None:
        return (await work()).model_dump(mode="json"), False
    stored = await claim(session, caller, key, operation, request_hash(operation, request()), ttl_hours)
    if stored is not None:
        return stored.body, True
    answer = (await work()).model_dump(mode="json")
    await store(session, caller, key, StoredAnswer(200, answer, {}))
    return answer, False


async def purge_expired(conn: AsyncSession | AsyncConnection) -> int:
    """Delete expired keys; returns how many. A key being replayed holds its row lock: skipped."""
    expired = (
        select(IdempotencyKey.centre_id, IdempotencyKey.subject, IdempotencyKey.key)
        .where(IdempotencyKey.expires_at <= clock.now())
        .with_for_update(skip_locked=True)
        .limit(10_000)
    )
    result = await conn.execute(
        delete(IdempotencyKey).where(
            tuple_(IdempotencyKey.centre_id, IdempotencyKey.subject, IdempotencyKey.key).in_(expired)
        )
    )
    return getattr(result, "rowcount", 0) or 0
