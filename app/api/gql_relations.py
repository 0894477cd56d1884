"""Relation fields between the domains' GraphQL types, each served by a per-request DataLoader.

A decision's learner, brief and versions; a learner's enrolments and assessment record; a brief's
decisions and IV records; an IV sample item's decision. Every one is resolved through
`Context.loader`: the keys a level of the query asks for in one tick are fetched by one call of the
owning domain's batch fetcher (`app/<domain>/repository.py`, or `records.learner_records`), a fixed
number of statements whatever the number of keys (house rule 12; pinned by
tests/api/test_graphql_dataloaders.py). The fetcher's statement is the domain's principal-scoped
`select()` (R-98): what the caller may not see is null or left out of the list, never leaked, exactly
as its root query would answer 404 or leave it out of a list.

The fields live here, in the api layer, because they point both ways across the layers (a learner's
record belongs to assessment, above learners; a brief's IV to verification, above assignments):
`attach_relations()` adds them to the domains' types before the schema is built, so no domain imports
one above it (tests/test_layering.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from app.api.gql_context import Context
from app.api.gql_pagination import After, Connection, First, page_of
from app.assessment import decisions as assessment_decisions
from app.assessment import gql as assessment_gql
from app.assessment import records as assessment_records
from app.assessment import repository as assessment_repo
from app.assignments import gql as assignments_gql
from app.assignments import repository as assignments_repo
from app.assignments import service as assignments_service
from app.auth.principal import Principal
from app.core.errors import Unauthenticated
from app.learners import gql as learners_gql
from app.learners import repository as learners_repo
from app.learners import schemas as learners_schemas
from app.programmes import gql as programmes_gql
from app.programmes import repository as programmes_repo
from app.programmes import schemas as programmes_schemas
from app.verification import gql as verification_gql
from app.verification import records as verification_records
from app.verification import repository as verification_repo

Ctx = Info[Context, None]
K = TypeVar("K")
V = TypeVar("V")
Row = TypeVar("Row")

Decision = assessment_gql.AssessmentDecision
DecisionVersion = assessment_gql.AssessmentDecisionVersion
LearnerRecord = assessment_gql.LearnerAssessmentRecord
Brief = assignments_gql.AssignmentBrief
Learner = learners_gql.Learner
Enrolment = programmes_gql.Enrolment
IvRecord = verification_gql.IvRecord
IvSampleItem = verification_gql.IvSampleItem


def _principal(info: Ctx) -> Principal:
    if info.context.principal is None:
        raise info.context.auth_error or Unauthenticated()
    return info.context.principal


def _loader(
    info: Ctx,
    name: str,
    fetch: Callable[[AsyncSession, Principal, list[K]], Awaitable[Sequence[Row]]],
    convert: Callable[[Row], V],
) -> DataLoader[K, V]:
    """The request's loader `name`: one `fetch` per batch of keys, for the request's principal."""
    p = _principal(info)

    async def load(session: AsyncSession, keys: list[K]) -> list[V]:
        return [convert(row) for row in await fetch(session, p, keys)]

    return info.context.loader(name, load)


# ---- conversions from the fetchers' rows to the GraphQL types


def _learner(row: Any) -> Learner | None:
    return None if row is None else Learner.from_pydantic(learners_schemas.Learner.model_validate(row))


def _brief(row: Any) -> Brief | None:
    return None if row is None else Brief.from_pydantic(assignments_service.brief_out(row))


def _decision(row: Any) -> Decision:
    d, v = row
    return assessment_gql._decision(assessment_decisions.decision_out(d, v))


def _maybe_decision(row: Any) -> Decision | None:
    return None if row is None else _decision(row)


def _decisions(rows: Sequence[Any]) -> list[Decision]:
    return [_decision(r) for r in rows]


def _versions(rows: Sequence[Any]) -> list[DecisionVersion]:
    return [assessment_gql.decision_version(assessment_decisions.version_out(v)) for v in rows]


def _enrolments(rows: Sequence[Any]) -> list[Enrolment]:
    return [Enrolment.from_pydantic(programmes_schemas.Enrolment.model_validate(e)) for e in rows]


def _record(record: Any) -> LearnerRecord | None:
    return None if record is None else LearnerRecord.from_pydantic(record)


def _iv_records(row: Any) -> list[IvRecord]:
    verifications, records = row
    out = [
        verification_records.brief_verification_out(b, author, programme)
        for b, author, programme in verifications
    ]
    out += [verification_records.record_out(r, v) for r, v in records]
    return [verification_gql._record(r) for r in out]


# ---- the relation fields


async def decision_learner(root: Decision, info: Ctx) -> Learner | None:
    loader = _loader(info, "learner", learners_repo.learners_by_id, _learner)
    return await loader.load(root.learner_id)


async def decision_brief(root: Decision, info: Ctx) -> Brief | None:
    loader = _loader(info, "brief", assignments_repo.briefs_by_id, _brief)
    return await loader.load(root.brief_id)


async def decision_versions(root: Decision, info: Ctx) -> list[DecisionVersion]:
    loader = _loader(info, "decision.versions", assessment_repo.versions_by_decision, _versions)
    return await loader.load(root.id)


async def learner_enrolments(root: Learner, info: Ctx) -> list[Enrolment]:
    loader = _loader(info, "learner.enrolments", programmes_repo.enrolments_by_learner, _enrolments)
    return await loader.load(root.id)  # type: ignore[attr-defined]  # a Pydantic-made type's field


async def learner_record(root: Learner, info: Ctx, programme_id: uuid.UUID) -> LearnerRecord | None:
    loader = _loader(info, "learner.record", assessment_records.learner_records, _record)
    return await loader.load((root.id, programme_id))  # type: ignore[attr-defined]


# A brief's decisions and IV grow with its cohort: connections, paged over the loader's whole list
# (one batch whatever the page, so the statement count stays fixed).
async def brief_decisions(
    root: Brief, info: Ctx, first: First = 50, after: After = None
) -> Connection[Decision]:
    loader = _loader(info, "brief.decisions", assessment_repo.decisions_by_brief, _decisions)
    return page_of(await loader.load(root.id), first, after)  # type: ignore[attr-defined]


async def brief_iv_records(
    root: Brief, info: Ctx, first: First = 50, after: After = None
) -> Connection[IvRecord]:
    loader = _loader(info, "brief.ivRecords", verification_repo.iv_records_by_brief, _iv_records)
    return page_of(await loader.load(root.id), first, after)  # type: ignore[attr-defined]


async def sample_item_decision(root: IvSampleItem, info: Ctx) -> Decision | None:
    loader = _loader(info, "decision", assessment_repo.decisions_by_id, _maybe_decision)
    return await loader.load(root.decision_id)  # type: ignore[attr-defined]


RELATIONS: list[tuple[type, str, Callable[..., Awaitable[Any]], str]] = [
    (Decision, "learner", decision_learner, "The learner assessed; null if the caller may not see them."),
    (Decision, "brief", decision_brief, "The brief assessed against; null if the caller may not read it."),
    (
        Decision,
        "versions",
        decision_versions,
        "R-26: every version, oldest first (staff who read assessments; empty for a learner, as REST).",
    ),
    (Learner, "enrolments", learner_enrolments, "The learner's enrolments that the caller may read."),
    (
        Learner,
        "record",
        learner_record,
        "The learner's assessment record on a programme (as learnerAssessmentRecord); null where that "
        "query would answer not found. A learner's own record counts released decisions only (R-25).",
    ),
    (
        Brief,
        "decisions",
        brief_decisions,
        "The brief's decisions the caller sees (a learner: their own, once released, R-25).",
    ),
    (
        Brief,
        "iv_records",
        brief_iv_records,
        "The brief's own IV (R-21) and its decisions' IV (R-43), as briefIvRecords; empty for a "
        "caller who does not read IV on its programme.",
    ),
    (IvSampleItem, "decision", sample_item_decision, "The sampled decision."),
]


def attach_relations() -> None:
    """Add the relation fields to the domains' types (once; before the schema is built)."""
    for owner, name, resolver, description in RELATIONS:
        definition = owner.__strawberry_definition__  # type: ignore[attr-defined]
        if any(f.python_name == name for f in definition.fields):
            continue
        f = strawberry.field(resolver=resolver, description=description)
        f.python_name = name
        f.origin = owner
        definition.fields.append(f)
