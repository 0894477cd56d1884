"""Internal standardisation (R-45) and staff competence (R-46).

A standardisation record is one meeting or activity at which a programme's assessors and IVs standardised
their judgements on one unit in one academic year: who attended, which work was sampled, what was
agreed and which disagreements the LIV arbitrated. CPD records are a member of staff's annual
development; a staff competence is the expertise they bring (subject areas, units of qualifications).

Insert-only for the application role (migration 0011): standardisation and CPD records are evidence kept
for the moderator or verifier, so a correction is a new record. A competence is the current statement of
someone's expertise and is edited with If-Match; its history is in the audit trail.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import (
    ARRAY,
    CheckConstraint,
    Date,
    DateTime,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.core.models import Base, Versioned, uuid_fk, uuid_pk


def _created_at() -> Mapped[dt.datetime]:
    return mapped_column(DateTime(timezone=True), default=clock.now, server_default=func.now())


class StandardisationRecord(Base):
    """R-45: one standardisation of one unit of a programme's qualification in one academic year."""

    __tablename__ = "standardisation_records"
    __table_args__ = (CheckConstraint("cardinality(attendee_ids) > 0", name="attendees"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    programme_id: Mapped[uuid.UUID] = uuid_fk("programmes.id", index=True)
    qualification_id: Mapped[uuid.UUID] = uuid_fk("qualifications.id")
    unit_number: Mapped[int] = mapped_column(Integer)
    academic_year_id: Mapped[uuid.UUID] = uuid_fk("academic_years.id", index=True)
    held_on: Mapped[dt.date] = mapped_column(Date)
    attendee_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(UUID(as_uuid=True)))
    sampled_decision_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(UUID(as_uuid=True)))
    outcomes: Mapped[str] = mapped_column(String(4000))
    arbitrations: Mapped[str | None] = mapped_column(String(4000))
    # The programme's LIV who recorded it (they arbitrate disagreements, R-45).
    liv_staff_id: Mapped[uuid.UUID] = uuid_fk("staff.id")
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = _created_at()


class CpdRecord(Base):
    """R-46: one continuing professional development activity of a member of staff."""

    __tablename__ = "cpd_records"
    __table_args__ = (CheckConstraint("hours > 0", name="hours"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    staff_id: Mapped[uuid.UUID] = uuid_fk("staff.id", index=True)
    undertaken_on: Mapped[dt.date] = mapped_column(Date)
    activity: Mapped[str] = mapped_column(String(500))
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    evidence_note: Mapped[str | None] = mapped_column(String(1000))
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = _created_at()


class StaffCompetence(Versioned, Base):
    """R-46: the expertise a member of staff brings: subject areas, and units of qualifications."""

    __tablename__ = "staff_competences"
    __table_args__ = (UniqueConstraint("staff_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id", index=True)
    staff_id: Mapped[uuid.UUID] = uuid_fk("staff.id")
    subject_areas: Mapped[list[str]] = mapped_column(ARRAY(String(100)))
    # [{qualification_id, unit_number}]
    units: Mapped[list[dict]] = mapped_column(JSONB)
    note: Mapped[str | None] = mapped_column(String(1000))
    updated_by: Mapped[str] = mapped_column(String(200))
