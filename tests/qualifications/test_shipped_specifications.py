"""The two real qualifications ship as data, and their figures are the sources' (000, 003)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

from app.qualifications.grades import (
    AssessmentMode,
    Band,
    CriteriaStatus,
    QualificationGrade,
    QualificationGradingScheme,
    UnitGrade,
    UnitGradingScheme,
    UnitType,
)
from app.qualifications.specification import (
    SCHEMA_PATH,
    check_specification,
    load_specification,
    parse_specification,
    shipped_specifications,
    specification_schema,
)
from tests.qualifications.qualification_strategies import AWARD_FILE, DIPLOMA_FILE

AWARD = "pearson-btec-intl-l3-award-investigating-customer-communications"
DIPLOMA = "ocr-l2-cambridge-technical-diploma-customer-service"
DOCS = Path(__file__).parents[2] / "docs" / "qualification-files.md"


def test_both_shipped_files_load_and_nothing_else_ships() -> None:
    assert set(shipped_specifications()) == {AWARD, DIPLOMA}
    for path in (AWARD_FILE, DIPLOMA_FILE):
        assert check_specification(path.read_text(encoding="utf-8")) == []


def test_published_schema_is_valid_and_accepts_the_shipped_files_on_its_own() -> None:
    # Other tools (an editor, the SPA) may validate files with the schema alone.
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    for path in (AWARD_FILE, DIPLOMA_FILE):
        document = json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8"))))  # JSON keys
        assert list(validator.iter_errors(document)) == []


def test_award_unit_is_000_unit_1_with_all_eleven_criteria() -> None:
    award = shipped_specifications()[AWARD]
    assert (award.awarding_body, award.level, award.glh, award.number) == ("pearson", 3, 60, None)
    assert award.grading_scheme is QualificationGradingScheme.pmd
    assert award.single_unit_award and award.points is None and award.grade_table == ()
    (unit,) = award.units
    assert (unit.number, unit.title, unit.glh, unit.level) == (
        1,
        "Investigating Customer Communications",
        60,
        3,
    )
    assert unit.type is UnitType.mandatory and unit.assessment is AssessmentMode.internal
    assert [o.code for o in unit.learning_outcomes] == ["A", "B", "C"]
    assert unit.learning_outcomes[2].title == (
        "Explore different customer segments and bases for a selected communications plan"
    )
    by_band = {band: [c.code for c in unit.criteria_in_band(band)] for band in Band}
    assert by_band == {
        Band.P: ["A.P1", "A.P2", "B.P3", "B.P4", "C.P5", "C.P6"],
        Band.M: ["A.M1", "B.M2", "C.M3"],
        Band.D: ["AB.D1", "C.D2"],
    }
    assert unit.criterion("AB.D1").outcomes == ("A", "B")
    assert unit.criterion("AB.D1").text == (
        "Evaluate methods of segmentation, targeting and positioning and the stages and influences on "
        "their decision making for different customers."
    )
    assert unit.criterion("C.M3").text.startswith("Assess the stages and influences on the buying decision")


def test_award_groups_criteria_into_two_assignments_as_000_says() -> None:
    # R-06, 000 §4: A and B (A.P1, A.P2, B.P3, B.P4, A.M1, B.M2, AB.D1); C (C.P5, C.P6, C.M3, C.D2)
    grouping = shipped_specifications()[AWARD].units[0].assignments
    assert grouping is not None and grouping.max_summative_assignments == 2
    assert [set(group) for group in grouping.groups] == [
        {"A.P1", "A.P2", "B.P3", "B.P4", "A.M1", "B.M2", "AB.D1"},
        {"C.P5", "C.P6", "C.M3", "C.D2"},
    ]
    assert grouping.groups[0] and grouping.groups[1]  # both assignments evidence something


def test_award_policies_are_000s() -> None:
    policies = shipped_specifications()[AWARD].policies
    assert (policies.resubmissions_allowed, policies.retakes_allowed, policies.retake_capped_at_pass) == (
        1,
        1,
        False,
    )


def test_diploma_structure_is_003_section_4() -> None:
    diploma = shipped_specifications()[DIPLOMA]
    assert (diploma.awarding_body, diploma.number, diploma.level) == ("ocr", "603/2730/3", 2)
    assert (diploma.glh, diploma.tqt, diploma.grading_scheme) == (
        360,
        485,
        QualificationGradingScheme.pmdd_star,
    )
    table = [(u.number, u.title, u.reference, u.glh, u.assessment.value) for u in diploma.units]
    assert table == [
        (1, "Principles of working in service sector organisations", "R/615/5441", 60, "external"),
        (2, "Understand customer expectations and issues", "Y/615/5442", 30, "external"),
        (3, "Social media in the workplace", "K/615/5445", 30, "internal"),
        (4, "Delivering effective customer service", "R/615/5620", 60, "internal"),
        (5, "Obtaining and using customer feedback", "D/615/5619", 60, "internal"),
        (6, "Enhancing the customer experience", "A/615/5630", 60, "internal"),
        (7, "Handling challenging customer service situations", "Y/615/5618", 60, "internal"),
    ]
    assert sum(unit.glh for unit in diploma.units) == diploma.glh
    assert all(unit.type is UnitType.mandatory for unit in diploma.units)
    assert [u.grading_scheme for u in diploma.units] == [UnitGradingScheme.achieved] + [
        UnitGradingScheme.pmd
    ] * 6


def test_diploma_units_await_their_criteria_rather_than_inventing_them() -> None:
    for unit in shipped_specifications()[DIPLOMA].units:
        assert unit.criteria_status is CriteriaStatus.awaiting
        assert unit.criteria == () and unit.learning_outcomes == ()


def test_diploma_points_and_grade_table_are_003_section_10() -> None:
    diploma = shipped_specifications()[DIPLOMA]
    points = diploma.points
    assert points is not None
    assert points.by_glh == ((30, 7, 8, 9), (60, 14, 16, 18))
    assert points.achieved == 20
    assert points.points(UnitGradingScheme.pmd, 60, UnitGrade.U) == 0
    rows = [(r.grade, r.min_points, r.max_points) for r in diploma.grade_table]
    assert rows == [
        (QualificationGrade.P, 90, 96),
        (QualificationGrade.M, 97, 102),
        (QualificationGrade.D, 103, 106),
        (QualificationGrade.D_STAR, 107, None),
    ]
    assert diploma.policies.exam_resits_allowed == 1


def test_specifications_survive_a_round_trip_through_their_dict_form() -> None:
    for qualification in shipped_specifications().values():
        assert parse_specification(qualification.to_dict()) == qualification
        assert parse_specification(json.loads(json.dumps(qualification.to_dict()))) == qualification


def test_load_specification_reads_a_path(tmp_path: Path) -> None:
    copy = tmp_path / "award.yaml"
    copy.write_text(AWARD_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_specification(copy) == shipped_specifications()[AWARD]


def test_the_example_in_the_format_documentation_loads() -> None:
    # docs/qualification-files.md must show a file the loader accepts, not a stale one.
    blocks = re.findall(r"```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), flags=re.S)
    assert blocks, "the documentation has no yaml example"
    example = parse_specification(blocks[0])
    assert example.units and specification_schema()["title"]
