"""The structure of a qualification, as loaded from its specification file (R-01).

Frozen dataclasses with tuples only, so a loaded specification is immutable and hashable (the grading
engine caches its lookup tables per specification). `to_dict()` gives back the file's own shape, so a
specification can be stored, shown, or written out again and re-read to the same value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from app.qualifications.grades import (
    AssessmentMode,
    Band,
    CriteriaStatus,
    QualificationGrade,
    QualificationGradingScheme,
    UnitGrade,
    UnitGradingScheme,
    UnitType,
)

# `A.P1`, `AB.D1`: outcome letters (alphabetical, each once), a dot, a band letter, a number.
CRITERION_CODE = re.compile(r"^(?P<outcomes>[A-Z]+)\.(?P<band>[A-Z]+)(?P<number>[1-9][0-9]*)$")


@dataclass(frozen=True, slots=True)
class LearningOutcome:
    code: str
    title: str

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "title": self.title}


@dataclass(frozen=True, slots=True)
class Criterion:
    """A grading criterion. Its outcomes, band and number are read from its code, never stated twice."""

    code: str
    text: str
    outcomes: tuple[str, ...]
    band: Band
    number: int

    @classmethod
    def from_code(cls, code: str, text: str) -> Criterion:
        match = CRITERION_CODE.match(code)
        if match is None:
            raise ValueError(f"not a criterion code: {code!r}")
        return cls(code, text, tuple(match["outcomes"]), Band(match["band"]), int(match["number"]))

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "text": self.text}


@dataclass(frozen=True, slots=True)
class AssignmentGrouping:
    """How a unit's criteria are spread over its summative assignments (R-06).

    `groups` are stored expanded to criterion codes, one tuple per assignment, in the file's order;
    `written` keeps the file's own items (criterion or outcome codes) for round-tripping.
    """

    max_summative_assignments: int
    groups: tuple[tuple[str, ...], ...] = ()
    written: tuple[tuple[str, ...], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "max_summative_assignments": self.max_summative_assignments,
            "groups": [list(group) for group in self.written],
        }


@dataclass(frozen=True, slots=True)
class Unit:
    number: int
    title: str
    glh: int
    type: UnitType
    assessment: AssessmentMode
    grading_scheme: UnitGradingScheme
    reference: str | None = None
    level: int | None = None
    criteria_status: CriteriaStatus = CriteriaStatus.listed
    learning_outcomes: tuple[LearningOutcome, ...] = ()
    criteria: tuple[Criterion, ...] = ()
    assignments: AssignmentGrouping | None = None

    @property
    def is_mandatory(self) -> bool:
        return self.type is UnitType.mandatory

    @property
    def criteria_listed(self) -> bool:
        return self.criteria_status is CriteriaStatus.listed

    @property
    def grades(self) -> tuple[UnitGrade, ...]:
        """This unit's possible grades, lowest first."""
        return UnitGrade.for_scheme(self.grading_scheme)

    def criteria_in_band(self, band: Band) -> tuple[Criterion, ...]:
        return tuple(criterion for criterion in self.criteria if criterion.band is band)

    def criterion(self, code: str) -> Criterion:
        for criterion in self.criteria:
            if criterion.code == code:
                return criterion
        raise KeyError(code)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "number": self.number,
            "title": self.title,
            "reference": self.reference,
            "level": self.level,
            "glh": self.glh,
            "type": self.type.value,
            "assessment": self.assessment.value,
            "grading_scheme": self.grading_scheme.value,
            "criteria_status": self.criteria_status.value,
            "learning_outcomes": [outcome.to_dict() for outcome in self.learning_outcomes],
            "criteria": [criterion.to_dict() for criterion in self.criteria],
        }
        if self.assignments is not None:
            data["assignments"] = self.assignments.to_dict()
        return data


