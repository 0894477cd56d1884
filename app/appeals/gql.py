"""GraphQL for appeals (R-60..R-63): the same service functions as REST, types and inputs derived from
the same Pydantic schemas."""

from __future__ import annotations

import uuid
from typing import Any

import strawberry
from strawberry.experimental.pydantic import input as pyd_input
from strawberry.experimental.pydantic import type as pyd_type
from strawberry.types import Info

from app.api.gql_context import Context, input_fields, to_model
from app.api.gql_pagination import After, Connection, First, page_of
from app.appeals import schemas, service, stages, worklist
from app.assessment.gql import _decision_fields
from app.auth.scopes import Scope

Ctx = Info[Context, None]

for enum in (schemas.AppealKind, schemas.AppealStatus, schemas.StageOutcome, schemas.JudgedOutcome):
    strawberry.enum(enum)


@pyd_type(model=schemas.AppealStage, all_fields=True)
class AppealStage:
    pass


@pyd_type(model=schemas.Appeal, all_fields=True)
class Appeal:
    pass


@pyd_type(model=schemas.OverdueStage, all_fields=True)
class OverdueAppealStage:
    pass


@pyd_type(model=schemas.AppealReportRow, all_fields=True)
class AppealReportRow:
    pass


@pyd_type(model=schemas.AppealReportGroup, all_fields=True)
class AppealReportGroup:
    pass


@pyd_type(model=schemas.AppealReport, all_fields=True)
class AppealReport:
    pass


@pyd_type(model=schemas.AppealPolicy, all_fields=True)
class AppealPolicy:
    pass


@pyd_input(model=schemas.AppealCreate, all_fields=True)
class AppealInput:
    pass


@pyd_input(model=schemas.StageDecision, all_fields=True)
class AppealStageDecisionInput:
    pass


@pyd_input(model=schemas.Escalation, all_fields=True)
class AppealEscalationInput:
    pass


@pyd_input(model=schemas.AwardingBodySubmission, all_fields=True)
class AwardingBodySubmissionInput:
    pass


@pyd_input(model=schemas.Withdrawal, all_fields=True)
class AppealWithdrawalInput:
    pass


@pyd_input(model=schemas.AppealAmendment, all_fields=True)
class AppealAmendmentInput:
    pass


@pyd_input(model=schemas.AppealPolicyWrite, all_fields=True)
class AppealPolicyInput:
    pass


def _out(a: schemas.Appeal) -> Appeal:
    return Appeal.from_pydantic(a)


@strawberry.type
class AppealsQuery:
    @strawberry.field(description="R-60: appeals the caller may see (REST listAppeals).")
    async def appeals(
        self,
        info: Ctx,
        learner_id: uuid.UUID | None = None,
        decision_id: uuid.UUID | None = None,
        status: schemas.AppealStatus | None = None,
        first: First = 50,
        after: After = None,
    ) -> Connection[Appeal]:
        p = info.context.require(Scope.appeals_read)
        return page_of(
            [
                _out(a)
                for a in await info.context.read(service.list_appeals, p, learner_id, decision_id, status)
            ],
            first,
            after,
        )

    @strawberry.field(description="R-60: one appeal with every stage and its response.")
    async def appeal(self, info: Ctx, id: uuid.UUID) -> Appeal:
        p = info.context.require(Scope.appeals_read)
        return _out(await info.context.read(service.get_appeal, p, id))

    @strawberry.field(description="R-61: open appeal stages past their due date (the QN's worklist).")
    async def overdue_appeal_stages(
        self, info: Ctx, first: First = 50, after: After = None
    ) -> Connection[OverdueAppealStage]:
        p = info.context.require(Scope.appeals_monitor)
        return page_of(
            [
                OverdueAppealStage.from_pydantic(s)
                for s in await info.context.read(worklist.overdue_stages, p)
            ],
            first,
            after,
        )

    @strawberry.field(description="R-63: appeals by stage reached, outcome, assessor, programme and year.")
    async def appeal_report(
        self,
        info: Ctx,
        programme_id: uuid.UUID | None = None,
        academic_year_id: uuid.UUID | None = None,
        assessor_staff_id: uuid.UUID | None = None,
    ) -> AppealReport:
        p = info.context.require(Scope.appeals_monitor)
        return AppealReport.from_pydantic(
            await info.context.read(
                worklist.appeal_report, p, programme_id, academic_year_id, assessor_staff_id
            )
        )

    @strawberry.field(description="R-60/R-61: the centre's appeal window and stage limits.")
    async def appeal_policy(self, info: Ctx) -> AppealPolicy:
        p = info.context.require(Scope.centre_read)
        return AppealPolicy.from_pydantic(await info.context.read(service.get_policy, p))


