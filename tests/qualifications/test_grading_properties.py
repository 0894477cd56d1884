"""Properties of the grading rules, over the shipped qualifications and generated valid ones."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.qualifications.grades import GradingRule, QualificationGrade, UnitGrade
from app.qualifications.grading import (
    UnitAttempt,
    grade_cohort,
    grade_qualification,
    grade_unit,
    grade_unit_attempts,
    recorded_outcome,
)
from app.qualifications.specification import check_specification, parse_specification, shipped_specifications
from app.qualifications.structure import Qualification, Unit
from tests.qualifications.qualification_strategies import (
    complete_grades,
    learner_results,
    qualification_documents,
)

AWARD = shipped_specifications()["pearson-btec-intl-l3-award-investigating-customer-communications"]
DIPLOMA = shipped_specifications()["ocr-l2-cambridge-technical-diploma-customer-service"]
AWARD_UNIT = AWARD.units[0]
AWARD_CODES = [criterion.code for criterion in AWARD_UNIT.criteria]

generated = qualification_documents().map(parse_specification)
qualifications = st.one_of(st.just(DIPLOMA), generated)


def criteria_units(qualification: Qualification) -> list[Unit]:
    return [unit for unit in qualification.units if unit.criteria_listed and unit.criteria]


@given(qualification_documents())
def test_generated_valid_documents_are_accepted(doc: dict[str, Any]) -> None:
    # The checks refuse what is wrong, never what is right.
    assert check_specification(doc) == []
    assert parse_specification(parse_specification(doc).to_dict()) == parse_specification(doc)


@given(st.sets(st.sampled_from(AWARD_CODES)), st.sets(st.sampled_from(AWARD_CODES)))
def test_achieving_more_criteria_never_lowers_a_unit_grade(some: set[str], more: set[str]) -> None:
    assert grade_unit(AWARD_UNIT, some | more).grade >= grade_unit(AWARD_UNIT, some).grade


@given(generated, st.data())
def test_achieving_more_criteria_never_lowers_a_generated_unit_grade(
    qualification: Qualification, data: Any
) -> None:
    for unit in criteria_units(qualification):
        codes = [criterion.code for criterion in unit.criteria]
        some = data.draw(st.sets(st.sampled_from(codes)))
        more = data.draw(st.sets(st.sampled_from(codes)))
        lower, higher = grade_unit(unit, some), grade_unit(unit, some | more)
        assert higher.grade >= lower.grade
        # and what the breakdown says is missing is exactly what reaching the next grade takes
        if lower.next_grade is not None:
            assert grade_unit(unit, some | set(lower.missing_for_next_grade)).grade >= lower.next_grade


@given(qualifications, st.integers(0, 300), st.integers(0, 300))
def test_more_points_never_lower_the_grade_on_the_table(qualification: Qualification, a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert qualification.grade_for_points(low) <= qualification.grade_for_points(high)


@given(qualifications, st.data())
def test_a_better_unit_result_never_lowers_the_qualification_grade(
    qualification: Qualification, data: Any
) -> None:
    results = data.draw(complete_grades(qualification))
    unit = data.draw(st.sampled_from(qualification.units))
    better = data.draw(st.sampled_from([g for g in unit.grades if g >= results[unit.number]]))
    before = grade_qualification(qualification, results)
    after = grade_qualification(qualification, {**results, unit.number: better})
    assert after.grade >= before.grade
    assert (after.total_points or 0) >= (before.total_points or 0)


@given(qualifications, st.data())
def test_never_above_u_while_a_mandatory_unit_is_below_pass(qualification: Qualification, data: Any) -> None:
    results = data.draw(complete_grades(qualification))
    mandatory = [unit for unit in qualification.units if unit.is_mandatory]
    if not mandatory:
        return
    failed = data.draw(st.sampled_from(mandatory))
    results[failed.number] = failed.grades[0]  # U, or not achieved
    outcome = grade_qualification(qualification, results)
    assert outcome.grade is QualificationGrade.U
    assert outcome.decided_by is GradingRule.mandatory_unit_below_pass
    assert failed.number in outcome.mandatory_units_below_pass


@given(qualifications, st.data())
def test_a_pass_needs_every_mandatory_unit_passed_and_enough_glh(
    qualification: Qualification, data: Any
) -> None:
    outcome = grade_qualification(qualification, data.draw(learner_results(qualification)))
    if outcome.grade > QualificationGrade.U:
        passed = {line.unit_number for line in outcome.units if line.counts}
        assert {unit.number for unit in qualification.mandatory_units} <= passed
        assert sum(line.glh for line in outcome.units if line.counts) >= qualification.glh
        assert outcome.total_points == sum(line.points or 0 for line in outcome.units if line.counts)


@given(st.lists(st.sets(st.sampled_from(AWARD_CODES)), min_size=1, max_size=4))
def test_the_best_of_attempts_is_at_least_every_attempt(attempts: list[set[str]]) -> None:
    graded = [grade_unit(AWARD_UNIT, criteria) for criteria in attempts]
    best = grade_unit_attempts(
        AWARD, AWARD_UNIT, [UnitAttempt(criteria_achieved=frozenset(c)) for c in attempts]
    )
    assert all(best.grade >= outcome.grade for outcome in graded)
    assert best.grade in {outcome.grade for outcome in graded}
    assert graded[best.attempt_index].grade is best.grade  # type: ignore[index]


@given(st.lists(st.sampled_from([UnitGrade.not_achieved, UnitGrade.achieved]), min_size=1, max_size=3))
def test_the_best_of_exam_sittings_is_at_least_every_sitting(sittings: list[UnitGrade]) -> None:
    unit = DIPLOMA.unit(1)
    best = grade_unit_attempts(DIPLOMA, unit, [UnitAttempt(grade=grade) for grade in sittings])
    assert all(best.grade >= recorded_outcome(unit, grade).grade for grade in sittings)


@settings(max_examples=50)
@given(qualifications, st.data())
def test_the_cohort_function_agrees_with_grading_each_learner(
    qualification: Qualification, data: Any
) -> None:
    cohort = data.draw(st.lists(learner_results(qualification), min_size=1, max_size=20))
    by_learner = dict(enumerate(cohort))
    expected = {
        learner: grade_qualification(qualification, results) for learner, results in by_learner.items()
    }
    assert grade_cohort(qualification, by_learner) == expected
    assert grade_cohort(qualification, by_learner, share_outcomes=False) == expected
