"""A centre's own calendar: academic years with their terms, and closure days (R-31, DESIGN rule 10).

The nation whose public holidays count is `centres.nation`; everything else a working day depends on
is here. app.calendars.service.centre_calendar() turns these rows into the pure CentreCalendar.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import Base, Versioned, created_at, uuid_pk


class AcademicYear(Versioned, Base):
    __tablename__ = "academic_years"
    __table_args__ = (
        UniqueConstraint("centre_id", "label"),
        CheckConstraint("start_date <= end_date", name="dates"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("centres.id"))
    label: Mapped[str] = mapped_column(String(20))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)


class Term(Base):
    """Part of its academic year: replaced with it, versioned by it (no version of its own)."""

    __tablename__ = "terms"
    __table_args__ = (CheckConstraint("start_date <= end_date", name="dates"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("centres.id"))
    academic_year_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("academic_years.id"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)


class Closure(Base):
    """A day the centre is closed (INSET day, snow day): not a working day for any deadline (R-31)."""

    __tablename__ = "closures"
    __table_args__ = (UniqueConstraint("centre_id", "date"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("centres.id"))
    date: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = created_at()
    __mapper_args__ = {"eager_defaults": True}
