"""GraphQL for decisions and the assessment views: the same services as REST. The cohort grid is
offered nested (rows with a list of statuses) and as one JSON value per row (DESIGN rule 12: graphql-core
costs ~3 µs per field, so dense grids go as JSON beside the nested types)."""
from __future__ import annotations

import uuid

import strawberry
from strawberry.experimental.pydantic import type as pyd_type
from strawberry.scalars import JSON
from strawberry.types import Info

from app.api.gql_context import Connection, Context, connection, page_size
from app.assessment import decisions, records, schemas
from app.auth.scopes import Scope

Ctx = Info[Context, None]
for enum in (schemas.AttemptKind, schemas.DecisionStatus, schemas.CriterionStatus):
    strawberry.enum(enum)


@pyd_type(model=schemas.CriterionResult, all_fields=True)
class CriterionResult:
    pass


@strawberry.type
class AssessmentDecision:
    id: uuid.UUID
    programme_id: uuid.UUID
    brief_id: uuid.UUID
    learner_id: uuid.UUID
    submission_id: uuid.UUID
    attempt_kind: schemas.AttemptKind
    status: schemas.DecisionStatus
    current_version: int
    version: int
    feedback: str
    criteria: list[CriterionResult]


def _decision(d: schemas.Decision) -> AssessmentDecision:
    return AssessmentDecision(id=d.id, programme_id=d.programme_id, brief_id=d.brief_id, learner_id=d.learner_id,
                              submission_id=d.submission_id, attempt_kind=d.attempt_kind, status=d.status,
                              current_version=d.current_version, version=d.version, feedback=d.current.feedback,
                              criteria=[CriterionResult.from_pydantic(c) for c in d.current.criteria])


@strawberry.type
class GridColumn:
    unit_number: int
    code: str


@strawberry.type
class GridRow:
    learner_id: uuid.UUID
    given_name: str
    family_name: str
    statuses: list[schemas.CriterionStatus]
    qualification_grade: str
    unit_grades: JSON


@strawberry.type
class CohortGrid:
    programme_id: uuid.UUID
    columns: list[GridColumn]
    rows: list[GridRow]
    rows_json: list[JSON] = strawberry.field(description="The same rows, one JSON value each (fast for dense grids).")


def _grid(g: schemas.CohortGrid) -> CohortGrid:
    return CohortGrid(
        programme_id=g.programme_id, columns=[GridColumn(unit_number=c.unit_number, code=c.code) for c in g.columns],
        rows=[GridRow(learner_id=r.learner_id, given_name=r.given_name, family_name=r.family_name,
                      statuses=r.statuses, qualification_grade=r.qualification_grade, unit_grades=r.unit_grades)
              for r in g.rows],
        rows_json=[r.model_dump(mode="json") for r in g.rows])


@strawberry.type
class AssessmentQuery:
    @strawberry.field(description="Staff see the centre's (assessors: their programmes'); learners their released.")
    async def assessment_decisions(self, info: Ctx, first: int = 50, after: str | None = None,
                                   brief_id: uuid.UUID | None = None, learner_id: uuid.UUID | None = None,
                                   programme_id: uuid.UUID | None = None) -> Connection[AssessmentDecision]:
        p = info.context.require(Scope.assessments_read, Scope.learner_self)
        items, nxt = await info.context.read(decisions.list_decisions, p, page_size(first), after, brief_id=brief_id,
                                             learner_id=learner_id, programme_id=programme_id)
        return connection([_decision(d) for d in items], nxt)

    @strawberry.field
    async def assessment_decision(self, info: Ctx, id: uuid.UUID) -> AssessmentDecision:
        p = info.context.require(Scope.assessments_read, Scope.learner_self)
        return _decision(await info.context.read(decisions.get_decision, p, id))

    @strawberry.field(description="One learner's record on a programme, as JSON (the REST LearnerRecord shape).")
    async def learner_assessment_record(self, info: Ctx, learner_id: uuid.UUID, programme_id: uuid.UUID) -> JSON:
        p = info.context.require(Scope.assessments_read, Scope.learner_self)
        record = await info.context.read(records.learner_record, p, learner_id, programme_id)
        return record.model_dump(mode="json")

    @strawberry.field(description="Learners × criteria with status, nested and as JSON per row.")
    async def cohort_tracking_grid(self, info: Ctx, programme_id: uuid.UUID) -> CohortGrid:
        p = info.context.require(Scope.assessments_read)
        return _grid(await info.context.read(records.cohort_grid, p, programme_id))


@strawberry.type
class AssessmentMutation:
    @strawberry.mutation
    async def submit_assessment_decision_for_iv(self, info: Ctx, id: uuid.UUID) -> AssessmentDecision:
        p = info.context.require(Scope.assessments_write)
        return _decision(await info.context.write(decisions.submit_for_iv, p, id))

    @strawberry.mutation(description="R-25: refused until IV of the brief's decisions is complete.")
    async def release_assessment_decision(self, info: Ctx, id: uuid.UUID) -> AssessmentDecision:
        p = info.context.require(Scope.assessments_write)
        return _decision(await info.context.write(decisions.release, p, id))
