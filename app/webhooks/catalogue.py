"""The event catalogue: every event type a webhook endpoint may subscribe to, with its payload schema.

The event types are the typed events the domains define (app/<domain>/events.py, subclasses of
app.events.event.Event): each class is its type's name, description (its docstring) and the schema of
`data`, and it is what the service records (app.events.write), so what is documented is what is sent.
They are gathered here, in DOMAINS (webhooks imports the domains' events; a domain never imports
webhooks). A new event class in a listed module is accepted in subscriptions, documented in the OpenAPI
`webhooks` section (app/webhooks/openapi.py) and delivered with no other change; a new domain's events
module is added to DOMAINS (tests/webhooks/test_catalogue_complete.py fails until it is). An outbox
event whose type is not in the catalogue is never delivered.

Every delivery has the same envelope (`id`, `type`, `occurred_at`, `centre_id`, `data`); `id` is the
outbox event id and is also the `webhook-id` header, stable across retries and redeliveries.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from app.appeals import events as appeals
from app.assessment import events as assessment
from app.assignments import events as assignments
from app.calendars import events as calendars
from app.centres import events as centres
from app.certification import events as certification
from app.employers import events as employers
from app.events.event import Event
from app.learners import events as learners
from app.malpractice import events as malpractice
from app.programmes import events as programmes
from app.qualifications import events as qualifications
from app.records import events as records
from app.standardisation import events as standardisation
from app.standards_verification import events as standards_verification
from app.verification import events as verification

__all__ = ["CATALOGUE", "PING", "EventType", "PingData", "envelope", "envelope_model", "is_known"]

PING = "webhook.ping"


class PingData(BaseModel):
    endpoint_id: uuid.UUID
    message: str = Field(description="Always `ping`: sent by the test button, not by a change.")


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace(".", "_").split("_"))


@dataclass(frozen=True)
class EventType:
    name: str
    description: str
    data: type[BaseModel]  # the schema of the envelope's `data`


# Ordered by domain, as `GET /v1/webhook-event-types` and the OpenAPI `webhooks` section list them.
DOMAINS: tuple[ModuleType, ...] = (
    centres,
    learners,
    calendars,
    qualifications,
    programmes,
    assignments,
    assessment,
    verification,
    standardisation,
    malpractice,
    standards_verification,
    employers,
    certification,
    records,
    appeals,
)


def event_classes(module: ModuleType) -> list[type[Event]]:
    """The event types a domain's events module defines, in the order it defines them."""
    return [
        v
        for v in vars(module).values()
        if isinstance(v, type)
        and issubclass(v, Event)
        and "type" in v.__dict__
        and v.__module__ == module.__name__
    ]


def _gather(*modules: ModuleType) -> dict[str, EventType]:
    catalogue: dict[str, EventType] = {}
    for cls in (c for m in modules for c in event_classes(m)):
        if cls.type in catalogue:
            raise RuntimeError(f"webhook event type {cls.type} is defined twice")
        catalogue[cls.type] = EventType(cls.type, cls.event_description(), cls)
    return catalogue


CATALOGUE: dict[str, EventType] = {
    **_gather(*DOMAINS),
    PING: EventType(
        PING, "Sent only by `POST /v1/webhook-endpoints/{id}/ping`, to that endpoint alone.", PingData
    ),
}


def is_known(event_type: str) -> bool:
    return event_type in CATALOGUE


def envelope_model(event: EventType) -> type[BaseModel]:
    """The full body of one event type's delivery, for the OpenAPI `webhooks` section."""
    name = f"{_pascal(event.name)}Event"
    # A Literal built at run time: a type to Pydantic, a value to mypy.
    type_: Any = Literal[event.name]
    return create_model(
        name,
        __config__=ConfigDict(title=name),
        id=(
            uuid.UUID,
            Field(description="The event id; equals the `webhook-id` header. De-duplicate on it."),
        ),
        type=(type_, Field(description="The event type.")),
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
