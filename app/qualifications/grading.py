"""The grading engine: pure functions from results to grades, each with a breakdown (R-02..R-05).

No database, no I/O. The service reads decisions, calls these, and stores or shows what they return.
`grade_qualification` is the plain reading of the rules for one learner; `grade_cohort` (cohort.py) gives
the same answers for many learners at once from precomputed tables, and a test holds the two equal.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence

from app.qualifications.cohort import GradingTables, grade_cohort, grading_tables
from app.qualifications.grades import (
    QUALIFICATION_GRADE_FOR_UNIT_GRADE,
    AttemptKind,
    Band,
    GradingRule,
    QualificationGrade,
    UnitGrade,
    UnitGradingScheme,
)
from app.qualifications.outcomes import (
    CriteriaNotListed,
    GradeNotInScheme,
    GradingError,
    OutcomeBasis,
    QualificationOutcome,
    UnitAttempt,
    UnitLine,
    UnitOutcome,
    UnitResult,
    UnknownCriterion,
    UnknownUnit,
    unit_grade_of,
)
from app.qualifications.structure import Qualification, Unit

__all__ = [
    "CriteriaNotListed",
    "GradeNotInScheme",
    "GradingError",
    "GradingTables",
    "QualificationOutcome",
    "UnitAttempt",
    "UnitLine",
    "UnitOutcome",
    "UnknownCriterion",
    "UnknownUnit",
    "best_grade",
    "best_outcome",
    "grade_attempt",
    "grade_cohort",
    "grade_qualification",
    "grade_unit",
    "grade_unit_attempts",
    "grading_tables",
    "recorded_outcome",
    "unit_points",
]

# The bands a grade needs, cumulatively: a Merit needs every P and every M criterion.
_BANDS_FOR_GRADE = {
    UnitGrade.P: (Band.P,),
    UnitGrade.M: (Band.P, Band.M),
    UnitGrade.D: (Band.P, Band.M, Band.D),
    UnitGrade.achieved: (Band.P,),
}


def grade_unit(unit: Unit, criteria_achieved: Iterable[str]) -> UnitOutcome:
    """R-02: P = every P criterion; M = every P and M; D = every P, M and D; otherwise U.

    For an achieved/not achieved unit with listed criteria: achieved = every criterion. Each criterion
    counts once, whichever assignment evidenced it, so duplicates in `criteria_achieved` are harmless.
    """
    if not unit.criteria_listed or not unit.criteria:
        raise CriteriaNotListed(f"unit {unit.number} has no listed criteria: record its grade instead")
    achieved = set(criteria_achieved)
    known = {criterion.code for criterion in unit.criteria}
    if unknown := achieved - known:
        raise UnknownCriterion(f"unit {unit.number} has no criteria {', '.join(sorted(unknown))}")
    missing = {
        band: tuple(c.code for c in unit.criteria if c.band is band and c.code not in achieved)
        for band in Band
    }
    grade = unit.grades[0]
    for candidate in unit.grades[1:]:
        if any(missing[band] for band in _BANDS_FOR_GRADE[candidate]):
            break
        grade = candidate
    higher = [g for g in unit.grades if g > grade]
    missing_by_grade = tuple(
        (g, tuple(code for band in _BANDS_FOR_GRADE[g] for code in missing[band])) for g in higher
    )
    return UnitOutcome(
        unit_number=unit.number,
        grade=grade,
        basis=OutcomeBasis.criteria,
        criteria_achieved=tuple(c.code for c in unit.criteria if c.code in achieved),
        next_grade=higher[0] if higher else None,
        missing_for_next_grade=missing_by_grade[0][1] if higher else (),
        missing_by_grade=missing_by_grade,
    )


def recorded_outcome(unit: Unit, grade: UnitGrade | str) -> UnitOutcome:
    """A unit result recorded as a grade: an exam result, a moderated grade, or a unit awaiting criteria."""
    counted = unit_grade_of(unit, grade)
    higher = [g for g in unit.grades if g > counted]
    return UnitOutcome(
        unit_number=unit.number,
        grade=counted,
        basis=OutcomeBasis.recorded,
        next_grade=higher[0] if higher else None,
    )


def unit_points(qualification: Qualification, unit: Unit, grade: UnitGrade) -> int:
    """R-03: points for a unit grade, by the unit's GLH; U and not achieved are 0."""
    if qualification.points is None:
        raise GradingError(f"{qualification.key} has no points table: it is graded on its unit alone")
    return qualification.points.points(unit.grading_scheme, unit.glh, unit_grade_of(unit, grade))


