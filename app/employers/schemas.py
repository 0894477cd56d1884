"""Pydantic shapes of employer involvement (R-95): employers, the plan per programme, activities, each
learner's participation, the report of learners without any and the declaration at moderation."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from pydantic import Field

from app.core.schemas import Input, IsoDate, LongText, Name, Output


class ActivityType(StrEnum):
    # Meaningful (003 §5, 004 §8):
    placement = "placement"
    industry_project = "industry_project"  # a project or assignment set with industry
    master_class = "master_class"
    expert_witness = "expert_witness"
    # Not meaningful on their own (003 §5): refused with R-95.
    careers_talk = "careers_talk"
    visit = "visit"
    cv_help = "cv_help"
    simulation = "simulation"
    premises = "premises"  # employers providing premises, facilities or equipment


MEANINGFUL = frozenset(
    {
        ActivityType.placement,
        ActivityType.industry_project,
        ActivityType.master_class,
        ActivityType.expert_witness,
    }
)


class EmployerCreate(Input):
    name: Name
    sector: Name = Field(description="The employer's sector, e.g. Customer service.")


class Employer(Output):
    id: uuid.UUID
    name: str
    sector: str
    recorded_by: str


class PlanCreate(Input):
    programme_id: uuid.UUID
    planned_on: IsoDate = Field(
        description="When it was drawn up: at the programme's start (004 §8); a later plan is kept, flagged "
        "`late`."
    )
    summary: LongText = Field(description="How every learner will take part (designated units, assignments).")
    required_for_certification: bool | None = Field(
        None,
        description="Certification waits for involvement (R-90, R-95). Default: OCR Cambridge Technicals "
        "require it (003 §5); a centre's own policy may require it for BTEC too (004 §8).",
    )


class Declaration(Output):
    id: uuid.UUID
    moderation_on: dt.date
    statement: str
    learners_without_activity: int = Field(description="At the time of the declaration (the report).")
    declared_by: str
    created_at: dt.datetime


class DeclarationCreate(Input):
    moderation_on: IsoDate
    statement: LongText


class Plan(Output):
    id: uuid.UUID
    programme_id: uuid.UUID
    sector: str | None = Field(description="The qualification's sector (R-95): every employer is in it.")
    planned_on: dt.date
    starts_on: dt.date = Field(description="The programme's start (its academic year's first day).")
    late: bool = Field(description="Drawn up after the programme started (R-95: a plan at its start).")
    summary: str
    required_for_certification: bool
    created_by: str
    declarations: list[Declaration]
    version: int


class ActivityCreate(Input):
    plan_id: uuid.UUID
    employer_id: uuid.UUID
    activity_type: ActivityType
    title: Name
    planned_on: IsoDate = Field(description="When it is to happen; it is confirmed before then.")
    learner_ids: list[uuid.UUID] | None = Field(
        None,
        max_length=500,
        description="The learners it is planned for (the plan's coverage, R-95). Default: every learner on "
        "the programme now; a learner who enrols later is uncovered until added.",
    )


class ActivityConfirm(Input):
    confirmed_on: IsoDate


class ParticipationAdd(Input):
    learner_ids: list[uuid.UUID] = Field(min_length=1, max_length=500)


class PlannedLearnersAdd(Input):
    """R-95: the plan updated to cover more learners (e.g. who enrolled after it was drawn up)."""

    learner_ids: list[uuid.UUID] = Field(min_length=1, max_length=500)


class Activity(Output):
    id: uuid.UUID
    plan_id: uuid.UUID
    programme_id: uuid.UUID
    employer_id: uuid.UUID
    activity_type: ActivityType
    title: str
    planned_on: dt.date
    confirmed_on: dt.date | None
    confirmed_by: str | None
    planned_learner_ids: list[uuid.UUID] = Field(description="Whom the plan covers through it (R-95).")
    learner_ids: list[uuid.UUID] = Field(description="Who took part (recorded once it has happened).")
    created_by: str
    version: int


class LearnerInvolvement(Output):
    learner_id: uuid.UUID
    given_name: str
    family_name: str
    planned_activity_ids: list[uuid.UUID] = Field(description="Activities planned for the learner.")
    covered: bool = Field(description="The plan covers the learner: at least one activity planned for them.")
    activity_ids: list[uuid.UUID] = Field(description="Confirmed activities the learner took part in.")


class InvolvementReport(Output):
    """R-95: each learner on the programme, the activities planned for them and the confirmed ones they
    took part in; those the plan does not cover and those without any activity."""

    plan_id: uuid.UUID
    programme_id: uuid.UUID
    plan_late: bool = Field(description="The plan was drawn up after the programme started.")
    learners: list[LearnerInvolvement]
    learners_uncovered: list[uuid.UUID] = Field(
        description="Learners on the programme with no activity planned for them (the plan's coverage gap)."
    )
    learners_without_activity: list[uuid.UUID]