@strawberry.type
class AppealsMutation:
    @strawberry.mutation(description="R-60: lodge an appeal (REST AppealCreate body).")
    async def lodge_appeal(self, info: Ctx, input: AppealInput) -> Appeal:
        p = info.context.require(Scope.appeals_lodge)
        data = to_model(schemas.AppealCreate, input_fields(input))
        return _out(await info.context.write(service.lodge, p, data))

    @strawberry.mutation(description="R-61: a stage's outcome, by its judge.")
    async def decide_appeal_stage(
        self, info: Ctx, appeal_id: uuid.UUID, number: int, input: AppealStageDecisionInput
    ) -> Appeal:
        p = info.context.require(Scope.appeals_judge)
        data = to_model(schemas.StageDecision, input_fields(input))
        return _out(await info.context.write(stages.decide_stage, p, appeal_id, number, data))

    @strawberry.mutation(description="R-61: take a not-upheld stage to the next one within the window.")
    async def escalate_appeal(self, info: Ctx, appeal_id: uuid.UUID, input: AppealEscalationInput) -> Appeal:
        p = info.context.require(Scope.appeals_lodge)
        data = to_model(schemas.Escalation, input_fields(input))
        return _out(await info.context.write(stages.escalate, p, appeal_id, data))

    @strawberry.mutation(description="R-61: stage 4, the HoC's written submission to the awarding body.")
    async def submit_appeal_to_awarding_body(
        self, info: Ctx, appeal_id: uuid.UUID, input: AwardingBodySubmissionInput
    ) -> Appeal:
        p = info.context.require(Scope.appeals_submit)
        data = to_model(schemas.AwardingBodySubmission, input_fields(input))
        return _out(await info.context.write(stages.submit_to_awarding_body, p, appeal_id, data))

    @strawberry.mutation(description="Withdraw an appeal in writing.")
    async def withdraw_appeal(self, info: Ctx, appeal_id: uuid.UUID, input: AppealWithdrawalInput) -> Appeal:
        p = info.context.require(Scope.appeals_lodge)
        data = to_model(schemas.Withdrawal, input_fields(input))
        return _out(await info.context.write(stages.withdraw, p, appeal_id, data))

    @strawberry.mutation(description="R-62: the assessor amends an upheld appeal's decision.")
    async def amend_appealed_decision(
        self, info: Ctx, appeal_id: uuid.UUID, input: AppealAmendmentInput
    ) -> Appeal:
        p = info.context.require(Scope.assessments_write)
        fields: dict[str, Any] = _decision_fields(input)
        data = to_model(schemas.AppealAmendment, fields)
        return _out(await info.context.write(stages.amend_upheld, p, appeal_id, data))

    @strawberry.mutation(description="R-60/R-61: the HoC replaces the appeal policy.")
    async def put_appeal_policy(self, info: Ctx, input: AppealPolicyInput) -> AppealPolicy:
        p = info.context.require(Scope.appeal_policy_manage)
        data = to_model(schemas.AppealPolicyWrite, input_fields(input))
        return AppealPolicy.from_pydantic(await info.context.write(service.put_policy, p, data))
