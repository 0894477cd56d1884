"""The event catalogue: every event type a webhook endpoint may subscribe to, with its payload schema.

This is the one place event types are listed: the entries live per domain in app/webhooks/catalogue_*.py
(webhooks imports the domains' schemas; a domain never imports webhooks) and are gathered here. A domain
whose service emits a new event type to the outbox adds it to its module (with the schema of `data`), and
it is then accepted in subscriptions, documented in the OpenAPI `webhooks` section (app/webhooks/openapi.py)
and delivered. An outbox event whose type is not in the catalogue is never delivered;
tests/webhooks/test_catalogue_complete.py fails when a service emits one.

Every delivery has the same envelope (`id`, `type`, `occurred_at`, `centre_id`, `data`); `id` is the
outbox event id and is also the `webhook-id` header, stable across retries and redeliveries.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from app.webhooks import (
    catalogue_assessment,
    catalogue_assignments,
    catalogue_calendars,
    catalogue_centres,
    catalogue_programmes,
    catalogue_qualifications,
    catalogue_verification,
)
from app.webhooks.event_type import EventType

__all__ = ["CATALOGUE", "PING", "EventType", "PingData", "envelope", "envelope_model", "is_known"]

PING = "webhook.ping"


class PingData(BaseModel):
    endpoint_id: uuid.UUID
    message: str = Field(description="Always `ping`: sent by the test button, not by a change.")


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace(".", "_").split("_"))


def _gather(*groups: tuple[EventType, ...]) -> dict[str, EventType]:
    catalogue: dict[str, EventType] = {}
    for event in (e for group in groups for e in group):
        if event.name in catalogue:
            raise RuntimeError(f"webhook event type {event.name} is listed twice")
        catalogue[event.name] = event
    return catalogue


# Ordered by domain, as `GET /v1/webhook-event-types` and the OpenAPI `webhooks` section list them.
CATALOGUE: dict[str, EventType] = _gather(
    catalogue_centres.EVENTS,
    catalogue_calendars.EVENTS,
    catalogue_qualifications.EVENTS,
    catalogue_programmes.EVENTS,
    catalogue_assignments.EVENTS,
    catalogue_assessment.EVENTS,
    catalogue_verification.EVENTS,
    (
        EventType(
            PING, "Sent only by `POST /v1/webhook-endpoints/{id}/ping`, to that endpoint alone.", PingData
        ),
    ),
)


def is_known(event_type: str) -> bool:
    return event_type in CATALOGUE


def envelope_model(event: EventType) -> type[BaseModel]:
    """The full body of one event type's delivery, for the OpenAPI `webhooks` section."""
    name = f"{_pascal(event.name)}Event"
    return create_model(
        name,
        __config__=ConfigDict(title=name),
        id=(
            uuid.UUID,
            Field(description="The event id; equals the `webhook-id` header. De-duplicate on it."),
        ),
        type=(Literal[event.name], Field(description="The event type.")),  # type: ignore[valid-type]
        occurred_at=(dt.datetime, Field(description="When the change was made (UTC).")),
        centre_id=(uuid.UUID, Field(description="The centre the event belongs to.")),
        data=(event.data, Field(description=event.description)),
    )


def envelope(
    event_id: uuid.UUID, event_type: str, occurred_at: dt.datetime, centre_id: uuid.UUID, data: Any
) -> dict[str, Any]:
    return {
        "id": str(event_id),
        "type": event_type,
        "occurred_at": occurred_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "centre_id": str(centre_id),
        "data": data,
    }
