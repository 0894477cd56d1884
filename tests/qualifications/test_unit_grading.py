"""Unit grades from criteria (R-02), recorded grades, points (R-03), attempts and the best of them (R-05)."""

from __future__ import annotations

import dataclasses

import pytest

from app.qualifications.grades import AttemptKind, QualificationGrade, UnitGrade
from app.qualifications.grading import (
    CriteriaNotListed,
    GradeNotInScheme,
    GradingError,
    UnitAttempt,
    UnknownCriterion,
    best_grade,
    best_outcome,
    grade_attempt,
    grade_unit,
    grade_unit_attempts,
    recorded_outcome,
    unit_points,
)
from app.qualifications.specification import parse_specification, shipped_specifications
from tests.qualifications.qualification_strategies import AWARD_FILE, document

AWARD = shipped_specifications()["pearson-btec-intl-l3-award-investigating-customer-communications"]
DIPLOMA = shipped_specifications()["ocr-l2-cambridge-technical-diploma-customer-service"]
UNIT = AWARD.units[0]
PASS = {"A.P1", "A.P2", "B.P3", "B.P4", "C.P5", "C.P6"}
MERIT = {"A.M1", "B.M2", "C.M3"}
DISTINCTION = {"AB.D1", "C.D2"}


def test_pass_merit_distinction_need_every_criterion_of_their_band_and_below() -> None:
    assert grade_unit(UNIT, PASS).grade is UnitGrade.P
    assert grade_unit(UNIT, PASS | MERIT).grade is UnitGrade.M
    assert grade_unit(UNIT, PASS | MERIT | DISTINCTION).grade is UnitGrade.D
    assert grade_unit(UNIT, PASS | DISTINCTION).grade is UnitGrade.P  # no Merit, so no Distinction
    assert grade_unit(UNIT, PASS | MERIT | {"AB.D1"}).grade is UnitGrade.M


def test_one_missing_pass_criterion_is_unclassified_whatever_else_is_achieved() -> None:
    outcome = grade_unit(UNIT, (PASS - {"B.P4"}) | MERIT | DISTINCTION)
    assert outcome.grade is UnitGrade.U
    assert outcome.next_grade is UnitGrade.P and outcome.missing_for_next_grade == ("B.P4",)
    assert grade_unit(UNIT, []).grade is UnitGrade.U


def test_breakdown_names_the_criteria_missing_for_each_higher_grade() -> None:
    outcome = grade_unit(UNIT, PASS | {"A.M1"})
    assert outcome.grade is UnitGrade.P
    assert outcome.next_grade is UnitGrade.M
    assert outcome.missing_for_next_grade == ("B.M2", "C.M3")
    assert dict(outcome.missing_by_grade) == {
        UnitGrade.M: ("B.M2", "C.M3"),
        UnitGrade.D: ("B.M2", "C.M3", "AB.D1", "C.D2"),
    }
    top = grade_unit(UNIT, PASS | MERIT | DISTINCTION)
    assert top.next_grade is None and top.missing_by_grade == ()
    assert outcome.to_dict()["missing_by_grade"] == {
        "M": ["B.M2", "C.M3"],
        "D": ["B.M2", "C.M3", "AB.D1", "C.D2"],
    }


def test_a_criterion_counts_once_whichever_assignment_evidenced_it() -> None:
    first_assignment = ["A.P1", "A.P2", "B.P3", "B.P4", "A.M1", "B.M2"]
    second_assignment = ["C.P5", "C.P6", "A.P1"]  # A.P1 evidenced twice
    outcome = grade_unit(UNIT, first_assignment + second_assignment)
    assert outcome.grade is UnitGrade.P
    assert outcome.criteria_achieved.count("A.P1") == 1


def test_unknown_criterion_is_refused_not_ignored() -> None:
    with pytest.raises(UnknownCriterion, match=r"C\.P7"):
        grade_unit(UNIT, PASS | {"C.P7"})


def test_units_awaiting_criteria_take_a_recorded_grade() -> None:
    with pytest.raises(CriteriaNotListed):
        grade_unit(DIPLOMA.unit(4), [])
    outcome = recorded_outcome(DIPLOMA.unit(4), "M")
    assert (outcome.grade, outcome.basis.value, outcome.next_grade) == (UnitGrade.M, "recorded", UnitGrade.D)
    assert recorded_outcome(DIPLOMA.unit(1), UnitGrade.achieved).next_grade is None


