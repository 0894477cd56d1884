"""The outbox: domain events written in the business transaction, delivered later (webhooks)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import DateTime, String, func
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.core.models import Base, uuid_pk


class OutboxEvent(Base):
    __tablename__ = "outbox"

    # The event id is also the webhook-id receivers de-duplicate on: stable across retries.
    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    event_type: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict] = mapped_column(JSONB)
    occurred_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, server_default=func.now(), index=True
    )
    request_id: Mapped[str | None] = mapped_column(String(128))
