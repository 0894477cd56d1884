from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, StrictBool, StringConstraints

from app.assignments.schemas import CriterionCode
from app.core.schemas import Input, IsoDate, LongText, Output, Reason, Text, UnitNumber
from app.programmes.schemas import EnrolmentStatus
from app.qualifications.grades import AttemptKind, GradingRule, QualificationGrade, UnitGrade
from app.qualifications.outcomes import OutcomeBasis

# Internally assessed work is a first attempt, a resubmission or a retake; a resit is an examined
# unit sat again (003 §7), recorded as an exam result, never as a submission or a decision.
ASSESSED_ATTEMPTS = (AttemptKind.first, AttemptKind.resubmission, AttemptKind.retake)

Short = Reason  # a one-line filled text of up to 500 characters


class SubmissionStatus(StrEnum):
    open = "open"
    submitted = "submitted"


class EvidenceKind(StrEnum):
    file = "file"
    ai_interaction = "ai_interaction"
    observation_record = "observation_record"
    witness_statement = "witness_statement"
    questioning_record = "questioning_record"  # a record of oral questioning (R-42: CAMERA's Methods)
    reference = "reference"


class FileEvidenceKind(StrEnum):
    """What an uploaded file is: the learner's work, or a copy of an interaction with an AI tool (R-22)."""

    file = "file"
    ai_interaction = "ai_interaction"


class ReferenceKind(StrEnum):
    observation_record = "observation_record"
    witness_statement = "witness_statement"
    questioning_record = "questioning_record"  # a record of oral questioning (R-42: CAMERA's Methods)
    reference = "reference"


class DecisionStatus(StrEnum):
    draft = "draft"
    submitted_for_iv = "submitted_for_iv"
    released = "released"
    # Released before; a newer version awaits IV. The learner keeps the released version.
    amended = "amended"


# ---- extensions, submissions, evidence ----------------------------------------------------------------


class ExtensionCreate(Input):
    brief_id: uuid.UUID
    learner_id: uuid.UUID
    new_deadline: IsoDate
    reason: Reason


class Extension(Output):
    id: uuid.UUID
    brief_id: uuid.UUID
    learner_id: uuid.UUID
    new_deadline: dt.date
    reason: str
    approved_by: str
    approved_role: str
    created_at: dt.datetime


class SubmissionCreate(Input):
    brief_id: uuid.UUID
    learner_id: uuid.UUID | None = Field(
        None, description="Staff name the learner; a learner submits for themselves."
    )


class AuthenticityConcern(Input):
    """R-70: the assessor's concern that handed-in work is not the learner's own (opens a draft case)."""

    concern: LongText


class AuthenticityConcernRaised(Output):
    submission_id: uuid.UUID
    case_id: uuid.UUID = Field(description="The draft malpractice case the concern opened.")


class HandIn(Input):
    declaration_signed: StrictBool = Field(
        description="R-22: the learner's declaration that the work is their own."
    )
    declaration_signed_on: IsoDate
    declaration_text: Text | None = None
    ai_used: StrictBool = Field(
        description="R-22: part of the declaration: whether AI tools were used. When true, `ai_tools` and "
        "`ai_use` say which and how, and copies of the interactions are evidence of kind ai_interaction."
    )
    ai_tools: Short | None = Field(None, description="R-22: which AI tools (when `ai_used`).")
    ai_use: LongText | None = Field(None, description="R-22: how they were used (when `ai_used`).")
    paper_received_on: IsoDate | None = Field(
        None,
        description="Work handed in on paper (staff only): the date it was actually received, in the "
        "centre's calendar; lateness is judged on it (R-23). Not after today.",
    )
    paper_reason: Reason | None = Field(
        None, description="Why the work was handed in on paper (required with `paper_received_on`)."
    )


class EvidenceReferenceCreate(Input):
    kind: ReferenceKind
    description: Short
    reference: Short = Field(
        description="Where the evidence is kept: an observation record's id, a witness's name."
    )