def test_a_grade_must_belong_to_the_units_scheme() -> None:
    with pytest.raises(GradeNotInScheme):
        recorded_outcome(DIPLOMA.unit(1), UnitGrade.D)  # unit 1 is achieved / not achieved
    with pytest.raises(GradeNotInScheme):
        recorded_outcome(DIPLOMA.unit(2), UnitGrade.achieved)
    with pytest.raises(GradeNotInScheme):
        recorded_outcome(DIPLOMA.unit(2), "Distinction")


def test_points_depend_on_unit_glh_and_grade() -> None:
    # R-03, 003 §10: 30 GLH -> 7/8/9; 60 GLH -> 14/16/18; U 0; achieved unit 1 -> 20
    table = {
        (number, grade): unit_points(DIPLOMA, DIPLOMA.unit(number), grade)
        for number in (2, 4)
        for grade in (UnitGrade.U, UnitGrade.P, UnitGrade.M, UnitGrade.D)
    }
    assert table == {
        (2, UnitGrade.U): 0,
        (2, UnitGrade.P): 7,
        (2, UnitGrade.M): 8,
        (2, UnitGrade.D): 9,
        (4, UnitGrade.U): 0,
        (4, UnitGrade.P): 14,
        (4, UnitGrade.M): 16,
        (4, UnitGrade.D): 18,
    }
    assert unit_points(DIPLOMA, DIPLOMA.unit(1), UnitGrade.achieved) == 20
    assert unit_points(DIPLOMA, DIPLOMA.unit(1), UnitGrade.not_achieved) == 0
    with pytest.raises(GradingError):
        unit_points(AWARD, UNIT, UnitGrade.P)  # the award has no points: graded on its unit


def test_best_result_across_attempts_counts() -> None:
    # R-05, 003 §7/§10: an exam resit and a resubmission both count at their best
    attempts = [
        UnitAttempt(AttemptKind.first, criteria_achieved=frozenset(PASS | MERIT)),
        UnitAttempt(AttemptKind.resubmission, criteria_achieved=frozenset(PASS)),
    ]
    best = grade_unit_attempts(AWARD, UNIT, attempts)
    assert (best.grade, best.attempt_index, best.attempt_kind) == (UnitGrade.M, 0, AttemptKind.first)
    resit = grade_unit_attempts(
        DIPLOMA,
        DIPLOMA.unit(1),
        [UnitAttempt(grade=UnitGrade.not_achieved), UnitAttempt(AttemptKind.resit, grade=UnitGrade.achieved)],
    )
    assert (resit.grade, resit.attempt_index) == (UnitGrade.achieved, 1)


def test_a_tie_keeps_the_earliest_attempt() -> None:
    first = recorded_outcome(UNIT, "P")
    later = dataclasses.replace(recorded_outcome(UNIT, "P"), attempt_index=1)
    assert best_outcome([first, later]) is first


def test_best_of_nothing_or_of_different_units_is_an_error() -> None:
    with pytest.raises(GradingError):
        best_outcome([])
    with pytest.raises(GradingError):
        best_outcome([recorded_outcome(DIPLOMA.unit(2), "P"), recorded_outcome(DIPLOMA.unit(3), "M")])


def test_a_retake_is_capped_at_pass_only_where_the_qualification_says_so() -> None:
    everything = frozenset(PASS | MERIT | DISTINCTION)
    retake = UnitAttempt(AttemptKind.retake, criteria_achieved=everything)
    assert grade_attempt(AWARD, UNIT, retake).grade is UnitGrade.D  # 000: no cap
    doc = document(AWARD_FILE)
    doc["policies"]["retake_capped_at_pass"] = True
    capped_award = parse_specification(doc)
    capped = grade_attempt(capped_award, capped_award.units[0], retake)
    assert (capped.grade, capped.capped_at_pass, capped.next_grade) == (UnitGrade.P, True, None)
    first = UnitAttempt(criteria_achieved=frozenset(PASS | MERIT))
    assert grade_unit_attempts(capped_award, capped_award.units[0], [first, retake]).grade is UnitGrade.M


def test_attempts_have_criteria_or_a_grade() -> None:
    with pytest.raises(ValueError):
        UnitAttempt()
    with pytest.raises(ValueError):
        UnitAttempt(criteria_achieved=frozenset(), grade=UnitGrade.P)


def test_grades_are_ordered_within_their_scheme_only() -> None:
    assert UnitGrade.U < UnitGrade.P < UnitGrade.M < UnitGrade.D
    assert UnitGrade.not_achieved < UnitGrade.achieved
    assert best_grade([UnitGrade.M, UnitGrade.D, UnitGrade.P]) is UnitGrade.D
    with pytest.raises(TypeError):
        assert UnitGrade.achieved > UnitGrade.U
    assert sorted(QualificationGrade, reverse=True)[0] is QualificationGrade.D_STAR
