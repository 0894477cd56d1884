"""The write path every domain shares: change a record, audit it, emit its event — one transaction.

A rule about *what* may change stays in the domain's service; this only makes sure every change
leaves exactly one audit row (R-96) and one outbox event, with the same before/after.
"""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from app.audit.service import record
from app.core.concurrency import IfMatch, check_version
from app.core.errors import PreconditionFailed
from app.core.writes import apply_changes, flush_unique
from app.events.outbox import emit


class Recorded(Protocol):
    id: Any
    version: int


def snapshot(schema: type[BaseModel], obj: Any) -> dict[str, Any]:
    return schema.model_validate(obj).model_dump(mode="json")


async def create_recorded(
    session: AsyncSession,
    actor,
    obj: Recorded,
    schema: type[BaseModel],
    subject_type: str,
    unique: dict[str, str] | None = None,
) -> Recorded:
    session.add(obj)
    await flush_unique(session, unique or {})
    after = snapshot(schema, obj)
    await record(session, actor, f"{subject_type}.created", subject_type, obj.id, after=after)
    await emit(session, actor.centre_id, f"{subject_type}.created", after)
    return obj


async def update_recorded(
    session: AsyncSession,
    actor,
    obj: Recorded,
    changes: dict[str, Any],
    expected_version: int | IfMatch,
    schema: type[BaseModel],
    subject_type: str,
    unique: dict[str, str] | None = None,
) -> Recorded:
    check_version(obj.version, expected_version)
    before = snapshot(schema, obj)
    if not apply_changes(obj, changes):
        return obj  # nothing changed: no new version, no audit row, no event
    try:
        await flush_unique(session, unique or {})
    except StaleDataError as exc:  # a concurrent writer got there between our read and write
        raise PreconditionFailed("The resource changed while you were updating it; read it again.") from exc
    after = snapshot(schema, obj)
    await record(session, actor, f"{subject_type}.updated", subject_type, obj.id, before=before, after=after)
    await emit(session, actor.centre_id, f"{subject_type}.updated", {"before": before, "after": after})
    return obj
