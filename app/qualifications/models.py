"""The catalogue as stored: one row per imported version of a qualification specification.

Shipped qualifications live in the platform catalogue (centre_id = PLATFORM_CENTRE) that every centre
reads; a centre may import its own, which only it sees (house rule 3). A version is never rewritten:
results graded under it keep pointing at it.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import DateTime, String, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.core.models import Base, uuid_pk

PLATFORM_CENTRE = uuid.UUID(int=0)


class QualificationVersion(Base):
    __tablename__ = "qualifications"
    __table_args__ = (UniqueConstraint("centre_id", "key", "version"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    key: Mapped[str] = mapped_column(String(100))
    version: Mapped[int]
    awarding_body: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    number: Mapped[str | None] = mapped_column(String(30))
    level: Mapped[int]
    # from the specification; the employers of its involvement plans are in it.
    sector: Mapped[str | None] = mapped_column(String(100))
    # The validated specification in the file's own shape (Qualification.to_dict()).
    specification: Mapped[dict] = mapped_column(JSONB)
    # sha256 of the canonical specification: re-importing the same content is a no-op.
    content_hash: Mapped[str] = mapped_column(String(64))
    imported_by: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, server_default=func.now()
    )
