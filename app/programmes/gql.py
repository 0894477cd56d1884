"""GraphQL for programmes, enrolments and registration, RPL, adjustments and special consideration: the
same service functions as REST."""

from __future__ import annotations

import uuid
from typing import Any

import strawberry
from pydantic import BaseModel
from strawberry.experimental.pydantic import input as pyd_input
from strawberry.experimental.pydantic import type as pyd_type
from strawberry.types import Info

from app.api.gql_context import Context, input_fields, to_model
from app.api.gql_pagination import After, Connection, First, paged
from app.auth.scopes import Scope
from app.programmes import enrolments, escalations, schemas, service, support

Ctx = Info[Context, None]

for enum in (
    schemas.DeliveryModel,
    schemas.EnrolmentStatus,
    schemas.RegistrationIssueKind,
    schemas.EscalationStatus,
    schemas.PriorLearningStatus,
    schemas.SpecialConsiderationStatus,
    schemas.SpecialConsiderationOutcome,
    schemas.TeamRole,
):
    strawberry.enum(enum)


@pyd_type(model=schemas.Programme, all_fields=True)
class Programme:
    pass


@pyd_type(model=schemas.Enrolment, all_fields=True)
class Enrolment:
    pass


@pyd_type(model=schemas.EnrolmentTransfer, all_fields=True)
class EnrolmentTransfer:
    pass


@pyd_type(model=schemas.RegistrationIssue, all_fields=True)
class RegistrationIssue:
    pass


@pyd_type(model=schemas.RegistrationEscalation, all_fields=True)
class RegistrationEscalation:
    pass


@pyd_type(model=schemas.PriorLearning, all_fields=True)
class PriorLearning:
    pass


@pyd_input(model=schemas.RegistrationEscalationCreate, all_fields=True)
class RegistrationEscalationInput:
    pass


@pyd_type(model=schemas.ReasonableAdjustment, all_fields=True)
class ReasonableAdjustment:
    pass


@pyd_type(model=schemas.SpecialConsideration, all_fields=True)
class SpecialConsideration:
    pass


@pyd_input(model=schemas.ProgrammeCreate, all_fields=True)
class ProgrammeCreateInput:
    pass


@strawberry.input(description="Omitted fields are left alone; lists, when given, replace sites or staff.")
class ProgrammeUpdateInput:
    name: str | None = strawberry.UNSET
    code: str | None = strawberry.UNSET
    subject_area: str | None = strawberry.UNSET
    site_ids: list[uuid.UUID] | None = strawberry.UNSET
    programme_leader_id: uuid.UUID | None = strawberry.UNSET
    lead_internal_verifier_id: uuid.UUID | None = strawberry.UNSET
    assessor_ids: list[uuid.UUID] | None = strawberry.UNSET
    internal_verifier_ids: list[uuid.UUID] | None = strawberry.UNSET


@pyd_input(model=schemas.EnrolmentCreate, all_fields=True)
class EnrolmentCreateInput:
    pass


@pyd_input(model=schemas.Registration, all_fields=True)
class RegistrationInput:
    pass


@pyd_input(model=schemas.Transfer, all_fields=True)
class TransferInput:
    pass


@pyd_input(model=schemas.Withdrawal, all_fields=True)
class WithdrawalInput:
    pass


@pyd_input(model=schemas.Completion, all_fields=True)
class CompletionInput:
    pass


@pyd_input(model=schemas.PriorLearningCreate, all_fields=True)
class PriorLearningInput:
    pass


@pyd_input(model=schemas.ReasonableAdjustmentCreate, all_fields=True)
class ReasonableAdjustmentInput:
    pass


@pyd_input(model=schemas.SpecialConsiderationCreate, all_fields=True)
class SpecialConsiderationInput:
    pass


@pyd_input(model=schemas.SpecialConsiderationDecision, all_fields=True)
class SpecialConsiderationDecisionInput:
    pass


def _enrolment(e: object) -> Enrolment:
    return Enrolment.from_pydantic(schemas.Enrolment.model_validate(e))


def _as(gql_type: Any, schema: type[BaseModel], obj: object) -> Any:
    # Any: the strawberry plugin types from_pydantic per class, not for a class passed in
    return gql_type.from_pydantic(schema.model_validate(obj))


