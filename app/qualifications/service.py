"""The catalogue: import specification versions, read them, and predict grades from them.

Rules live in specification.py (what a valid file is) and grading.py (R-02..R-05); this module stores
versions (never rewriting one) and answers the API.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.audit.service import Author
from app.auth.principal import Principal
from app.core.errors import Conflict, NotFound, ValidationFailed, field_problem
from app.core.pagination import paginate
from app.events.write import Change, recorded
from app.qualifications import schemas
from app.qualifications.events import QualificationImported
from app.qualifications.grading import grade_qualification, grade_unit_attempts
from app.qualifications.models import PLATFORM_CENTRE, QualificationVersion
from app.qualifications.outcomes import GradingError, UnitAttempt
from app.qualifications.specification import InvalidSpecification, parse_specification, shipped_specifications
from app.qualifications.structure import Qualification

_parsed: dict[uuid.UUID, Qualification] = {}


def _content_hash(specification: dict[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(specification, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


def parsed(row: QualificationVersion) -> Qualification:
    """Stored versions are immutable, so their parsed form is cached by id."""
    if row.id not in _parsed:
        if len(_parsed) > 256:
            _parsed.clear()
        _parsed[row.id] = parse_specification(row.specification)
    return _parsed[row.id]


def parsed_if_known(qualification_id: uuid.UUID) -> Qualification | None:
    """The cached parse of a stored version this process has already read, else None."""
    return _parsed.get(qualification_id)


async def parsed_by_id(session: AsyncSession, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Qualification]:
    """`parsed` of each version id: the specifications not cached yet are read in one statement, none
    when every one is (a round trip a cohort grid no longer pays on every request, issue 18)."""
    found = {i: _parsed[i] for i in set(ids) if i in _parsed}
    missing = sorted(i for i in set(ids) if i not in found)
    if not missing:
        return found
    for row in (
        await session.scalars(select(QualificationVersion).where(QualificationVersion.id.in_(missing)))
    ).all():
        found[row.id] = parsed(row)
    return found


async def import_specification(
    session: AsyncSession, actor: Author, document: str | dict[str, Any], centre_id: uuid.UUID
) -> tuple[QualificationVersion, bool]:
    """Validate and store one version. Returns (row, created). The same content again is a no-op; the
    same key and version with different content is refused: a version is never rewritten."""
    if not isinstance(document, (str, dict)):
        raise ValidationFailed(
            "A specification is a JSON object.",
            errors=[field_problem("body", "not_an_object", "send the specification as one JSON object")],
        )
    try:
        qualification = parse_specification(document)
    except InvalidSpecification as exc:
        raise ValidationFailed(
            f"The specification has {len(exc.problems)} problem(s); nothing was imported.",
            errors=[
                field_problem(f"body.{p.field}" if p.field else "body", p.code, p.message)
                for p in exc.problems
            ],
        ) from exc
    specification = qualification.to_dict()
    content_hash = _content_hash(specification)
    existing = await session.scalar(
        select(QualificationVersion).where(
            QualificationVersion.centre_id == centre_id,
            QualificationVersion.key == qualification.key,
            QualificationVersion.version == qualification.version,
        )
    )
    if existing is not None:
        if existing.content_hash == content_hash:
            return existing, False
        raise Conflict(
            f"{qualification.key} version {qualification.version} already exists with other content; "
            "a version is never rewritten: give the changed specification a new version number.",
            errors=[field_problem("body.version", "version_exists", "use a new version number")],
        )
    row = QualificationVersion(
        centre_id=centre_id,
        key=qualification.key,
        version=qualification.version,
        awarding_body=qualification.awarding_body,
        title=qualification.title,
        number=qualification.number,
        level=qualification.level,
        sector=qualification.sector,
        specification=specification,
        content_hash=content_hash,
        imported_by=actor.subject,
    )
    session.add(row)
    await session.flush()
    # The platform catalogue's event has no subscriber (no endpoint belongs to the platform centre): the
    # worker drops it, so shipped imports are never delivered.
    summary = QualificationImported.of(row)
    await recorded(session, actor, Change.created(summary, "qualification", row.id))
    return row, True


async def ensure_shipped(session: AsyncSession, actor: Author) -> int:
    """Load the qualifications that ship with Verity into the platform catalogue; returns how many were new."""
    added = 0
    for qualification in shipped_specifications().values():
        _, created = await import_specification(session, actor, qualification.to_dict(), PLATFORM_CENTRE)
        added += created
    return added


def _visible(p: Principal) -> ColumnElement[bool]:
    return or_(
        QualificationVersion.centre_id == p.centre_id, QualificationVersion.centre_id == PLATFORM_CENTRE
    )


async def list_qualifications(
    session: AsyncSession,
    p: Principal,
    limit: int,
    cursor: str | None,
    *,
    key: str | None = None,
    awarding_body: str | None = None,
    all_versions: bool = False,
) -> tuple[list[schemas.QualificationSummary], str | None]:
    stmt = select(QualificationVersion).where(_visible(p))
    if key:
        stmt = stmt.where(QualificationVersion.key == key)
    if awarding_body:
        stmt = stmt.where(QualificationVersion.awarding_body == awarding_body)
    if not all_versions:
        newer = aliased(QualificationVersion)
        stmt = stmt.where(
            ~select(newer.id)
            .where(
                newer.centre_id == QualificationVersion.centre_id,
                newer.key == QualificationVersion.key,
                newer.version > QualificationVersion.version,
            )
            .exists()
        )
    rows, next_cursor = await paginate(session, stmt, QualificationVersion.id, limit, cursor)
    return [summary(row) for row in rows], next_cursor


async def get_row(session: AsyncSession, p: Principal, qualification_id: uuid.UUID) -> QualificationVersion:
    row = await session.scalar(
        select(QualificationVersion).where(_visible(p), QualificationVersion.id == qualification_id)
    )
    if row is None:
        raise NotFound(f"No qualification with id {qualification_id}.")
    return row


async def get_qualification(
    session: AsyncSession, p: Principal, qualification_id: uuid.UUID
) -> schemas.QualificationDetail:
    return detail(await get_row(session, p, qualification_id))


def summary(row: QualificationVersion) -> schemas.QualificationSummary:
    q = parsed(row)
    return schemas.QualificationSummary(
        id=row.id,
        key=q.key,
        version=q.version,
        awarding_body=q.awarding_body,
        title=q.title,
        number=q.number,
        level=q.level,
        sector=q.sector,
        glh=q.glh,
        size=q.size,
        grading_scheme=q.grading_scheme,
        centre_owned=row.centre_id != PLATFORM_CENTRE,
        imported_at=row.imported_at,
    )


def detail(row: QualificationVersion) -> schemas.QualificationDetail:
    q = parsed(row)
    units = [
        schemas.Unit(
            number=u.number,
            title=u.title,
            reference=u.reference,
            level=u.level,
            glh=u.glh,
            type=u.type,
            assessment=u.assessment,
            grading_scheme=u.grading_scheme,
            criteria_status=u.criteria_status,
            learning_outcomes=[
                schemas.LearningOutcome(code=o.code, title=o.title) for o in u.learning_outcomes
            ],
            criteria=[
                schemas.Criterion(code=c.code, text=c.text, band=c.band.value, outcomes=list(c.outcomes))
                for c in u.criteria
            ],
            assignments=None
            if u.assignments is None
            else schemas.AssignmentGrouping(
                max_summative_assignments=u.assignments.max_summative_assignments,
                groups=[list(g) for g in u.assignments.groups],
            ),
        )
        for u in q.units
    ]
    points = q.points
    return schemas.QualificationDetail(
        **summary(row).model_dump(),
        tqt=q.tqt,
        single_unit_award=q.single_unit_award,
        mandatory_units_must_pass=q.mandatory_units_must_pass,
        units=units,
        points_by_glh=[
            schemas.PointsRow(glh=g, pass_points=p_, merit_points=m, distinction_points=d)
            for g, p_, m, d in (points.by_glh if points else ())
        ],
        achieved_points=points.achieved if points else None,
        grade_table=[
            schemas.GradeRange(grade=r.grade, min_points=r.min_points, max_points=r.max_points)
            for r in q.grade_table
        ],
        policies=schemas.Policies(**q.policies.to_dict()),
    )


async def predict(
    session: AsyncSession, p: Principal, qualification_id: uuid.UUID, request: schemas.PredictionRequest
) -> schemas.QualificationPrediction:
    """What-if (R-02..R-05): the qualification grade and its breakdown from given unit results."""
    q = parsed(await get_row(session, p, qualification_id))
    return predict_for(q, qualification_id, request)


def predict_for(
    q: Qualification, qualification_id: uuid.UUID, request: schemas.PredictionRequest
) -> schemas.QualificationPrediction:
    attempts: dict[int, list[UnitAttempt]] = defaultdict(list)
    problems = []
    units = {u.number: u for u in q.units}
    for i, item in enumerate(request.units):
        unit = units.get(item.unit_number)
        if unit is None:
            problems.append(
                field_problem(
                    f"body.units.{i}.unit_number", "unknown_unit", f"{q.key} has no unit {item.unit_number}"
                )
            )
            continue
        attempts[unit.number].append(
            UnitAttempt(grade=item.grade)
            if isinstance(item, schemas.RecordedGrade)
            else UnitAttempt(criteria_achieved=frozenset(item.criteria_achieved))
        )
    outcomes = {}
    for number, unit_attempts in attempts.items():
        try:
            outcomes[number] = grade_unit_attempts(q, units[number], unit_attempts)
        except GradingError as exc:
            index = next(i for i, item in enumerate(request.units) if item.unit_number == number)
            code = re.sub(
                r"(?<!^)(?=[A-Z])", "_", type(exc).__name__
            ).lower()  # UnknownCriterion → unknown_criterion
            problems.append(field_problem(f"body.units.{index}", code, str(exc)))
    if problems:
        raise ValidationFailed("Some unit results do not fit this qualification.", errors=problems)
    result = grade_qualification(q, outcomes).to_dict()
    return schemas.QualificationPrediction(
        qualification_id=qualification_id,
        **{k: v for k, v in result.items() if k != "qualification_key"},
        unit_outcomes=[
            schemas.UnitPrediction(
                **{k: v for k, v in o.to_dict().items() if k not in ("attempt_kind", "capped_at_pass")}
            )
            for o in outcomes.values()
        ],
    )
