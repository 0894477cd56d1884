from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StrictBool, StringConstraints

from app.core.schemas import Input, IsoDate, LongName, LongText, Output, Patch, UnitNumber

UnitNumbers = Annotated[list[UnitNumber], Field(min_length=1, max_length=10)]
CriterionCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{1,6}\.[A-Z]{1,2}[1-9][0-9]{0,2}$")]
Comment = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, max_length=4000, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
    ),
]


class BriefStatus(StrEnum):
    draft = "draft"
    submitted_for_iv = "submitted_for_iv"
    verified = "verified"
    returned = "returned"
    issued = "issued"
    closed = "closed"


class BriefVerificationOutcome(StrEnum):
    """R-21: the IV's verdict on a brief: fit to issue, or returned to its author with comments."""

    verified = "verified"
    returned = "returned"


class TargetedCriterion(Input):
    unit_number: UnitNumber
    code: CriterionCode


class CriterionRef(Output):
    unit_number: int
    code: str


# ---- assessment plan (R-20) ---------------------------------------------------------------------------


class PlanEntry(Output):
    id: uuid.UUID
    centre_id: uuid.UUID
    programme_id: uuid.UUID
    title: str
    unit_numbers: list[int]
    hand_out_date: dt.date
    deadline: dt.date
    planned_iv_date: dt.date
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class PlanEntryCreate(Input):
    programme_id: uuid.UUID
    title: LongName
    unit_numbers: UnitNumbers
    hand_out_date: IsoDate
    deadline: IsoDate
    planned_iv_date: IsoDate


class PlanEntryUpdate(Input):
    title: Patch[LongName] = None
    hand_out_date: Patch[IsoDate] = None
    deadline: Patch[IsoDate] = None
    planned_iv_date: Patch[IsoDate] = None


class PlanSignOff(Output):
    """R-20: the LIV's sign-off of the plan as it stood (every entry at the version signed)."""

    id: uuid.UUID
    programme_id: uuid.UUID
    entry_ids: list[uuid.UUID]
    signed_off_by_staff_id: uuid.UUID
    signed_off_at: dt.datetime


class AssessmentPlan(Output):
    programme_id: uuid.UUID
    entries: list[PlanEntry]
    signed_off: bool = Field(
        description="R-20: whether the LIV signed off the plan as it is now (no entry added or changed since)."
    )
    sign_off: PlanSignOff | None = Field(description="The latest sign-off, current or not.")


# ---- briefs (R-21, R-06) ------------------------------------------------------------------------------


class Brief(Output):
    id: uuid.UUID
    centre_id: uuid.UUID
    programme_id: uuid.UUID
    qualification_id: uuid.UUID
    plan_entry_id: uuid.UUID | None
    retake_of_id: uuid.UUID | None
    reused_from_id: uuid.UUID | None = Field(
        description="R-21: the brief of an earlier year this one reuses (verified again before issue)."
    )
    title: str
    unit_numbers: list[int]
    criteria: list[CriterionRef]
    scenario: str
    ai_use_allowed: bool = Field(description="Whether the learner may use AI tools (R-22, R-70).")
    start_date: dt.date
    completion_date: dt.date
    status: BriefStatus
    brief_version: int = Field(
        description="The text's version: 1, then one more each time a returned brief goes back to IV."
    )
    author_staff_id: uuid.UUID
    issued_at: dt.datetime | None
    closed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class BriefCreate(Input):
    programme_id: uuid.UUID
    plan_entry_id: uuid.UUID | None = None
    retake_of_id: uuid.UUID | None = Field(
        None,
        description="R-32: the brief this one retakes (a different "
        "assignment covering the same learning outcomes).",
    )
    title: LongName
    unit_numbers: UnitNumbers
    criteria: list[TargetedCriterion] = Field(max_length=60)
    scenario: LongText
    ai_use_allowed: bool = Field(True, description="R-70: a declared AI use it does not allow opens a case.")
    start_date: IsoDate
    completion_date: IsoDate


class BriefUpdate(Input):
    title: Patch[LongName] = None
    unit_numbers: Patch[UnitNumbers] = None
    criteria: Patch[list[TargetedCriterion]] = Field(None, max_length=60)
    scenario: Patch[LongText] = None
    ai_use_allowed: Patch[bool] = None
    start_date: Patch[IsoDate] = None
    completion_date: Patch[IsoDate] = None


class BriefReuse(Input):
    """R-21: reuse a brief in another programme (typically the next academic year's): a new draft with
    the same text, which is internally verified again before it is issued."""

    programme_id: uuid.UUID
    plan_entry_id: uuid.UUID | None = None
    start_date: IsoDate
    completion_date: IsoDate


class ChecklistAnswer(Input):
    question: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,60}$")]
    answer: StrictBool


class BriefVerificationCreate(Input):
    checklist: list[ChecklistAnswer] = Field(
        min_length=1, max_length=30, description="One answer per question of GET /v1/brief-checklist."
    )
    comments: Comment | None = None


class BriefReturn(Input):
    checklist: list[ChecklistAnswer] = Field(min_length=1, max_length=30)
    # Filled, as the contract says: a tab alone was refused as too short once stripped (schemathesis).
    comments: LongText


class BriefVerification(Output):
    id: uuid.UUID
    brief_id: uuid.UUID
    brief_version: int
    outcome: BriefVerificationOutcome
    checklist: dict[str, bool]
    comments: str | None
    verifier_staff_id: uuid.UUID
    recorded_at: dt.datetime


class ChecklistQuestion(Output):
    question: str
    text: str
