"""The write path for bulk changes (the MIS sync): set-based, for thousands of records (house rule 12).

The same contract as app.events.write, one audit row and one typed event per changed record, but
the snapshots come ready-made as JSON from the bulk statements (no model per row): each change names
its event class, whose type is the audit action and the event type, and whose shape decides the
payload (a `Changed` class carries `{before, after}`, any other the record itself).

Still one audit row and one outbox event per changed record (R-96): the rows are appended by the same
`audit_append` database function, called once per record but in one statement over arrays, so the
chain links are exactly those that one call per record would make (the function takes the centre's
lock, which this transaction already holds after the first, and reads the head each time).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Author
from app.core.context import current_request_id
from app.core.db import deferred_statements
from app.core.ids import uuid7
from app.events.event import Changed, Event

_APPEND_MANY = text(
    "SELECT audit_append(:centre_id, :actor, :role, u.action, u.subject_type, u.subject_id, "
    "CAST(u.before AS jsonb), CAST(u.after AS jsonb), :request_id) "
    "FROM unnest(CAST(:actions AS text[]), CAST(:subject_types AS text[]), CAST(:subject_ids AS text[]), "
    "CAST(:befores AS text[]), CAST(:afters AS text[])) AS u(action, subject_type, subject_id, before, after)"
)


_EMIT_MANY = text(
    "INSERT INTO outbox (id, centre_id, event_type, payload, request_id) "
    "SELECT u.id, :centre_id, u.event_type, CAST(u.payload AS jsonb), :request_id "
    "FROM unnest(CAST(:ids AS uuid[]), CAST(:types AS text[]), CAST(:payloads AS text[])) "
    "AS u(id, event_type, payload)"
)


@dataclass(frozen=True, slots=True)
class BulkChange:
    event: type[Event]  # LearnerCreated, EnrolmentUpdated: its type is the audit action and the event type
    subject_type: str
    subject_id: Any
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    def __post_init__(self) -> None:
        if not (
            isinstance(self.event, type) and issubclass(self.event, Event) and "type" in vars(self.event)
        ):
            raise TypeError(f"a bulk change names its event class, not {self.event!r}")
        if issubclass(self.event, Changed) and self.before is None:
            raise ValueError(f"{self.event.type} carries the record before the change: give `before`")

    @property
    def action(self) -> str:
        return self.event.type


def _json(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, default=str)


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
        f'{{"before": {b}, "after": {a}}}' if issubclass(c.event, Changed) else a
        for c, b, a in zip(changes, befores, afters)
    ]
    return Serialized(befores, afters, payloads)


async def _record_many(
    session: AsyncSession, actor: Author, changes: list[BulkChange], data: Serialized
) -> None:
    """One audit row per change, appended by audit_append (the chain's one writer) in one statement;
    in a request's session, just before commit like every audit append (audit.service.record)."""
    if changes:
        params = {
            "centre_id": actor.centre_id,
            "actor": actor.subject,
            "role": actor.audit_role,
            "request_id": current_request_id(),
            "actions": [c.action for c in changes],
            "subject_types": [c.subject_type for c in changes],
            "subject_ids": [str(c.subject_id) for c in changes],
            "befores": data.befores,
            "afters": data.afters,
        }
        queue = deferred_statements(session)
        if queue is not None:
            queue.append((_APPEND_MANY, params))
        else:
            await session.execute(_APPEND_MANY, params)


async def _emit_many(
    session: AsyncSession, centre_id: uuid.UUID, changes: list[BulkChange], data: Serialized
) -> None:
    """One outbox event per change (what outbox.emit writes), in one INSERT .. SELECT over arrays."""
    if changes:
        await session.execute(
            _EMIT_MANY,
            {
                "centre_id": centre_id,
                "request_id": current_request_id(),
                "ids": [uuid7() for _ in changes],
                "types": [c.action for c in changes],
                "payloads": data.payloads,
            },
        )


async def recorded_many(session: AsyncSession, actor: Author, changes: list[BulkChange]) -> None:
    """Record every change of one bulk request: two statements, whatever their number."""
    data = serialize(changes)
    await _record_many(session, actor, changes, data)
    await _emit_many(session, actor.centre_id, changes, data)
