"""A bad specification is refused whole, every problem listed at once with where and what (R-01)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.qualifications.specification import (
    InvalidSpecification,
    SpecificationProblem,
    check_specification,
    load_specification,
    parse_specification,
)
from tests.qualifications.qualification_strategies import AWARD_FILE, DIPLOMA_FILE, document


def refused(doc: dict[str, Any] | str) -> set[tuple[str, str]]:
    """The (field, code) pairs of the problems, after checking that parsing raises with the same ones."""
    with pytest.raises(InvalidSpecification) as raised:
        parse_specification(doc)
    pairs = {(p.field, p.code) for p in raised.value.problems}
    assert pairs == {(p.field, p.code) for p in check_specification(doc)}
    return pairs


def award() -> dict[str, Any]:
    return document(AWARD_FILE)


def diploma() -> dict[str, Any]:
    return document(DIPLOMA_FILE)


def test_duplicate_criterion_code() -> None:
    doc = award()
    doc["units"][0]["criteria"][3]["code"] = "A.P1"  # B.P4 becomes a second A.P1
    assert ("units.0.criteria.3.code", "duplicate_criterion_code") in refused(doc)


def test_band_other_than_p_m_d() -> None:
    doc = award()
    doc["units"][0]["criteria"][1]["code"] = "A.X2"
    assert ("units.0.criteria.1.code", "invalid_band") in refused(doc)


def test_criterion_naming_an_unknown_outcome() -> None:
    doc = award()
    doc["units"][0]["criteria"][6]["code"] = "AD.D1"  # the unit has outcomes A-C only
    assert ("units.0.criteria.6.code", "unknown_outcome") in refused(doc)


def test_malformed_criterion_code() -> None:
    doc = award()
    doc["units"][0]["criteria"][0]["code"] = "P1"
    doc["units"][0]["criteria"][1]["code"] = "BA.P2"  # outcome letters out of order
    problems = refused(doc)
    assert {("units.0.criteria.0.code", "invalid_criterion_code")} <= problems
    assert ("units.0.criteria.1.code", "invalid_criterion_code") in problems


def test_internal_unit_without_pass_criteria() -> None:
    doc = award()
    unit = doc["units"][0]
    unit["criteria"] = [c for c in unit["criteria"] if ".P" not in c["code"]]
    del unit["assignments"]
    assert ("units.0.criteria", "unit_without_pass_criteria") in refused(doc)


def test_units_awaiting_criteria_or_examined_or_achieved_need_no_criteria() -> None:
    doc = award()
    unit = doc["units"][0]
    unit.pop("criteria"), unit.pop("assignments"), unit.pop("learning_outcomes")
    assert ("units.0.criteria", "unit_without_pass_criteria") in refused(doc)
    for change in ({"criteria_status": "awaiting"}, {"assessment": "external"}):
        assert check_specification({**doc, "units": [{**unit, **change}]}) == []


def test_unit_without_merit_or_distinction_criteria() -> None:
    doc = award()
    unit = doc["units"][0]
    unit["criteria"] = [c for c in unit["criteria"] if ".P" in c["code"]]
    del unit["assignments"]
    problems = refused(doc)
    assert {
        ("units.0.criteria", "unit_without_merit_criteria"),
        ("units.0.criteria", "unit_without_distinction_criteria"),
    } <= problems


@pytest.mark.parametrize("merit_from", [90, 95, 96])  # P is 90-96: M may start at 97 and no lower
def test_grade_table_overlap(merit_from: int) -> None:
    doc = diploma()
    doc["grade_table"][1]["min"] = merit_from
    assert ("grade_table.1.min", "grade_table_overlap") in refused(doc)


@pytest.mark.parametrize("distinction_from", [104, 106])  # M ends at 102: from 104, 103 has no grade
def test_grade_table_gap(distinction_from: int) -> None:
    doc = diploma()
    doc["grade_table"][2]["min"] = distinction_from
    assert ("grade_table.2.min", "grade_table_gap") in refused(doc)


def test_grade_table_ranges_may_be_written_in_any_order() -> None:
    doc = diploma()
    doc["grade_table"].reverse()
    assert parse_specification(doc) == parse_specification(diploma())


def test_grade_table_closed_at_the_top_leaves_a_gap_above() -> None:
    doc = diploma()
    doc["grade_table"][3]["max"] = 110
    assert ("grade_table.3.max", "grade_table_gap") in refused(doc)


def test_grade_table_that_gives_a_lower_grade_for_more_points() -> None:
    doc = diploma()
    doc["grade_table"][0]["grade"], doc["grade_table"][1]["grade"] = "M", "P"
    assert ("grade_table.1.grade", "grade_table_not_monotonic") in refused(doc)


def test_distinction_star_in_a_pmd_qualification() -> None:
    doc = diploma()
    doc["grading_scheme"] = "pmd"
    assert ("grade_table.3.grade", "grade_not_in_scheme") in refused(doc)


def test_points_missing_for_a_glh_used_by_a_unit() -> None:
    doc = diploma()
    del doc["points"]["by_glh"][30]  # units 2 and 3 are 30 GLH
    problems = refused(doc)
    assert {("units.1.glh", "points_missing_for_glh"), ("units.2.glh", "points_missing_for_glh")} <= problems
    assert ("units.0.glh", "points_missing_for_glh") not in problems  # unit 1 is achieved: 20 points


def test_points_missing_for_an_achieved_unit() -> None:
    doc = diploma()
    del doc["points"]["achieved"]
    assert ("units.0.grading_scheme", "points_missing_for_achieved") in refused(doc)


def test_points_that_fall_with_a_higher_grade() -> None:
    doc = diploma()
    doc["points"]["by_glh"][60]["M"] = 19
    assert ("points.by_glh.60", "points_not_monotonic") in refused(doc)


def test_grouping_naming_unknown_criteria_and_too_many_groups() -> None:
    doc = award()
    groups = doc["units"][0]["assignments"]["groups"]
    groups[1][0] = "C.P9"
    groups.append(["C.P6"])
    problems = refused(doc)
    assert ("units.0.assignments.groups.1.0", "unknown_criterion_in_group") in problems
    assert ("units.0.assignments.groups", "too_many_assignment_groups") in problems
    assert ("units.0.assignments.groups", "criterion_not_grouped") in problems  # C.P5 fell out
    assert ("units.0.assignments.groups.2", "criterion_in_several_groups") in problems


def test_grouping_by_outcome_codes_is_accepted_and_expanded() -> None:
    doc = award()
    doc["units"][0]["assignments"]["groups"] = [["A", "B"], ["C"]]
    grouping = parse_specification(doc).units[0].assignments
    assert grouping is not None
    assert set(grouping.groups[0]) == {"A.P1", "A.P2", "B.P3", "B.P4", "A.M1", "B.M2", "AB.D1"}
    doc["units"][0]["assignments"]["groups"] = [["A"], ["B", "C"]]  # AB.D1 spans two assignments
    assert ("units.0.assignments.groups", "criterion_not_grouped") in refused(doc)


def test_schema_level_problems_carry_their_locations() -> None:
    doc = diploma()
    del doc["title"]
    doc["awarding_body"] = "aqa"
    doc["units"][3]["glh"] = "sixty"
    doc["units"][4]["colour"] = "blue"
    doc["points"]["by_glh"]["thirty"] = {"P": 1, "M": 2, "D": 3}
    problems = refused(doc)
    assert {
        ("title", "schema_required"),
        ("awarding_body", "schema_enum"),
        ("units.3.glh", "schema_type"),
        ("units.4.colour", "schema_unknown_field"),
        ("points.by_glh.thirty", "schema_property_name"),
    } <= problems


def test_every_problem_of_a_file_is_listed_at_once() -> None:
    doc = award()
    unit = doc["units"][0]
    unit["criteria"][3]["code"] = "A.P1"  # duplicate
    unit["criteria"][1]["code"] = "A.Q2"  # bad band
    unit["criteria"][6]["code"] = "AE.D1"  # unknown outcome
    unit["assignments"]["max_summative_assignments"] = 1  # two groups
    doc["glh"] = 0  # schema: minimum
    doc["rules"]["single_unit_award"] = False  # now it needs points and a grade table
    problems = refused(doc)
    assert {
        ("units.0.criteria.3.code", "duplicate_criterion_code"),
        ("units.0.criteria.1.code", "invalid_band"),
        ("units.0.criteria.6.code", "unknown_outcome"),
        ("units.0.assignments.groups", "too_many_assignment_groups"),
        ("glh", "schema_minimum"),
        ("grade_table", "grade_table_missing"),
        ("units.0.glh", "points_missing_for_glh"),
    } <= problems


def test_a_refusal_reads_as_a_list_of_problems() -> None:
    doc = diploma()
    doc["grade_table"][2]["min"] = 104
    with pytest.raises(InvalidSpecification) as raised:
        parse_specification(doc, source="diploma.yaml")
    error = raised.value
    assert "diploma.yaml" in str(error) and "grade_table.2.min: grade_table_gap" in str(error)
    assert error.to_dict()[0]["code"] == "grade_table_gap"
    assert all(isinstance(p, SpecificationProblem) and p.message for p in error.problems)


def test_yaml_syntax_error_and_duplicate_keys(tmp_path: Path) -> None:
    assert refused("units: [unclosed") == {("", "yaml_syntax")}
    text = AWARD_FILE.read_text(encoding="utf-8").replace("    glh: 60\n", "    glh: 60\n    glh: 30\n", 1)
    path = tmp_path / "twice.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidSpecification) as raised:
        load_specification(path)
    assert ("units.0.glh", "duplicate_key") in {(p.field, p.code) for p in raised.value.problems}
    assert raised.value.source == str(path)


def test_anchors_and_aliases_are_refused_before_they_can_expand() -> None:
    assert refused("a: &x [*x]\n") == {("a.0", "yaml_alias")}
    laughs = "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\n"
    assert refused(laughs) == {("b.0", "yaml_alias")}  # the first reuse of &a


def test_a_document_that_is_not_a_mapping() -> None:
    assert ("", "not_a_mapping") in refused("- just\n- a list\n")


def test_single_unit_award_with_several_units_and_inconsistent_sizes() -> None:
    doc = award()
    second = {**doc["units"][0], "number": 2}
    doc["units"].append(second)
    doc["tqt"] = 30
    problems = refused(doc)
    assert ("rules.single_unit_award", "single_unit_award_needs_one_unit") in problems
    assert ("glh", "mandatory_glh_exceeds_qualification") in problems
    assert ("tqt", "tqt_below_glh") in problems
