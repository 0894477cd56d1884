"""Idempotency-Key for the bulk endpoints: the first answer is stored with the key and a hash of the
request, in the same transaction as the writes; a retry with the same key and the same request gets that
answer again, whatever happened in between; the same key with another request is refused (422)."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Header
from pydantic import BaseModel
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import ProblemError, field_problem
from app.sync.models import IdempotencyKey
from app.sync.schemas import IDEMPOTENCY_KEY_PATTERN

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=IDEMPOTENCY_KEY_PATTERN,
        description="Any unique string (a UUID): a retry with the same key and the same body replays the first "
        "answer instead of writing again.",
    ),
]


class IdempotencyKeyReused(ProblemError):
    status, slug, title = 422, "idempotency-key-reused", "Idempotency key reused"


def request_hash(*parts: Any) -> str:
    """sha256 of the request's canonical JSON: key order and spacing do not make two requests differ."""
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def once(
    session: AsyncSession,
    centre_id: uuid.UUID,
    key: str | None,
    operation: str,
    request: Callable[[], Any],
    work: Callable[[], Awaitable[BaseModel]],
) -> tuple[dict[str, Any], bool]:
    """Run `work` once per key. Returns (answer as JSON, replayed?). `request()` gives what identifies the
    request (hashed only when a key is given). The caller holds the centre's bulk lock, so a concurrent
    retry waits for the first attempt to commit (or roll back) and then sees it."""
    digest = request_hash(operation, request()) if key is not None else ""
    if key is not None:
        stored = await session.scalar(
            select(IdempotencyKey).where(IdempotencyKey.centre_id == centre_id, IdempotencyKey.key == key)
        )
        if stored is not None:
            if (stored.operation, stored.request_hash) != (operation, digest):
                raise IdempotencyKeyReused(
                    "This Idempotency-Key was used for a different request; use a new key for a new request.",
                    errors=[
                        field_problem(
                            "header.idempotency-key",
                            "idempotency_key_reused",
                            "already used with another request body or operation",
                        )
                    ],
                )
            return stored.response, True
    answer = (await work()).model_dump(mode="json")
    if key is not None:
        await session.execute(
            insert(IdempotencyKey).values(
                centre_id=centre_id,
                key=key,
                operation=operation,
                request_hash=digest,
                status_code=200,
                response=answer,
            )
        )
    return answer, False
