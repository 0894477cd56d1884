"""Standards verification (R-50..R-52) and OCR moderation (R-51).

An allocation is the awarding body's verifier for one programme (subject area) in one academic year,
with its measure. A sample answers the verifier's requests (the first, and "send me more" ones, each
with its due date); its items are one learner's work for one brief. A grant lets one named verifier
read one sample until it expires or is revoked. An outcome is the verifier's report on a sample, with
the actions a report that is not accepted asks for. A moderation visit is OCR's, per unit.

Insert-only for the application role where the row is evidence of what happened (requests, outcomes,
moderation visits and their adjustments); samples, items, grants and actions change state with If-Match
or through their transitions, and the audit trail keeps their history.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ARRAY, Boolean, CheckConstraint, Date, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import Base, Versioned, created_at, enum_column, one_of, uuid_fk, uuid_pk
from app.standards_verification.schemas import (
    ActionStatus,
    Measure,
    ModerationOutcome,
    RequestKind,
    RequestSource,
    SampleStatus,
)


class SamplePolicy(Versioned, Base):
    """R-50: the centre's sample-size reference table (one row per centre; absent means the defaults)."""

    __tablename__ = "sv_policies"

    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id", primary_key=True)
    all_up_to: Mapped[int] = mapped_column(Integer)
    band_limits: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    standard_sizes: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    enhanced_sizes: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    further_standard: Mapped[int] = mapped_column(Integer)
    further_enhanced: Mapped[int] = mapped_column(Integer)
    moderation_visits_per_year: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str] = mapped_column(String(200))