@dataclass(frozen=True, slots=True)
class PointsTable:
    """Points per unit grade by unit GLH (R-03). U and not achieved are always 0 points."""

    # (glh, points for P, points for M, points for D), ascending by GLH
    by_glh: tuple[tuple[int, int, int, int], ...] = ()
    achieved: int | None = None  # points for an achieved unit of the achieved/not achieved scheme

    def has_glh(self, glh: int) -> bool:
        return any(row[0] == glh for row in self.by_glh)

    def points(self, grading_scheme: UnitGradingScheme, glh: int, grade: UnitGrade) -> int:
        """Raises KeyError where the table has no figure: a validated specification never does."""
        if not grade.is_pass:
            return 0
        if grading_scheme is UnitGradingScheme.achieved:
            if self.achieved is None:
                raise KeyError("achieved")
            return self.achieved
        for row_glh, pass_points, merit_points, distinction_points in self.by_glh:
            if row_glh == glh:
                return {UnitGrade.P: pass_points, UnitGrade.M: merit_points}.get(grade, distinction_points)
        raise KeyError(glh)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"by_glh": {glh: {"P": p, "M": m, "D": d} for glh, p, m, d in self.by_glh}}
        if self.achieved is not None:
            data["achieved"] = self.achieved
        return data


@dataclass(frozen=True, slots=True)
class GradeRange:
    """One row of the qualification grade table: `min_points`..`max_points` inclusive; no max = and above."""

    grade: QualificationGrade
    min_points: int
    max_points: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"grade": self.grade.value, "min": self.min_points}
        if self.max_points is not None:
            data["max"] = self.max_points
        return data


@dataclass(frozen=True, slots=True)
class Policies:
    """The qualification's policy settings; defaults are DOMAIN.md's (R-30..R-33)."""

    resubmissions_allowed: int = 1
    resubmission_window_working_days: int | None = 10  # R-31; None: the assessor sets a date (003 §8)
    resubmission_authorised_by: str = "lead_internal_verifier"  # R-30; "assessor" for OCR
    retakes_allowed: int = 0  # absent unless the specification grants one
    retake_capped_at_pass: bool = False
    exam_resits_allowed: int = 1  # 003 §7: one resit of an examined unit

    def to_dict(self) -> dict[str, Any]:
        return {
            "resubmissions_allowed": self.resubmissions_allowed,
            "resubmission_window_working_days": self.resubmission_window_working_days,
            "resubmission_authorised_by": self.resubmission_authorised_by,
            "retakes_allowed": self.retakes_allowed,
            "retake_capped_at_pass": self.retake_capped_at_pass,
            "exam_resits_allowed": self.exam_resits_allowed,
        }


@dataclass(frozen=True, slots=True)
class Qualification:
    key: str
    awarding_body: str
    title: str
    version: int
    level: int
    glh: int
    size: str
    grading_scheme: QualificationGradingScheme
    units: tuple[Unit, ...]
    number: str | None = None
    tqt: int | None = None
    sector: str | None = None  # the employers involved are in it
    single_unit_award: bool = False  # the qualification grade is the unit grade (000)
    mandatory_units_must_pass: bool = True  # a mandatory unit below Pass makes the result U
    points: PointsTable | None = None
    grade_table: tuple[GradeRange, ...] = ()  # ascending by points
    policies: Policies = field(default_factory=Policies)
    source: str | None = None

    def unit(self, number: int) -> Unit:
        for unit in self.units:
            if unit.number == number:
                return unit
        raise KeyError(number)

    @property
    def mandatory_units(self) -> tuple[Unit, ...]:
        return tuple(unit for unit in self.units if unit.is_mandatory)

    def grade_for_points(self, total_points: int) -> QualificationGrade:
        """Look a points total up in the grade table (R-04); below the lowest range is U."""
        for grade_range in reversed(self.grade_table):
            if total_points >= grade_range.min_points:
                return grade_range.grade
        return QualificationGrade.U

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "format": 1,
            "key": self.key,
            "awarding_body": self.awarding_body,
            "title": self.title,
            "number": self.number,
            "version": self.version,
            "level": self.level,
            "glh": self.glh,
            "tqt": self.tqt,
            "size": self.size,
            "grading_scheme": self.grading_scheme.value,
            "rules": {
                "single_unit_award": self.single_unit_award,
                "mandatory_units_must_pass": self.mandatory_units_must_pass,
            },
            "policies": self.policies.to_dict(),
            "units": [unit.to_dict() for unit in self.units],
        }
        if self.source is not None:
            data["source"] = self.source
        # Only when stated, so a specification without one keeps its content hash.
        if self.sector is not None:
            data["sector"] = self.sector
        if self.points is not None:
            data["points"] = self.points.to_dict()
        if self.grade_table:
            data["grade_table"] = [grade_range.to_dict() for grade_range in self.grade_table]
        return data
