"""Pydantic shapes of malpractice (R-70..R-74): REST bodies and GraphQL types share them, and the enums
here are the one definition models, schemas and GraphQL use."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from app.core.schemas import Input, IsoDate, JsonInteger, LongText, Name, Output, Reason, UnitNumber

# A bounded JSON integer (3 and 3.0, never "3"), as app.core.schemas.UnitNumber.
ReportDays = Annotated[int, Field(ge=1, le=60), JsonInteger]


class SubjectKind(StrEnum):
    """Whom a case concerns (R-70)."""

    learner = "learner"
    staff = "staff"


class CaseType(StrEnum):
    """R-70: the seeds' lists (004 §7, 001, 000 §7). Learner types first, then staff types."""

    # learner
    plagiarism = "plagiarism"
    ai_misuse = "ai_misuse"  # plagiarism by misuse of AI, the commonest today
    collusion = "collusion"
    copying = "copying"
    destroying_work = "destroying_work"  # deliberately destroying another's work
    fabrication = "fabrication"  # of results or evidence
    false_declaration = "false_declaration"  # of authenticity
    impersonation = "impersonation"
    # staff
    improper_assistance = "improper_assistance"
    invented_marks = "invented_marks"  # inventing or changing marks for internally assessed work
    insecure_evidence = "insecure_evidence"  # failing to keep learner evidence secure
    false_witness = "false_witness"  # fraudulent witness statements
    improper_claims = "improper_claims"  # certificate claims without proper assessment or IV
    access_arrangements = "access_arrangements"  # misuse of access arrangements / adjustments
    other_staff = "other_staff"


LEARNER_TYPES = frozenset(
    {
        CaseType.plagiarism,
        CaseType.ai_misuse,
        CaseType.collusion,
        CaseType.copying,
        CaseType.destroying_work,
        CaseType.fabrication,
        CaseType.false_declaration,
        CaseType.impersonation,
    }
)


class CaseStatus(StrEnum):
    # Opened by the authenticity chain (a concern, a declaration) or by the HoC/QN; not yet confirmed.
    draft = "draft"
    open = "open"
    closed = "closed"


class LinkKind(StrEnum):
    """What a case concerns; a kind and an id, so later records (claims, with certification) fit."""

    submission = "submission"
    evidence = "evidence"
    decision = "decision"
    claim = "claim"


class StageKind(StrEnum):
    """R-71, in order."""

    told_of_allegation = "told_of_allegation"  # the allegation and its possible consequences
    response = "response"  # the person's response (due by the date they were given)
    investigation = "investigation"  # notes and evidence, documented
    outcome = "outcome"  # proven or not, with reasons
    told_of_outcome = "told_of_outcome"  # the outcome and how to appeal
    closed = "closed"


# The stages the person concerned is told of, and so sees (with their own response).
TOLD_STAGES = frozenset({StageKind.told_of_allegation, StageKind.response, StageKind.told_of_outcome})


class SanctionKind(StrEnum):
    """R-74: by the awarding body on the person, by the centre (its penalties), or on the centre."""

    # the awarding body's sanctions, recorded when received
    awarding_body_warning = "awarding_body_warning"
    loss_of_marks = "loss_of_marks"
    disqualification = "disqualification"
    barred_from_entry = "barred_from_entry"
    other_awarding_body = "other_awarding_body"
    # the centre's penalties (004 §7), applied through the service
    cancel_assignment = "cancel_assignment"
    cancel_unit = "cancel_unit"
    repeat_assignment = "repeat_assignment"
    withdraw_qualification = "withdraw_qualification"
    withdraw_all = "withdraw_all"
    # sanctions on the centre, read by certification (centre_sanctions)
    registration_block = "registration_block"
    certification_block = "certification_block"
    improvement_plan = "improvement_plan"


CENTRE_PENALTIES = frozenset(
    {
        SanctionKind.cancel_assignment,
        SanctionKind.cancel_unit,
        SanctionKind.repeat_assignment,
        SanctionKind.withdraw_qualification,
        SanctionKind.withdraw_all,
    }
)
ON_CENTRE = frozenset(
    {SanctionKind.registration_block, SanctionKind.certification_block, SanctionKind.improvement_plan}
)


