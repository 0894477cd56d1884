"""The assessment plan of a programme (R-20), assignment briefs (R-21, R-06) and the internal
verification of each brief (R-21, R-44).

A brief verification is a table of its own, append-only, with the checklist answers as JSON: the IV
issue generalises IV records and can reuse this shape for decisions.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    ARRAY,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Integer,
    String,
    UniqueConstraint,
    func,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.assignments.schemas import BriefStatus, BriefVerificationOutcome
from app.core import clock
from app.core.models import Base, Versioned, enum_column, one_of, uuid_fk, uuid_pk


class AssessmentPlanEntry(Versioned, Base):
    """R-20: one assignment of the programme's assessment plan: when it is handed out, its deadline and
    when it is planned to be internally verified (R-41 links the IV schedule to this)."""

    __tablename__ = "assessment_plan_entries"
    __table_args__ = (CheckConstraint("hand_out_date <= deadline", name="dates"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    programme_id: Mapped[uuid.UUID] = uuid_fk("programmes.id", index=True)
    title: Mapped[str] = mapped_column(String(200))
    unit_numbers: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    hand_out_date: Mapped[dt.date] = mapped_column(Date)
    deadline: Mapped[dt.date] = mapped_column(Date)
    # DOMAIN leaves open whether this is the IV of the brief or of the decisions; Pearson's plans
    # schedule the sampling of decisions, so no order against the other dates is imposed.
    planned_iv_date: Mapped[dt.date] = mapped_column(Date)


class AssignmentBrief(Versioned, Base):
    """R-21: the brief learners are issued. `criteria` is a list of {unit_number, code}: criterion
    codes are unique within a unit only. `brief_version` counts the texts submitted for IV (a returned
    brief comes back as the next version); `version` is the row's ETag as everywhere."""

    __tablename__ = "assignment_briefs"
    __table_args__ = (
        CheckConstraint(f"status IN {one_of(BriefStatus)}", name="status"),
        CheckConstraint("start_date <= completion_date", name="dates"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    programme_id: Mapped[uuid.UUID] = uuid_fk("programmes.id", index=True)
    # The programme's qualification version, fixed when the brief is written: criteria are validated
    # against it and decisions graded by it.
    qualification_id: Mapped[uuid.UUID] = uuid_fk("qualifications.id")
    plan_entry_id: Mapped[uuid.UUID | None] = uuid_fk("assessment_plan_entries.id")
    # a retake brief is a *different* assignment covering the same learning outcomes.
    retake_of_id: Mapped[uuid.UUID | None] = uuid_fk("assignment_briefs.id")
    # the brief of an earlier year this one reuses; it is a new draft and verified again.
    reused_from_id: Mapped[uuid.UUID | None] = uuid_fk("assignment_briefs.id")
    title: Mapped[str] = mapped_column(String(200))
    unit_numbers: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    criteria: Mapped[list[dict]] = mapped_column(JSONB)
    scenario: Mapped[str] = mapped_column(String(4000))
    # whether the learner may use AI tools; a hand-in disclosing AI use a brief does not allow
    # opens a draft malpractice case (app/assessment/authenticity.py).
    ai_use_allowed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    start_date: Mapped[dt.date] = mapped_column(Date)
    completion_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[BriefStatus] = enum_column(BriefStatus, 20)
    brief_version: Mapped[int] = mapped_column(Integer)
    # The author (R-44: never their own verifier), as the staff record and the token subject.
    author_staff_id: Mapped[uuid.UUID] = uuid_fk("staff.id")
    author_subject: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class BriefVerification(Base):
    """R-21/R-44: an internal verifier's record that a brief (at one brief_version) is fit for purpose,
    or its return with comments. Append-only: the application role may only insert and read."""

    __tablename__ = "brief_verifications"
    __table_args__ = (
        CheckConstraint(f"outcome IN {one_of(BriefVerificationOutcome)}", name="outcome"),
        UniqueConstraint("brief_id", "brief_version"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    brief_id: Mapped[uuid.UUID] = uuid_fk("assignment_briefs.id", index=True)
    brief_version: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[BriefVerificationOutcome] = enum_column(BriefVerificationOutcome, 20)
    # {question key: true/false}, the questions being BRIEF_CHECKLIST's at the time of recording.
    checklist: Mapped[dict] = mapped_column(JSONB)
    comments: Mapped[str | None] = mapped_column(String(4000))
    verifier_staff_id: Mapped[uuid.UUID] = uuid_fk("staff.id")
    verifier_subject: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, server_default=func.now()
    )


class AssessmentPlanSignOff(Base):
    """R-20: the LIV's sign-off of a programme's assessment plan, as it stood: `entries` lists every
    entry's id and row version at the time. A plan whose entries changed since (added or edited) is no
    longer signed off until the LIV signs it again. Append-only."""

    __tablename__ = "assessment_plan_sign_offs"

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    programme_id: Mapped[uuid.UUID] = uuid_fk("programmes.id", index=True)
    # [{"id": entry id, "version": entry version}], in id order.
    entries: Mapped[list[dict]] = mapped_column(JSONB)
    signed_off_by_staff_id: Mapped[uuid.UUID] = uuid_fk("staff.id")
    signed_off_by_subject: Mapped[str] = mapped_column(String(200))
    signed_off_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, server_default=func.now()
    )