class Allocation(Versioned, Base):
    """R-50: the awarding body's verifier allocation of a programme for a year, and its measure."""

    __tablename__ = "sv_allocations"
    __table_args__ = (
        UniqueConstraint("programme_id", "academic_year_id"),
        CheckConstraint(f"measure IN {one_of(Measure)}", name="measure"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id", index=True)
    programme_id: Mapped[uuid.UUID] = uuid_fk("programmes.id")
    academic_year_id: Mapped[uuid.UUID] = uuid_fk("academic_years.id")
    subject_area: Mapped[str] = mapped_column(String(100))
    measure: Mapped[Measure] = enum_column(Measure, 20)
    verifier_name: Mapped[str] = mapped_column(String(200))
    allocated_on: Mapped[dt.date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(200))


class Sample(Versioned, Base):
    """R-50: the centre's answer to its verifier for one allocation; round 2 is the second sample after
    a report that was not accepted (R-51)."""

    __tablename__ = "sv_samples"
    __table_args__ = (
        UniqueConstraint("allocation_id", "round"),
        CheckConstraint(f"status IN {one_of(SampleStatus)}", name="status"),
        CheckConstraint("round >= 1", name="round"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id", index=True)
    allocation_id: Mapped[uuid.UUID] = uuid_fk("sv_allocations.id")
    programme_id: Mapped[uuid.UUID] = uuid_fk("programmes.id", index=True)
    round: Mapped[int] = mapped_column(Integer)
    status: Mapped[SampleStatus] = enum_column(SampleStatus, 20)
    required_size: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_by: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(200))


class SampleRequest(Base):
    """R-50: one request of the verifier (or recorded by the QN) with its due date; answered when the QN
    submits the sample; late when answered after its due date."""

    __tablename__ = "sv_sample_requests"
    __table_args__ = (
        CheckConstraint(f"kind IN {one_of(RequestKind)}", name="kind"),
        CheckConstraint(f"source IN {one_of(RequestSource)}", name="source"),
        CheckConstraint("requested_on <= due_on", name="dates"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    sample_id: Mapped[uuid.UUID] = uuid_fk("sv_samples.id", index=True)
    kind: Mapped[RequestKind] = enum_column(RequestKind, 20)
    source: Mapped[RequestSource] = enum_column(RequestSource, 20)
    requested_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(4000))
    answered_on: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = created_at()


class SampleItem(Versioned, Base):
    """R-50: one learner's work for one brief in a sample (the decision is its latest assessment), with
    why it was taken and the LIV's declaration that the work is authentic."""

    __tablename__ = "sv_sample_items"
    __table_args__ = (UniqueConstraint("sample_id", "learner_id", "brief_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    sample_id: Mapped[uuid.UUID] = uuid_fk("sv_samples.id")
    request_id: Mapped[uuid.UUID] = uuid_fk("sv_sample_requests.id")
    learner_id: Mapped[uuid.UUID] = uuid_fk("learners.id")
    brief_id: Mapped[uuid.UUID] = uuid_fk("assignment_briefs.id")
    decision_id: Mapped[uuid.UUID] = uuid_fk("assessment_decisions.id")
    assessor_staff_id: Mapped[uuid.UUID] = uuid_fk("staff.id")
    unit_numbers: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    grade: Mapped[str] = mapped_column(String(20))
    rationale: Mapped[str] = mapped_column(String(500))
    added_by: Mapped[str] = mapped_column(String(200))
    authenticity_declared_on: Mapped[dt.date | None] = mapped_column(Date)
    authenticity_declared_by: Mapped[str | None] = mapped_column(String(200))


class Grant(Versioned, Base):
    """R-52: a named verifier may read one sample until `expires_at`, unless revoked. They sign in with
    a token of a configured issuer whose subject is `subject`, or with a Verity token whose SHA-256 is
    `token_hash` (the token itself is never stored)."""

    __tablename__ = "sv_grants"
    __table_args__ = (
        UniqueConstraint("token_hash"),
        CheckConstraint(
            "(issuer IS NULL) = (subject IS NULL) AND (subject IS NOT NULL OR token_hash IS NOT NULL)",
            name="credential",
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    sample_id: Mapped[uuid.UUID] = uuid_fk("sv_samples.id", index=True)
    verifier_name: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(String(200), index=True)
    token_hash: Mapped[str | None] = mapped_column(String(64))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[str | None] = mapped_column(String(200))
    granted_by: Mapped[str] = mapped_column(String(200))


class Outcome(Base):
    """R-51: the verifier's report on a sample, as the QN recorded it. Insert-only."""

    __tablename__ = "sv_outcomes"
    __table_args__ = (UniqueConstraint("sample_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    sample_id: Mapped[uuid.UUID] = uuid_fk("sv_samples.id")
    programme_id: Mapped[uuid.UUID] = uuid_fk("programmes.id", index=True)
    accepted: Mapped[bool] = mapped_column(Boolean)
    reported_on: Mapped[dt.date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(String(4000))
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = created_at()


class Action(Versioned, Base):
    """R-51: an action a report that was not accepted asks for, with its owner and due date; closed with
    a note."""

    __tablename__ = "sv_actions"
    __table_args__ = (
        CheckConstraint(f"status IN {one_of(ActionStatus)}", name="status"),
        CheckConstraint(
            "(status = 'closed') = (closed_on IS NOT NULL AND closed_note IS NOT NULL)", name="closed"
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    outcome_id: Mapped[uuid.UUID] = uuid_fk("sv_outcomes.id", index=True)
    description: Mapped[str] = mapped_column(String(4000))
    owner_staff_id: Mapped[uuid.UUID] = uuid_fk("staff.id")
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[ActionStatus] = enum_column(ActionStatus, 20)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_note: Mapped[str | None] = mapped_column(String(4000))
    closed_by: Mapped[str | None] = mapped_column(String(200))


class ModerationVisit(Base):
    """R-51 (003 §9): an OCR moderation visit for one unit of a programme. Insert-only."""

    __tablename__ = "ocr_moderation_visits"
    __table_args__ = (
        CheckConstraint(f"outcome IN {one_of(ModerationOutcome)}", name="outcome"),
        CheckConstraint("outcome = 'agreed' OR reason IS NOT NULL", name="reason"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    programme_id: Mapped[uuid.UUID] = uuid_fk("programmes.id", index=True)
    academic_year_id: Mapped[uuid.UUID] = uuid_fk("academic_years.id")
    unit_number: Mapped[int] = mapped_column(Integer)
    visited_on: Mapped[dt.date] = mapped_column(Date)
    moderator_name: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[ModerationOutcome] = enum_column(ModerationOutcome, 20)
    reason: Mapped[str | None] = mapped_column(String(500))
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = created_at()


class ModerationAdjustment(Base):
    """R-51: one decision version made by a moderation visit (its attribution). Insert-only."""

    __tablename__ = "ocr_moderation_adjustments"
    __table_args__ = (UniqueConstraint("visit_id", "decision_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    visit_id: Mapped[uuid.UUID] = uuid_fk("ocr_moderation_visits.id")
    decision_id: Mapped[uuid.UUID] = uuid_fk("assessment_decisions.id", index=True)
    from_grade: Mapped[str | None] = mapped_column(String(20))
    to_grade: Mapped[str] = mapped_column(String(20))
    version_number: Mapped[int] = mapped_column(Integer)
