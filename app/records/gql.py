"""GraphQL for the record over time (R-97, R-98): the same functions as REST. The subject access
archive itself is a file and is produced over REST only (produceSubjectAccess); its records are here."""

from __future__ import annotations

import uuid

import strawberry
from strawberry.experimental.pydantic import input as pyd_input
from strawberry.experimental.pydantic import type as pyd_type
from strawberry.types import Info

from app.api.gql_context import Context, input_fields, to_model
from app.api.gql_pagination import After, Connection, First, page_of
from app.auth.scopes import Scope
from app.learners import schemas as learner_schemas
from app.learners.gql import Learner
from app.records import people, schemas

Ctx = Info[Context, None]


@pyd_type(model=schemas.SubjectAccessRequest, all_fields=True)
class SubjectAccessRequest:
    pass


@pyd_type(model=schemas.LegalHold, all_fields=True)
class LegalHold:
    pass


@pyd_type(model=schemas.OwnDecision, all_fields=True)
class OwnDecision:
    pass


@pyd_type(model=schemas.OwnSupport, all_fields=True)
class OwnSupport:
    pass


@pyd_type(model=schemas.OwnRecord, all_fields=True)
class OwnRecord:
    pass


@pyd_input(model=schemas.LegalHoldIn, all_fields=True)
class LegalHoldInput:
    pass


@pyd_input(model=schemas.IdentityCorrectionIn, all_fields=True)
class IdentityCorrectionInput:
    pass


def _hold(row: object) -> LegalHold:
    return LegalHold.from_pydantic(schemas.LegalHold.model_validate(row))


@strawberry.type
class RecordsQuery:
    @strawberry.field(
        description="R-98: subject access requests and their fulfilment (REST listSubjectAccessRequests)."
    )
    async def subject_access_requests(
        self, info: Ctx, learner_id: uuid.UUID | None = None, first: First = 50, after: After = None
    ) -> Connection[SubjectAccessRequest]:
        p = info.context.require(Scope.subject_access)
        rows = await info.context.read(people.list_subject_access, p, learner_id)
        return page_of(
            [
                SubjectAccessRequest.from_pydantic(schemas.SubjectAccessRequest.model_validate(r))
                for r in rows
            ],
            first,
            after,
        )

    @strawberry.field(description="R-97: legal holds set by the QN (REST listLegalHolds).")
    async def legal_holds(
        self, info: Ctx, learner_id: uuid.UUID | None = None, first: First = 50, after: After = None
    ) -> Connection[LegalHold]:
        p = info.context.require(Scope.legal_holds)
        return page_of(
            [_hold(r) for r in await info.context.read(people.list_legal_holds, p, learner_id)], first, after
        )

    @strawberry.field(description="R-98: the signed-in learner's own full record (REST getOwnRecord).")
    async def own_record(self, info: Ctx) -> OwnRecord:
        p = info.context.require(Scope.learner_self)
        return OwnRecord.from_pydantic(await info.context.read(people.own_record, p))


@strawberry.type
class RecordsMutation:
    @strawberry.mutation(description="R-97: set a legal hold on a learner or the whole centre.")
    async def set_legal_hold(self, info: Ctx, input: LegalHoldInput) -> LegalHold:
        p = info.context.require(Scope.legal_holds)
        data = to_model(schemas.LegalHoldIn, input_fields(input))
        return _hold(await info.context.write(people.set_legal_hold, p, data))

    @strawberry.mutation(description="R-97: release a legal hold.")
    async def release_legal_hold(self, info: Ctx, id: uuid.UUID) -> LegalHold:
        p = info.context.require(Scope.legal_holds)
        return _hold(await info.context.write(people.release_legal_hold, p, id))

    @strawberry.mutation(
        description="R-98: correct a learner's identity data; the old value stays in the audit log."
    )
    async def correct_learner_identity(
        self, info: Ctx, learner_id: uuid.UUID, input: IdentityCorrectionInput
    ) -> Learner:
        p = info.context.require(Scope.subject_access)
        data = to_model(schemas.IdentityCorrectionIn, input_fields(input))
        row = await info.context.write(people.correct_identity, p, learner_id, data)
        return Learner.from_pydantic(learner_schemas.Learner.model_validate(row))