STAFF_READ = (Scope.programmes_read,)
OWN_ENROLMENTS = (Scope.programmes_read, Scope.learner_self)
OWN_SUPPORT = (Scope.learner_support_read, Scope.learner_self)
OWN_ADJUSTMENTS = (Scope.adjustments_read, Scope.learner_self)
OWN_SPECIAL_CONSIDERATIONS = (Scope.special_consideration_read, Scope.learner_self)


@strawberry.type
class ProgrammesQuery:
    @strawberry.field
    async def programmes(
        self,
        info: Ctx,
        first: First = 50,
        after: After = None,
        academic_year_id: uuid.UUID | None = None,
        qualification_id: uuid.UUID | None = None,
    ) -> Connection[Programme]:
        p = info.context.require(*STAFF_READ)
        return await paged(
            lambda limit, cursor: info.context.read(
                service.list_programmes,
                p,
                limit,
                cursor,
                academic_year_id=academic_year_id,
                qualification_id=qualification_id,
            ),
            first,
            after,
            lambda i: Programme.from_pydantic(i),
        )

    @strawberry.field
    async def programme(self, info: Ctx, id: uuid.UUID) -> Programme:
        p = info.context.require(*STAFF_READ)
        return Programme.from_pydantic(await info.context.read(service.get_programme, p, id))

    @strawberry.field(description="Staff see the centre's enrolments; a learner sees only their own.")
    async def enrolments(
        self,
        info: Ctx,
        first: First = 50,
        after: After = None,
        learner_id: uuid.UUID | None = None,
        programme_id: uuid.UUID | None = None,
        status: schemas.EnrolmentStatus | None = None,
    ) -> Connection[Enrolment]:
        p = info.context.require(*OWN_ENROLMENTS)
        return await paged(
            lambda limit, cursor: info.context.read(
                enrolments.list_enrolments,
                p,
                limit,
                cursor,
                learner_id=learner_id,
                programme_id=programme_id,
                status=status,
            ),
            first,
            after,
            lambda i: _enrolment(i),
        )

    @strawberry.field
    async def enrolment(self, info: Ctx, id: uuid.UUID) -> Enrolment:
        p = info.context.require(*OWN_ENROLMENTS)
        return _enrolment(await info.context.read(enrolments.get_enrolment, p, id))

    @strawberry.field(description="R-11: late, early and overdue registrations, for the QN and the HoC.")
    async def registration_issues(
        self,
        info: Ctx,
        first: First = 50,
        after: After = None,
        issue: schemas.RegistrationIssueKind | None = None,
        programme_id: uuid.UUID | None = None,
    ) -> Connection[RegistrationIssue]:
        p = info.context.require(Scope.registrations_monitor)
        return await paged(
            lambda limit, cursor: info.context.read(
                enrolments.list_registration_issues,
                p,
                limit,
                cursor,
                issue=issue,
                programme_id=programme_id,
            ),
            first,
            after,
            lambda i: RegistrationIssue.from_pydantic(i),
            key="enrolment_id",
        )

    @strawberry.field(description="R-11: the QN's escalations to the HoC, with due dates and outcomes.")
    async def registration_escalations(
        self,
        info: Ctx,
        first: First = 50,
        after: After = None,
        status: schemas.EscalationStatus | None = None,
        enrolment_id: uuid.UUID | None = None,
    ) -> Connection[RegistrationEscalation]:
        p = info.context.require(Scope.registrations_monitor)
        return await paged(
            lambda limit, cursor: info.context.read(
                escalations.list_escalations,
                p,
                limit,
                cursor,
                status=status.value if status else None,
                enrolment_id=enrolment_id,
            ),
            first,
            after,
            lambda i: _as(RegistrationEscalation, schemas.RegistrationEscalation, i),
        )

    @strawberry.field(description="R-11: one escalation of a registration issue to the HoC.")
    async def registration_escalation(self, info: Ctx, id: uuid.UUID) -> RegistrationEscalation:
        p = info.context.require(Scope.registrations_monitor)
        row = await info.context.read(escalations.get_escalation, p, id)
        return _as(RegistrationEscalation, schemas.RegistrationEscalation, row)

    @strawberry.field
    async def prior_learning(
        self, info: Ctx, first: First = 50, after: After = None, learner_id: uuid.UUID | None = None
    ) -> Connection[PriorLearning]:
        p = info.context.require(*OWN_SUPPORT)
        return await paged(
            lambda limit, cursor: info.context.read(
                support.list_prior_learning, p, limit, cursor, learner_id
            ),
            first,
            after,
            lambda i: _as(PriorLearning, schemas.PriorLearning, i),
        )

    @strawberry.field
    async def prior_learning_record(self, info: Ctx, id: uuid.UUID) -> PriorLearning:
        p = info.context.require(*OWN_SUPPORT)
        return _as(
            PriorLearning, schemas.PriorLearning, await info.context.read(support.get_prior_learning, p, id)
        )

    @strawberry.field
    async def reasonable_adjustments(
        self, info: Ctx, first: First = 50, after: After = None, learner_id: uuid.UUID | None = None
    ) -> Connection[ReasonableAdjustment]:
        p = info.context.require(*OWN_ADJUSTMENTS)
        return await paged(
            lambda limit, cursor: info.context.read(
                support.list_reasonable_adjustments, p, limit, cursor, learner_id
            ),
            first,
            after,
            lambda i: _as(ReasonableAdjustment, schemas.ReasonableAdjustment, i),
        )

    @strawberry.field
    async def reasonable_adjustment(self, info: Ctx, id: uuid.UUID) -> ReasonableAdjustment:
        p = info.context.require(*OWN_ADJUSTMENTS)
        return _as(
            ReasonableAdjustment,
            schemas.ReasonableAdjustment,
            await info.context.read(support.get_reasonable_adjustment, p, id),
        )

    @strawberry.field
    async def special_considerations(
        self,
        info: Ctx,
        first: First = 50,
        after: After = None,
        learner_id: uuid.UUID | None = None,
        status: schemas.SpecialConsiderationStatus | None = None,
    ) -> Connection[SpecialConsideration]:
        p = info.context.require(*OWN_SPECIAL_CONSIDERATIONS)
        return await paged(
            lambda limit, cursor: info.context.read(
                support.list_special_considerations, p, limit, cursor, learner_id, status
            ),
            first,
            after,
            lambda i: _as(SpecialConsideration, schemas.SpecialConsideration, i),
        )

    @strawberry.field
    async def special_consideration(self, info: Ctx, id: uuid.UUID) -> SpecialConsideration:
        p = info.context.require(*OWN_SPECIAL_CONSIDERATIONS)
        return _as(
            SpecialConsideration,
            schemas.SpecialConsideration,
            await info.context.read(support.get_special_consideration, p, id),
        )