def grade_attempt(
    qualification: Qualification, unit: Unit, attempt: UnitAttempt, index: int | None = None
) -> UnitOutcome:
    """One attempt's outcome; a retake is capped at Pass where the qualification says so (R-32)."""
    if attempt.criteria_achieved is not None:
        outcome = grade_unit(unit, attempt.criteria_achieved)
    else:
        outcome = recorded_outcome(unit, attempt.grade)  # type: ignore[arg-type]
    outcome = dataclasses.replace(outcome, attempt_kind=attempt.kind, attempt_index=index)
    capped = (
        attempt.kind is AttemptKind.retake
        and qualification.policies.retake_capped_at_pass
        and unit.grading_scheme is UnitGradingScheme.pmd
        and outcome.grade > UnitGrade.P
    )
    if capped:
        outcome = dataclasses.replace(
            outcome,
            grade=UnitGrade.P,
            next_grade=None,  # nothing this attempt could add lifts a capped retake above Pass
            missing_for_next_grade=(),
            missing_by_grade=(),
            capped_at_pass=True,
        )
    return outcome


def best_outcome(outcomes: Iterable[UnitOutcome]) -> UnitOutcome:
    """R-05: the best of several results for one unit; the earliest wins a tie."""
    candidates = list(outcomes)
    if not candidates:
        raise GradingError("no outcome to choose from")
    if len({outcome.unit_number for outcome in candidates}) > 1:
        raise GradingError("outcomes of different units cannot be compared")
    best = candidates[0]
    for outcome in candidates[1:]:
        if outcome.grade > best.grade:
            best = outcome
    return best


def best_grade(grades: Iterable[UnitGrade]) -> UnitGrade:
    """R-05 on bare grades (of one scheme)."""
    return max(grades)


def grade_unit_attempts(
    qualification: Qualification, unit: Unit, attempts: Sequence[UnitAttempt]
) -> UnitOutcome:
    """Grade every attempt at a unit and keep the best (R-05), remembering which attempt it was."""
    return best_outcome(grade_attempt(qualification, unit, attempt, i) for i, attempt in enumerate(attempts))


def grade_qualification(
    qualification: Qualification, results: Mapping[int, UnitResult]
) -> QualificationOutcome:
    """R-04 for one learner. `results` maps unit number to that unit's result (see UnitResult).

    Decided, in this order: a single-unit award takes its unit's grade (U stays U); a mandatory unit
    below Pass makes it U; so does a missing mandatory unit, or passed units short of the qualification's
    GLH; otherwise the points total is looked up in the grade table.
    """
    if unknown := set(results) - {unit.number for unit in qualification.units}:
        raise UnknownUnit(f"{qualification.key} has no unit(s) {', '.join(map(str, sorted(unknown)))}")
    lines: list[UnitLine] = []
    missing: list[int] = []
    below_pass: list[int] = []
    total = glh_counted = 0
    for unit in qualification.units:
        result = results.get(unit.number)
        if result is None:
            if unit.is_mandatory:
                missing.append(unit.number)
            lines.append(
                UnitLine(unit.number, unit.title, unit.type, unit.glh, None, _no_points(qualification), False)
            )
            continue
        grade = unit_grade_of(unit, result)
        points = (
            None
            if qualification.points is None
            else qualification.points.points(unit.grading_scheme, unit.glh, grade)
        )
        if grade.is_pass:
            total += points or 0
            glh_counted += unit.glh
        elif unit.is_mandatory:
            below_pass.append(unit.number)
        lines.append(UnitLine(unit.number, unit.title, unit.type, unit.glh, grade, points, grade.is_pass))
    unclassified = QualificationOutcome(
        qualification_key=qualification.key,
        grade=QualificationGrade.U,
        decided_by=GradingRule.units_missing,
        total_points=None if qualification.points is None else total,
        units=tuple(lines),
        units_missing=tuple(missing),
        mandatory_units_below_pass=tuple(below_pass),
        glh_counted=glh_counted,
        glh_required=qualification.glh,
    )
    if qualification.single_unit_award:
        only = lines[0].grade
        if only is None:
            return unclassified
        return dataclasses.replace(
            unclassified,
            grade=QUALIFICATION_GRADE_FOR_UNIT_GRADE[only],
            decided_by=GradingRule.single_unit_award,
        )
    on_points = qualification.grade_for_points(total)
    unclassified = dataclasses.replace(unclassified, grade_on_points=on_points)
    if qualification.mandatory_units_must_pass and below_pass:
        return dataclasses.replace(unclassified, decided_by=GradingRule.mandatory_unit_below_pass)
    if missing or glh_counted < qualification.glh:
        return unclassified
    above = [r for r in qualification.grade_table if r.grade > on_points]
    return dataclasses.replace(
        unclassified,
        grade=on_points,
        decided_by=GradingRule.grade_table
        if on_points > QualificationGrade.U
        else GradingRule.points_below_minimum,
        next_grade=above[0].grade if above else None,
        points_to_next_grade=above[0].min_points - total if above else None,
    )


def _no_points(qualification: Qualification) -> int | None:
    return None if qualification.points is None else 0
