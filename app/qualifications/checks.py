"""Semantic checks of a specification document: what the JSON Schema cannot say.

They run on the raw document (a dict as read from YAML), even when it also has shape errors, so that a
bad file is refused with every problem at once. Each check therefore skips what it cannot read rather
than failing: a wrongly-typed value has already been reported by the schema.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# Looser than structure.CRITERION_CODE on purpose: it tells a bad band (`A.X1`, invalid_band) from a
# code that is not a criterion code at all (invalid_criterion_code).
_CODE_SHAPE = re.compile(r"^(?P<outcomes>[A-Za-z]+)\.(?P<band>[A-Za-z]+)(?P<number>[0-9]+)$")
_BANDS = ("P", "M", "D")
_GRADE_RANK = {"P": 1, "M": 2, "D": 3, "D*": 4}


@dataclass(frozen=True, slots=True)
class SpecificationProblem:
    """One thing wrong with a specification: where (dotted path), what (stable slug), and why."""

    field: str
    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


@dataclass(frozen=True, slots=True)
class _ParsedCriterion:
    index: int
    code: str
    outcomes: frozenset[str]
    band: str


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class _Report:
    def __init__(self) -> None:
        self.problems: list[SpecificationProblem] = []

    def add(self, field: str, code: str, message: str) -> None:
        self.problems.append(SpecificationProblem(field, code, message))


def semantic_problems(document: Any) -> list[SpecificationProblem]:
    """Every meaning-level problem of a specification document, in file order."""
    report = _Report()
    if not isinstance(document, dict):
        return report.problems
    units = _list(document.get("units"))
    rules = _dict(document.get("rules"))
    single_unit_award = rules.get("single_unit_award") is True
    _check_units(units, report)
    _check_points(document, units, single_unit_award, report)
    _check_grade_table(document, single_unit_award, report)
    _check_structure(document, units, single_unit_award, report)
    return report.problems


def _check_units(units: list[Any], report: _Report) -> None:
    seen: dict[int, int] = {}
    for index, unit in enumerate(units):
        if not isinstance(unit, dict):
            continue
        number = _int(unit.get("number"))
        if number is not None:
            if number in seen:
                report.add(
                    f"units.{index}.number",
                    "duplicate_unit_number",
                    f"unit {number} is already units.{seen[number]}",
                )
            else:
                seen[number] = index
        _check_unit(f"units.{index}", unit, report)


def _check_unit(path: str, unit: dict[str, Any], report: _Report) -> None:
    status = unit.get("criteria_status", "listed")
    scheme = unit.get("grading_scheme")
    outcome_codes = _check_outcomes(path, unit, report)
    criteria = _check_criteria(path, unit, outcome_codes, report)
    written = _list(unit.get("criteria"))
    if status == "awaiting" and written:
        report.add(
            f"{path}.criteria",
            "criteria_while_awaiting",
            "criteria_status is awaiting but criteria are listed: list them and drop the flag, or neither",
        )
    bands = {criterion.band for criterion in criteria}
    # R-02 needs pass criteria to grade from; an examined or achieved/not achieved unit may instead have
    # its result recorded directly, and an awaiting unit has no criteria yet.
    needs_pass = scheme == "pmd" and status == "listed" and (unit.get("assessment") == "internal" or criteria)
    if needs_pass and "P" not in bands:
        report.add(
            f"{path}.criteria", "unit_without_pass_criteria", "a P/M/D unit needs at least one P criterion"
        )
    if scheme == "pmd" and criteria:
        # Without M (or D) criteria, "every P and M criterion" would hold vacuously once the P criteria
        # are met, and R-02 would give a Merit for a Pass.
        if "M" not in bands:
            report.add(f"{path}.criteria", "unit_without_merit_criteria", "a P/M/D unit needs an M criterion")
        if "D" not in bands:
            report.add(
                f"{path}.criteria", "unit_without_distinction_criteria", "a P/M/D unit needs a D criterion"
            )
    if criteria:
        evidenced = set().union(*(criterion.outcomes for criterion in criteria))
        for index, outcome in enumerate(_list(unit.get("learning_outcomes"))):
            code = _dict(outcome).get("code")
            if isinstance(code, str) and code not in evidenced:
                report.add(
                    f"{path}.learning_outcomes.{index}",
                    "outcome_without_criteria",
                    f"no criterion names learning outcome {code}",
                )
    _check_assignments(path, unit, criteria, outcome_codes, report)


def _check_outcomes(path: str, unit: dict[str, Any], report: _Report) -> set[str]:
    codes: set[str] = set()
    for index, outcome in enumerate(_list(unit.get("learning_outcomes"))):
        code = _dict(outcome).get("code")
        if not isinstance(code, str):
            continue
        if code in codes:
            report.add(
                f"{path}.learning_outcomes.{index}.code",
                "duplicate_outcome_code",
                f"learning outcome {code} is listed twice",
            )
        codes.add(code)
    return codes


def _check_criteria(
    path: str, unit: dict[str, Any], outcome_codes: set[str], report: _Report
) -> list[_ParsedCriterion]:
    parsed: list[_ParsedCriterion] = []
    seen_codes: dict[str, int] = {}
    seen_numbers: dict[tuple[str, int], str] = {}
    for index, criterion in enumerate(_list(unit.get("criteria"))):
        code = _dict(criterion).get("code")
        if not isinstance(code, str):
            continue
        field = f"{path}.criteria.{index}.code"
        if code in seen_codes:
            report.add(
                field,
                "duplicate_criterion_code",
                f"{code} is already {path}.criteria.{seen_codes[code]}",
            )
            continue
        seen_codes[code] = index
        shape = _CODE_SHAPE.match(code)
        if shape is None:
            report.add(field, "invalid_criterion_code", f"{code!r} is not like A.P1 or AB.D1")
            continue
        letters, band, number = shape["outcomes"], shape["band"], shape["number"]
        if band not in _BANDS:
            report.add(field, "invalid_band", f"band {band!r} of {code} is not P, M or D")
            continue
        if not letters.isupper() or list(letters) != sorted(set(letters)) or number.startswith("0"):
            report.add(
                field,
                "invalid_criterion_code",
                f"{code!r}: outcome letters must be capitals, each once, in order; number from 1",
            )
            continue
        unknown = [letter for letter in letters if letter not in outcome_codes]
        if unknown:
            report.add(
                field,
                "unknown_outcome",
                f"{code} names learning outcome(s) {', '.join(unknown)} that the unit does not have",
            )
        if unit.get("grading_scheme") == "achieved" and band != "P":
            report.add(
                field,
                "band_not_in_scheme",
                f"{code}: an achieved/not achieved unit has P criteria only",
            )
        key = (band, int(number))
        if key in seen_numbers:
            report.add(
                field,
                "duplicate_criterion_number",
                f"{code} repeats {band}{number}, already used by {seen_numbers[key]}",
            )
        else:
            seen_numbers[key] = code
        parsed.append(_ParsedCriterion(index, code, frozenset(letters), band))
    return parsed


def _check_assignments(
    path: str,
    unit: dict[str, Any],
    criteria: list[_ParsedCriterion],
    outcome_codes: set[str],
    report: _Report,
) -> None:
    """R-06: at most N summative assignments; every criterion in exactly one of them."""
    assignments = _dict(unit.get("assignments"))
    groups = _list(assignments.get("groups"))
    maximum = _int(assignments.get("max_summative_assignments"))
    if maximum is not None and len(groups) > maximum:
        report.add(
            f"{path}.assignments.groups",
            "too_many_assignment_groups",
            f"{len(groups)} assignment groups, but at most {maximum} summative assignments",
        )
    by_code = {criterion.code: criterion for criterion in criteria}
    grouped_in: dict[str, int] = {}
    for group_index, group in enumerate(groups):
        named: set[str] = set()
        outcomes: set[str] = set()
        for item_index, item in enumerate(_list(group)):
            if not isinstance(item, str):
                continue
            field = f"{path}.assignments.groups.{group_index}.{item_index}"
            if "." in item:
                if item in by_code:
                    named.add(item)
                else:
                    report.add(field, "unknown_criterion_in_group", f"{item} is not a criterion of this unit")
            elif item in outcome_codes:
                outcomes.add(item)
            else:
                report.add(
                    field, "unknown_outcome_in_group", f"{item} is not a learning outcome of this unit"
                )
        # An outcome code stands for every criterion that spans only outcomes named in the group.
        members = named | {c.code for c in criteria if outcomes and c.outcomes <= outcomes}
        for code in sorted(members, key=lambda c: by_code[c].index):
            if code in grouped_in and grouped_in[code] != group_index:
                report.add(
                    f"{path}.assignments.groups.{group_index}",
                    "criterion_in_several_groups",
                    f"{code} is already in assignment group {grouped_in[code]}",
                )
            grouped_in.setdefault(code, group_index)
    if groups and criteria:
        for criterion in criteria:
            if criterion.code not in grouped_in:
                report.add(
                    f"{path}.assignments.groups",
                    "criterion_not_grouped",
                    f"{criterion.code} is in no assignment group",
                )


def _check_points(
    document: dict[str, Any], units: list[Any], single_unit_award: bool, report: _Report
) -> None:
    """R-03: every unit must be able to turn its grade into points, and more never gives fewer."""
    points = document.get("points")
    by_glh = _dict(_dict(points).get("by_glh"))
    for glh_key, row in by_glh.items():
        row = _dict(row)
        values = [_int(row.get(band)) for band in _BANDS]
        if None not in values and not values[0] <= values[1] <= values[2]:  # type: ignore[operator]
            report.add(f"points.by_glh.{glh_key}", "points_not_monotonic", "points must satisfy P <= M <= D")
    if single_unit_award and points is None:
        return  # a single-unit award is graded on the unit alone
    known_glh = {str(glh) for glh in by_glh}
    for index, unit in enumerate(units):
        unit = _dict(unit)
        glh = _int(unit.get("glh"))
        if unit.get("grading_scheme") == "pmd" and glh is not None and str(glh) not in known_glh:
            report.add(
                f"units.{index}.glh",
                "points_missing_for_glh",
                f"points.by_glh has no row for {glh} GLH, the GLH of unit {unit.get('number')}",
            )
        if unit.get("grading_scheme") == "achieved" and _dict(points).get("achieved") is None:
            report.add(
                f"units.{index}.grading_scheme",
                "points_missing_for_achieved",
                f"unit {unit.get('number')} is achieved/not achieved but points.achieved is not given",
            )


def _check_grade_table(document: dict[str, Any], single_unit_award: bool, report: _Report) -> None:
    """R-04: the ranges must cover every total from the lowest pass upwards exactly once, in order."""
    table = document.get("grade_table")
    if not table and not single_unit_award:
        report.add(
            "grade_table", "grade_table_missing", "a qualification graded on points needs a grade table"
        )
    rows: list[tuple[int, str, int, int | None]] = []
    allowed = ["P", "M", "D"] + (["D*"] if document.get("grading_scheme") == "pmdd_star" else [])
    seen: dict[str, int] = {}
    for index, row in enumerate(_list(table)):
        row = _dict(row)
        grade, low, high = row.get("grade"), _int(row.get("min")), _int(row.get("max"))
        if isinstance(grade, str):
            if grade in _GRADE_RANK and grade not in allowed:
                report.add(
                    f"grade_table.{index}.grade",
                    "grade_not_in_scheme",
                    f"{grade} is not a grade of the {document.get('grading_scheme')} scheme",
                )
            if grade in seen:
                report.add(
                    f"grade_table.{index}.grade",
                    "grade_table_duplicate_grade",
                    f"{grade} already has a range (grade_table.{seen[grade]})",
                )
            seen.setdefault(grade, index)
        if low is None or grade not in _GRADE_RANK or ("max" in row and high is None):
            continue
        if high is not None and high < low:
            report.add(f"grade_table.{index}", "grade_table_range_inverted", f"min {low} is above max {high}")
            continue
        rows.append((index, grade, low, high))
    if table and document.get("grading_scheme") in ("pmd", "pmdd_star"):
        for grade in allowed:
            if grade not in seen:
                report.add("grade_table", "grade_table_missing_grade", f"no points range gives {grade}")
    rows.sort(key=lambda r: r[2])
    for (_, grade, low, high), (j, next_grade, next_low, _) in zip(rows, rows[1:], strict=False):
        if high is None or next_low <= high:
            report.add(
                f"grade_table.{j}.min",
                "grade_table_overlap",
                f"{next_grade} from {next_low} overlaps {grade} ({low}-{'' if high is None else high})",
            )
        elif next_low > high + 1:
            report.add(
                f"grade_table.{j}.min",
                "grade_table_gap",
                f"no grade for {high + 1}-{next_low - 1} points (between {grade} and {next_grade})",
            )
        if _GRADE_RANK[next_grade] <= _GRADE_RANK[grade]:
            report.add(
                f"grade_table.{j}.grade",
                "grade_table_not_monotonic",
                f"{next_grade} needs more points than {grade}: more points must never give a lower grade",
            )
    if rows and rows[-1][3] is not None:
        index, grade, _, high = rows[-1]
        report.add(
            f"grade_table.{index}.max",
            "grade_table_gap",
            f"no grade above {high} points: leave the top range ({grade}) without a max",
        )


def _check_structure(
    document: dict[str, Any], units: list[Any], single_unit_award: bool, report: _Report
) -> None:
    if single_unit_award and len(units) != 1:
        report.add(
            "rules.single_unit_award",
            "single_unit_award_needs_one_unit",
            f"a single-unit award has exactly one unit, not {len(units)}",
        )
    glh = _int(document.get("glh"))
    unit_glh = [(_dict(u).get("type"), _int(_dict(u).get("glh"))) for u in units]
    if glh is not None and all(hours is not None for _, hours in unit_glh):
        mandatory = sum(hours for kind, hours in unit_glh if kind == "mandatory")  # type: ignore[misc]
        total = sum(hours for _, hours in unit_glh)  # type: ignore[misc]
        if mandatory > glh:
            report.add(
                "glh", "mandatory_glh_exceeds_qualification", f"mandatory units add up to {mandatory} GLH"
            )
        if total < glh:
            report.add("glh", "units_glh_short", f"all units together add up to {total} GLH, not {glh}")
    tqt = _int(document.get("tqt"))
    if glh is not None and tqt is not None and tqt < glh:
        report.add("tqt", "tqt_below_glh", f"TQT {tqt} is below GLH {glh}: TQT includes GLH")
    policies = _dict(document.get("policies"))
    if policies.get("retake_capped_at_pass") is True and policies.get("retakes_allowed", 0) == 0:
        report.add(
            "policies.retake_capped_at_pass",
            "retake_cap_without_retakes",
            "a retake cap is set but retakes_allowed is 0",
        )
