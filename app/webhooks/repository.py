"""Principal-scoped statements: an endpoint or delivery of another centre is simply not found (rule 3)."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select

from app.auth.principal import Principal
from app.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookMessage


def endpoints(principal: Principal) -> Select:
    return select(WebhookEndpoint).where(WebhookEndpoint.centre_id == principal.centre_id)


def deliveries(
    principal: Principal,
    endpoint_id: uuid.UUID | None = None,
    status: str | None = None,
    event_type: str | None = None,
) -> Select:
    stmt = select(WebhookDelivery).where(WebhookDelivery.centre_id == principal.centre_id)
    if endpoint_id is not None:
        stmt = stmt.where(WebhookDelivery.endpoint_id == endpoint_id)
    if status is not None:
        stmt = stmt.where(WebhookDelivery.status == status)
    if event_type is not None:
        stmt = stmt.where(WebhookDelivery.event_type == event_type)
    return stmt


def message_body(principal: Principal, message_id: uuid.UUID) -> Select:
    return select(WebhookMessage.body).where(
        WebhookMessage.id == message_id, WebhookMessage.centre_id == principal.centre_id
    )


def latest_attempts(principal: Principal, delivery_id: uuid.UUID, limit: int = 50) -> Select:
    return (
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id == delivery_id, WebhookAttempt.centre_id == principal.centre_id)
        .order_by(WebhookAttempt.id.desc())
        .limit(limit)
    )