# ---- inputs -------------------------------------------------------------------------------------------


class LinkIn(Input):
    kind: LinkKind
    target_id: uuid.UUID


class CaseCreate(Input):
    subject_kind: SubjectKind
    learner_id: uuid.UUID | None = Field(None, description="With subject_kind learner.")
    staff_id: uuid.UUID | None = Field(None, description="With subject_kind staff.")
    case_type: CaseType
    allegation: LongText = Field(description="The allegation in writing (R-70). Never sent to the MIS.")
    raised_by: Name = Field(description="Who raised it (a person or role, e.g. 'assessor J. Patel').")
    links: list[LinkIn] = Field([], max_length=50)


class CaseOpen(Input):
    """R-71: the HoC or QN confirms a (draft) case and names its investigators."""

    investigator_staff_ids: list[uuid.UUID] = Field(min_length=1, max_length=10)
    case_type: CaseType | None = Field(None, description="Retype the case (a concern opens as plagiarism).")


class StageCreate(Input):
    kind: StageKind
    occurred_on: IsoDate
    note: LongText
    response_due_on: IsoDate | None = Field(
        None, description="With told_of_allegation: the date the person's response is due."
    )
    proven: bool | None = Field(None, description="With outcome: whether the allegation was proven.")


class ReportSent(Input):
    """R-72: the HoC sent the report (M1/M2) to the awarding body on this date under this reference."""

    sent_on: IsoDate
    reference: Name


class SanctionCreate(Input):
    kind: SanctionKind
    imposed_on: IsoDate
    note: LongText
    brief_id: uuid.UUID | None = Field(None, description="cancel_assignment, repeat_assignment.")
    qualification_id: uuid.UUID | None = Field(None, description="cancel_unit, withdraw_qualification.")
    unit_number: UnitNumber | None = Field(None, description="cancel_unit.")
    repeat_deadline: IsoDate | None = Field(
        None, description="repeat_assignment: the new attempt's deadline."
    )
    in_force_until: IsoDate | None = Field(None, description="Sanctions on the centre: when it ends.")


class PolicyWrite(Input):
    withhold_results: bool = Field(
        True, description="R-73: withhold a learner's results while a case is open."
    )
    report_within_working_days: ReportDays = Field(
        5, description="R-72: flag a case open this long (working days) without a report."
    )


class CaseClose(Input):
    reason: Reason


# ---- outputs ------------------------------------------------------------------------------------------


class CaseLink(Output):
    kind: LinkKind
    target_id: uuid.UUID


class Stage(Output):
    id: uuid.UUID
    kind: StageKind
    occurred_on: dt.date
    note: str
    response_due_on: dt.date | None
    proven: bool | None
    recorded_by: str
    created_at: dt.datetime


class Sanction(Output):
    id: uuid.UUID
    case_id: uuid.UUID
    kind: SanctionKind
    imposed_on: dt.date
    note: str
    brief_id: uuid.UUID | None
    qualification_id: uuid.UUID | None
    unit_number: int | None
    in_force_until: dt.date | None
    voided_decision_ids: list[uuid.UUID]
    recorded_by: str
    created_at: dt.datetime


class Case(Output):
    """A case as its reader may see it: the person concerned gets only what they were told (the
    allegation once told of it, the told stages and their response; the outcome once told of it)."""

    id: uuid.UUID
    subject_kind: SubjectKind
    learner_id: uuid.UUID | None
    staff_id: uuid.UUID | None
    case_type: CaseType
    allegation: str | None
    raised_by: str | None
    status: CaseStatus
    opened_on: dt.date
    withhold_results: bool
    investigator_staff_ids: list[uuid.UUID]
    outcome_proven: bool | None
    reported_on: dt.date | None
    report_reference: str | None
    report_overdue: bool = Field(description="R-72: open past the centre's working days without a report.")
    links: list[CaseLink]
    stages: list[Stage]
    sanctions: list[Sanction]
    closed_on: dt.date | None
    version: int


class Policy(Output):
    withhold_results: bool
    report_within_working_days: int
    version: int
