"""Webhook events of the qualification catalogue (app.qualifications.service)."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from app.webhooks.event_type import EventType


class QualificationImportedData(BaseModel):
    """A summary, not the specification: read it with `GET /v1/qualifications/{id}`."""

    id: uuid.UUID
    key: str
    version: int
    title: str
    content_hash: str = Field(description="SHA-256 of the specification as stored.")


EVENTS: tuple[EventType, ...] = (
    EventType(
        "qualification.imported",
        "The centre imported a new version of a qualification specification "
        "(not sent for Verity's shipped catalogue, nor for an import that changed "
        "nothing); `data` summarises it.",
        QualificationImportedData,
    ),
)
