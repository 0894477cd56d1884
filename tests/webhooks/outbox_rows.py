"""Outbox rows for the delivery tests, written without a domain change.

The worker's input is any committed outbox row; these tests exercise delivery, not the write path
(app.events.write), so they write rows of a catalogued type with a payload of their own.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert

from app.core.ids import uuid7
from app.events.models import OutboxEvent


async def outbox_row(session, centre_id: uuid.UUID, event_type: str, payload: dict[str, Any]) -> uuid.UUID:
    event_id = uuid7()
    await session.execute(
        insert(OutboxEvent).values(id=event_id, centre_id=centre_id, event_type=event_type, payload=payload)
    )
    return event_id
