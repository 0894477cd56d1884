from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, StrictBool, StringConstraints

from app.core.schemas import Input, JsonInteger, Output, Patch
from app.webhooks.catalogue import CATALOGUE

# Shape only: which URLs are acceptable (https, no credentials, public addresses) is the service's
# rule, answered with a specific code (url_scheme_not_allowed, url_not_allowed…).
Url = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=2000,
        pattern=r"^[A-Za-z][A-Za-z0-9+.-]*://[^\x00-\x20]*$",
    ),
]
Description = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=500, pattern=r"^[^\x00-\x1f\x7f]*$")
]
# The contract lists the catalogue, so a client knows every event type it may subscribe to.
EventTypeName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    Field(json_schema_extra={"enum": sorted(CATALOGUE)}),
]
EventTypes = Annotated[
    list[EventTypeName],
    Field(min_length=1, max_length=100, description="Event types to receive; see listWebhookEventTypes."),
]
MAX_OVERLAP_SECONDS = 7 * 24 * 3600


class DeliveryStatus(StrEnum):
    pending = "pending"  # waiting for its next attempt (or being attempted now)
    succeeded = "succeeded"  # the receiver answered 2xx
    failed = "failed"  # retries exhausted, or the receiver answered 410 Gone


class WebhookEventType(Output):
    name: str
    description: str


class WebhookEndpoint(Output):
    id: uuid.UUID
    centre_id: uuid.UUID
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None = Field(
        description="Why Verity disabled the endpoint (410 Gone, failing for days)."
    )
    disabled_at: dt.datetime | None
    failing_since: dt.datetime | None = Field(
        description="First failure of the current run; null after a success."
    )
    previous_secret_expires_at: dt.datetime | None = Field(
        description="Until then deliveries are signed with the previous secret too."
    )
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class WebhookEndpointWithSecret(WebhookEndpoint):
    secret: str = Field(
        description="The signing secret (`whsec_...`). Shown only in this response: store it now."
    )


class WebhookEndpointCreate(Input):
    url: Url = Field(description="https only; the host must resolve to public addresses only.")
    description: Description = ""
    event_types: EventTypes
    enabled: StrictBool = True


# An absent field is left alone; none of these may be null.
class WebhookEndpointUpdate(Input):
    url: Patch[Url] = None
    description: Patch[Description] = None
    event_types: Patch[EventTypes] = None
    enabled: Patch[StrictBool] = Field(
        None, description="true re-enables an endpoint Verity disabled, clearing the reason."
    )


class SecretRotation(Input):
    overlap_seconds: Annotated[int, Field(ge=0, le=MAX_OVERLAP_SECONDS), JsonInteger] | None = Field(
        None,
        description="How long the old secret keeps signing beside the new one (default: the server's setting).",
    )


class WebhookAttempt(Output):
    id: uuid.UUID
    attempted_at: dt.datetime
    succeeded: bool
    status_code: int | None
    latency_ms: int
    response_excerpt: str | None = Field(description="The first bytes of the receiver's answer.")
    error: str | None


class WebhookDelivery(Output):
    id: uuid.UUID
    centre_id: uuid.UUID
    endpoint_id: uuid.UUID
    event_id: uuid.UUID = Field(description="The event id: the `webhook-id` header, stable across attempts.")
    event_type: str
    status: DeliveryStatus
    attempt_count: int
    next_attempt_at: dt.datetime | None
    last_attempt_at: dt.datetime | None
    last_status_code: int | None
    last_error: str | None
    succeeded_at: dt.datetime | None
    created_at: dt.datetime


class WebhookDeliveryDetail(WebhookDelivery):
    payload: dict[str, Any] = Field(description="The body sent on every attempt (parsed).")
    attempts: list[WebhookAttempt] = Field(description="The latest attempts, newest first (at most 50).")
