"""What the grading engine returns: results with the breakdown the SPA shows, and the engine's errors.

All frozen, all JSON-serialisable through `to_dict()`. Outcomes are immutable, so the cohort function
may hand the same outcome object to every learner with the same unit results.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app.qualifications.grades import (
    AttemptKind,
    GradingRule,
    QualificationGrade,
    UnitGrade,
    UnitType,
)
from app.qualifications.structure import Unit


class GradingError(ValueError):
    """The input cannot be graded against this specification (a caller's mistake, not a learner's U)."""


class UnknownUnit(GradingError):
    pass


class UnknownCriterion(GradingError):
    pass


class GradeNotInScheme(GradingError):
    pass


class CriteriaNotListed(GradingError):
    """The unit's grade comes from an exam or its criteria are awaited: record the grade instead."""


class OutcomeBasis(StrEnum):
    criteria = "criteria"  # computed from the criteria achieved
    recorded = "recorded"  # an exam result, a moderated grade, or a unit whose criteria are awaited


@dataclass(frozen=True, slots=True)
class UnitAttempt:
    """One attempt at a unit: the criteria it achieved, or the grade recorded for it (never both).

    Pass the union of criteria achieved over the unit's assignments: a criterion counts once, whichever
    assignment evidenced it (R-02).
    """

    kind: AttemptKind = AttemptKind.first
    criteria_achieved: frozenset[str] | None = None
    grade: UnitGrade | None = None

    def __post_init__(self) -> None:
        if (self.criteria_achieved is None) == (self.grade is None):
            raise ValueError("a unit attempt has either criteria_achieved or a recorded grade")


@dataclass(frozen=True, slots=True)
class UnitOutcome:
    """A unit grade and why: which criteria count, and which are still missing for each higher grade."""

    unit_number: int
    grade: UnitGrade
    basis: OutcomeBasis
    criteria_achieved: tuple[str, ...] = ()
    next_grade: UnitGrade | None = None
    missing_for_next_grade: tuple[str, ...] = ()
    # cumulative: every criterion still needed for that grade, for each grade above this one
    missing_by_grade: tuple[tuple[UnitGrade, tuple[str, ...]], ...] = ()
    attempt_kind: AttemptKind = AttemptKind.first
    attempt_index: int | None = None  # which attempt was best, when several were given
    capped_at_pass: bool = False  # a retake under a cap-at-Pass policy

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit_number": self.unit_number,
            "grade": self.grade.value,
            "basis": self.basis.value,
            "criteria_achieved": list(self.criteria_achieved),
            "next_grade": None if self.next_grade is None else self.next_grade.value,
            "missing_for_next_grade": list(self.missing_for_next_grade),
            "missing_by_grade": {grade.value: list(codes) for grade, codes in self.missing_by_grade},
            "attempt_kind": self.attempt_kind.value,
            "attempt_index": self.attempt_index,
            "capped_at_pass": self.capped_at_pass,
        }


@dataclass(frozen=True, slots=True)
class UnitLine:
    """One unit in a qualification breakdown: its grade (None: no result yet) and the points it brings."""

    unit_number: int
    title: str
    type: UnitType
    glh: int
    grade: UnitGrade | None
    points: int | None  # None where the qualification has no points table (a single-unit award)
    counts: bool  # at least a Pass: its points and GLH count towards the qualification

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit_number": self.unit_number,
            "title": self.title,
            "type": self.type.value,
            "glh": self.glh,
            "grade": None if self.grade is None else self.grade.value,
            "points": self.points,
            "counts": self.counts,
        }


@dataclass(frozen=True, slots=True)
class QualificationOutcome:
    """A qualification grade with its breakdown: points per unit, total, and the rule that decided."""

    qualification_key: str
    grade: QualificationGrade
    decided_by: GradingRule
    total_points: int | None
    units: tuple[UnitLine, ...]
    units_missing: tuple[int, ...] = ()  # mandatory units without a result
    mandatory_units_below_pass: tuple[int, ...] = ()
    glh_counted: int = 0  # GLH of the units at Pass or above
    glh_required: int = 0
    grade_on_points: QualificationGrade | None = None  # what the points alone would give (003 Example B)
    next_grade: QualificationGrade | None = None
    points_to_next_grade: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "qualification_key": self.qualification_key,
            "grade": self.grade.value,
            "decided_by": self.decided_by.value,
            "total_points": self.total_points,
            "units": [line.to_dict() for line in self.units],
            "units_missing": list(self.units_missing),
            "mandatory_units_below_pass": list(self.mandatory_units_below_pass),
            "glh_counted": self.glh_counted,
            "glh_required": self.glh_required,
            "grade_on_points": None if self.grade_on_points is None else self.grade_on_points.value,
            "next_grade": None if self.next_grade is None else self.next_grade.value,
            "points_to_next_grade": self.points_to_next_grade,
        }


# What a caller may give as one unit's result: a grade (or its string), a graded outcome, or several
# of these for several attempts, of which the best counts.
UnitResult = UnitGrade | str | UnitOutcome | Iterable[UnitGrade | str | UnitOutcome]


def unit_grade_of(unit: Unit, result: UnitResult) -> UnitGrade:
    """The grade that counts for `unit` from a result as callers give it; checked against the scheme."""
    if isinstance(result, UnitOutcome):
        if result.unit_number != unit.number:
            raise GradingError(f"an outcome of unit {result.unit_number} given for unit {unit.number}")
        return _in_scheme(unit, result.grade)
    if isinstance(result, str):
        try:
            grade = UnitGrade(result)
        except ValueError:
            raise GradeNotInScheme(f"{result!r} is not a unit grade") from None
        return _in_scheme(unit, grade)
    grades = [unit_grade_of(unit, attempt) for attempt in result]
    if not grades:
        raise GradingError(f"no attempt given for unit {unit.number}")
    return max(grades)  # the best result counts


def _in_scheme(unit: Unit, grade: UnitGrade) -> UnitGrade:
    if grade.scheme is not unit.grading_scheme:
        raise GradeNotInScheme(
            f"unit {unit.number} is graded {unit.grading_scheme.value}: {grade.value} is not its grade"
        )
    return grade
