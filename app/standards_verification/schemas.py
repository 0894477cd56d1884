"""Pydantic shapes of standards verification (R-50..R-52) and OCR moderation (R-51): REST bodies and
GraphQL types share them; the status and kind enums are defined here once."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from pydantic import Field, StrictBool

from app.core.schemas import Input, IsoDate, JsonInt, LongName, LongText, Name, Output, Reason, Subject


class Measure(StrEnum):
    """R-50: the awarding body's measure for the programme this year."""

    standard = "standard"
    enhanced = "enhanced"


class RequestKind(StrEnum):
    initial = "initial"
    further = "further"  # "send me three more at Distinction": extends the same sample


class RequestSource(StrEnum):
    verifier = "verifier"
    qn = "qn"


class SampleStatus(StrEnum):
    requested = "requested"  # a request is unanswered
    submitted = "submitted"  # every request answered by the QN


class ActionStatus(StrEnum):
    open = "open"
    closed = "closed"


class ModerationOutcome(StrEnum):
    agreed = "agreed"  # confirms the unit's provisional grades
    adjusted = "adjusted"  # the unit's grades in the claim changed by the moderator


class SvCertificationStatus(StrEnum):
    """R-51, Pearson's statuses of a subject area for its year."""

    not_yet_fully_sampled = "not_yet_fully_sampled"
    report_outstanding = "report_outstanding"
    certification_pending = "certification_pending"  # centre action required
    released = "released"


# ---- policy: the sample-size reference table ----------------------------------------------------------


class SamplePolicyWrite(Input):
    """R-50 reference figures (public Pearson guidance, 2025): defaults, not constants."""

    all_up_to: JsonInt = Field(5, ge=0, le=1000, description="Cohorts this size or smaller: every learner.")
    band_limits: list[JsonInt] = Field(
        [25, 100, 200], min_length=1, max_length=10, description="Upper learner count of each band."
    )
    standard_sizes: list[JsonInt] = Field([6, 9, 12], min_length=1, max_length=10)
    enhanced_sizes: list[JsonInt] = Field([9, 12, 15], min_length=1, max_length=10)
    further_standard: JsonInt = Field(12, ge=0, le=1000, description="Added for each further 100 or part.")
    further_enhanced: JsonInt = Field(15, ge=0, le=1000)
    moderation_visits_per_year: JsonInt = Field(2, ge=1, le=12, description="R-51: OCR visits a year.")


class SamplePolicy(Output):
    all_up_to: int
    band_limits: list[int]
    standard_sizes: list[int]
    enhanced_sizes: list[int]
    further_standard: int
    further_enhanced: int
    moderation_visits_per_year: int
    version: int


# ---- allocation (R-50) ----------------------------------------------------------------------------------


class AllocationCreate(Input):
    programme_id: uuid.UUID
    academic_year_id: uuid.UUID | None = Field(None, description="Defaults to the programme's year.")
    measure: Measure
    verifier_name: LongName = Field(description="The awarding body's allocated standards verifier.")
    allocated_on: IsoDate


class Allocation(Output):
    id: uuid.UUID
    programme_id: uuid.UUID
    academic_year_id: uuid.UUID
    subject_area: str
    measure: Measure
    verifier_name: str
    allocated_on: dt.date
    learner_count: int = 0
    required_sample_size: int = 0
    units_required: int = 1
    recorded_by: str
    version: int


# ---- the sample (R-50) ---------------------------------------------------------------------------------


class SampleCreate(Input):
    allocation_id: uuid.UUID
    source: RequestSource
    requested_on: IsoDate
    due_on: IsoDate
    note: LongText | None = None


class FurtherRequest(Input):
    """ "Send me three more at Distinction": more items in the same sample."""

    source: RequestSource = RequestSource.verifier
    requested_on: IsoDate
    due_on: IsoDate
    count: JsonInt = Field(ge=1, le=50)
    grade: Name | None = Field(None, description="Only work at this grade (U, P, M or D).")
    note: LongText | None = None


class SampleRequest(Output):
    id: uuid.UUID
    sample_id: uuid.UUID
    kind: RequestKind
    source: RequestSource
    requested_on: dt.date
    due_on: dt.date
    note: str | None
    answered_on: dt.date | None
    late: bool
    recorded_by: str


class SampleItemAdd(Input):
    learner_id: uuid.UUID
    brief_id: uuid.UUID
    reason: Reason


class SampleItemRemove(Input):
    reason: Reason


class SampleItem(Output):
    id: uuid.UUID
    sample_id: uuid.UUID
    request_id: uuid.UUID
    learner_id: uuid.UUID
    brief_id: uuid.UUID
    decision_id: uuid.UUID
    assessor_staff_id: uuid.UUID
    unit_numbers: list[int]
    grade: str
    rationale: str
    added_by: str
    authenticity_declared_on: dt.date | None
    authenticity_declared_by: str | None


