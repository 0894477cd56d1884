"""Grading a whole cohort at once (R-03, R-04, R-05) from tables precomputed per specification.

The per-learner function in grading.py reads the specification afresh for every learner. Here the
specification is read once: each unit's grade -> (breakdown line, points, counts) is a dict entry, and
every points total -> (grade, next grade, points to it) is a list index. Learners with the same unit
results get the same outcome, so it is computed once per distinct combination in the cohort and shared
(outcomes are immutable). The answers are those of `grade_qualification`; a test holds them equal.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from app.qualifications.grades import (
    QUALIFICATION_GRADE_FOR_UNIT_GRADE,
    GradingRule,
    QualificationGrade,
    UnitGrade,
)
from app.qualifications.outcomes import (
    QualificationOutcome,
    UnitLine,
    UnitResult,
    UnknownUnit,
    unit_grade_of,
)
from app.qualifications.structure import Qualification, Unit

LearnerKey = TypeVar("LearnerKey", bound=Hashable)


@dataclass(frozen=True, slots=True)
class _UnitTable:
    unit: Unit
    by_grade: Mapping[UnitGrade, tuple[UnitLine, int, bool]]  # grade -> (line, points, counts)
    missing_line: UnitLine


@dataclass(frozen=True, slots=True)
class GradingTables:
    """Lookup tables for one specification; build once with `grading_tables()` and reuse."""

    qualification: Qualification
    units: tuple[_UnitTable, ...]
    unit_numbers: frozenset[int]
    # points total -> (grade on points, next grade, points to it); totals past the end are the top grade
    by_points: tuple[tuple[QualificationGrade, QualificationGrade | None, int | None], ...]


@lru_cache(maxsize=64)
def grading_tables(qualification: Qualification) -> GradingTables:
    """Precompute the per-unit and per-points lookups of a (hashable, immutable) specification."""
    points_table = qualification.points
    units = []
    for unit in qualification.units:
        by_grade = {}
        for grade in unit.grades:
            points = (
                None if points_table is None else points_table.points(unit.grading_scheme, unit.glh, grade)
            )
            line = UnitLine(unit.number, unit.title, unit.type, unit.glh, grade, points, grade.is_pass)
            by_grade[grade] = (line, points or 0, grade.is_pass)
        missing_line = UnitLine(
            unit.number, unit.title, unit.type, unit.glh, None, None if points_table is None else 0, False
        )
        units.append(_UnitTable(unit, by_grade, missing_line))
    table = qualification.grade_table
    top = table[-1].min_points if table else 0
    by_points = []
    for total in range(top + 1):
        on_points = qualification.grade_for_points(total)
        above = next((r for r in table if r.grade > on_points), None)
        by_points.append(
            (
                on_points,
                None if above is None else above.grade,
                None if above is None else above.min_points - total,
            )
        )
    return GradingTables(
        qualification, tuple(units), frozenset(u.number for u in qualification.units), tuple(by_points)
    )


def grade_cohort(
    qualification: Qualification,
    cohort: Mapping[LearnerKey, Mapping[int, UnitResult]],
    *,
    share_outcomes: bool = True,
) -> dict[LearnerKey, QualificationOutcome]:
    """R-04 for every learner of a cohort: learner key -> outcome, as `grade_qualification` would give.

    `cohort` maps each learner (any hashable key, e.g. a registration id) to that learner's results by
    unit number. `share_outcomes=False` computes every learner separately (for measuring the sharing).
    """
    tables = grading_tables(qualification)
    numbers = tuple(t.unit.number for t in tables.units)
    known = tables.unit_numbers
    seen: dict[tuple[object, ...], QualificationOutcome] = {}
    graded: dict[LearnerKey, QualificationOutcome] = {}
    for learner, results in cohort.items():
        if not results.keys() <= known:
            unknown = sorted(set(results) - known)
            raise UnknownUnit(f"learner {learner!r}: {qualification.key} has no unit(s) {unknown}")
        key = tuple(map(results.get, numbers))
        if share_outcomes:
            try:
                outcome = seen.get(key)
            except TypeError:  # a list of attempts is unhashable: grade it, then share on the grades
                key = _counted_grades(tables, key)
                outcome = seen.get(key)
            if outcome is None:
                outcome = seen[key] = _grade_one(tables, key)
        else:
            outcome = _grade_one(tables, key)
        graded[learner] = outcome
    return graded


def _counted_grades(tables: GradingTables, results: tuple[object, ...]) -> tuple[UnitGrade | None, ...]:
    return tuple(
        None if result is None else unit_grade_of(table.unit, result)  # type: ignore[arg-type]
        for table, result in zip(tables.units, results, strict=True)
    )


def _grade_one(tables: GradingTables, results: tuple[object, ...]) -> QualificationOutcome:
    qualification = tables.qualification
    lines: list[UnitLine] = []
    missing: list[int] = []
    below_pass: list[int] = []
    total = glh_counted = 0
    for table, result in zip(tables.units, results, strict=True):
        if result is None:
            lines.append(table.missing_line)
            if table.unit.is_mandatory:
                missing.append(table.unit.number)
            continue
        # the common case, a bare grade, is one dict lookup; anything else (a string, an outcome, a
        # list of attempts, a grade of the wrong scheme) goes through the checked conversion
        entry = table.by_grade.get(result) if result.__class__ is UnitGrade else None
        if entry is None:
            entry = table.by_grade[unit_grade_of(table.unit, result)]  # type: ignore[arg-type]
        line, points, counts = entry
        lines.append(line)
        if counts:
            total += points
            glh_counted += table.unit.glh
        elif table.unit.is_mandatory:
            below_pass.append(table.unit.number)
    key = qualification.key
    total_points = None if qualification.points is None else total
    common = (tuple(lines), tuple(missing), tuple(below_pass), glh_counted, qualification.glh)
    if qualification.single_unit_award:
        only = lines[0].grade
        if only is None:
            return _outcome(key, QualificationGrade.U, GradingRule.units_missing, total_points, common)
        grade = QUALIFICATION_GRADE_FOR_UNIT_GRADE[only]
        return _outcome(key, grade, GradingRule.single_unit_award, total_points, common)
    by_points = tables.by_points
    # past the table's end lies only the open-ended top range, whose entry has no next grade
    on_points, next_grade, to_next = by_points[total] if total < len(by_points) else by_points[-1]
    if qualification.mandatory_units_must_pass and below_pass:
        return _outcome(
            key, QualificationGrade.U, GradingRule.mandatory_unit_below_pass, total_points, common, on_points
        )
    if missing or glh_counted < qualification.glh:
        return _outcome(key, QualificationGrade.U, GradingRule.units_missing, total_points, common, on_points)
    rule = GradingRule.grade_table if on_points > QualificationGrade.U else GradingRule.points_below_minimum
    return _outcome(key, on_points, rule, total_points, common, on_points, next_grade, to_next)


# What every outcome of one learner shares: lines, missing, below pass, GLH counted and required.
_Common = tuple[tuple[UnitLine, ...], tuple[int, ...], tuple[int, ...], int, int]


def _outcome(
    key: str,
    grade: QualificationGrade,
    rule: GradingRule,
    total_points: int | None,
    common: _Common,
    on_points: QualificationGrade | None = None,
    next_grade: QualificationGrade | None = None,
    to_next: int | None = None,
) -> QualificationOutcome:
    lines, missing, below_pass, glh_counted, glh_required = common
    return QualificationOutcome(
        key,
        grade,
        rule,
        total_points,
        lines,
        missing,
        below_pass,
        glh_counted,
        glh_required,
        on_points,
        next_grade,
        to_next,
    )