class EvidenceItem(Output):
    id: uuid.UUID
    submission_id: uuid.UUID
    kind: EvidenceKind
    description: str
    filename: str | None
    media_type: str | None
    size_bytes: int | None
    sha256: str | None
    reference: str | None
    added_by: str
    created_at: dt.datetime


class Submission(Output):
    id: uuid.UUID
    centre_id: uuid.UUID
    brief_id: uuid.UUID
    learner_id: uuid.UUID
    attempt_kind: AttemptKind
    status: SubmissionStatus
    deadline: dt.date
    submitted_at: dt.datetime | None
    late: bool | None = Field(description="R-23: recorded as late, never capped.")
    extension_id: uuid.UUID | None
    declaration_signed_on: dt.date | None
    handed_in_by: str | None
    ai_used: bool | None = Field(description="R-22: the declaration says whether AI tools were used.")
    ai_tools: str | None
    ai_use: str | None
    paper_received_on: dt.date | None = Field(description="Handed in on paper: the date received.")
    paper_reason: str | None
    paper_recorded_by: str | None = Field(description="The member of staff who recorded the paper hand-in.")
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


# ---- decisions ----------------------------------------------------------------------------------------


class CriterionJudgement(Input):
    unit_number: UnitNumber
    code: CriterionCode
    achieved: StrictBool
    evidence_location: Short | None = Field(
        None, description="Where in the evidence it is shown (R-24); required when achieved."
    )


class UnitGradeInput(Input):
    unit_number: UnitNumber
    grade: UnitGrade


class DecisionContent(Input):
    criteria: list[CriterionJudgement] = Field(
        max_length=60, description="Every criterion the brief targets, once."
    )
    unit_grades: list[UnitGradeInput] = Field(
        [], max_length=10, description="Units whose criteria are not listed (003): their grade."
    )
    feedback: LongText = Field(description="How the decision was reached; never how to improve (R-24).")
    authenticity_confirmed: StrictBool = Field(
        description="R-22: the assessor confirms the work is the learner's own."
    )
    can_improve_without_guidance: StrictBool = Field(False, description="R-30: the assessor's judgement.")
    assessed_on: IsoDate


class DecisionCreate(DecisionContent):
    submission_id: uuid.UUID


class DecisionAmendment(DecisionContent):
    reason: Reason = Field(description="R-26: why the decision changes.")


class CriterionResult(Output):
    unit_number: int
    code: str
    achieved: bool
    evidence_location: str | None = None


class DecisionVersion(Output):
    number: int
    criteria: list[CriterionResult]
    unit_grades: dict[str, UnitGrade]
    feedback: str
    authenticity_confirmed: bool
    can_improve_without_guidance: bool
    assessed_on: dt.date
    reason: str | None
    recorded_by: str
    made_by: uuid.UUID = Field(description="R-26: the staff member who made this version.")
    recorded_at: dt.datetime


class Decision(Output):
    id: uuid.UUID
    centre_id: uuid.UUID
    programme_id: uuid.UUID
    brief_id: uuid.UUID
    learner_id: uuid.UUID
    submission_id: uuid.UUID
    attempt_kind: AttemptKind
    assessor_staff_id: uuid.UUID
    status: DecisionStatus
    current_version: int
    released_at: dt.datetime | None
    released_version: int | None = Field(
        description="R-25: the version the learner was given (the last released); none until released."
    )
    current: DecisionVersion
    released: DecisionVersion | None = Field(
        description="R-25: the released version, while an amendment of it awaits IV (`amended`); for the "
        "learner, `current` is always the released version."
    )
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


# ---- resubmission, exam results -----------------------------------------------------------------------


class ResubmissionCreate(Input):
    result_received_on: IsoDate = Field(description="R-31: the day the learner received the result.")
    reason: Reason
    deadline: IsoDate | None = Field(
        None,
        description="Where the qualification has no working-day window "
        "(OCR, R-33): the date the assessor sets.",
    )


class Resubmission(Output):
    id: uuid.UUID
    brief_id: uuid.UUID
    learner_id: uuid.UUID
    decision_id: uuid.UUID
    number: int
    result_received_on: dt.date
    deadline: dt.date
    within_term_time: bool
    reason: str
    authorised_by: str
    authorised_role: str
    created_at: dt.datetime


