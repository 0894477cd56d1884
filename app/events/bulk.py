"""The write path for bulk changes (the MIS sync): set-based, for thousands of records (house rule 12).

The same contract as app.events.write, one audit row and one typed event per changed record, but
the snapshots come ready-made as JSON from the bulk statements (no model per row): each change names
its event class, whose type is the audit action and the event type, and whose shape decides the
payload (a `Changed` class carries `{before, after}`, any other the record itself).

Still one audit row and one outbox event per changed record (R-96), sent as the write path sends an
act (app.events.write.send_changes): the chain's batch append, audit_append_many, takes the centre's
lock once, reads the head once, hashes the links in one pass and inserts them in one statement; the
links are those that one audit_append per record would make.

A bulk statement that can build its records' JSON itself (the MIS sync's learners) stages its changes
instead: it inserts them into the transaction's temporary table `staged_changes` (`stage()` makes it)
in the same statement as the write, and `recorded_staged()` records every staged change, as
`recorded_many()` records the ones it is given: one outbox event and one audit row each, by the
database function record_staged_changes (alembic 0025_bulk_sync). No record's JSON then crosses into
Python and back (for 10,000 learners that was most of the sync's time, issue 18).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic_core import to_json
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Author
from app.core.context import current_request_id
from app.core.db import deferred_statements
from app.core.ids import uuid7_many
from app.events.event import Changed, Event
from app.events.write import send_changes


@dataclass(frozen=True, slots=True)
class BulkChange:
    event: type[Event]  # LearnerCreated, EnrolmentUpdated: its type is the audit action and the event type
    subject_type: str
    subject_id: Any
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    def __post_init__(self) -> None:
        if not _is_event_class(self.event):
            raise TypeError(f"a bulk change names its event class, not {self.event!r}")
        if _carries_before(self.event) and self.before is None:
            raise ValueError(f"{self.event.type} carries the record before the change: give `before`")

    @property
    def action(self) -> str:
        return self.event.type


# The checks of a change's class, once per class: per change they were ~15 us of abc checks, 0.15 s of a
# 10,000-learner sync (issue 18).
@cache
def _is_event_class(event: Any) -> bool:
    return isinstance(event, type) and issubclass(event, Event) and "type" in vars(event)


@cache
def _carries_before(event: type[Event]) -> bool:
    return issubclass(event, Changed)


def _json(value: dict[str, Any] | None) -> str | None:
    # pydantic-core's encoder (what json.dumps(value, default=str) gave, at a third of the cost); the
    # columns are jsonb, so spacing is not part of what is stored.
    return None if value is None else to_json(value, fallback=str).decode()


@dataclass(frozen=True, slots=True)
class Serialized:
    """Each change's JSON, made once and sent to both the audit and the outbox statements."""

    befores: list[str | None]
    afters: list[str | None]
    payloads: list[str | None]


def serialize(changes: list[BulkChange]) -> Serialized:
    befores = [_json(c.before) for c in changes]
    afters = [_json(c.after) for c in changes]
    # The payloads of app.events.changes: the record when created, before/after when changed.
    payloads = [
        f'{{"before": {b}, "after": {a}}}' if _carries_before(c.event) else a
        for c, b, a in zip(changes, befores, afters)
    ]
    return Serialized(befores, afters, payloads)


async def recorded_many(session: AsyncSession, actor: Author, changes: list[BulkChange]) -> None:
    """Record every change of one bulk request: one statement, whatever their number (the write path's
    record_changes: the outbox rows, then audit_append_many's one lock, one head read, one insert)."""
    if not changes:
        return
    data = serialize(changes)
    await send_changes(
        session,
        actor,
        [c.action for c in changes],
        [c.subject_type for c in changes],
        [str(c.subject_id) for c in changes],
        data.befores,
        data.afters,
        list[uuid.UUID | None](uuid7_many(len(changes))),
        [c.action for c in changes],
        data.payloads,
    )


# One row per change, in the order they are recorded (`ord`). `payload` is the event's data when it is
# not the record itself (a `Changed` event's `{before, after}`); NULL means `after`. Dropped at commit,
# so nothing staged outlives its transaction, recorded or not.
_STAGE = text(
    "CREATE TEMPORARY TABLE IF NOT EXISTS staged_changes ("
    "ord bigint GENERATED ALWAYS AS IDENTITY, action text NOT NULL, subject_type text NOT NULL, "
    "subject_id text NOT NULL, before jsonb, after jsonb, payload jsonb) ON COMMIT DROP"
)
_RECORD_STAGED = text("SELECT record_staged_changes(:centre_id, :actor, :role, :request_id)")


def staged_payload(event: type[Event], before_sql: str, after_sql: str) -> str:
    """The SQL of a staged change's `payload` column for changes of `event` (see `_STAGE`): the payloads
    of `serialize()` (app.events.changes), the record when created, `{before, after}` when changed."""
    if not _is_event_class(event):
        raise TypeError(f"a staged change names its event class, not {event!r}")
    if _carries_before(event):
        return f"jsonb_build_object('before', {before_sql}, 'after', {after_sql})"
    return "NULL"


async def stage(session: AsyncSession) -> None:
    """Make the transaction's `staged_changes` table, for a bulk statement to insert its changes into."""
    await session.execute(_STAGE)


async def recorded_staged(session: AsyncSession, actor: Author) -> None:
    """Record every change staged so far in the transaction: the write path's one statement for them,
    queued as send_changes queues its own (in a request's session, just before commit, after every
    row lock of the request)."""
    params = {
        "centre_id": actor.centre_id,
        "actor": actor.subject,
        "role": actor.audit_role,
        "request_id": current_request_id(),
    }
    queue = deferred_statements(session)
    if queue is not None:
        queue.append((_RECORD_STAGED, params))
    else:
        await session.execute(_RECORD_STAGED, params)
