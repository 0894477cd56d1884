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
    sector: Name = Field(description="The qualification's sector: every activity's employer is in it.")
    planned_on: IsoDate
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
    sector: str
    planned_on: dt.date
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


class ActivityConfirm(Input):
    confirmed_on: IsoDate


class ParticipationAdd(Input):
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
    learner_ids: list[uuid.UUID]
    created_by: str
    version: int


class LearnerInvolvement(Output):
    learner_id: uuid.UUID
    given_name: str
    family_name: str
    activity_ids: list[uuid.UUID] = Field(description="Confirmed activities the learner took part in.")


class InvolvementReport(Output):
    """R-95: each learner on the programme and their confirmed meaningful activities; those without any."""

    plan_id: uuid.UUID
    programme_id: uuid.UUID
    learners: list[LearnerInvolvement]
    learners_without_activity: list[uuid.UUID]
