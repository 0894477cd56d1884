"""Pydantic shapes of internal verification (R-40..R-44): REST bodies and GraphQL types share them."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StrictBool, StringConstraints

from app.core.schemas import Input, IsoDate, JsonInteger, Output, Text, UnitNumber

# Not stripped: Pydantic strips Unicode whitespace (NBSP) that the published ASCII-range patterns count as
# text, so a stripped value could be refused as too short although the contract accepts it.
_FILLED = r"^[^\x00-\x1f\x7f]*[^\x00-\x20\x7f]+[^\x00-\x1f\x7f]*$"
Label = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=_FILLED)]
LongText = Annotated[
    str,
    StringConstraints(
        min_length=1,
        max_length=4000,
        pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*[^\x00-\x20\x7f]+"
        r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$",
    ),
]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=_FILLED)]
# Rates are whole percentages in the API (the written strategy says "20%", "100% for new assessors").
Percent = Annotated[int, Field(ge=1, le=100, description="A whole percentage, 1..100."), JsonInteger]


class IvOutcome(StrEnum):
    agree = "agree"
    disagree = "disagree"


class ReviewCause(StrEnum):
    """Why a decision was flagged for review: an appeal's outcome questions it (R-62) or a malpractice
    case concerns the member of staff who made it (R-73)."""

    appeal = "appeal"
    malpractice = "malpractice"


class ActionStatus(StrEnum):
    open = "open"
    closed = "closed"


class ActionOwnerRole(StrEnum):
    """R-43: who must do a remedial action."""

    assessor = "assessor"
    iv = "iv"
    liv = "liv"


class ArbitrationRuling(StrEnum):
    """R-45: the LIV's ruling on a disagreement: the assessor's judgement stands, the IV's does, or
    another judgement (given in the reasoning)."""

    assessor = "assessor"
    iv = "iv"
    other = "other"


class SubjectKind(StrEnum):
    assessment_decision = "assessment_decision"
    assignment_brief = "assignment_brief"


# ---- samples ------------------------------------------------------------------------------------------


class DrawKind(StrEnum):
    """R-42: how a draw came about. The first draw of a brief is official; each later draw becomes the
    official one and every draw stays readable."""

    first = "first"  # the brief's first draw, with a seed the service chose
    extended = "extended"  # decisions were submitted after the official draw: drawn again, same seed
    redraw = "redraw"  # the LIV's redraw with a fresh seed, for a stated reason


class AssessmentMethod(StrEnum):
    """CAMERA's Methods (R-42), as the evidence of a decision shows them."""

    observation = "observation"
    questioning = "questioning"
    witness = "witness"
    product = "product"
    rpl = "rpl"


class SupportNeed(StrEnum):
    """CAMERA's Candidates' needs (R-42): an adjustment in force (R-80), special consideration (R-81)."""

    reasonable_adjustment = "reasonable_adjustment"
    special_consideration = "special_consideration"


class SampleCreate(Input):
    """R-42: the service draws the sample and chooses the seed; nobody supplies one. A redraw of a brief
    already sampled needs the programme's LIV and a reason."""

    reason: Reason | None = Field(
        None, description="Why the LIV redraws the sample (R-42); required for a redraw, else omitted."
    )


class SampleItem(Output):
    decision_id: uuid.UUID
    learner_id: uuid.UUID
    assessor_staff_id: uuid.UUID
    grade: str
    site_id: uuid.UUID | None
    methods: list[AssessmentMethod] = Field(
        description="CAMERA's Methods the decision's evidence shows: observation, questioning, witness, "
        "product, rpl (R-42)."
    )
    support_needs: list[SupportNeed] = Field(
        description="The learner's support needs for this work: reasonable_adjustment, "
        "special_consideration (R-42, R-80, R-81)."
    )
    rationale: list[str]
    iv_outcome: IvOutcome | None = Field(None, description="The IV record's current outcome, if any yet.")


class AssessorRate(Output):
    assessor_staff_id: uuid.UUID
    rate: Decimal
    why: str
    sampled: int
    population: int


class ReviewFlag(Output):
    """R-62/R-73: a decision flagged for review; the IV sampler takes it until an IV record follows."""

    id: uuid.UUID
    decision_id: uuid.UUID
    decision_version: int = Field(description="The decision's version when it was flagged.")
    cause: ReviewCause
    cause_id: uuid.UUID = Field(description="The appeal or the malpractice case that flagged it.")
    reason: str = Field(description="Why, as the IV reads it in the sample's rationale.")
    flagged_by: str
    created_at: dt.datetime


class Sample(Output):
    id: uuid.UUID
    programme_id: uuid.UUID
    brief_id: uuid.UUID
    number: int = Field(description="1 for the brief's first draw, then 2, 3... (R-42: every draw kept).")
    kind: DrawKind
    reason: str | None = Field(description="Why the LIV redrew (a redraw only).")
    supersedes_id: uuid.UUID | None = Field(description="The draw this one replaced as the official one.")
    official: bool = Field(description="The brief's official draw: the one the R-25 release gate reads.")
    seed: int = Field(description="The service's seed (R-42): never supplied by a caller.")
    inputs_digest: str
    population_size: int
    assessor_rates: list[AssessorRate]
    items: list[SampleItem]
    drawn_by: str
    created_at: dt.datetime


