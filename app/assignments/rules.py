"""Pure checks of a brief's units and criteria against the qualification (R-01, R-06, R-32).

How R-06 is read here. 000 §4 says the unit has "a maximum number of two summative assignments" and
gives "the relationship of the learning outcomes and criteria": A+B criteria together, C criteria
together. We read the groups as *the* summative assignments of the unit: (1) a brief's criteria of
one unit lie within one group; (2) a programme has at most `max_summative_assignments` summative
briefs for a unit; (3) and at most one per group (a second brief on the same group would be a third
assignment in all but name). A retake brief (R-32) is not a further summative assignment: it replaces
one, so it is exempt from (2) and (3) but must cover the same learning outcomes as the brief it
retakes. Units without a grouping accept any of their criteria; units whose criteria are not listed
(003) are targeted without criteria and graded by a recorded grade.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.core.errors import FieldProblem, field_problem
from app.qualifications.grades import AssessmentMode
from app.qualifications.structure import Qualification, Unit

# what the internal verifier answers for every brief (Pearson's "IV of assignment brief" form).
BRIEF_CHECKLIST: dict[str, str] = {
    "criteria_targeted_accurately": "The brief targets the stated unit(s) and grading criteria accurately.",
    "vocational_scenario": "The brief gives a realistic vocational scenario or context.",
    "dates_stated": "The brief states a start date and a completion date.",
    "evidence_requirements_clear": "The evidence learners must produce is clearly stated.",
    "allows_all_grades": "Every learner can generate evidence for the highest grade.",
    "tasks_not_prescriptive": "Tasks do not give step-by-step instructions or the answer.",
    "not_used_for_practice": "The brief has not been used, unchanged, for practice (R-21).",
    "fair_and_accessible": "Language and tasks are free from bias and accessible to all learners.",
}


@dataclass(frozen=True)
class OtherBrief:
    """A brief already on the programme, as far as R-06 needs it."""

    id: object
    is_retake: bool
    criteria: tuple[tuple[int, str], ...]


def outcomes_of(unit: Unit, codes: Iterable[str]) -> frozenset[str]:
    return frozenset(o for code in codes for o in unit.criterion(code).outcomes)


def group_of(unit: Unit, codes: Iterable[str]) -> int | None:
    """Index of the one group holding all of `codes`, or None if they span groups (or none exists)."""
    codes = set(codes)
    if unit.assignments is None:
        return None
    for i, group in enumerate(unit.assignments.groups):
        if codes <= set(group):
            return i
    return None


def check_brief(
    q: Qualification,
    unit_numbers: Sequence[int],
    criteria: Sequence[tuple[int, str]],
    others: Sequence[OtherBrief],
    retake_of: OtherBrief | None = None,
    retake_units: Sequence[int] = (),
) -> list[FieldProblem]:
    """Every problem with a brief's units and criteria; empty when it may be stored."""
    problems: list[FieldProblem] = []
    units: dict[int, Unit] = {}
    for i, number in enumerate(unit_numbers):
        try:
            unit = q.unit(number)
        except KeyError:
            problems.append(
                field_problem(f"body.unit_numbers.{i}", "unknown_unit", f"{q.key} has no unit {number}")
            )
            continue
        if unit.assessment is AssessmentMode.external:
            problems.append(
                field_problem(
                    f"body.unit_numbers.{i}",
                    "external_unit",
                    f"unit {number} is externally assessed: record exam results instead",
                )
            )
            continue
        units[number] = unit
    by_unit: dict[int, list[str]] = {n: [] for n in units}
    seen: set[tuple[int, str]] = set()
    for i, (number, code) in enumerate(criteria):
        where = f"body.criteria.{i}"
        if (number, code) in seen:
            problems.append(
                field_problem(where, "duplicate_criterion", f"{code} of unit {number} is listed twice")
            )
            continue
        seen.add((number, code))
        if number not in unit_numbers:
            problems.append(
                field_problem(where, "unit_not_targeted", f"unit {number} is not among the brief's units")
            )
            continue
        target = units.get(number)
        if target is None:
            continue
        if not target.criteria_listed:
            problems.append(
                field_problem(
                    where,
                    "criteria_not_listed",
                    f"unit {number}'s criteria are not listed: target the unit alone",
                )
            )
            continue
        if not any(c.code == code for c in target.criteria):
            problems.append(
                field_problem(where, "unknown_criterion", f"unit {number} has no criterion {code}")
            )
            continue
        by_unit[number].append(code)
    if problems:
        return problems
    for number, unit in units.items():
        codes = by_unit[number]
        if unit.criteria_listed and not codes:
            problems.append(
                field_problem(
                    "body.criteria", "no_criteria", f"the brief targets no criterion of unit {number}"
                )
            )
            continue
        if unit.assignments is None or not codes:
            continue
        group = group_of(unit, codes)
        if group is None:  # R-06 (1)
            problems.append(
                field_problem(
                    "body.criteria",
                    "R-06",
                    f"the criteria of unit {number} span its "
                    "assignment groups; a brief's criteria lie within one group",
                )
            )
            continue
        if retake_of is not None:
            continue
        summative = [o for o in others if not o.is_retake and any(n == number for n, _ in o.criteria)]
        if len(summative) >= unit.assignments.max_summative_assignments:  # R-06 (2)
            problems.append(
                field_problem(
                    "body.criteria",
                    "R-06",
                    f"unit {number} already has "
                    f"{unit.assignments.max_summative_assignments} summative assignment(s)",
                )
            )
        elif any(
            group_of(unit, [c for n, c in o.criteria if n == number]) == group for o in summative
        ):  # (3)
            problems.append(
                field_problem(
                    "body.criteria",
                    "R-06",
                    f"another brief already assesses this group "
                    f"of unit {number}'s criteria; a further one is a retake",
                )
            )
    if retake_of is not None and not problems:
        problems += _check_retake(q, units, by_unit, retake_of, retake_units)
    return problems


def _check_retake(
    q: Qualification,
    units: dict[int, Unit],
    by_unit: dict[int, list[str]],
    original: OtherBrief,
    original_units: Sequence[int],
) -> list[FieldProblem]:
    """R-32: a retake is a different assignment covering the same learning outcomes, where allowed."""
    problems = []
    if q.policies.retakes_allowed < 1:
        problems.append(field_problem("body.retake_of_id", "R-32", f"{q.key} allows no retake"))
    if original.is_retake:
        problems.append(field_problem("body.retake_of_id", "R-32", "a retake brief cannot itself be retaken"))
    if sorted(units) != sorted(original_units):
        problems.append(
            field_problem("body.unit_numbers", "R-32", "a retake covers the same unit(s) as the original")
        )
        return problems
    for number, unit in units.items():
        if not unit.criteria_listed:
            continue
        theirs = [c for n, c in original.criteria if n == number]
        if outcomes_of(unit, by_unit[number]) != outcomes_of(unit, theirs):
            problems.append(
                field_problem(
                    "body.criteria",
                    "R-32",
                    f"the retake must cover the same learning outcomes of unit {number} as the original",
                )
            )
    return problems
