"""GraphQL for malpractice (R-70..R-74): the same service functions as REST, types and inputs derived
from the same Pydantic schemas. A case the caller may not see is the same NOT_FOUND error as one that
does not exist. The report's PDF is REST only (GraphQL serves no file content)."""

from __future__ import annotations

import uuid

import strawberry
from strawberry.experimental.pydantic import input as pyd_input
from strawberry.experimental.pydantic import type as pyd_type
from strawberry.types import Info

from app.api.gql_context import Context, input_fields, to_model
from app.api.gql_pagination import After, Connection, First, page_of
from app.auth.scopes import Scope
from app.malpractice import reporting, sanctions, schemas, service

Ctx = Info[Context, None]

strawberry.enum(schemas.SubjectKind, name="MalpracticeSubjectKind")
strawberry.enum(schemas.CaseType, name="MalpracticeCaseType")
strawberry.enum(schemas.CaseStatus, name="MalpracticeCaseStatus")
strawberry.enum(schemas.LinkKind, name="MalpracticeLinkKind")
strawberry.enum(schemas.StageKind, name="MalpracticeStageKind")
strawberry.enum(schemas.SanctionKind, name="MalpracticeSanctionKind")


@pyd_type(model=schemas.CaseLink, all_fields=True, name="MalpracticeCaseLink")
class CaseLink:
    pass


@pyd_type(model=schemas.Stage, all_fields=True, name="MalpracticeStage")
class Stage:
    pass


@pyd_type(model=schemas.Sanction, all_fields=True, name="MalpracticeSanction")
class Sanction:
    pass


@pyd_type(model=schemas.Case, all_fields=True, name="MalpracticeCase")
class Case:
    pass


@pyd_type(model=schemas.Policy, all_fields=True, name="MalpracticePolicy")
class Policy:
    pass


@pyd_input(model=schemas.LinkIn, all_fields=True, name="MalpracticeLinkInput")
class LinkInput:
    pass


@pyd_input(model=schemas.CaseCreate, all_fields=True, name="MalpracticeCaseInput")
class CaseInput:
    pass


@pyd_input(model=schemas.CaseOpen, all_fields=True, name="MalpracticeCaseOpenInput")
class CaseOpenInput:
    pass


@pyd_input(model=schemas.StageCreate, all_fields=True, name="MalpracticeStageInput")
class StageInput:
    pass


@pyd_input(model=schemas.ReportSent, all_fields=True, name="MalpracticeReportInput")
class ReportInput:
    pass


@pyd_input(model=schemas.SanctionCreate, all_fields=True, name="MalpracticeSanctionInput")
class SanctionInput:
    pass


@pyd_input(model=schemas.CaseClose, all_fields=True, name="MalpracticeCaseCloseInput")
class CaseCloseInput:
    pass


@pyd_input(model=schemas.PolicyWrite, all_fields=True, name="MalpracticePolicyInput")
class PolicyInput:
    pass


def _case(out: schemas.Case) -> Case:
    return Case.from_pydantic(out)


@strawberry.type
class MalpracticeQuery:
    @strawberry.field(
        description="R-70: the malpractice cases the caller may see (REST listMalpracticeCases)."
    )
    async def malpractice_cases(
        self,
        info: Ctx,
        status: schemas.CaseStatus | None = None,
        subject_kind: schemas.SubjectKind | None = None,
        learner_id: uuid.UUID | None = None,
        staff_id: uuid.UUID | None = None,
        report_overdue: bool | None = None,
        first: First = 50,
        after: After = None,
    ) -> Connection[Case]:
        p = info.context.require(Scope.malpractice_read)
        rows = await info.context.read(
            service.list_cases, p, status, subject_kind, learner_id, staff_id, report_overdue
        )
        return page_of([_case(c) for c in rows], first, after)

    @strawberry.field(description="R-70: one malpractice case, as the caller may see it.")
    async def malpractice_case(self, info: Ctx, id: uuid.UUID) -> Case:
        p = info.context.require(Scope.malpractice_read)
        return _case(await info.context.read(service.get_case, p, id))

    @strawberry.field(description="R-72/R-73: the centre's malpractice policy.")
    async def malpractice_policy(self, info: Ctx, centre_id: uuid.UUID) -> Policy:
        p = info.context.require(Scope.malpractice_manage)
        return Policy.from_pydantic(await info.context.read(service.get_policy, p, centre_id))


