"""The event catalogue: every event type a webhook endpoint may subscribe to, with its payload schema.

This is the one place event types are listed. A domain whose service emits a new event type to the
outbox adds it here (with the schema of `data`), and it is then accepted in subscriptions, documented in
the OpenAPI `webhooks` section (app/webhooks/openapi.py) and delivered. An outbox event whose type is
not in the catalogue is never delivered.

Every delivery has the same envelope (`id`, `type`, `occurred_at`, `centre_id`, `data`); `id` is the
outbox event id and is also the `webhook-id` header, stable across retries and redeliveries.
"""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from app.centres import schemas as centres
from app.learners import schemas as learners

PING = "webhook.ping"


class PingData(BaseModel):
    endpoint_id: uuid.UUID
    message: str = Field(description="Always `ping`: sent by the test button, not by a change.")


@dataclass(frozen=True)
class EventType:
    name: str
    description: str
    data: type[BaseModel]  # the schema of the envelope's `data`


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace(".", "_").split("_"))


def _changed(model: type[BaseModel]) -> type[BaseModel]:
    """`*.updated` events carry the record before and after the change (the audit's before/after)."""
    return create_model(f"{model.__name__}Change", __config__=ConfigDict(title=f"{model.__name__}Change"),
                        before=(model, ...), after=(model, ...))


def _created(what: str, model: type[BaseModel]) -> EventType:
    return EventType(f"{what}.created", f"A {what.replace('_', ' ')} was created; `data` is the new record.", model)


def _updated(what: str, model: type[BaseModel]) -> EventType:
    return EventType(f"{what}.updated", f"A {what.replace('_', ' ')} changed; `data` has `before` and `after`.",
                     _changed(model))


CATALOGUE: dict[str, EventType] = {e.name: e for e in (
    _created("centre", centres.Centre),
    _updated("centre", centres.Centre),
    _created("site", centres.Site),
    _updated("site", centres.Site),
    _created("staff_member", centres.StaffMember),
    _updated("staff_member", centres.StaffMember),
    _created("learner", learners.Learner),
    _updated("learner", learners.Learner),
    EventType(PING, "Sent only by `POST /v1/webhook-endpoints/{id}/ping`, to that endpoint alone.", PingData),
)}


def is_known(event_type: str) -> bool:
    return event_type in CATALOGUE


def envelope_model(event: EventType) -> type[BaseModel]:
    """The full body of one event type's delivery, for the OpenAPI `webhooks` section."""
    name = f"{_pascal(event.name)}Event"
    return create_model(
        name, __config__=ConfigDict(title=name),
        id=(uuid.UUID, Field(description="The event id; equals the `webhook-id` header. De-duplicate on it.")),
        type=(Literal[event.name], Field(description="The event type.")),  # type: ignore[valid-type]
        occurred_at=(dt.datetime, Field(description="When the change was made (UTC).")),
        centre_id=(uuid.UUID, Field(description="The centre the event belongs to.")),
        data=(event.data, Field(description=event.description)),
    )


def envelope(event_id: uuid.UUID, event_type: str, occurred_at: dt.datetime, centre_id: uuid.UUID,
             data: Any) -> dict[str, Any]:
    return {"id": str(event_id), "type": event_type,
            "occurred_at": occurred_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "centre_id": str(centre_id), "data": data}
