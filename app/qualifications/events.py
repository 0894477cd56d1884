"""The events of the qualification catalogue (webhook payloads; app.qualifications.service records them)."""

from __future__ import annotations

import uuid
from typing import ClassVar

from pydantic import Field

from app.events.event import Event


class QualificationImported(Event):
    """The centre imported a new version of a qualification specification (not sent for Verity's shipped
    catalogue, nor for an import that changed nothing); `data` summarises it: read the specification with
    `GET /v1/qualifications/{id}`."""

    type: ClassVar[str] = "qualification.imported"

    id: uuid.UUID
    key: str
    version: int
    title: str
    content_hash: str = Field(description="SHA-256 of the specification as stored.")