@strawberry.type
class ProgrammesMutation:
    @strawberry.mutation
    async def create_programme(self, info: Ctx, input: ProgrammeCreateInput) -> Programme:
        p = info.context.require(Scope.programme_leads_assign)
        data = to_model(schemas.ProgrammeCreate, input_fields(input))
        return Programme.from_pydantic(await info.context.write(service.create_programme, p, data))

    @strawberry.mutation(description="`version` is the version last read (the REST ETag).")
    async def update_programme(
        self, info: Ctx, id: uuid.UUID, version: int, input: ProgrammeUpdateInput
    ) -> Programme:
        p = info.context.require(
            Scope.programmes_write, Scope.programme_team_assign, Scope.programme_leads_assign
        )
        data = to_model(schemas.ProgrammeUpdate, input_fields(input))
        return Programme.from_pydantic(
            await info.context.write(service.update_programme, p, id, data, version)
        )

    @strawberry.mutation(description="R-12: identity is checked at enrolment.")
    async def create_enrolment(self, info: Ctx, input: EnrolmentCreateInput) -> Enrolment:
        p = info.context.require(Scope.programmes_write)
        data = to_model(schemas.EnrolmentCreate, input_fields(input))
        return _enrolment(await info.context.write(enrolments.create_enrolment, p, data))

    @strawberry.mutation(description="R-12: record the awarding body's registration; R-11 flags a late one.")
    async def register_enrolment(self, info: Ctx, id: uuid.UUID, input: RegistrationInput) -> Enrolment:
        p = info.context.require(Scope.registrations_write)
        data = to_model(schemas.Registration, input_fields(input))
        return _enrolment(await info.context.write(enrolments.register, p, id, data))

    @strawberry.mutation(description="R-12: to another qualification or pathway; the registration moves too.")
    async def transfer_enrolment(self, info: Ctx, id: uuid.UUID, input: TransferInput) -> EnrolmentTransfer:
        p = info.context.require(Scope.registrations_write)
        data = to_model(schemas.Transfer, input_fields(input))
        ended, started = await info.context.write(enrolments.transfer, p, id, data)
        return EnrolmentTransfer.from_pydantic(
            schemas.EnrolmentTransfer(
                transferred_from=schemas.Enrolment.model_validate(ended),
                transferred_to=schemas.Enrolment.model_validate(started),
            )
        )

    @strawberry.mutation
    async def withdraw_enrolment(self, info: Ctx, id: uuid.UUID, input: WithdrawalInput) -> Enrolment:
        p = info.context.require(Scope.registrations_write)
        data = to_model(schemas.Withdrawal, input_fields(input))
        return _enrolment(await info.context.write(enrolments.withdraw, p, id, data))

    @strawberry.mutation(description="Only a registered learner completes (R-10).")
    async def complete_enrolment(self, info: Ctx, id: uuid.UUID, input: CompletionInput) -> Enrolment:
        p = info.context.require(Scope.registrations_write)
        data = to_model(schemas.Completion, input_fields(input))
        return _enrolment(await info.context.write(enrolments.complete, p, id, data))

    @strawberry.mutation(
        description="R-11: the QN escalates a registration issue to the HoC (due in 2 working days)."
    )
    async def escalate_registration(
        self, info: Ctx, input: RegistrationEscalationInput
    ) -> RegistrationEscalation:
        p = info.context.require(Scope.registrations_escalate)
        data = to_model(schemas.RegistrationEscalationCreate, input_fields(input))
        row = await info.context.write(escalations.escalate, p, data)
        return _as(RegistrationEscalation, schemas.RegistrationEscalation, row)

    @strawberry.mutation(description="R-11: the HoC records the outcome of an escalation.")
    async def record_registration_escalation_outcome(
        self, info: Ctx, id: uuid.UUID, outcome: str
    ) -> RegistrationEscalation:
        p = info.context.require(Scope.registration_escalations_resolve)
        data = to_model(schemas.RegistrationEscalationOutcome, {"outcome": outcome})
        row = await info.context.write(escalations.record_outcome, p, id, data)
        return _as(RegistrationEscalation, schemas.RegistrationEscalation, row)

    @strawberry.mutation(description="R-13: evidence to be assessed, never an exemption.")
    async def record_prior_learning(self, info: Ctx, input: PriorLearningInput) -> PriorLearning:
        p = info.context.require(Scope.learner_support_write)
        data = to_model(schemas.PriorLearningCreate, input_fields(input))
        return _as(
            PriorLearning,
            schemas.PriorLearning,
            await info.context.write(support.record_prior_learning, p, data),
        )

    @strawberry.mutation(description="R-80: agreed before the assessment; the standard unchanged.")
    async def record_reasonable_adjustment(
        self, info: Ctx, input: ReasonableAdjustmentInput
    ) -> ReasonableAdjustment:
        p = info.context.require(Scope.learner_support_write)
        data = to_model(schemas.ReasonableAdjustmentCreate, input_fields(input))
        return _as(
            ReasonableAdjustment,
            schemas.ReasonableAdjustment,
            await info.context.write(support.record_reasonable_adjustment, p, data),
        )

    @strawberry.mutation(description="R-81: at the time of the assessment.")
    async def apply_for_special_consideration(
        self, info: Ctx, input: SpecialConsiderationInput
    ) -> SpecialConsideration:
        p = info.context.require(Scope.learner_support_write)
        data = to_model(schemas.SpecialConsiderationCreate, input_fields(input))
        return _as(
            SpecialConsideration,
            schemas.SpecialConsideration,
            await info.context.write(support.apply_for_special_consideration, p, data),
        )

    @strawberry.mutation(description="R-81: the Head of Centre authorises or refuses.")
    async def decide_special_consideration(
        self, info: Ctx, id: uuid.UUID, input: SpecialConsiderationDecisionInput
    ) -> SpecialConsideration:
        p = info.context.require(Scope.special_consideration_authorise)
        data = to_model(schemas.SpecialConsiderationDecision, input_fields(input))
        return _as(
            SpecialConsideration,
            schemas.SpecialConsideration,
            await info.context.write(support.decide_special_consideration, p, id, data),
        )