# ---- IV records ---------------------------------------------------------------------------------------


class CriterionComment(Input):
    unit_number: UnitNumber
    code: Label
    agree: StrictBool
    comment: Text = ""


class CriterionCommentOut(Output):
    unit_number: int
    code: str
    agree: bool
    comment: str


class RemedialActionCreate(Input):
    description: Annotated[str, StringConstraints(min_length=1, max_length=1000, pattern=_FILLED)]
    due_in_working_days: Annotated[int, Field(ge=1, le=120), JsonInteger]
    owner_role: ActionOwnerRole = Field(
        ActionOwnerRole.assessor,
        description="R-43: who does it: the decision's assessor, the IV recording it, or the programme's LIV.",
    )
    decision_ids: list[uuid.UUID] = Field(
        [],
        max_length=200,
        description="R-25: the brief's decisions the action concerns; only their release waits for it. "
        "Empty: the decision this IV record verifies.",
    )


Recommendation = Annotated[str, StringConstraints(min_length=1, max_length=1000, pattern=_FILLED)]


class IvRecordContent(Input):
    outcome: IvOutcome
    criteria_comments: list[CriterionComment] = []
    feedback_to_assessor: LongText
    verified_on: IsoDate
    reassess_batch: StrictBool = Field(
        False,
        description="R-43: the disagreement shows a wider problem: flag the "
        "brief's other decisions by this assessor for reassessment.",
    )
    actions: list[RemedialActionCreate] = Field(
        [],
        max_length=20,
        description="R-43: remedial actions: each blocks the release of the decisions it concerns.",
    )
    developmental_recommendations: list[Recommendation] = Field(
        [],
        max_length=20,
        description="R-43: advice to develop the assessor's practice; recorded, never blocks release.",
    )


class IvRecordCreate(IvRecordContent):
    decision_id: uuid.UUID


class IvRecordAmendment(IvRecordContent):
    reason: Reason


class IvRecordVersion(Output):
    number: int
    outcome: IvOutcome
    decision_version: int | None
    criteria_comments: list[CriterionCommentOut]
    checklist: dict[str, bool] | None = None
    feedback_to_assessor: str
    developmental_recommendations: list[str] = []
    reassess_batch: bool
    reason: str | None
    verifier_staff_id: uuid.UUID
    verified_on: dt.date
    recorded_by: str
    recorded_at: dt.datetime


class IvRecord(Output):
    """The one IV record shape (R-43), for a decision or (projected from brief_verifications) a brief."""

    id: uuid.UUID
    subject_kind: SubjectKind
    programme_id: uuid.UUID
    brief_id: uuid.UUID
    decision_id: uuid.UUID | None
    assessor_staff_id: uuid.UUID
    outcome: IvOutcome
    current_version: int
    current: IvRecordVersion
    version: int


class RemedialAction(Output):
    id: uuid.UUID
    programme_id: uuid.UUID
    brief_id: uuid.UUID
    iv_record_id: uuid.UUID
    description: str
    owner_role: ActionOwnerRole
    owner_staff_id: uuid.UUID
    decision_ids: list[uuid.UUID]
    raised_on: dt.date
    due_in_working_days: int
    due_on: dt.date
    status: ActionStatus
    raised_by: str
    closed_at: dt.datetime | None
    closed_by: str | None
    closure_note: str | None
    version: int


class ActionClosure(Input):
    closure_note: Reason


class ArbitrationCreate(Input):
    ruling: ArbitrationRuling
    reasoning: LongText
    arbitrated_on: IsoDate


class Arbitration(Output):
    """R-45: the LIV's arbitration of a disagreement recorded in one version of an IV record."""

    id: uuid.UUID
    programme_id: uuid.UUID
    iv_record_id: uuid.UUID
    record_version: int
    decision_id: uuid.UUID
    decision_version: int
    ruling: ArbitrationRuling
    reasoning: str
    liv_staff_id: uuid.UUID
    arbitrated_on: dt.date
    recorded_by: str
    created_at: dt.datetime


# ---- release ------------------------------------------------------------------------------------------


class IvStatus(Output):
    brief_id: uuid.UUID
    complete: bool
    reasons: list[str]


class BatchRelease(Output):
    brief_id: uuid.UUID
    released: list[uuid.UUID]


# ---- coverage and dashboard (R-42) --------------------------------------------------------------------


class CoverageKind(StrEnum):
    """R-42: what IV coverage is counted over."""

    assessor = "assessor"
    unit = "unit"
    criterion = "criterion"
    site = "site"
    brief = "brief"


class CoverageLine(Output):
    kind: CoverageKind
    key: str
    touched: bool


class Coverage(Output):
    programme_id: uuid.UUID
    academic_year_id: uuid.UUID
    lines: list[CoverageLine]
    untouched: dict[CoverageKind, list[str]]


