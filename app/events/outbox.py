"""emit(): a domain event written in the caller's transaction, so it exists if and only if the change does.

Only the write path (app.events.write) calls it: a domain records a change, it never emits by hand.
"""

from __future__ import annotations

import uuid

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.context import current_request_id
from app.core.ids import uuid7
from app.events.event import Event
from app.events.models import OutboxEvent


async def emit(session: AsyncSession, centre_id: uuid.UUID, event: Event) -> uuid.UUID:
    if not isinstance(event, Event):  # a free dict has no catalogued type nor a published schema
        raise TypeError(f"emit() takes a typed event (app.events.event.Event), not {type(event).__name__}")
    event_id = uuid7()
    # A Core insert, not an ORM add: it costs one statement on the hot write path (house rule 12).
    await session.execute(
        insert(OutboxEvent).values(
            id=event_id,
            centre_id=centre_id,
            event_type=event.type,
            payload=event.payload(),
            request_id=current_request_id(),
        )
    )
    return event_id
