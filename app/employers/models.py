"""Employer involvement (R-95): employers, a plan per programme, activities with their type and their
confirmation, each learner's participation, and the declarations made at moderation. Records kept 3
years (R-97)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import Base, Versioned, created_at, enum_column, uuid_fk, uuid_pk
from app.employers.schemas import MEANINGFUL, ActivityType

_MEANINGFUL = "(" + ", ".join(sorted(f"'{t.value}'" for t in MEANINGFUL)) + ")"


class Employer(Base):
    __tablename__ = "employers"
    __table_args__ = (UniqueConstraint("centre_id", "name"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    name: Mapped[str] = mapped_column(String(100))
    sector: Mapped[str] = mapped_column(String(100))
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = created_at()


class InvolvementPlan(Versioned, Base):
    """R-95: one plan per programme, drawn up at its start to cover all its learners."""

    __tablename__ = "employer_involvement_plans"
    __table_args__ = (UniqueConstraint("programme_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id", index=True)
    programme_id: Mapped[uuid.UUID] = uuid_fk("programmes.id")
    # No sector of its own: the qualification's (qualifications.sector) is the one employers are in.
    planned_on: Mapped[dt.date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(String(4000))
    required_for_certification: Mapped[bool] = mapped_column(Boolean)
    created_by: Mapped[str] = mapped_column(String(200))


class EmployerActivity(Versioned, Base):
    """R-95: a meaningful activity with an employer of the sector, confirmed before it happens."""

    __tablename__ = "employer_activities"
    __table_args__ = (CheckConstraint(f"activity_type IN {_MEANINGFUL}", name="activity_type"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    plan_id: Mapped[uuid.UUID] = uuid_fk("employer_involvement_plans.id", index=True)
    programme_id: Mapped[uuid.UUID] = uuid_fk("programmes.id", index=True)
    employer_id: Mapped[uuid.UUID] = uuid_fk("employers.id")
    activity_type: Mapped[ActivityType] = enum_column(ActivityType, 20, only=MEANINGFUL)
    title: Mapped[str] = mapped_column(String(100))
    planned_on: Mapped[dt.date] = mapped_column(Date)
    confirmed_on: Mapped[dt.date | None] = mapped_column(Date)
    confirmed_by: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(200))


class ActivityPlannedLearner(Base):
    """R-95: the plan covers a learner through an activity planned for them (insert-only)."""

    __tablename__ = "employer_activity_planned_learners"

    # Deleted with its activity: retention purges the plan's activities after 3 years.
    activity_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("employer_activities.id", ondelete="CASCADE"), primary_key=True
    )
    learner_id: Mapped[uuid.UUID] = uuid_fk("learners.id", primary_key=True, index=True)
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    planned_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = created_at()


class ActivityParticipant(Base):
    """R-95: a learner took part in an activity (recorded per learner)."""

    __tablename__ = "employer_activity_participants"

    activity_id: Mapped[uuid.UUID] = uuid_fk("employer_activities.id", primary_key=True)
    learner_id: Mapped[uuid.UUID] = uuid_fk("learners.id", primary_key=True, index=True)
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = created_at()


class InvolvementDeclaration(Base):
    """R-95 (003 §5): the plan declared at a moderation; insert-only."""

    __tablename__ = "employer_involvement_declarations"

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    plan_id: Mapped[uuid.UUID] = uuid_fk("employer_involvement_plans.id", index=True)
    moderation_on: Mapped[dt.date] = mapped_column(Date)
    statement: Mapped[str] = mapped_column(String(4000))
    learners_without_activity: Mapped[int] = mapped_column(Integer)
    declared_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = created_at()
