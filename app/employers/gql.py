"""GraphQL for employer involvement (R-95): the same service functions as REST."""

from __future__ import annotations

import uuid

import strawberry
from strawberry.experimental.pydantic import input as pyd_input
from strawberry.experimental.pydantic import type as pyd_type
from strawberry.types import Info

from app.api.gql_context import Context, input_fields, to_model
from app.api.gql_pagination import After, Connection, First, page_of
from app.auth.scopes import Scope
from app.employers import schemas, service

Ctx = Info[Context, None]
strawberry.enum(schemas.ActivityType, name="EmployerActivityType")


@pyd_type(model=schemas.Employer, all_fields=True)
class Employer:
    pass


@pyd_type(model=schemas.Declaration, all_fields=True, name="EmployerInvolvementDeclaration")
class Declaration:
    pass


@pyd_type(model=schemas.Plan, all_fields=True, name="EmployerInvolvementPlan")
class Plan:
    pass


@pyd_type(model=schemas.Activity, all_fields=True, name="EmployerActivity")
class Activity:
    pass


@pyd_type(model=schemas.LearnerInvolvement, all_fields=True)
class LearnerInvolvement:
    pass


@pyd_type(model=schemas.InvolvementReport, all_fields=True, name="EmployerInvolvementReport")
class InvolvementReport:
    pass


@pyd_input(model=schemas.EmployerCreate, all_fields=True, name="EmployerInput")
class EmployerInput:
    pass


@pyd_input(model=schemas.PlanCreate, all_fields=True, name="EmployerInvolvementPlanInput")
class PlanInput:
    pass


@pyd_input(model=schemas.DeclarationCreate, all_fields=True, name="EmployerInvolvementDeclarationInput")
class DeclarationInput:
    pass


@pyd_input(model=schemas.ActivityCreate, all_fields=True, name="EmployerActivityInput")
class ActivityInput:
    pass


@pyd_input(model=schemas.ActivityConfirm, all_fields=True, name="EmployerActivityConfirmInput")
class ActivityConfirmInput:
    pass


@pyd_input(model=schemas.ParticipationAdd, all_fields=True, name="EmployerActivityParticipantsInput")
class ParticipationInput:
    pass


@pyd_input(model=schemas.PlannedLearnersAdd, all_fields=True, name="EmployerActivityPlannedLearnersInput")
class PlannedLearnersInput:
    pass


def _employer(row: object) -> Employer:
    return Employer.from_pydantic(schemas.Employer.model_validate(row))


@strawberry.type
class EmployersQuery:
    @strawberry.field(description="R-95: the centre's employers (REST listEmployers).")
    async def employers(
        self, info: Ctx, sector: str | None = None, first: First = 50, after: After = None
    ) -> Connection[Employer]:
        p = info.context.require(Scope.employer_involvement_read)
        return page_of(
            [_employer(e) for e in await info.context.read(service.list_employers, p, sector)], first, after
        )

    @strawberry.field(description="R-95: one employer.")
    async def employer(self, info: Ctx, id: uuid.UUID) -> Employer:
        p = info.context.require(Scope.employer_involvement_read)
        return _employer(await info.context.read(service.get_employer, p, id))

    @strawberry.field(description="R-95: employer involvement plans (REST listEmployerInvolvementPlans).")
    async def employer_involvement_plans(
        self, info: Ctx, programme_id: uuid.UUID | None = None, first: First = 50, after: After = None
    ) -> Connection[Plan]:
        p = info.context.require(Scope.employer_involvement_read)
        return page_of(
            [Plan.from_pydantic(x) for x in await info.context.read(service.list_plans, p, programme_id)],
            first,
            after,
        )

    @strawberry.field(description="R-95: one employer involvement plan.")
    async def employer_involvement_plan(self, info: Ctx, id: uuid.UUID) -> Plan:
        p = info.context.require(Scope.employer_involvement_read)
        return Plan.from_pydantic(await info.context.read(service.get_plan, p, id))

    @strawberry.field(
        description="R-95: the plan's coverage: each learner's planned and confirmed activities; "
        "those uncovered and those without any."
    )
    async def employer_involvement_report(self, info: Ctx, plan_id: uuid.UUID) -> InvolvementReport:
        p = info.context.require(Scope.employer_involvement_read)
        return InvolvementReport.from_pydantic(await info.context.read(service.report, p, plan_id))

    @strawberry.field(description="R-95: employer activities (REST listEmployerActivities).")
    async def employer_activities(
        self,
        info: Ctx,
        programme_id: uuid.UUID | None = None,
        plan_id: uuid.UUID | None = None,
        first: First = 50,
        after: After = None,
    ) -> Connection[Activity]:
        p = info.context.require(Scope.employer_involvement_read)
        rows = await info.context.read(service.list_activities, p, programme_id, plan_id)
        return page_of([Activity.from_pydantic(a) for a in rows], first, after)

    @strawberry.field(description="R-95: one employer activity.")
    async def employer_activity(self, info: Ctx, id: uuid.UUID) -> Activity:
        p = info.context.require(Scope.employer_involvement_read)
        return Activity.from_pydantic(await info.context.read(service.get_activity, p, id))


