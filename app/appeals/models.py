"""Appeals (R-60..R-63): an appeal of a learner against a released decision or the conduct of an
assessment, heard in up to four stages, each with its judge, its due date in the centre's working days
and its written outcome; and the centre's appeal policy (the window and the stage limits).

An appeal and its stages are kept at least 18 months after closure (R-63; the records issue enforces
retention): the application role may not delete them (migration 0017)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ARRAY, Boolean, CheckConstraint, Date, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.appeals.schemas import AppealKind, AppealStatus, StageOutcome
from app.core.models import Base, Versioned, enum_column, one_of, uuid_fk, uuid_pk

# the seeds give no figure for the window; 10 working days is the R-31 resubmission window, the
# other "after the learner received the result" limit the centre already works to (docs/appeals.md).
DEFAULT_WINDOW_WORKING_DAYS = 10
# 004 prints 5, 5, 5 and 14 working days; the default stage limits.
DEFAULT_STAGE_WORKING_DAYS = (5, 5, 5, 14)


class AppealPolicy(Versioned, Base):
    """The centre's appeal settings; a centre without a row has the defaults above."""

    __tablename__ = "appeal_policies"
    __table_args__ = (
        UniqueConstraint("centre_id"),
        CheckConstraint("window_working_days BETWEEN 1 AND 60", name="window"),
        CheckConstraint("cardinality(stage_working_days) = 4", name="stages"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    window_working_days: Mapped[int] = mapped_column(Integer)
    stage_working_days: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    updated_by: Mapped[str] = mapped_column(String(200))


class Appeal(Versioned, Base):
    """R-60: one appeal; the decision's brief, units, assessor, programme and year are copied at lodging
    so the R-63 report and the R-62 holds read them without the decision's later versions."""

    __tablename__ = "appeals"
    __table_args__ = (
        CheckConstraint(f"kind IN {one_of(AppealKind)}", name="kind"),
        CheckConstraint(f"status IN {one_of(AppealStatus)}", name="status"),
        CheckConstraint("current_stage BETWEEN 1 AND 4", name="current_stage"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    kind: Mapped[AppealKind] = enum_column(AppealKind, 20)
    learner_id: Mapped[uuid.UUID] = uuid_fk("learners.id", index=True)
    decision_id: Mapped[uuid.UUID] = uuid_fk("assessment_decisions.id", index=True)
    decision_version: Mapped[int] = mapped_column(Integer)
    programme_id: Mapped[uuid.UUID] = uuid_fk("programmes.id")
    brief_id: Mapped[uuid.UUID] = uuid_fk("assignment_briefs.id")
    qualification_id: Mapped[uuid.UUID] = uuid_fk("qualifications.id")
    unit_numbers: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    assessor_staff_id: Mapped[uuid.UUID] = uuid_fk("staff.id", index=True)
    academic_year_id: Mapped[uuid.UUID] = uuid_fk("academic_years.id")
    lodged_on: Mapped[dt.date] = mapped_column(Date)
    lodged_by: Mapped[str] = mapped_column(String(200))
    on_behalf: Mapped[bool] = mapped_column(Boolean)
    grounds: Mapped[str] = mapped_column(String(4000))
    status: Mapped[AppealStatus] = enum_column(AppealStatus, 20)
    current_stage: Mapped[int] = mapped_column(Integer)
    escalate_by: Mapped[dt.date | None] = mapped_column(Date)
    amended_version: Mapped[int | None] = mapped_column(Integer)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)


class AppealStage(Base):
    """R-61: one stage of an appeal: opened, due, judged by one person (stage 4: the awarding body), ended
    with a written response. `overdue_notified_at` makes the overdue event fire once."""

    __tablename__ = "appeal_stages"
    __table_args__ = (
        UniqueConstraint("appeal_id", "number"),
        CheckConstraint("number BETWEEN 1 AND 4", name="number"),
        CheckConstraint(f"outcome IN {one_of(StageOutcome)}", name="outcome"),
        CheckConstraint("(outcome = 'open') = (response IS NULL)", name="response"),
        CheckConstraint("(number = 4) = (judge_staff_id IS NULL)", name="judge"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    appeal_id: Mapped[uuid.UUID] = uuid_fk("appeals.id", index=True)
    number: Mapped[int] = mapped_column(Integer)
    opened_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    judge_staff_id: Mapped[uuid.UUID | None] = uuid_fk("staff.id")
    grounds: Mapped[str] = mapped_column(String(4000))
    outcome: Mapped[StageOutcome] = enum_column(StageOutcome, 20)
    response: Mapped[str | None] = mapped_column(String(4000))
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    awarding_body_reference: Mapped[str | None] = mapped_column(String(100))
    overdue_notified_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
