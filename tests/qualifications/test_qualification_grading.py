"""Qualification grades (R-04): points, the grade table, the mandatory-units rule, single-unit awards."""

from __future__ import annotations

import json

import pytest

from app.qualifications.grades import GradingRule, QualificationGrade, UnitGrade
from app.qualifications.grading import (
    GradeNotInScheme,
    UnknownUnit,
    grade_cohort,
    grade_qualification,
    grade_unit,
)
from app.qualifications.specification import parse_specification, shipped_specifications
from tests.qualifications.qualification_strategies import DIPLOMA_FILE, document

AWARD = shipped_specifications()["pearson-btec-intl-l3-award-investigating-customer-communications"]
DIPLOMA = shipped_specifications()["ocr-l2-cambridge-technical-diploma-customer-service"]
A, NA, U, P, M, D = (
    UnitGrade.achieved,
    UnitGrade.not_achieved,
    UnitGrade.U,
    UnitGrade.P,
    UnitGrade.M,
    UnitGrade.D,
)


def both_ways(results: dict) -> object:
    """Grade one learner through the per-learner function and the cohort function: they must agree."""
    outcome = grade_qualification(DIPLOMA, results)
    assert grade_cohort(DIPLOMA, {"learner": results})["learner"] == outcome
    return outcome


def test_003_worked_example_a_is_a_pass_on_92_points() -> None:
    outcome = both_ways({1: A, 2: P, 3: P, 4: M, 5: P, 6: P, 7: P})
    assert [line.points for line in outcome.units] == [20, 7, 7, 16, 14, 14, 14]
    assert outcome.total_points == 92
    assert outcome.grade is QualificationGrade.P
    assert outcome.decided_by is GradingRule.grade_table
    assert (outcome.next_grade, outcome.points_to_next_grade) == (QualificationGrade.M, 5)  # M from 97
    assert outcome.glh_counted == 360


def test_003_worked_example_b_is_unclassified_despite_91_points() -> None:
    # "while Learner B has enough points to be eligible for a Pass, they wouldn't be awarded it because
    # they haven't achieved at least a Pass for Unit 2"
    outcome = both_ways({1: A, 2: U, 3: D, 4: M, 5: M, 6: M, 7: P})
    assert [line.points for line in outcome.units] == [20, 0, 9, 16, 16, 16, 14]
    assert outcome.total_points == 91
    assert outcome.grade_on_points is QualificationGrade.P
    assert outcome.grade is QualificationGrade.U
    assert outcome.decided_by is GradingRule.mandatory_unit_below_pass
    assert outcome.mandatory_units_below_pass == (2,)


def test_unit_1_not_achieved_is_unclassified_even_with_distinctions_everywhere() -> None:
    outcome = both_ways({1: NA, 2: D, 3: D, 4: D, 5: D, 6: D, 7: D})
    assert (outcome.grade, outcome.decided_by, outcome.total_points) == (
        QualificationGrade.U,
        GradingRule.mandatory_unit_below_pass,
        90,
    )


@pytest.mark.parametrize(
    ("grades", "total", "grade"),
    [
        ((P, P, P, P, P, P), 90, QualificationGrade.P),  # the lowest pass: every unit at Pass
        ((M, M, M, M, M, M), 100, QualificationGrade.M),
        ((P, P, M, M, M, P), 96, QualificationGrade.P),
        ((P, M, M, M, M, P), 97, QualificationGrade.M),
        ((M, M, M, M, M, D), 102, QualificationGrade.M),
        ((P, M, M, D, D, D), 105, QualificationGrade.D),
        ((D, D, M, M, D, D), 106, QualificationGrade.D),
        ((M, D, D, D, M, D), 107, QualificationGrade.D_STAR),
        ((D, D, D, D, D, D), 110, QualificationGrade.D_STAR),  # the most there is
    ],
)
def test_totals_are_looked_up_in_the_grade_table(
    grades: tuple, total: int, grade: QualificationGrade
) -> None:
    outcome = both_ways({1: A, **dict(zip(range(2, 8), grades, strict=True))})
    assert (outcome.total_points, outcome.grade) == (total, grade)


@pytest.mark.parametrize(
    ("points", "grade"),
    [
        (0, "U"),
        (89, "U"),
        (90, "P"),
        (96, "P"),
        (97, "M"),
        (102, "M"),
        (103, "D"),
        (106, "D"),
        (107, "D*"),
        (500, "D*"),
    ],
)
def test_grade_table_boundaries(points: int, grade: str) -> None:
    assert DIPLOMA.grade_for_points(points) == QualificationGrade(grade)


