"""Load and validate qualification specification files (docs/qualification-files.md).

A specification is data, not code (DOMAIN.md, R-01..R-06): it is read from YAML (or given as a dict),
checked against the published JSON Schema and then for meaning, and only if nothing at all is wrong
turned into a frozen `Qualification`. A bad file is refused whole, with every problem listed at once,
each with its dotted location (`units.0.criteria.3.code`) and a stable code (`duplicate_criterion_code`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from app.qualifications.checks import SpecificationProblem, semantic_problems
from app.qualifications.grades import (
    AssessmentMode,
    CriteriaStatus,
    QualificationGrade,
    QualificationGradingScheme,
    UnitGradingScheme,
    UnitType,
)
from app.qualifications.structure import (
    AssignmentGrouping,
    Criterion,
    GradeRange,
    LearningOutcome,
    PointsTable,
    Policies,
    Qualification,
    Unit,
)

__all__ = [
    "DATA_DIR",
    "SCHEMA_PATH",
    "InvalidSpecification",
    "SpecificationProblem",
    "check_specification",
    "load_shipped",
    "load_specification",
    "parse_specification",
    "shipped_specifications",
    "specification_schema",
]

SCHEMA_PATH = Path(__file__).with_name("qualification.schema.json")
DATA_DIR = Path(__file__).with_name("data")


class InvalidSpecification(ValueError):
    """A specification was refused; `problems` lists everything wrong with it: shape, then meaning."""

    def __init__(self, problems: list[SpecificationProblem], source: str | None = None) -> None:
        self.problems = tuple(problems)
        self.source = source
        where = f" {source}" if source else ""
        lines = [f"{p.field or '(file)'}: {p.code}: {p.message}" for p in self.problems]
        super().__init__(f"invalid qualification specification{where}:\n  " + "\n  ".join(lines))

    @property
    def codes(self) -> set[str]:
        return {problem.code for problem in self.problems}

    def to_dict(self) -> list[dict[str, str]]:
        """In the shape of the `errors[]` member of an RFC 9457 problem (DESIGN rule 7)."""
        return [problem.to_dict() for problem in self.problems]


@cache
def specification_schema() -> dict[str, Any]:
    """The published JSON Schema of a specification file."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def load_specification(path: str | Path) -> Qualification:
    """Read, validate and build a specification file; raise InvalidSpecification listing every problem."""
    path = Path(path)
    return parse_specification(path.read_text(encoding="utf-8"), source=str(path))


def parse_specification(document: str | Mapping[str, Any], *, source: str | None = None) -> Qualification:
    """Validate and build a specification given as YAML text or as an already-parsed mapping."""
    data, problems = _read(document)
    if data is not _UNREADABLE:
        problems += check_document(data)
    if problems:
        raise InvalidSpecification(problems, source)
    try:
        return _build(data)
    except (KeyError, TypeError, ValueError) as error:  # the checks above should make this unreachable
        raise InvalidSpecification(
            [SpecificationProblem("", "unbuildable", f"{type(error).__name__}: {error}")], source
        ) from error


def check_specification(document: str | Mapping[str, Any]) -> list[SpecificationProblem]:
    """Every problem of a specification (empty when it is valid), without raising: for previews."""
    data, problems = _read(document)
    return problems if data is _UNREADABLE else problems + check_document(data)


def check_document(data: Any) -> list[SpecificationProblem]:
    """Schema problems, then meaning problems, of a parsed document; duplicates removed."""
    shape = list(_schema_problems(data))
    try:
        meaning = semantic_problems(data)
    except (TypeError, AttributeError, KeyError, ValueError, IndexError):
        if not shape:
            raise
        # Too misshapen to read its meaning (a dict where a grade should be…): the shape problems say why.
        meaning = []
    return list(dict.fromkeys(shape + meaning))


@cache
def shipped_specifications() -> dict[str, Qualification]:
    """The qualifications that ship with Verity (app/qualifications/data/*.yaml), by key."""
    loaded = (load_specification(path) for path in sorted(DATA_DIR.glob("*.yaml")))
    return {qualification.key: qualification for qualification in loaded}


def load_shipped(key: str) -> Qualification:
    return shipped_specifications()[key]


# --- reading -------------------------------------------------------------------------------------


_UNREADABLE = object()  # YAML that does not parse: nothing further can be checked


def _read(document: str | Mapping[str, Any]) -> tuple[Any, list[SpecificationProblem]]:
    if isinstance(document, Mapping):
        return _json_view(document), []
    try:
        node = yaml.compose(document, Loader=yaml.SafeLoader)
        data = yaml.safe_load(document)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        return _UNREADABLE, [SpecificationProblem("", "yaml_syntax", f"not valid YAML{where}: {error}")]
    try:
        problems = list(_duplicate_keys(node, [], set()))
    except _AliasFound as alias:
        problem = SpecificationProblem(
            str(alias), "yaml_alias", "anchors and aliases (&name, *name) are not allowed"
        )
        return _UNREADABLE, [problem]
    if not isinstance(data, dict):
        problems.append(SpecificationProblem("", "not_a_mapping", "a specification file is a YAML mapping"))
    return _json_view(data), problems


class _AliasFound(Exception):
    pass


