"""Pydantic shapes of appeals (R-60..R-63): REST bodies and GraphQL types share them; the StrEnums here
are the one definition of an appeal's kind, status and stage outcome."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StrictBool

from app.assessment.schemas import DecisionContent
from app.core.schemas import Input, JsonInteger, LongText, Name, Output


class AppealKind(StrEnum):
    """R-60: what is appealed: a released assessment decision, or the way the assessment was conducted."""

    decision = "decision"
    conduct = "conduct"


class AppealStatus(StrEnum):
    """open: a stage is being heard; not_upheld: the last stage was not upheld and may still be taken to
    the next within the window (R-61); upheld / withdrawn / closed_not_upheld: finished."""

    open = "open"
    not_upheld = "not_upheld"
    upheld = "upheld"
    withdrawn = "withdrawn"
    closed_not_upheld = "closed_not_upheld"


class StageOutcome(StrEnum):
    """R-61: how a stage ends; `open` while it is heard."""

    open = "open"
    upheld = "upheld"
    not_upheld = "not_upheld"
    withdrawn = "withdrawn"


class JudgedOutcome(StrEnum):
    """What the stage's judge (or, at stage 4, the HoC recording the awarding body's) decides."""

    upheld = "upheld"
    not_upheld = "not_upheld"


STAGE_NAMES = {
    1: "learner and assessor",
    2: "internal verifier",
    3: "head of centre or senior leader",
    4: "awarding body",
}


# ---- the centre's policy ------------------------------------------------------------------------------


class AppealPolicy(Output):
    """The centre's appeal settings (R-60, R-61): the window to lodge or escalate, and each stage's limit,
    all in the centre's working days (R-31)."""

    window_working_days: int
    stage_working_days: list[int] = Field(description="Stages 1..4, in working days (default 5, 5, 5, 14).")
    version: int


WorkingDays = Annotated[int, Field(ge=1, le=60), JsonInteger]


class AppealPolicyWrite(Input):
    window_working_days: WorkingDays
    stage_working_days: list[WorkingDays] = Field(min_length=4, max_length=4)


# ---- appeals -------------------------------------------------------------------------------------------


class AppealCreate(Input):
    decision_id: uuid.UUID = Field(description="The decision appealed, or the assessment whose conduct is.")
    kind: AppealKind = AppealKind.decision
    grounds: LongText = Field(description="R-60: the appeal, in writing.")


class Escalation(Input):
    grounds: LongText = Field(description="Why the learner takes the appeal to the next stage, in writing.")
    judge_staff_id: uuid.UUID | None = Field(
        None,
        description="Stage 2: an IV of the programme (default its LIV); stage 3: the HoC or a senior leader.",
    )


class StageDecision(Input):
    outcome: JudgedOutcome
    response: LongText = Field(description="R-61: the stage's written response to the learner.")
    questions_other_results: StrictBool = Field(
        False,
        description="R-62: an upheld outcome that questions the assessor's other results on the brief "
        "flags those decisions for review.",
    )
    awarding_body_reference: Name | None = Field(None, description="Stage 4: the awarding body's reference.")


class Withdrawal(Input):
    response: LongText = Field(description="The learner's written withdrawal.")


class AwardingBodySubmission(Input):
    submission: LongText = Field(description="R-61: the HoC's written submission to the awarding body.")
    awarding_body_reference: Name | None = None


class AppealAmendment(DecisionContent):
    """R-62: the upheld appeal's amendment of the decision, by its assessor; the appeal is its reason."""


class AppealStage(Output):
    number: int
    name: str
    opened_on: dt.date
    due_on: dt.date
    judge_staff_id: uuid.UUID | None
    grounds: str
    outcome: StageOutcome
    response: str | None
    decided_on: dt.date | None
    decided_by: str | None
    awarding_body_reference: str | None
    overdue: bool = Field(description="R-61: still open past its due date.")
    working_days_taken: int | None = Field(description="R-63: working days from opening to its outcome.")


class Appeal(Output):
    id: uuid.UUID
    kind: AppealKind
    learner_id: uuid.UUID
    decision_id: uuid.UUID
    decision_version: int
    programme_id: uuid.UUID
    brief_id: uuid.UUID
    qualification_id: uuid.UUID
    unit_numbers: list[int]
    assessor_staff_id: uuid.UUID
    academic_year_id: uuid.UUID
    lodged_on: dt.date
    lodged_by: str
    on_behalf: bool = Field(description="Lodged by staff on the learner's behalf.")
    grounds: str
    status: AppealStatus
    current_stage: int
    escalate_by: dt.date | None = Field(description="A not-upheld stage may be taken further until then.")
    amended_version: int | None = Field(description="R-62: the decision's version that amends it.")
    closed_on: dt.date | None
    stages: list[AppealStage]
    version: int


class AppealSummary(Output):
    """An appeal without its written grounds and responses: what webhooks carry."""

    id: uuid.UUID
    kind: AppealKind
    learner_id: uuid.UUID
    decision_id: uuid.UUID
    programme_id: uuid.UUID
    qualification_id: uuid.UUID
    unit_numbers: list[int]
    status: AppealStatus
    current_stage: int
    stage_due_on: dt.date
    stage_outcome: StageOutcome
    amended_version: int | None


class OverdueStage(Output):
    """R-61: a stage past its limit, still open: the QN's worklist."""

    appeal_id: uuid.UUID
    learner_id: uuid.UUID
    programme_id: uuid.UUID
    stage: int
    name: str
    opened_on: dt.date
    due_on: dt.date
    judge_staff_id: uuid.UUID | None
    working_days_overdue: int


# ---- R-63 report ---------------------------------------------------------------------------------------


class AppealReportRow(Output):
    """R-63: one appeal for quality improvement: the stage it reached, its outcome, who assessed, the
    programme and year, and the working days each stage took (None while open)."""

    appeal_id: uuid.UUID
    programme_id: uuid.UUID
    academic_year_id: uuid.UUID
    assessor_staff_id: uuid.UUID
    kind: AppealKind
    stage_reached: int
    status: AppealStatus
    working_days_per_stage: list[int | None]


class AppealReportGroup(Output):
    stage_reached: int
    status: AppealStatus
    count: int


class AppealReport(Output):
    appeals: list[AppealReportRow]
    by_stage_and_status: list[AppealReportGroup]