def test_missing_units_are_named_and_the_result_is_unclassified() -> None:
    outcome = both_ways({1: A, 2: D, 3: D, 4: D, 5: D})
    assert (outcome.grade, outcome.decided_by) == (QualificationGrade.U, GradingRule.units_missing)
    assert outcome.units_missing == (6, 7)
    assert [line.grade for line in outcome.units][-2:] == [None, None]


def test_a_mandatory_unit_below_pass_decides_before_missing_units() -> None:
    outcome = both_ways({1: A, 2: U})
    assert outcome.decided_by is GradingRule.mandatory_unit_below_pass
    assert outcome.units_missing == (3, 4, 5, 6, 7)


def test_points_below_the_lowest_range() -> None:
    doc = document(DIPLOMA_FILE)
    doc["grade_table"][0]["min"] = 93  # P now from 93: every unit at Pass (90 points) falls short
    raised = parse_specification(doc)
    outcome = grade_qualification(raised, {1: A, 2: P, 3: P, 4: P, 5: P, 6: P, 7: P})
    assert (outcome.grade, outcome.decided_by) == (QualificationGrade.U, GradingRule.points_below_minimum)
    assert (outcome.next_grade, outcome.points_to_next_grade) == (QualificationGrade.P, 3)
    assert grade_cohort(raised, {0: {1: A, 2: P, 3: P, 4: P, 5: P, 6: P, 7: P}})[0] == outcome


def test_several_results_for_a_unit_count_at_their_best() -> None:
    # unit 1 resat (not achieved, then achieved), unit 2 resubmitted (U then P)
    outcome = both_ways({1: [NA, A], 2: [U, P], 3: P, 4: M, 5: P, 6: P, 7: P})
    assert (outcome.grade, outcome.total_points) == (QualificationGrade.P, 92)


def test_results_for_unknown_units_or_in_the_wrong_scheme_are_refused() -> None:
    with pytest.raises(UnknownUnit):
        grade_qualification(DIPLOMA, {8: P})
    with pytest.raises(UnknownUnit):
        grade_cohort(DIPLOMA, {"x": {8: P}})
    with pytest.raises(GradeNotInScheme):
        grade_qualification(DIPLOMA, {1: P})
    with pytest.raises(GradeNotInScheme):
        grade_cohort(DIPLOMA, {"x": {1: P}})


def test_single_unit_award_takes_the_unit_grade_and_u_stays_u() -> None:
    # R-04, 000 §2: "A minimum of a Pass grade must be achieved to pass this qualification"
    unit = AWARD.units[0]
    for grade, expected in ((U, "U"), (P, "P"), (M, "M"), (D, "D")):
        outcome = grade_qualification(AWARD, {1: grade})
        assert (outcome.grade, outcome.decided_by) == (
            QualificationGrade(expected),
            GradingRule.single_unit_award,
        )
        assert outcome.total_points is None and outcome.units[0].points is None
        assert grade_cohort(AWARD, {"x": {1: grade}})["x"] == outcome
    from_criteria = grade_unit(unit, ["A.P1", "A.P2", "B.P3", "B.P4", "C.P5", "C.P6", "A.M1", "B.M2", "C.M3"])
    assert grade_qualification(AWARD, {1: from_criteria}).grade is QualificationGrade.M
    missing = grade_qualification(AWARD, {})
    assert (missing.grade, missing.decided_by, missing.units_missing) == (
        QualificationGrade.U,
        GradingRule.units_missing,
        (1,),
    )


def test_outcomes_are_json_serialisable() -> None:
    outcome = both_ways({1: A, 2: U, 3: D, 4: M, 5: M, 6: M, 7: P})
    data = json.loads(json.dumps(outcome.to_dict()))
    assert data["grade"] == "U" and data["decided_by"] == "mandatory_unit_below_pass"
    assert data["units"][1] == {
        "unit_number": 2,
        "title": "Understand customer expectations and issues",
        "type": "mandatory",
        "glh": 30,
        "grade": "U",
        "points": 0,
        "counts": False,
    }


def test_the_cohort_shares_one_outcome_between_learners_with_the_same_results() -> None:
    cohort = {n: {1: A, 2: P, 3: P, 4: M, 5: P, 6: P, 7: P} for n in range(3)}
    cohort[3] = {1: A, 2: U, 3: D, 4: M, 5: M, 6: M, 7: P}
    graded = grade_cohort(DIPLOMA, cohort)
    assert graded[0] is graded[1] is graded[2]
    assert graded[3].grade is QualificationGrade.U
    separate = grade_cohort(DIPLOMA, cohort, share_outcomes=False)
    assert separate == graded and separate[0] is not separate[1]
