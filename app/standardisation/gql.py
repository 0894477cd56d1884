"""GraphQL for standardisation (R-45) and staff competence and CPD (R-46): the same service functions
as REST, types and inputs derived from the same Pydantic schemas."""

from __future__ import annotations

import uuid

import strawberry
from strawberry.experimental.pydantic import input as pyd_input
from strawberry.experimental.pydantic import type as pyd_type
from strawberry.types import Info

from app.api.gql_context import Context, input_fields, to_model
from app.api.gql_pagination import After, Connection, First, page_of
from app.auth.scopes import Scope
from app.standardisation import competence, schemas, service

Ctx = Info[Context, None]


@pyd_type(model=schemas.StandardisationRecord, all_fields=True)
class StandardisationRecord:
    pass


@pyd_type(model=schemas.UnitStandardisation, all_fields=True)
class UnitStandardisation:
    pass


@pyd_type(model=schemas.StandardisationGaps, all_fields=True)
class StandardisationGaps:
    pass


@pyd_type(model=schemas.CpdRecord, all_fields=True)
class CpdRecord:
    pass


@pyd_type(model=schemas.CompetentUnitOut, all_fields=True)
class CompetentUnit:
    pass


@pyd_type(model=schemas.StaffCompetence, all_fields=True)
class StaffCompetence:
    pass


@pyd_type(model=schemas.StaffCompetenceGap, all_fields=True)
class StaffCompetenceGap:
    pass


@pyd_type(model=schemas.CompetenceReport, all_fields=True)
class StaffCompetenceReport:
    pass


@pyd_input(model=schemas.StandardisationCreate, all_fields=True)
class StandardisationInput:
    pass


@pyd_input(model=schemas.CpdCreate, all_fields=True)
class CpdInput:
    pass


@pyd_input(model=schemas.CompetentUnit, all_fields=True)
class CompetentUnitInput:
    pass


@pyd_input(model=schemas.CompetenceWrite, all_fields=True)
class CompetenceInput:
    pass


def _record(row: object) -> StandardisationRecord:
    return StandardisationRecord.from_pydantic(schemas.StandardisationRecord.model_validate(row))


def _cpd(row: object) -> CpdRecord:
    return CpdRecord.from_pydantic(schemas.CpdRecord.model_validate(row))


@strawberry.type
class StandardisationQuery:
    @strawberry.field(description="R-45: standardisation records (REST listStandardisationRecords).")
    async def standardisation_records(
        self,
        info: Ctx,
        programme_id: uuid.UUID | None = None,
        academic_year_id: uuid.UUID | None = None,
        unit_number: int | None = None,
        first: First = 50,
        after: After = None,
    ) -> Connection[StandardisationRecord]:
        p = info.context.require(Scope.standardisation_read)
        rows = await info.context.read(
            service.list_standardisation, p, programme_id, academic_year_id, unit_number
        )
        return page_of([_record(r) for r in rows], first, after)

    @strawberry.field(description="R-45: one standardisation record.")
    async def standardisation_record(self, info: Ctx, id: uuid.UUID) -> StandardisationRecord:
        p = info.context.require(Scope.standardisation_read)
        return _record(await info.context.read(service.get_standardisation, p, id))

    @strawberry.field(description="R-45: the programme's units with no standardisation record for the year.")
    async def standardisation_gaps(
        self, info: Ctx, programme_id: uuid.UUID, academic_year_id: uuid.UUID | None = None
    ) -> StandardisationGaps:
        p = info.context.require(Scope.standardisation_read)
        return StandardisationGaps.from_pydantic(
            await info.context.read(service.standardisation_gaps, p, programme_id, academic_year_id)
        )

    @strawberry.field(description="R-46: the programme team's expertise gaps and CPD hours in the year.")
    async def programme_staff_competence(
        self, info: Ctx, programme_id: uuid.UUID, academic_year_id: uuid.UUID | None = None
    ) -> StaffCompetenceReport:
        p = info.context.require(Scope.standardisation_read)
        return StaffCompetenceReport.from_pydantic(
            await info.context.read(competence.competence_report, p, programme_id, academic_year_id)
        )

    @strawberry.field(description="R-46: CPD records: one's own; the HoC, QN and LIV everyone's.")
    async def cpd_records(
        self, info: Ctx, staff_id: uuid.UUID | None = None, first: First = 50, after: After = None
    ) -> Connection[CpdRecord]:
        p = info.context.require(Scope.cpd_read)
        return page_of(
            [_cpd(r) for r in await info.context.read(competence.list_cpd, p, staff_id)], first, after
        )

    @strawberry.field(description="R-46: one CPD record.")
    async def cpd_record(self, info: Ctx, id: uuid.UUID) -> CpdRecord:
        p = info.context.require(Scope.cpd_read)
        return _cpd(await info.context.read(competence.get_cpd, p, id))

    @strawberry.field(description="R-46: a member of staff's subject areas and units of expertise.")
    async def staff_competence(self, info: Ctx, staff_id: uuid.UUID) -> StaffCompetence:
        p = info.context.require(Scope.staff_read)
        return StaffCompetence.from_pydantic(await info.context.read(competence.get_competence, p, staff_id))


@strawberry.type
class StandardisationMutation:
    @strawberry.mutation(description="R-45: the programme's LIV records a unit's standardisation.")
    async def record_standardisation(self, info: Ctx, input: StandardisationInput) -> StandardisationRecord:
        p = info.context.require(Scope.standardisation_write)
        data = to_model(schemas.StandardisationCreate, input_fields(input))
        return _record(await info.context.write(service.record_standardisation, p, data))

    @strawberry.mutation(description="R-46: a CPD activity (REST CpdCreate body).")
    async def record_cpd(self, info: Ctx, input: CpdInput) -> CpdRecord:
        p = info.context.require(Scope.cpd_write)
        data = to_model(schemas.CpdCreate, input_fields(input))
        return _cpd(await info.context.write(competence.record_cpd, p, data))

    @strawberry.mutation(
        description="R-46: a member of staff's expertise (REST CompetenceWrite body); version to change it."
    )
    async def put_staff_competence(
        self, info: Ctx, staff_id: uuid.UUID, input: CompetenceInput, version: int | None = None
    ) -> StaffCompetence:
        p = info.context.require(Scope.competence_manage)
        fields = input_fields(input)
        if fields.get("units") is not None:
            fields["units"] = [input_fields(u) for u in fields["units"]]
        data = to_model(schemas.CompetenceWrite, fields)
        return StaffCompetence.from_pydantic(
            await info.context.write(competence.put_competence, p, staff_id, data, version)
        )
