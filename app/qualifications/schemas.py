"""API shapes of the catalogue and of grade predictions (the SPA's "what-if")."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from pydantic import Field, StringConstraints

from app.core.schemas import Input, Output, UnitNumber
from app.qualifications.grades import (
    AssessmentMode,
    CriteriaStatus,
    GradingRule,
    QualificationGrade,
    QualificationGradingScheme,
    UnitGrade,
    UnitGradingScheme,
    UnitType,
)
from app.qualifications.outcomes import OutcomeBasis

CriterionCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{1,6}\.[A-Z][1-9][0-9]{0,2}$")]


class LearningOutcome(Output):
    code: str
    title: str


class Criterion(Output):
    code: str
    text: str
    band: str
    outcomes: list[str]


class AssignmentGrouping(Output):
    max_summative_assignments: int
    groups: list[list[str]] = Field(description="Criterion codes per summative assignment (R-06).")


class Unit(Output):
    number: int
    title: str
    reference: str | None
    level: int | None
    glh: int
    type: UnitType
    assessment: AssessmentMode
    grading_scheme: UnitGradingScheme
    criteria_status: CriteriaStatus = Field(
        description="`awaiting`: the source does not list the criteria yet."
    )
    learning_outcomes: list[LearningOutcome]
    criteria: list[Criterion]
    assignments: AssignmentGrouping | None


class PointsRow(Output):
    glh: int
    pass_points: int
    merit_points: int
    distinction_points: int


class GradeRange(Output):
    grade: QualificationGrade
    min_points: int
    max_points: int | None


class Policies(Output):
    resubmissions_allowed: int
    resubmission_window_working_days: int | None
    resubmission_authorised_by: str
    retakes_allowed: int
    retake_capped_at_pass: bool
    exam_resits_allowed: int


class QualificationSummary(Output):
    id: uuid.UUID
    key: str
    version: int
    awarding_body: str
    title: str
    number: str | None
    level: int
    sector: str | None = Field(description="R-95: the employers involved are in this sector.")
    glh: int
    size: str
    grading_scheme: QualificationGradingScheme
    centre_owned: bool = Field(description="Imported by this centre (false: Verity's shipped catalogue).")
    imported_at: dt.datetime


class QualificationDetail(QualificationSummary):
    tqt: int | None
    single_unit_award: bool
    mandatory_units_must_pass: bool
    units: list[Unit]
    points_by_glh: list[PointsRow]
    achieved_points: int | None
    grade_table: list[GradeRange]
    policies: Policies


class RecordedGrade(Input):
    """One attempt at one unit, as a grade (an exam result, a moderated grade, a unit awaiting criteria)."""

    unit_number: UnitNumber
    grade: UnitGrade


class CriteriaAchieved(Input):
    """One attempt at one unit, as the criteria achieved: the engine works out the grade (R-02)."""

    unit_number: UnitNumber
    criteria_achieved: list[CriterionCode] = Field(max_length=200)


class PredictionRequest(Input):
    """Several entries for the same unit are several attempts; the best counts (R-05)."""

    units: list[RecordedGrade | CriteriaAchieved] = Field(max_length=500)


class UnitPrediction(Output):
    unit_number: int
    grade: UnitGrade
    basis: OutcomeBasis
    criteria_achieved: list[str]
    next_grade: UnitGrade | None
    missing_for_next_grade: list[str]
    missing_by_grade: dict[str, list[str]]
    attempt_index: int | None


class UnitLine(Output):
    unit_number: int
    title: str
    type: UnitType
    glh: int
    grade: UnitGrade | None
    points: int | None
    counts: bool


class QualificationPrediction(Output):
    qualification_id: uuid.UUID
    grade: QualificationGrade
    decided_by: GradingRule
    total_points: int | None
    units: list[UnitLine]
    units_missing: list[int]
    mandatory_units_below_pass: list[int]
    glh_counted: int
    glh_required: int
    grade_on_points: QualificationGrade | None
    next_grade: QualificationGrade | None
    points_to_next_grade: int | None
    unit_outcomes: list[UnitPrediction] = Field(description="How each unit's grade was reached.")