class ExamResultCreate(Input):
    learner_id: uuid.UUID
    qualification_id: uuid.UUID
    unit_number: UnitNumber
    series: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9 /-]{1,40}$")]
    grade: UnitGrade


class ExamResult(Output):
    id: uuid.UUID
    learner_id: uuid.UUID
    qualification_id: uuid.UUID
    unit_number: int
    sitting: int
    series: str
    grade: UnitGrade
    recorded_by: str
    created_at: dt.datetime


# ---- views --------------------------------------------------------------------------------------------


class CriterionStatus(StrEnum):
    achieved = "achieved"  # in a released decision
    achieved_pending_iv = "achieved_pending_iv"  # in a decision not yet released (staff only)
    not_achieved = "not_achieved"
    targeted = "targeted"  # in an issued brief, no decision yet
    not_targeted = "not_targeted"


class RecordCriterion(Output):
    unit_number: int
    code: str
    status: CriterionStatus
    brief_id: uuid.UUID | None = None
    evidence_location: str | None = None
    assessed_on: dt.date | None = None
    attempt_kind: AttemptKind | None = None


class RecordUnit(Output):
    unit_number: int
    title: str
    grade: UnitGrade | None
    basis: OutcomeBasis | None
    attempt_kind: AttemptKind | None
    capped_at_pass: bool = False
    criteria: list[RecordCriterion]
    exam_results: list[ExamResult] = []


class RecordAttempt(Output):
    brief_id: uuid.UUID
    brief_title: str
    attempt_kind: AttemptKind
    deadline: dt.date
    submission_id: uuid.UUID | None
    submitted_at: dt.datetime | None
    late: bool | None
    decision_id: uuid.UUID | None
    decision_status: DecisionStatus | None
    resubmission_deadline: dt.date | None = None
    programme_id: uuid.UUID | None = Field(default=None, description="The programme the brief was set on.")


class RecordProgramme(Output):
    """R-14: one enrolment whose results the record counts."""

    enrolment_id: uuid.UUID
    programme_id: uuid.UUID
    programme_name: str
    qualification_id: uuid.UUID
    enrolment_status: EnrolmentStatus
    enrolled_on: dt.date
    ended_on: dt.date | None
    carried: bool = Field(
        description="True for an enrolment on another qualification the learner was transferred from: "
        "only the results of the units the two qualifications share count (R-14)."
    )


class LearnerRecord(Output):
    """R-14: the record of the learner's registration for the qualification, over every programme year
    and teaching group of it (and the shared units of a qualification they were transferred from)."""

    learner_id: uuid.UUID
    programme_id: uuid.UUID = Field(
        description="The programme asked for; for a registration's record, the learner's current (else "
        "latest) programme of the qualification."
    )
    qualification_id: uuid.UUID
    registration_number: str | None = Field(
        default=None, description="The awarding body's registration number (R-12), once registered."
    )
    programmes: list[RecordProgramme] = Field(
        default=[], description="The enrolments whose results count, oldest first (R-14)."
    )
    units: list[RecordUnit]
    attempts: list[RecordAttempt]
    qualification_grade: QualificationGrade
    decided_by: GradingRule
    total_points: int | None
    released_only: bool = Field(description="True when only released decisions count (a learner's own view).")


class GridRow(Output):
    learner_id: uuid.UUID
    given_name: str
    family_name: str
    statuses: list[CriterionStatus] = Field(description="One per column, in `columns` order.")
    unit_grades: dict[str, UnitGrade | None]
    qualification_grade: QualificationGrade
    enrolment_status: EnrolmentStatus = Field(
        default=EnrolmentStatus.registered,
        description="The learner's enrolment on this programme; a learner transferred to another group "
        "stays on the grid as `transferred`. Statuses and grades are registration-wide (R-14).",
    )


class GridColumn(Output):
    unit_number: int
    code: str


class CohortGrid(Output):
    programme_id: uuid.UUID
    qualification_id: uuid.UUID
    columns: list[GridColumn]
    rows: list[GridRow]


JsonDict = dict[str, Any]