def _duplicate_keys(
    node: yaml.Node | None, path: list[str], visited: set[int]
) -> Iterator[SpecificationProblem]:
    """PyYAML keeps the last of two equal keys silently; a specification must not lose data that way.

    Anchors and aliases are refused too: a file that reuses a node may contain itself or expand
    exponentially ("billion laughs"), and a record of a qualification gains nothing from them.
    """
    if id(node) in visited:
        raise _AliasFound(".".join(path))
    visited.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                yield SpecificationProblem(
                    ".".join([*path, key]),
                    "duplicate_key",
                    f"{key!r} given twice (line {key_node.start_mark.line + 1})",
                )
            seen.add(key)
            yield from _duplicate_keys(value_node, [*path, key], visited)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _duplicate_keys(item, [*path, str(index)], visited)


def _json_view(value: Any) -> Any:
    """The document as JSON sees it: mapping keys are strings (YAML reads `30:` as the integer 30)."""
    if isinstance(value, Mapping):
        return {key if isinstance(key, str) else str(key): _json_view(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_view(item) for item in value]
    return value


# --- schema-level problems -----------------------------------------------------------------------


def _camel_to_snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _path_key(part: int | str) -> tuple[int, int | str]:
    return (0, part) if isinstance(part, int) else (1, part)


def _schema_problems(data: Any) -> Iterator[SpecificationProblem]:
    validator = Draft202012Validator(specification_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: [_path_key(p) for p in e.absolute_path])
    for error in errors:
        path = [str(part) for part in error.absolute_path]
        instance = error.instance
        if error.validator == "required" and isinstance(instance, dict):
            for name in error.validator_value:
                if name not in instance:
                    yield SpecificationProblem(
                        ".".join([*path, name]), "schema_required", f"{name!r} is required"
                    )
        elif error.validator == "additionalProperties" and isinstance(instance, dict):
            known = error.schema.get("properties", {})
            for name in instance:
                if name not in known:
                    yield SpecificationProblem(
                        ".".join([*path, name]), "schema_unknown_field", f"unknown field {name!r}"
                    )
        elif "propertyNames" in error.schema_path:  # the error is about a key, reported at the key
            yield SpecificationProblem(
                ".".join([*path, str(instance)]), "schema_property_name", error.message
            )
        else:
            yield SpecificationProblem(
                ".".join(path), f"schema_{_camel_to_snake(str(error.validator))}", error.message
            )


# --- building the model from a checked document --------------------------------------------------


def _build(data: dict[str, Any]) -> Qualification:
    rules = data.get("rules", {})
    points = data.get("points")
    return Qualification(
        key=data["key"],
        awarding_body=data["awarding_body"],
        title=data["title"],
        number=data.get("number"),
        version=data["version"],
        level=data["level"],
        glh=data["glh"],
        tqt=data.get("tqt"),
        sector=data.get("sector"),
        size=data["size"],
        grading_scheme=QualificationGradingScheme(data["grading_scheme"]),
        units=tuple(_build_unit(unit) for unit in data["units"]),
        single_unit_award=rules.get("single_unit_award", False),
        mandatory_units_must_pass=rules.get("mandatory_units_must_pass", True),
        points=None if points is None else _build_points(points),
        grade_table=tuple(
            sorted(
                (
                    GradeRange(QualificationGrade(row["grade"]), row["min"], row.get("max"))
                    for row in data.get("grade_table", [])
                ),
                key=lambda grade_range: grade_range.min_points,
            )
        ),
        policies=Policies(**data.get("policies", {})),
        source=data.get("source"),
    )


def _build_points(points: dict[str, Any]) -> PointsTable:
    rows = sorted((int(glh), row["P"], row["M"], row["D"]) for glh, row in points.get("by_glh", {}).items())
    return PointsTable(by_glh=tuple(rows), achieved=points.get("achieved"))


def _build_unit(data: dict[str, Any]) -> Unit:
    criteria = tuple(Criterion.from_code(c["code"], c["text"]) for c in data.get("criteria", []))
    assignments = data.get("assignments")
    return Unit(
        number=data["number"],
        title=data["title"],
        reference=data.get("reference"),
        level=data.get("level"),
        glh=data["glh"],
        type=UnitType(data["type"]),
        assessment=AssessmentMode(data["assessment"]),
        grading_scheme=UnitGradingScheme(data["grading_scheme"]),
        criteria_status=CriteriaStatus(data.get("criteria_status", "listed")),
        learning_outcomes=tuple(
            LearningOutcome(o["code"], o["title"]) for o in data.get("learning_outcomes", [])
        ),
        criteria=criteria,
        assignments=None if assignments is None else _build_grouping(assignments, criteria),
    )


def _build_grouping(data: dict[str, Any], criteria: tuple[Criterion, ...]) -> AssignmentGrouping:
    written = tuple(tuple(group) for group in data.get("groups", []))
    expanded = []
    for group in written:
        outcomes = {item for item in group if "." not in item}
        named = {item for item in group if "." in item}
        # an outcome code stands for the criteria that span only outcomes of this group.
        expanded.append(
            tuple(c.code for c in criteria if c.code in named or (outcomes and set(c.outcomes) <= outcomes))
        )
    return AssignmentGrouping(data["max_summative_assignments"], tuple(expanded), written)