@strawberry.type
class EmployersMutation:
    @strawberry.mutation(description="R-95: an employer the centre works with.")
    async def create_employer(self, info: Ctx, input: EmployerInput) -> Employer:
        p = info.context.require(Scope.employer_involvement_write)
        data = to_model(schemas.EmployerCreate, input_fields(input))
        return _employer(await info.context.write(service.create_employer, p, data))

    @strawberry.mutation(description="R-95: the programme's employer involvement plan.")
    async def create_employer_involvement_plan(self, info: Ctx, input: PlanInput) -> Plan:
        p = info.context.require(Scope.employer_involvement_write)
        data = to_model(schemas.PlanCreate, input_fields(input))
        return Plan.from_pydantic(await info.context.write(service.create_plan, p, data))

    @strawberry.mutation(description="R-95: the plan declared at a moderation.")
    async def declare_employer_involvement_plan(
        self, info: Ctx, id: uuid.UUID, input: DeclarationInput
    ) -> Plan:
        p = info.context.require(Scope.employer_involvement_write)
        data = to_model(schemas.DeclarationCreate, input_fields(input))
        return Plan.from_pydantic(await info.context.write(service.declare, p, id, data))

    @strawberry.mutation(description="R-95: a meaningful activity with an employer of the sector.")
    async def create_employer_activity(self, info: Ctx, input: ActivityInput) -> Activity:
        p = info.context.require(Scope.employer_involvement_write)
        data = to_model(schemas.ActivityCreate, input_fields(input))
        return Activity.from_pydantic(await info.context.write(service.create_activity, p, data))

    @strawberry.mutation(description="R-95: an activity confirmed before it happens.")
    async def confirm_employer_activity(
        self, info: Ctx, id: uuid.UUID, input: ActivityConfirmInput
    ) -> Activity:
        p = info.context.require(Scope.employer_involvement_write)
        data = to_model(schemas.ActivityConfirm, input_fields(input))
        return Activity.from_pydantic(await info.context.write(service.confirm_activity, p, id, data))

    @strawberry.mutation(description="R-95: learners who took part in an activity.")
    async def add_employer_activity_participants(
        self, info: Ctx, id: uuid.UUID, input: ParticipationInput
    ) -> Activity:
        p = info.context.require(Scope.employer_involvement_write)
        data = to_model(schemas.ParticipationAdd, input_fields(input))
        return Activity.from_pydantic(await info.context.write(service.add_participants, p, id, data))

    @strawberry.mutation(description="R-95: the plan updated to cover more learners through an activity.")
    async def plan_employer_activity_learners(
        self, info: Ctx, id: uuid.UUID, input: PlannedLearnersInput
    ) -> Activity:
        p = info.context.require(Scope.employer_involvement_write)
        data = to_model(schemas.PlannedLearnersAdd, input_fields(input))
        return Activity.from_pydantic(await info.context.write(service.plan_learners, p, id, data))
