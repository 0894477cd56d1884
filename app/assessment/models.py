"""Submissions and their evidence (R-22, R-23), extensions, assessment decisions with their versions
(R-24..R-26), resubmission authorisations (R-30, R-31, R-33) and externally assessed unit results.

What is assessed is never overwritten (house rule 6): evidence of a submitted submission, decision
versions and resubmission authorisations are insert-only for the application role, and triggers in
migration 0005 refuse changes to a submission once it is handed in.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.assessment.schemas import (
    ASSESSED_ATTEMPTS,
    DecisionStatus,
    EvidenceKind,
    FileEvidenceKind,
    SubmissionStatus,
)
from app.core import clock
from app.core.models import Base, Versioned, enum_column, one_of, uuid_fk, uuid_pk
from app.qualifications.grades import AttemptKind

# "amended": released before, and a newer version awaits IV; the learner keeps the released one.
RELEASED_STATUSES = (DecisionStatus.released, DecisionStatus.amended)


def _created_at() -> Mapped[dt.datetime]:
    return mapped_column(DateTime(timezone=True), default=clock.now, server_default=func.now())


class Extension(Base):
    """R-23/R-30: an agreed extension of one learner's deadline for one brief, with reason and approver.
    Only the latest counts; earlier ones stay (insert-only)."""

    __tablename__ = "deadline_extensions"

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    brief_id: Mapped[uuid.UUID] = uuid_fk("assignment_briefs.id", index=True)
    learner_id: Mapped[uuid.UUID] = uuid_fk("learners.id", index=True)
    new_deadline: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(500))
    approved_by: Mapped[str] = mapped_column(String(200))
    approved_role: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = _created_at()


class Submission(Versioned, Base):
    """One learner's work for one brief at one attempt. Open while evidence is added; handed in with the
    learner's signed and dated declaration (R-22); frozen from then on, in the service and by trigger."""

    __tablename__ = "submissions"
    __table_args__ = (
        CheckConstraint(f"attempt_kind IN {one_of(ASSESSED_ATTEMPTS)}", name="attempt_kind"),
        CheckConstraint(f"status IN {one_of(SubmissionStatus)}", name="status"),
        CheckConstraint(
            "status = 'open' OR (submitted_at IS NOT NULL AND declaration_signed_on IS NOT NULL "
            "AND late IS NOT NULL)",
            name="handed_in",
        ),
        # a declaration of AI use says which tools and how.
        CheckConstraint(
            "ai_used IS NOT TRUE OR (ai_tools IS NOT NULL AND ai_use IS NOT NULL)", name="ai_declared"
        ),
        # work handed in on paper has the date received, a reason and who recorded it.
        CheckConstraint(
            "(paper_received_on IS NULL) = (paper_reason IS NULL) "
            "AND (paper_received_on IS NULL) = (paper_recorded_by IS NULL)",
            name="paper_hand_in",
        ),
        UniqueConstraint("brief_id", "learner_id", "attempt_kind"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    brief_id: Mapped[uuid.UUID] = uuid_fk("assignment_briefs.id", index=True)
    learner_id: Mapped[uuid.UUID] = uuid_fk("learners.id", index=True)
    attempt_kind: Mapped[AttemptKind] = enum_column(AttemptKind, 20, only=ASSESSED_ATTEMPTS)
    status: Mapped[SubmissionStatus] = enum_column(SubmissionStatus, 20)
    # The deadline in force when handed in: the brief's, an agreed extension's, or the resubmission's.
    deadline: Mapped[dt.date] = mapped_column(Date)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # recorded as late, never capped.
    late: Mapped[bool | None] = mapped_column(Boolean)
    extension_id: Mapped[uuid.UUID | None] = uuid_fk("deadline_extensions.id")
    declaration_signed_on: Mapped[dt.date | None] = mapped_column(Date)
    declaration_text: Mapped[str | None] = mapped_column(String(1000))
    handed_in_by: Mapped[str | None] = mapped_column(String(200))
    # the declaration says whether AI tools were used and, if so, which and how; copies of the
    # interactions are evidence items of kind ai_interaction (the freeze trigger requires one).
    ai_used: Mapped[bool | None] = mapped_column(Boolean)
    ai_tools: Mapped[str | None] = mapped_column(String(500))
    ai_use: Mapped[str | None] = mapped_column(String(4000))
    # work handed in on paper, recorded by staff with the date actually received.
    paper_received_on: Mapped[dt.date | None] = mapped_column(Date)
    paper_reason: Mapped[str | None] = mapped_column(String(500))
    paper_recorded_by: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(200))


class EvidenceItem(Base):
    """A file (stored behind app.assessment.storage, with its SHA-256) or a reference to evidence kept
    elsewhere (an observation record, a witness statement). Never updated; added or removed only while
    the submission is open (trigger)."""

    __tablename__ = "evidence_items"
    __table_args__ = (
        CheckConstraint(f"kind IN {one_of(EvidenceKind)}", name="kind"),
        CheckConstraint(
            f"(kind IN {one_of(FileEvidenceKind)}) = (sha256 IS NOT NULL AND storage_key IS NOT NULL "
            "AND size_bytes IS NOT NULL AND media_type IS NOT NULL)",
            name="file_fields",
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    submission_id: Mapped[uuid.UUID] = uuid_fk("submissions.id", index=True)
    kind: Mapped[EvidenceKind] = enum_column(EvidenceKind, 30)
    description: Mapped[str] = mapped_column(String(500))
    filename: Mapped[str | None] = mapped_column(String(255))
    media_type: Mapped[str | None] = mapped_column(String(100))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    storage_key: Mapped[str | None] = mapped_column(String(500))
    reference: Mapped[str | None] = mapped_column(String(500))
    added_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = _created_at()


class AssessmentDecision(Versioned, Base):
    """The assessor's decision on one submission. Its content lives in versions (R-26); this row holds
    the state: draft -> submitted_for_iv -> released (R-25). An amendment of a released decision is a
    new version that waits in `amended` for IV of that version, then is released again; meanwhile
    `released_version` is the version the learner sees (R-25, R-26)."""

    __tablename__ = "assessment_decisions"
    __table_args__ = (
        CheckConstraint(f"status IN {one_of(DecisionStatus)}", name="status"),
        CheckConstraint(f"attempt_kind IN {one_of(ASSESSED_ATTEMPTS)}", name="attempt_kind"),
        CheckConstraint(
            f"(status IN {one_of(RELEASED_STATUSES)}) = (released_at IS NOT NULL AND released_version IS NOT NULL)",
            name="released",
        ),
        CheckConstraint(
            "released_version IS NULL OR released_version <= current_version", name="released_version"
        ),
        UniqueConstraint("submission_id"),
        # The decision lists by programme and by assessor, in the keyset pagination's order (issue 18).
        Index("ix_assessment_decisions_programme_id_id", "programme_id", "id"),
        Index("ix_assessment_decisions_assessor_staff_id_id", "assessor_staff_id", "id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    programme_id: Mapped[uuid.UUID] = uuid_fk("programmes.id", index=True)
    brief_id: Mapped[uuid.UUID] = uuid_fk("assignment_briefs.id", index=True)
    learner_id: Mapped[uuid.UUID] = uuid_fk("learners.id", index=True)
    submission_id: Mapped[uuid.UUID] = uuid_fk("submissions.id")
    attempt_kind: Mapped[AttemptKind] = enum_column(AttemptKind, 20, only=ASSESSED_ATTEMPTS)
    assessor_staff_id: Mapped[uuid.UUID] = uuid_fk("staff.id")
    status: Mapped[DecisionStatus] = enum_column(DecisionStatus, 20)
    current_version: Mapped[int] = mapped_column(Integer)
    released_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    released_by: Mapped[str | None] = mapped_column(String(200))
    # the version the learner was given (last released); None until first released.
    released_version: Mapped[int | None] = mapped_column(Integer)


class DecisionVersion(Base):
    """One version of a decision (R-24, R-26): per targeted criterion achieved or not and where the
    evidence is; feedback; the assessor's confirmation that the work is authentic (R-22); and, for a
    version after the first, the reason for the amendment. Insert-only."""

    __tablename__ = "assessment_decision_versions"
    __table_args__ = (CheckConstraint("number = 1 OR reason IS NOT NULL", name="amendment_reason"),)

    decision_id: Mapped[uuid.UUID] = uuid_fk("assessment_decisions.id", primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    # [{unit_number, code, achieved, evidence_location}]
    criteria: Mapped[list[dict]] = mapped_column(JSONB)
    # {unit_number: grade} for units whose criteria are not listed (003: recorded as a grade).
    unit_grades: Mapped[dict] = mapped_column(JSONB)
    feedback: Mapped[str] = mapped_column(String(4000))
    authenticity_confirmed: Mapped[bool] = mapped_column(Boolean)
    # the assessor's judgement that the learner can improve without further guidance.
    can_improve_without_guidance: Mapped[bool] = mapped_column(Boolean)
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(500))
    recorded_by: Mapped[str] = mapped_column(String(200))
    # the staff member who made this version (the decision's assessor: only they amend it).
    made_by: Mapped[uuid.UUID] = uuid_fk("staff.id")
    recorded_at: Mapped[dt.datetime] = _created_at()


class ResubmissionAuthorisation(Base):
    """R-30/R-31/R-33: one authorised resubmission of one assignment for one learner, with its deadline
    counted on the centre calendar. `number` is 1..resubmissions_allowed; the unique key holds the
    limit against concurrent requests. Insert-only."""

    __tablename__ = "resubmission_authorisations"
    __table_args__ = (UniqueConstraint("brief_id", "learner_id", "number"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    brief_id: Mapped[uuid.UUID] = uuid_fk("assignment_briefs.id")
    learner_id: Mapped[uuid.UUID] = uuid_fk("learners.id", index=True)
    decision_id: Mapped[uuid.UUID] = uuid_fk("assessment_decisions.id", index=True)
    number: Mapped[int] = mapped_column(Integer)
    result_received_on: Mapped[dt.date] = mapped_column(Date)
    deadline: Mapped[dt.date] = mapped_column(Date)
    within_term_time: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(500))
    authorised_by: Mapped[str] = mapped_column(String(200))
    authorised_role: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = _created_at()


class ExamResult(Base):
    """An externally assessed unit's result for one sitting (003 §7): sitting 1 is the first, each
    further one a resit, at most the qualification's exam_resits_allowed. Insert-only; the best counts
    (R-05)."""

    __tablename__ = "exam_results"
    __table_args__ = (
        UniqueConstraint("learner_id", "qualification_id", "unit_number", "sitting"),
        CheckConstraint("sitting >= 1", name="sitting"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    learner_id: Mapped[uuid.UUID] = uuid_fk("learners.id", index=True)
    qualification_id: Mapped[uuid.UUID] = uuid_fk("qualifications.id")
    unit_number: Mapped[int] = mapped_column(Integer)
    sitting: Mapped[int] = mapped_column(Integer)
    series: Mapped[str] = mapped_column(String(40))
    grade: Mapped[str] = mapped_column(String(20))
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = _created_at()
