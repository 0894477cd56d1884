"""Set-based versions of audit.record() and outbox.emit() for the bulk paths (house rule 12).

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

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.context import current_request_id
from app.core.ids import uuid7
from app.events.models import OutboxEvent

_APPEND_MANY = text(
    "SELECT audit_append(:centre_id, :actor, :role, u.action, u.subject_type, u.subject_id, "
    "CAST(u.before AS jsonb), CAST(u.after AS jsonb), :request_id) "
    "FROM unnest(CAST(:actions AS text[]), CAST(:subject_types AS text[]), CAST(:subject_ids AS text[]), "
    "CAST(:befores AS text[]), CAST(:afters AS text[])) AS u(action, subject_type, subject_id, before, after)"
)


@dataclass(frozen=True, slots=True)
class Change:
    action: str  # also the event type: `learner.created`, `enrolment.updated`
    subject_type: str
    subject_id: Any
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def payload(self) -> dict[str, Any]:
        # The same payloads as app.audit.changes: the record when created, before/after when updated.
        if self.before is None:
            return self.after or {}
        return {"before": self.before, "after": self.after}


def _json(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, default=str)


async def record_and_emit_many(session: AsyncSession, actor, changes: list[Change]) -> None:
    if not changes:
        return
    await session.execute(_APPEND_MANY, {
        "centre_id": actor.centre_id, "actor": actor.subject, "role": actor.audit_role,
        "request_id": current_request_id(),
        "actions": [c.action for c in changes], "subject_types": [c.subject_type for c in changes],
        "subject_ids": [str(c.subject_id) for c in changes],
        "befores": [_json(c.before) for c in changes], "afters": [_json(c.after) for c in changes]})
    request_id = current_request_id()
    await session.execute(insert(OutboxEvent.__table__), [
        {"id": uuid7(), "centre_id": actor.centre_id, "event_type": c.action, "payload": c.payload,
         "request_id": request_id} for c in changes])


def new_id() -> uuid.UUID:
    return uuid7()
