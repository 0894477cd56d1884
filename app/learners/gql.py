"""GraphQL for learners: the same service functions as REST."""

from __future__ import annotations

import datetime as dt
import uuid

import strawberry
from strawberry.experimental.pydantic import input as pyd_input
from strawberry.experimental.pydantic import type as pyd_type
from strawberry.types import Info

from app.api.gql_context import Context, input_fields, to_model
from app.api.gql_pagination import After, Connection, First, paged
from app.auth.scopes import Scope
from app.learners import schemas, service

Ctx = Info[Context, None]


@pyd_type(model=schemas.Learner, all_fields=True)
class Learner:
    pass


@pyd_input(model=schemas.LearnerCreate, all_fields=True)
class LearnerCreateInput:
    pass


@strawberry.input(
    description="Omitted fields are left alone; null clears the optional ids and contact fields."
)
class LearnerUpdateInput:
    given_name: str | None = strawberry.UNSET
    family_name: str | None = strawberry.UNSET
    date_of_birth: dt.date | None = strawberry.UNSET
    candidate_number: str | None = strawberry.UNSET
    uln: str | None = strawberry.UNSET
    mis_id: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    idp_subject: str | None = strawberry.UNSET


def _out(learner: object) -> Learner:
    return Learner.from_pydantic(schemas.Learner.model_validate(learner))


@strawberry.type
class LearnersQuery:
    @strawberry.field(description="Staff see the centre's learners; a learner sees only themselves.")
    async def learners(
        self,
        info: Ctx,
        first: First = 50,
        after: After = None,
        family_name: str | None = None,
        candidate_number: str | None = None,
        mis_id: str | None = None,
        uln: str | None = None,
    ) -> Connection[Learner]:
        p = info.context.require(Scope.learners_read, Scope.learner_self)
        return await paged(
            lambda limit, cursor: info.context.read(
                service.list_learners,
                p,
                limit,
                cursor,
                family_name=family_name,
                candidate_number=candidate_number,
                mis_id=mis_id,
                uln=uln,
            ),
            first,
            after,
            lambda i: _out(i),
        )

    @strawberry.field
    async def learner(self, info: Ctx, id: uuid.UUID) -> Learner:
        p = info.context.require(Scope.learners_read, Scope.learner_self)
        return _out(await info.context.read(service.get_learner, p, id))


@strawberry.type
class LearnersMutation:
    @strawberry.mutation
    async def create_learner(self, info: Ctx, input: LearnerCreateInput) -> Learner:
        p = info.context.require(Scope.learners_write)
        data = to_model(schemas.LearnerCreate, input_fields(input))
        return _out(await info.context.write(service.create_learner, p, data))

    @strawberry.mutation(description="`version` is the version last read (the REST ETag).")
    async def update_learner(
        self, info: Ctx, id: uuid.UUID, version: int, input: LearnerUpdateInput
    ) -> Learner:
        p = info.context.require(Scope.learners_write)
        data = to_model(schemas.LearnerUpdate, input_fields(input))
        return _out(await info.context.write(service.update_learner, p, id, data, version))
