"""Conveniences on the write path for the commonest changes: create a row, update a row.

A rule about *what* may change stays in the domain's service; these make sure the change is
flushed, version-checked and recorded (app.events.write) with the same before/after for the audit
row and the event.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from app.audit.service import Author
from app.core.concurrency import IfMatch, check_version
from app.core.errors import PreconditionFailed
from app.core.writes import apply_changes, flush_unique
from app.events.event import Changed, Event
from app.events.write import Change, recorded


class Recorded(Protocol):
    id: Any
    version: int


R = TypeVar("R", bound=Recorded)


def snapshot(schema: type[BaseModel], obj: Any) -> dict[str, Any]:
    return schema.model_validate(obj).model_dump(mode="json")


async def create_recorded(
    session: AsyncSession,
    actor: Author,
    obj: R,
    event: type[Event],
    subject_type: str,
    unique: dict[str, str] | None = None,
) -> R:
    """Insert `obj`; `event` is its `<subject>.created` class, a subclass of the record's output schema."""
    session.add(obj)
    await flush_unique(session, unique or {})
    created = event.model_validate(obj)
    await recorded(session, actor, Change(created, subject_type, obj.id, after=created))
    return obj


async def update_recorded(
    session: AsyncSession,
    actor: Author,
    obj: R,
    changes: dict[str, Any],
    expected_version: int | IfMatch,
    event: type[Changed],
    subject_type: str,
    unique: dict[str, str] | None = None,
) -> R:
    """Apply `changes` to `obj` if its version is the expected one; `event` is its `.updated` class."""
    check_version(obj.version, expected_version)
    schema = event.record_schema()
    before = snapshot(schema, obj)
    if not apply_changes(obj, changes):
        return obj  # nothing changed: no new version, no audit row, no event
    try:
        await flush_unique(session, unique or {})
    except StaleDataError as exc:  # a concurrent writer got there between our read and write
        raise PreconditionFailed("The resource changed while you were updating it; read it again.") from exc
    after = snapshot(schema, obj)
    await recorded(
        session,
        actor,
        Change(event.model_validate({"before": before, "after": after}), subject_type, obj.id, before, after),
    )
    return obj
