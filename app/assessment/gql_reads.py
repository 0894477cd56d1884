"""GraphQL for the reads of agreed extensions and exam results: the same services as REST
(listDeadlineExtensions, listExamResults), as Relay connections."""

from __future__ import annotations

import uuid

import strawberry
from strawberry.types import Info

from app.api.gql_context import Context
from app.api.gql_pagination import After, Connection, First, paged
from app.assessment import reads, schemas
from app.assessment.gql import DeadlineExtension, ExamResult
from app.auth.scopes import Scope

Ctx = Info[Context, None]


@strawberry.type
class AssessmentReadsQuery:
    @strawberry.field(
        description="Agreed extensions per learner and/or brief; the latest is in force (R-23). Staff "
        "see their programmes', a learner their own."
    )
    async def deadline_extensions(
        self,
        info: Ctx,
        first: First = 50,
        after: After = None,
        learner_id: uuid.UUID | None = None,
        brief_id: uuid.UUID | None = None,
    ) -> Connection[DeadlineExtension]:
        p = info.context.require(Scope.assessments_read, Scope.learner_self)
        return await paged(
            lambda limit, cursor: info.context.read(
                reads.list_extensions, p, limit, cursor, learner_id=learner_id, brief_id=brief_id
            ),
            first,
            after,
            lambda e: DeadlineExtension.from_pydantic(schemas.Extension.model_validate(e)),
        )

    @strawberry.field(
        description="Externally assessed units' results, every sitting (the best counts, R-05). Staff "
        "see learners on their programmes, a learner their own."
    )
    async def exam_results(
        self,
        info: Ctx,
        first: First = 50,
        after: After = None,
        learner_id: uuid.UUID | None = None,
        qualification_id: uuid.UUID | None = None,
        unit_number: int | None = None,
    ) -> Connection[ExamResult]:
        p = info.context.require(Scope.assessments_read, Scope.learner_self)
        return await paged(
            lambda limit, cursor: info.context.read(
                reads.list_exam_results,
                p,
                limit,
                cursor,
                learner_id=learner_id,
                qualification_id=qualification_id,
                unit_number=unit_number,
            ),
            first,
            after,
            lambda r: ExamResult.from_pydantic(schemas.ExamResult.model_validate(r)),
        )
