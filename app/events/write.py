"""The one write path: a state change leaves one audit row (R-96) and one typed outbox event, together.

Every domain records its changes through `recorded()` (or `recorded_all()` for several at once, or the
create/update conveniences in app.events.changes), and the reads that must leave a trace (a download of
evidence) through `recorded_access()`, which writes the audit row alone; no domain calls `audit.record()` or `outbox.emit()`
itself (tests/events/test_one_write_path.py). Call it after the change has been flushed, so a change
the database refuses leaves neither row behind, and after every row lock of the request: the audit
append takes the centre's advisory lock, held until commit (docs/architecture.md, "The write path").

The rows are gathered first (`Written`, their JSON made once) and then sent as one statement, the
`record_changes` database function: the act's outbox events and its audit rows (audit_append_many, one
lock and one read of the chain's head) in one round trip at commit, whatever the number of changes.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Author
from app.core.context import current_request_id
from app.core.db import deferred_statements
from app.core.ids import uuid7
from app.events.event import Access, Changed, Event

Snapshot = BaseModel | dict[str, Any] | None

# The whole act in one statement: its outbox events and its audit rows (the chain's batch append, one
# lock and one read of the head), whatever the number of changes. One text() SQL string, so asyncpg
# prepares it once per connection and every later request only binds arrays.
RECORD_CHANGES = text(
    "SELECT record_changes(:centre_id, :actor, :role, :request_id, CAST(:actions AS text[]), "
    "CAST(:subject_types AS text[]), CAST(:subject_ids AS text[]), "
    "CAST(CAST(:befores AS text[]) AS jsonb[]), CAST(CAST(:afters AS text[]) AS jsonb[]), "
    "CAST(:event_ids AS uuid[]), CAST(:event_types AS text[]), CAST(CAST(:payloads AS text[]) AS jsonb[]))"
)


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
    """The audit row and the outbox row of one change, as the JSON they are sent as."""

    action: str
    subject_type: str
    subject_id: Any
    before: str | None
    after: str | None
    event: Event | None
    payload: str | None  # the event's JSON (the webhook's `data`), None with no event


def _json(snapshot: Snapshot) -> str | None:
    if snapshot is None:
        return None
    if isinstance(snapshot, BaseModel):
        return snapshot.model_dump_json()
    return json.dumps(snapshot, default=str)


def _written(change: Change) -> Written:
    action = change.action or (change.event.type if change.event is not None else None)
    if action is None:
        raise ValueError(
            f"a change of {change.subject_type} {change.subject_id} with no event names its action"
        )
    event = change.event
    if event is not None and not isinstance(event, Event):  # a free dict has no catalogued type
        raise TypeError(
            f"a change carries a typed event (app.events.event.Event), not {type(event).__name__}"
        )
    payload = None if event is None else event.model_dump_json()
    # A created subject's audit `after` is its event: serialised once for both rows.
    after = payload if change.after is event and event is not None else _json(change.after)
    return Written(
        action, change.subject_type, change.subject_id, _json(change.before), after, event, payload
    )


def _events(rows: list[Written]) -> tuple[list[uuid.UUID | None], list[str | None], list[str | None]]:
    """The outbox rows: one per change that has an event (bench/webhooks_bench.py measures without)."""
    ids = [uuid7() if row.event is not None else None for row in rows]
    return ids, [row.event.type if row.event is not None else None for row in rows], [r.payload for r in rows]


async def send_changes(
    session: AsyncSession,
    actor: Author,
    actions: list[str],
    subject_types: list[str],
    subject_ids: list[str],
    befores: list[str | None],
    afters: list[str | None],
    event_ids: list[uuid.UUID | None],
    event_types: list[str | None],
    payloads: list[str | None],
) -> None:
    """One act's outbox events and audit rows, as one statement. In a request's session it waits until
    just before commit with the other audit appends (app.core.db.defer_until_commit: the centre's lock
    is taken after every row lock of the request); elsewhere (CLI, worker, tests) it runs at once."""
    params = {
        "centre_id": actor.centre_id,
        "actor": actor.subject,
        "role": actor.audit_role,
        "request_id": current_request_id(),
        "actions": actions,
        "subject_types": subject_types,
        "subject_ids": subject_ids,
        "befores": befores,
        "afters": afters,
        "event_ids": event_ids,
        "event_types": event_types,
        "payloads": payloads,
    }
    queue = deferred_statements(session)
    if queue is not None:
        queue.append((RECORD_CHANGES, params))
    else:
        await session.execute(RECORD_CHANGES, params)


async def _send(session: AsyncSession, actor: Author, rows: list[Written]) -> list[uuid.UUID]:
    ids, types, payloads = _events(rows)
    await send_changes(
        session,
        actor,
        [row.action for row in rows],
        [row.subject_type for row in rows],
        [str(row.subject_id) for row in rows],
        [row.before for row in rows],
        [row.after for row in rows],
        ids,
        types,
        payloads,
    )
    return [event_id for event_id, row in zip(ids, rows) if row.event is not None]  # type: ignore[misc]


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
    row = Written(access.action, subject_type, subject_id, None, access.model_dump_json(), None, None)
    await _send(session, actor, [row])