@strawberry.type
class MalpracticeMutation:
    @strawberry.mutation(description="R-70: a draft case (REST createMalpracticeCase).")
    async def create_malpractice_case(self, info: Ctx, input: CaseInput) -> Case:
        p = info.context.require(Scope.malpractice_manage)
        fields = input_fields(input)
        fields["links"] = [input_fields(x) for x in fields.get("links") or []]
        data = to_model(schemas.CaseCreate, fields)
        return _case(await info.context.write(service.create_case, p, data))

    @strawberry.mutation(description="R-71: confirm a draft case and name its investigators.")
    async def open_malpractice_case(
        self, info: Ctx, id: uuid.UUID, input: CaseOpenInput, version: int
    ) -> Case:
        p = info.context.require(Scope.malpractice_manage)
        data = to_model(schemas.CaseOpen, input_fields(input))
        return _case(await info.context.write(service.open_case, p, id, data, version))

    @strawberry.mutation(description="R-70: link a submission, evidence item, decision or claim.")
    async def link_malpractice_case(self, info: Ctx, id: uuid.UUID, input: LinkInput) -> Case:
        p = info.context.require(Scope.malpractice_investigate)
        data = to_model(schemas.LinkIn, input_fields(input))
        return _case(await info.context.write(service.add_link, p, id, data))

    @strawberry.mutation(description="R-71: a dated stage of a case.")
    async def record_malpractice_stage(self, info: Ctx, id: uuid.UUID, input: StageInput) -> Case:
        p = info.context.require(Scope.malpractice_investigate)
        data = to_model(schemas.StageCreate, input_fields(input))
        return _case(await info.context.write(service.record_stage, p, id, data))

    @strawberry.mutation(description="R-72: the HoC sent the report to the awarding body.")
    async def record_malpractice_report(
        self, info: Ctx, id: uuid.UUID, input: ReportInput, version: int
    ) -> Case:
        p = info.context.require(Scope.malpractice_report)
        data = to_model(schemas.ReportSent, input_fields(input))
        return _case(await info.context.write(reporting.record_report, p, id, data, version))

    @strawberry.mutation(description="R-74: a sanction or penalty on a case.")
    async def record_malpractice_sanction(self, info: Ctx, id: uuid.UUID, input: SanctionInput) -> Case:
        p = info.context.require(Scope.malpractice_report)
        data = to_model(schemas.SanctionCreate, input_fields(input))
        return _case(await info.context.write(sanctions.record_sanction, p, id, data))

    @strawberry.mutation(description="R-71: close a case.")
    async def close_malpractice_case(
        self, info: Ctx, id: uuid.UUID, input: CaseCloseInput, version: int
    ) -> Case:
        p = info.context.require(Scope.malpractice_manage)
        data = to_model(schemas.CaseClose, input_fields(input))
        return _case(await info.context.write(service.close_case, p, id, data, version))

    @strawberry.mutation(
        description="R-72/R-73: the centre's malpractice policy (its version: 0 for the defaults)."
    )
    async def put_malpractice_policy(
        self, info: Ctx, centre_id: uuid.UUID, input: PolicyInput, version: int
    ) -> Policy:
        p = info.context.require(Scope.malpractice_report)
        data = to_model(schemas.PolicyWrite, input_fields(input))
        return Policy.from_pydantic(await info.context.write(service.put_policy, p, centre_id, data, version))
