"""Webhook endpoints, the messages sent to them, deliveries (one per endpoint and message) and attempts.

The outbox is the queue of events not yet fanned out; the worker turns each event into one message (the
exact body bytes, stored once) and one delivery per matching endpoint, and deletes the outbox row in
the same transaction. A delivery is retried until it succeeds or its retry window ends; every HTTP
attempt is kept.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    ARRAY,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import Base, created_at, enum_column, one_of, updated_at, uuid_pk
from app.webhooks.schemas import DeliveryStatus


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoints"

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("centres.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(500))
    event_types: Mapped[list[str]] = mapped_column(ARRAY(String(100)))
    enabled: Mapped[bool] = mapped_column(Boolean)
    # Never returned by the API after the create/rotate response.
    secret: Mapped[str] = mapped_column(String(100))
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Set by the worker (410 Gone, failing for days) or cleared by the owner re-enabling the endpoint.
    disabled_reason: Mapped[str | None] = mapped_column(String(500))
    disabled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Start of the current run of failed attempts; cleared by any success.
    failing_since: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = created_at()
    updated_at: Mapped[dt.datetime] = updated_at()
    version: Mapped[int] = mapped_column(nullable=False)
    __mapper_args__ = {"version_id_col": version, "eager_defaults": True}


class WebhookMessage(Base):
    __tablename__ = "webhook_messages"

    # The outbox event id (or a ping's own id): the `webhook-id` header and the envelope's `id`.
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    centre_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    event_type: Mapped[str] = mapped_column(String(100))
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = created_at()


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "message_id"),
        CheckConstraint(f"status IN {one_of(DeliveryStatus)}", name="status"),
        Index("ix_webhook_deliveries_endpoint_id_id", "endpoint_id", "id"),
        # What the worker claims: pending deliveries by due time.
        Index("ix_webhook_deliveries_due", "next_attempt_at", postgresql_where=text("status = 'pending'")),
        # The fair claim: each endpoint's pending deliveries by due time (dispatch.claim).
        Index(
            "ix_webhook_deliveries_endpoint_due",
            "endpoint_id",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
        ),
        # What the fair claim counts: deliveries leased now, per endpoint (few: a recorded attempt
        # clears its lease).
        Index(
            "ix_webhook_deliveries_endpoint_leased",
            "endpoint_id",
            postgresql_where=text("status = 'pending' AND locked_until IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    endpoint_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("webhook_endpoints.id"))
    message_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("webhook_messages.id"), index=True
    )
    event_type: Mapped[str] = mapped_column(String(100))
    status: Mapped[DeliveryStatus] = enum_column(DeliveryStatus, 20)
    attempt_count: Mapped[int] = mapped_column(Integer)
    # Attempts since the delivery was (re)scheduled: the exponent of the backoff.
    retry_count: Mapped[int] = mapped_column(Integer)
    # The retry window is measured from here (creation, or the last redelivery).
    window_started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # The worker's lease: while in the future, the delivery is being attempted. A worker that dies
    # leaves it to expire, and the delivery is claimed again (at-least-once).
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    lease_token: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    succeeded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = created_at()
    updated_at: Mapped[dt.datetime] = updated_at()

    @property
    def event_id(self) -> uuid.UUID:
        return self.message_id


class WebhookAttempt(Base):
    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_delivery_id_id", "delivery_id", "id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    delivery_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("webhook_deliveries.id"))
    centre_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    attempted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    status_code: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[int] = mapped_column(Integer)
    response_excerpt: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(String(500))