class LivDashboard(Output):
    open_actions: list[RemedialAction]
    overdue_actions: list[RemedialAction]
    overdue_schedule: list[ScheduleEntry]
    briefs_awaiting_iv: list[IvStatus]
    coverage: list[Coverage]
    # The dashboard is paged by programme: every list above is of this page's programmes.
    next_cursor: str | None = None


# ---- LIVs, plans, schedule ----------------------------------------------------------------------------


class LivAppointmentCreate(Input):
    subject_area: Label
    staff_id: uuid.UUID
    appointed_on: IsoDate


class LivAppointment(Output):
    id: uuid.UUID
    subject_area: str
    staff_id: uuid.UUID
    appointed_on: dt.date
    ended_on: dt.date | None
    appointed_by: str
    version: int


class LivAnnualRecordCreate(Input):
    academic_year_id: uuid.UUID
    awarding_body: Label
    registration_reference: Label
    registered_on: IsoDate
    standardised_on: IsoDate | None = None
    standardisation_evidence: Text | None = None


class LivAnnualRecord(Output):
    id: uuid.UUID
    appointment_id: uuid.UUID
    academic_year_id: uuid.UUID
    awarding_body: str
    registration_reference: str
    registered_on: dt.date
    standardised_on: dt.date | None
    standardisation_evidence: str | None
    recorded_by: str
    created_at: dt.datetime


class LivGapReason(StrEnum):
    no_appointment = "no_appointment"
    not_registered = "not_registered"
    not_standardised = "not_standardised"


class LivGap(Output):
    """R-40: a subject area with programmes in the year and no accredited LIV for it (appointed for the
    year, registered with the awarding body and standardised): it may claim certificates only after a
    successful standards verification."""

    subject_area: str
    academic_year_id: uuid.UUID
    programme_ids: list[uuid.UUID]
    reason: LivGapReason
    appointment_id: uuid.UUID | None
    liv_staff_id: uuid.UUID | None


class AssessorRateInput(Input):
    assessor_staff_id: uuid.UUID
    rate_percent: Percent


class AssessorRateOut(Output):
    assessor_staff_id: uuid.UUID
    rate_percent: int


class IvPlanWrite(Input):
    default_rate_percent: Percent = 20
    new_assessor_rate_percent: Percent = 100
    disagreement_rate_percent: Percent = 50
    assessor_rates: list[AssessorRateInput] = Field([], max_length=100)
    new_assessor_ids: list[uuid.UUID] = Field([], max_length=100)
    new_qualification: StrictBool = False
    strategy: LongText | None = None


class IvPlan(Output):
    id: uuid.UUID
    programme_id: uuid.UUID
    default_rate_percent: int
    new_assessor_rate_percent: int
    disagreement_rate_percent: int
    assessor_rates: list[AssessorRateOut]
    new_assessor_ids: list[uuid.UUID]
    new_qualification: bool
    strategy: str | None
    signed_off: bool = False
    version: int


class ScheduleAssignment(Input):
    plan_entry_id: uuid.UUID
    verifier_staff_id: uuid.UUID
    planned_iv_date: IsoDate | None = Field(None, description="Defaults to the plan entry's planned IV date.")


class ScheduleEntry(Output):
    plan_entry_id: uuid.UUID
    title: str
    deadline: dt.date
    planned_iv_date: dt.date
    verifier_staff_id: uuid.UUID | None
    brief_ids: list[uuid.UUID] = []
    iv_complete: bool = False


class SignOffCreate(Input):
    signed_on: IsoDate


class SignOff(Output):
    id: uuid.UUID
    iv_plan_id: uuid.UUID
    plan_version: int
    signed_on: dt.date
    liv_staff_id: uuid.UUID
    signed_by: str
    created_at: dt.datetime


class IvSchedule(Output):
    programme_id: uuid.UUID
    plan: IvPlan | None
    entries: list[ScheduleEntry]
    sign_offs: list[SignOff]


LivDashboard.model_rebuild()


# The IV plan and schedule as audited and sent (app/verification/events.py).
class IvPlanSnapshot(Output):
    """The IV plan as audited: rates as fractions, not the API's percentages."""

    id: uuid.UUID
    programme_id: uuid.UUID
    default_rate: float = Field(description="The share of decisions sampled, 0..1 (0.2 for 20%).")
    new_assessor_rate: float = Field(description="For new assessors, 0..1.")
    disagreement_rate: float = Field(description="For assessors with recent IV disagreements, 0..1.")
    assessor_rates: dict[str, str] = Field(
        description="Assessor staff id -> their own rate, 0..1, as a decimal string."
    )
    new_assessor_ids: list[uuid.UUID]
    new_qualification: bool
    strategy: str | None
    version: int


class IvScheduleEntrySnapshot(Output):
    """Who verifies one entry of the assessment plan, and when (R-41)."""

    id: uuid.UUID
    plan_entry_id: uuid.UUID
    verifier_staff_id: uuid.UUID
    planned_iv_date: dt.date
    version: int