class Sample(Output):
    id: uuid.UUID
    allocation_id: uuid.UUID
    programme_id: uuid.UUID
    round: int
    status: SampleStatus
    required_size: int
    submitted_at: dt.datetime | None
    submitted_by: str | None
    created_by: str
    requests: list[SampleRequest] = []
    item_count: int = 0
    late: bool = False
    version: int


class DecisionVersionView(Output):
    number: int
    grade: str
    feedback: str
    assessed_on: dt.date
    reason: str | None
    recorded_by: str


class IvRecordView(Output):
    number: int
    outcome: str
    decision_version: int
    feedback_to_assessor: str
    verified_on: dt.date
    reason: str | None


class EvidenceView(Output):
    id: uuid.UUID
    kind: str
    description: str
    filename: str | None
    media_type: str | None
    size_bytes: int | None
    sha256: str | None
    reference: str | None


class BriefView(Output):
    id: uuid.UUID
    title: str
    unit_numbers: list[int]
    scenario: str
    start_date: dt.date
    completion_date: dt.date


class SampleItemDetail(Output):
    """R-50: one learner's work for one brief, with the brief, every decision version, the IV records
    and the evidence files (what the verifier reads)."""

    item: SampleItem
    learner_name: str
    brief: BriefView
    submission_id: uuid.UUID
    decision_versions: list[DecisionVersionView]
    iv_records: list[IvRecordView]
    evidence: list[EvidenceView]


# ---- grants (R-52) -------------------------------------------------------------------------------------


class GrantCreate(Input):
    verifier_name: LongName
    expires_at: dt.datetime
    issuer: Subject | None = Field(
        None, description="A configured external issuer the verifier signs in with."
    )
    subject: Subject | None = Field(None, description="The verifier's subject at that issuer.")
    issue_token: StrictBool = Field(False, description="Issue a Verity token for the grant (shown once).")


class Grant(Output):
    id: uuid.UUID
    sample_id: uuid.UUID
    verifier_name: str
    issuer: str | None
    subject: str | None
    has_token: bool
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    revoked_by: str | None
    granted_by: str
    live: bool = False


class IssuedGrant(Grant):
    token: str | None = Field(None, description="The Verity token, shown only now; stored as a hash.")


class AccessLogEntry(Output):
    occurred_at: dt.datetime
    grant_id: uuid.UUID | None
    verifier: str
    action: str
    subject_type: str
    subject_id: str


# ---- outcomes (R-51) -----------------------------------------------------------------------------------


class ActionCreate(Input):
    description: LongText
    owner_staff_id: uuid.UUID
    due_on: IsoDate


class OutcomeCreate(Input):
    accepted: StrictBool
    reported_on: IsoDate
    summary: LongText
    actions: list[ActionCreate] = Field([], max_length=50)


class ActionClose(Input):
    note: LongText


class Action(Output):
    id: uuid.UUID
    outcome_id: uuid.UUID
    description: str
    owner_staff_id: uuid.UUID
    due_on: dt.date
    status: ActionStatus
    closed_on: dt.date | None
    closed_note: str | None
    closed_by: str | None
    version: int


class Outcome(Output):
    id: uuid.UUID
    sample_id: uuid.UUID
    programme_id: uuid.UUID
    accepted: bool
    reported_on: dt.date
    summary: str
    recorded_by: str
    actions: list[Action] = []


class CertificationStatusView(Output):
    programme_id: uuid.UUID
    academic_year_id: uuid.UUID
    subject_area: str
    status: SvCertificationStatus


# ---- OCR moderation (R-51) -----------------------------------------------------------------------------


class GradeAdjustment(Input):
    decision_id: uuid.UUID
    grade: Name = Field(description="The moderated unit grade, e.g. Merit.")


class ModerationCreate(Input):
    programme_id: uuid.UUID
    unit_number: JsonInt = Field(ge=1, le=999)
    visited_on: IsoDate
    moderator_name: LongName
    outcome: ModerationOutcome
    reason: Reason | None = Field(None, description="Why the moderator adjusted the grades.")
    adjustments: list[GradeAdjustment] = Field([], max_length=500)


class ModerationAdjustment(Output):
    decision_id: uuid.UUID
    from_grade: str | None
    to_grade: str
    version_number: int


class Moderation(Output):
    id: uuid.UUID
    programme_id: uuid.UUID
    academic_year_id: uuid.UUID
    unit_number: int
    visited_on: dt.date
    moderator_name: str
    outcome: ModerationOutcome
    reason: str | None
    recorded_by: str
    adjustments: list[ModerationAdjustment] = []
