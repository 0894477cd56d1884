"""The one write path: a state change leaves one audit row (R-96) and one typed outbox event, together.

Every domain records its changes through `recorded()` (or `recorded_all()` for several at once, or the
create/update conveniences in app.events.changes), and the reads that must leave a trace (a download of
evidence) through `recorded_access()`, which writes the audit row alone; no domain calls `audit.record()` or `outbox.emit()`
itself (tests/events/test_one_write_path.py). Call it after the change has been flushed, so a change
the database refuses leaves neither row behind, and after every row lock of the request: the audit
append takes the centre's advisory lock, held until commit (docs/architecture.md, "The write path").

The rows are gathered first (`Written`) and only then sent (`_send`): that is the one place where the
audit append and the outbox insert can later become a single round trip (one SQL function taking both).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Author, record
from app.events.event import Access, Changed, Event
from app.events.outbox import emit

Snapshot = BaseModel | dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Change:
    """One state change of one subject: the audit's before/after and the event the outbox carries.

    `before`/`after` are the subject's output-schema snapshots (a schema instance or its JSON dump);
    `action` is the audit action, the event's type unless the audit names the change differently.
    `event` is None only for a change whose act another change of the same `recorded_all` call tells
    the MIS about (a transfer ends one enrolment and starts another: two audit rows, one event).
    """

    event: Event | None
    subject_type: str
    subject_id: Any
    before: Snapshot = None
    after: Snapshot = None
    action: str | None = None

    @classmethod
    def created(cls, event: Event, subject_type: str, subject_id: Any, action: str | None = None) -> Change:
        """A new subject whose event is its record: the audit's `after` is the event's payload."""
        return cls(event, subject_type, subject_id, after=event, action=action)

    @classmethod
    def changed(cls, event: Changed, subject_type: str, subject_id: Any, action: str | None = None) -> Change:
        """A subject whose event carries it `before` and `after`: the audit row has the same two."""
        return cls(event, subject_type, subject_id, before=event.before, after=event.after, action=action)

    @classmethod
    def removed(cls, event: Event, subject_type: str, subject_id: Any) -> Change:
        """A subject deleted: the event is the record as it was, the audit's `before`."""
        return cls(event, subject_type, subject_id, before=event)


@dataclass(frozen=True, slots=True)
class Written:
    """The audit row and the outbox row of one change, ready to be sent."""

    action: str
    subject_type: str
    subject_id: Any
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    event: Event | None


def _json(snapshot: Snapshot) -> dict[str, Any] | None:
    return snapshot.model_dump(mode="json") if isinstance(snapshot, BaseModel) else snapshot


def _written(change: Change) -> Written:
    action = change.action or (change.event.type if change.event is not None else None)
    if action is None:
        raise ValueError(
            f"a change of {change.subject_type} {change.subject_id} with no event names its action"
        )
    return Written(
        action,
        change.subject_type,
        change.subject_id,
        _json(change.before),
        _json(change.after),
        change.event,
    )


async def _send(session: AsyncSession, actor: Author, rows: list[Written]) -> list[uuid.UUID]:
    event_ids = []
    for row in rows:
        await record(
            session, actor, row.action, row.subject_type, row.subject_id, before=row.before, after=row.after
        )
        if row.event is not None:
            event_ids.append(await emit(session, actor.centre_id, row.event))
    return event_ids


async def recorded(session: AsyncSession, actor: Author, change: Change) -> uuid.UUID:
    """Record one state change in the caller's transaction; returns the outbox event's id."""
    if change.event is None:
        raise ValueError("a state change on its own has an event: recorded_all() takes changes without one")
    [event_id] = await _send(session, actor, [_written(change)])
    return event_id


async def recorded_all(session: AsyncSession, actor: Author, changes: Iterable[Change]) -> list[uuid.UUID]:
    """Record several changes made by one act (a batch release, a transfer), in the order given; returns
    the ids of the outbox events."""
    rows = [_written(c) for c in changes]
    if rows and all(row.event is None for row in rows):
        raise ValueError("an act that changes state has at least one event")
    return await _send(session, actor, rows)


async def recorded_access(
    session: AsyncSession, actor: Author, access: Access, subject_type: str, subject_id: Any
) -> None:
    """Record a read that must be on the record (R-96: who downloaded which evidence, when): one audit
    row, `after` the access's payload, and no outbox event — nothing changed that the MIS is told of."""
    row = Written(access.action, subject_type, subject_id, None, access.model_dump(mode="json"), None)
    await _send(session, actor, [row])
