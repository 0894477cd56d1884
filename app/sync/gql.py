"""GraphQL for the MIS bulk sync: the same service as REST (the CSV import is REST only: a file upload)."""

from __future__ import annotations

import datetime as dt
import uuid

import strawberry
from strawberry.experimental.pydantic import type as pyd_type
from strawberry.types import Info

from app.api.gql_context import Context, input_fields, to_model
from app.auth.scopes import Scope
from app.sync import schemas, service

Ctx = Info[Context, None]
strawberry.enum(schemas.SyncOutcome)


@pyd_type(model=schemas.RecordResult, all_fields=True)
class SyncRecordResult:
    pass


@pyd_type(model=schemas.SyncResult, all_fields=True)
class SyncResult:
    pass


@strawberry.input(description="Optional fields left out are left alone; null clears them.")
class SyncLearnerInput:
    mis_id: str
    given_name: str
    family_name: str
    date_of_birth: dt.date
    candidate_number: str | None = strawberry.UNSET
    uln: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET


@strawberry.input
class SyncEnrolmentInput:
    mis_id: str
    learner_mis_id: str
    programme_id: uuid.UUID
    enrolled_on: dt.date
    identity_checked: bool


@strawberry.input
class MisSyncInput:
    learners: list[SyncLearnerInput] = strawberry.field(default_factory=list)
    enrolments: list[SyncEnrolmentInput] = strawberry.field(default_factory=list)


@strawberry.type
class SyncMutation:
    @strawberry.mutation(
        description="Idempotent all-or-nothing upsert of learners and enrolments keyed by "
        "MIS ids; errors name every bad record (`input.learners.17.uln`)."
    )
    async def sync_mis(
        self, info: Ctx, input: MisSyncInput, idempotency_key: str | None = None
    ) -> SyncResult:
        p = info.context.require(Scope.mis_sync)
        data = to_model(
            schemas.MisSync,
            {
                "learners": [input_fields(r) for r in input.learners],
                "enrolments": [input_fields(r) for r in input.enrolments],
            },
        )
        key = None
        if idempotency_key is not None:
            key = to_model(
                schemas.IdempotencyKeyArgument, {"idempotency_key": idempotency_key}, "args"
            ).idempotency_key
        answer, _ = await info.context.write(service.sync_mis, p, data, key, "input")
        return SyncResult.from_pydantic(schemas.SyncResult.model_validate(answer))
