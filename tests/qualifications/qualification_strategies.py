"""Hypothesis strategies: valid specification documents, and learners' results against a specification.

Generated documents are built to satisfy every rule in docs/qualification-files.md, so the loader must
accept each of them (no false refusals) and the grading properties must hold on each, not only on the
two shipped qualifications.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from app.qualifications.grades import UnitGrade
from app.qualifications.structure import Qualification, Unit

DATA_DIR = Path(__file__).parents[2] / "app" / "qualifications" / "data"
AWARD_FILE = DATA_DIR / "pearson-btec-intl-l3-award-investigating-customer-communications.yaml"
DIPLOMA_FILE = DATA_DIR / "ocr-l2-cambridge-technical-diploma-customer-service.yaml"


def document(path: Path) -> dict[str, Any]:
    """A fresh, mutable copy of a shipped file as a dict."""
    return copy.deepcopy(yaml.safe_load(path.read_text(encoding="utf-8")))


@st.composite
def unit_documents(draw: st.DrawFn, number: int, glh: int) -> dict[str, Any]:
    scheme = draw(st.sampled_from(["pmd", "pmd", "pmd", "achieved"]))
    listed = draw(st.booleans())
    unit: dict[str, Any] = {
        "number": number,
        "title": f"Unit {number}",
        "glh": glh,
        "type": draw(st.sampled_from(["mandatory", "mandatory", "optional"])),
        "assessment": "internal" if listed or scheme == "pmd" else "external",
        "grading_scheme": scheme,
        "criteria_status": "listed" if listed else "awaiting",
    }
    if not listed:
        return unit
    letters = "ABCD"[: draw(st.integers(1, 4))]
    unit["learning_outcomes"] = [{"code": letter, "title": f"Outcome {letter}"} for letter in letters]
    criteria = []
    counters = {"P": 0, "M": 0, "D": 0}

    def add(outcomes: str, band: str) -> None:
        counters[band] += 1
        code = f"{outcomes}.{band}{counters[band]}"
        criteria.append({"code": code, "text": f"Criterion {code}"})

    for letter in letters:  # every outcome evidenced by at least one pass criterion
        for _ in range(draw(st.integers(1, 2))):
            add(letter, "P")
    if scheme == "pmd":
        for band in ("M", "D"):
            for _ in range(draw(st.integers(1, 2))):
                picked = draw(st.sets(st.sampled_from(letters), min_size=1, max_size=2))
                add("".join(sorted(picked)), band)
    unit["criteria"] = criteria
    if draw(st.booleans()):
        unit["assignments"] = {
            "max_summative_assignments": draw(st.integers(1, 3)),
            "groups": [[criterion["code"] for criterion in criteria]],
        }
    return unit


@st.composite
def qualification_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A valid multi-unit qualification graded on points, with a contiguous grade table."""
    glh_values = draw(st.lists(st.sampled_from([30, 60, 90, 120]), min_size=1, max_size=6))
    units = [draw(unit_documents(number, glh)) for number, glh in enumerate(glh_values, start=1)]
    mandatory_glh = sum(u["glh"] for u in units if u["type"] == "mandatory")
    total_glh = sum(u["glh"] for u in units)
    glh = draw(st.integers(max(mandatory_glh, 1), total_glh))
    by_glh = {}
    for value in sorted(set(glh_values)):
        p = draw(st.integers(0, 20))
        m = p + draw(st.integers(0, 5))
        by_glh[value] = {"P": p, "M": m, "D": m + draw(st.integers(0, 5))}
    star = draw(st.booleans())
    grades = ["P", "M", "D"] + (["D*"] if star else [])
    minimum = draw(st.integers(0, 60))
    table = []
    for index, grade in enumerate(grades):
        width = draw(st.integers(1, 15))
        row = {"grade": grade, "min": minimum}
        if index < len(grades) - 1:
            row["max"] = minimum + width - 1
        table.append(row)
        minimum += width
    return {
        "format": 1,
        "key": "generated-qualification",
        "awarding_body": draw(st.sampled_from(["pearson", "ocr"])),
        "title": "Generated qualification",
        "number": None,
        "version": 1,
        "level": draw(st.integers(1, 8)),
        "glh": glh,
        "size": "certificate",
        "grading_scheme": "pmdd_star" if star else "pmd",
        "rules": {"single_unit_award": False, "mandatory_units_must_pass": True},
        "points": {"by_glh": by_glh, "achieved": draw(st.integers(0, 30))},
        "grade_table": draw(st.permutations(table)),  # the file's order must not matter
        "units": units,
    }


def unit_results(unit: Unit) -> st.SearchStrategy[Any]:
    """One unit's result as a caller gives it: absent, a grade, or several attempts (best counts)."""
    grade = st.sampled_from(unit.grades)
    return st.one_of(st.none(), grade, st.lists(grade, min_size=1, max_size=3))


@st.composite
def learner_results(draw: st.DrawFn, qualification: Qualification) -> dict[int, Any]:
    results = {}
    for unit in qualification.units:
        result = draw(unit_results(unit))
        if result is not None:
            results[unit.number] = result
    return results


@st.composite
def complete_grades(draw: st.DrawFn, qualification: Qualification) -> dict[int, UnitGrade]:
    """A grade for every unit: nothing missing."""
    return {unit.number: draw(st.sampled_from(unit.grades)) for unit in qualification.units}
