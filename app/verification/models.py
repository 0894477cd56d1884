"""Internal verification (R-40..R-44): LIV appointments with their annual registration and
standardisation, IV plans (the sampling strategy and the annual schedule linked to the assessment
plan) with the LIV's sign-off, IV samples with their seed, digest and rationale, IV records of
assessment decisions (versioned, R-26/house rule 6), remedial actions and reassessment flags.

Insert-only for the application role (migration 0006): annual LIV records, sign-offs, samples and their
items, IV record versions and reassessment flags. IV records carry state (current version) and
remedial actions are closed, so those two are updatable; nothing here is deletable.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.core.models import Base, Versioned, enum_column, one_of, uuid_fk, uuid_pk
from app.verification.schemas import (
    ActionOwnerRole,
    ActionStatus,
    ArbitrationRuling,
    DrawKind,
    IvOutcome,
    ReviewCause,
)


def _created_at() -> Mapped[dt.datetime]:
    return mapped_column(DateTime(timezone=True), default=clock.now, server_default=func.now())


class LivAppointment(Versioned, Base):
    """R-40: the Lead Internal Verifier of one subject area of the centre (one current per area)."""

    __tablename__ = "liv_appointments"
    __table_args__ = (CheckConstraint("ended_on IS NULL OR appointed_on <= ended_on", name="dates"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id", index=True)
    subject_area: Mapped[str] = mapped_column(String(100))
    staff_id: Mapped[uuid.UUID] = uuid_fk("staff.id")
    appointed_on: Mapped[dt.date] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    appointed_by: Mapped[str] = mapped_column(String(200))


class LivAnnualRecord(Base):
    """R-40: the LIV's registration with the awarding body and standardisation for one academic year.
    Insert-only: a correction is a new record; the latest per year counts."""

    __tablename__ = "liv_annual_records"

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    appointment_id: Mapped[uuid.UUID] = uuid_fk("liv_appointments.id", index=True)
    academic_year_id: Mapped[uuid.UUID] = uuid_fk("academic_years.id")
    awarding_body: Mapped[str] = mapped_column(String(100))
    registration_reference: Mapped[str] = mapped_column(String(100))
    registered_on: Mapped[dt.date] = mapped_column(Date)
    standardised_on: Mapped[dt.date | None] = mapped_column(Date)
    standardisation_evidence: Mapped[str | None] = mapped_column(String(500))
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = _created_at()


class IvPlan(Versioned, Base):
    """R-41/R-42: one programme's IV plan for its year: the written sampling strategy (rates per
    programme and per assessor; new assessors) and, through schedule entries, the annual schedule."""

    __tablename__ = "iv_plans"
    __table_args__ = (
        UniqueConstraint("programme_id"),
        CheckConstraint(
            "default_rate > 0 AND default_rate <= 1 AND new_assessor_rate > 0 AND new_assessor_rate <= 1 "
            "AND disagreement_rate > 0 AND disagreement_rate <= 1",
            name="rates",
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    programme_id: Mapped[uuid.UUID] = uuid_fk("programmes.id")
    default_rate: Mapped[float] = mapped_column(Numeric(5, 4))
    new_assessor_rate: Mapped[float] = mapped_column(Numeric(5, 4))
    disagreement_rate: Mapped[float] = mapped_column(Numeric(5, 4))
    # {staff_id: rate}: the written strategy's rate for a named assessor.
    assessor_rates: Mapped[dict] = mapped_column(JSONB)
    new_assessor_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(UUID(as_uuid=True)))
    # A new qualification or revised specification: up to 100% (R-42).
    new_qualification: Mapped[bool] = mapped_column(Boolean)
    strategy: Mapped[str | None] = mapped_column(String(4000))


class IvScheduleEntry(Versioned, Base):
    """R-41: the IV schedule, linked to the assessment plan: who verifies one plan entry, and when
    (defaulting to the entry's planned IV date)."""

    __tablename__ = "iv_schedule_entries"
    __table_args__ = (UniqueConstraint("plan_entry_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    iv_plan_id: Mapped[uuid.UUID] = uuid_fk("iv_plans.id", index=True)
    plan_entry_id: Mapped[uuid.UUID] = uuid_fk("assessment_plan_entries.id")
    verifier_staff_id: Mapped[uuid.UUID] = uuid_fk("staff.id")
    planned_iv_date: Mapped[dt.date] = mapped_column(Date)


class IvPlanSignOff(Base):
    """The LIV's sign-off of one version of the IV plan (by the programme's LIV only). Insert-only; a
    plan changed after sign-off needs signing again (the sign-off names the version it saw)."""

    __tablename__ = "iv_plan_sign_offs"
    __table_args__ = (UniqueConstraint("iv_plan_id", "plan_version"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    iv_plan_id: Mapped[uuid.UUID] = uuid_fk("iv_plans.id", index=True)
    plan_version: Mapped[int] = mapped_column(Integer)
    signed_on: Mapped[dt.date] = mapped_column(Date)
    liv_staff_id: Mapped[uuid.UUID] = uuid_fk("staff.id")
    signed_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = _created_at()


class IvSample(Base):
    """R-42: one draw of a brief's IV sample: the service's seed, the digest of its inputs, the policy
    applied and the population it was drawn from, so it can be reproduced and checked. Insert-only:
    every draw is kept. Draws of a brief are numbered 1, 2, 3...; the highest number is the official
    draw, the one IV completes and the R-25 gate reads. A redraw names the LIV's reason; the unique
    number refuses two concurrent draws of the same brief."""

    __tablename__ = "iv_samples"
    __table_args__ = (
        UniqueConstraint("brief_id", "number"),
        CheckConstraint(f"kind IN {one_of(DrawKind)}", name="kind"),
        CheckConstraint("(kind = 'redraw') = (reason IS NOT NULL)", name="redraw_reason"),
        CheckConstraint("(number = 1) = (supersedes_id IS NULL)", name="supersedes"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    programme_id: Mapped[uuid.UUID] = uuid_fk("programmes.id", index=True)
    brief_id: Mapped[uuid.UUID] = uuid_fk("assignment_briefs.id", index=True)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[DrawKind] = enum_column(DrawKind, 20)
    reason: Mapped[str | None] = mapped_column(String(500))
    supersedes_id: Mapped[uuid.UUID | None] = uuid_fk("iv_samples.id")
    seed: Mapped[int] = mapped_column(BigInteger)
    inputs_digest: Mapped[str] = mapped_column(String(64))
    policy: Mapped[dict] = mapped_column(JSONB)
    population: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(UUID(as_uuid=True)))
    drawn_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = _created_at()


class IvSampleItem(Base):
    """One sampled decision with why it was taken (stratum covered, rate applied)."""

    __tablename__ = "iv_sample_items"

    sample_id: Mapped[uuid.UUID] = uuid_fk("iv_samples.id", primary_key=True)
    decision_id: Mapped[uuid.UUID] = uuid_fk("assessment_decisions.id", primary_key=True, index=True)
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    assessor_staff_id: Mapped[uuid.UUID] = uuid_fk("staff.id")
    grade: Mapped[str] = mapped_column(String(1))
    site_id: Mapped[uuid.UUID | None] = uuid_fk("sites.id")
    # CAMERA's Methods and Candidates' needs, as the sampler saw them (R-42).
    methods: Mapped[list[str]] = mapped_column(ARRAY(String(20)))
    support_needs: Mapped[list[str]] = mapped_column(ARRAY(String(30)))
    rationale: Mapped[list[str]] = mapped_column(JSONB)


class IvRecord(Versioned, Base):
    """R-43/R-26: the IV of one assessment decision. Its content lives in versions; this row holds the
    state (current version and outcome) the release gate reads."""

    __tablename__ = "iv_records"
    __table_args__ = (
        UniqueConstraint("decision_id"),
        CheckConstraint(f"outcome IN {one_of(IvOutcome)}", name="outcome"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    programme_id: Mapped[uuid.UUID] = uuid_fk("programmes.id", index=True)
    brief_id: Mapped[uuid.UUID] = uuid_fk("assignment_briefs.id", index=True)
    decision_id: Mapped[uuid.UUID] = uuid_fk("assessment_decisions.id")
    assessor_staff_id: Mapped[uuid.UUID] = uuid_fk("staff.id")
    current_version: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[IvOutcome] = enum_column(IvOutcome, 20)
    # The decision version the current IV version verified: an amended decision needs IV again.
    decision_version: Mapped[int] = mapped_column(Integer)


class IvRecordVersion(Base):
    """One version of an IV record: agree/disagree, per-criterion comments, feedback to the assessor,
    whether the batch must be reassessed, and for a version after the first the reason. Insert-only."""

    __tablename__ = "iv_record_versions"
    __table_args__ = (
        CheckConstraint("number = 1 OR reason IS NOT NULL", name="amendment_reason"),
        CheckConstraint(f"outcome IN {one_of(IvOutcome)}", name="outcome"),
    )

    record_id: Mapped[uuid.UUID] = uuid_fk("iv_records.id", primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    outcome: Mapped[IvOutcome] = enum_column(IvOutcome, 20)
    decision_version: Mapped[int] = mapped_column(Integer)
    # [{unit_number, code, agree, comment}]
    criteria_comments: Mapped[list[dict]] = mapped_column(JSONB)
    feedback_to_assessor: Mapped[str] = mapped_column(String(4000))
    # advice for the assessor's practice; unlike remedial actions they never block release.
    developmental_recommendations: Mapped[list[str]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    reassess_batch: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(String(500))
    verifier_staff_id: Mapped[uuid.UUID] = uuid_fk("staff.id")
    verified_on: Mapped[dt.date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = _created_at()


class RemedialAction(Versioned, Base):
    """R-43: an action arising from IV, due in working days on the centre calendar; closed when done.
    Owned by the assessor, the IV or the LIV; it names the decisions it concerns, and only their release
    waits for it (R-25)."""

    __tablename__ = "iv_remedial_actions"
    __table_args__ = (
        CheckConstraint(f"status IN {one_of(ActionStatus)}", name="status"),
        CheckConstraint(f"owner_role IN {one_of(ActionOwnerRole)}", name="owner_role"),
        CheckConstraint("cardinality(decision_ids) >= 1", name="decisions"),
        Index("ix_iv_remedial_actions_decision_ids", "decision_ids", postgresql_using="gin"),
        CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="closed"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    programme_id: Mapped[uuid.UUID] = uuid_fk("programmes.id", index=True)
    brief_id: Mapped[uuid.UUID] = uuid_fk("assignment_briefs.id", index=True)
    iv_record_id: Mapped[uuid.UUID] = uuid_fk("iv_records.id", index=True)
    description: Mapped[str] = mapped_column(String(1000))
    # who must do it.
    owner_role: Mapped[ActionOwnerRole] = enum_column(ActionOwnerRole, 20, server_default="assessor")
    owner_staff_id: Mapped[uuid.UUID] = uuid_fk("staff.id")
    decision_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(UUID(as_uuid=True)))
    raised_on: Mapped[dt.date] = mapped_column(Date)
    due_in_working_days: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[ActionStatus] = enum_column(ActionStatus, 20)
    raised_by: Mapped[str] = mapped_column(String(200))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(200))
    closure_note: Mapped[str | None] = mapped_column(String(1000))


class ReassessmentFlag(Base):
    """R-43: a disagreement showing a wider problem flags the brief's other decisions by that assessor
    for reassessment. Insert-only; satisfied once the decision has a version after `decision_version`
    (the assessor reassessed it: an amendment with its reason, even if the result is unchanged)."""

    __tablename__ = "iv_reassessment_flags"
    __table_args__ = (UniqueConstraint("iv_record_id", "decision_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    brief_id: Mapped[uuid.UUID] = uuid_fk("assignment_briefs.id", index=True)
    iv_record_id: Mapped[uuid.UUID] = uuid_fk("iv_records.id")
    decision_id: Mapped[uuid.UUID] = uuid_fk("assessment_decisions.id", index=True)
    decision_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = _created_at()


class ReviewFlag(Base):
    """R-62/R-73: a decision flagged for review because an upheld appeal questions other results of the
    same brief and assessor, or a malpractice case concerns the member of staff who made it. The cause
    is the appeal or the case (their tables sit in domains above this one, hence no foreign key).
    Insert-only; satisfied once the decision has an IV record version made after the flag; until then
    the IV sampler always takes it (app/verification/review_flags.py)."""

    __tablename__ = "decision_review_flags"
    __table_args__ = (
        UniqueConstraint("cause", "cause_id", "decision_id"),
        CheckConstraint(f"cause IN {one_of(ReviewCause)}", name="cause"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    decision_id: Mapped[uuid.UUID] = uuid_fk("assessment_decisions.id", index=True)
    decision_version: Mapped[int] = mapped_column(Integer)
    cause: Mapped[ReviewCause] = enum_column(ReviewCause, 20)
    cause_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    reason: Mapped[str] = mapped_column(String(500))
    flagged_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = _created_at()


class IvArbitration(Base):
    """R-45: the LIV's ruling on a disagreement between an assessor and an IV, about one version of the
    IV record (and the decision version it verified): with the assessor, with the IV, or another
    judgement, and the reasoning. Insert-only."""

    __tablename__ = "iv_arbitrations"
    __table_args__ = (
        CheckConstraint(f"ruling IN {one_of(ArbitrationRuling)}", name="ruling"),
        UniqueConstraint("iv_record_id", "record_version"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    programme_id: Mapped[uuid.UUID] = uuid_fk("programmes.id")
    iv_record_id: Mapped[uuid.UUID] = uuid_fk("iv_records.id", index=True)
    record_version: Mapped[int] = mapped_column(Integer)
    decision_id: Mapped[uuid.UUID] = uuid_fk("assessment_decisions.id")
    decision_version: Mapped[int] = mapped_column(Integer)
    # the LIV's ruling on the disagreement.
    ruling: Mapped[ArbitrationRuling] = enum_column(ArbitrationRuling, 20)
    reasoning: Mapped[str] = mapped_column(String(4000))
    liv_staff_id: Mapped[uuid.UUID] = uuid_fk("staff.id")
    arbitrated_on: Mapped[dt.date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = _created_at()
