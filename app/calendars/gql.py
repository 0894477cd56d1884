"""GraphQL for the centre calendar: the same service functions as REST."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import strawberry
from strawberry.experimental.pydantic import input as pyd_input
from strawberry.experimental.pydantic import type as pyd_type
from strawberry.types import Info

from app.api.gql_context import Context, input_fields, to_model
from app.api.gql_pagination import After, Connection, First, paged
from app.auth.scopes import Scope
from app.calendars import schemas, service

Ctx = Info[Context, None]


@pyd_type(model=schemas.Term, all_fields=True)
class Term:
    pass


@pyd_type(model=schemas.AcademicYear, all_fields=True)
class AcademicYear:
    pass


@pyd_type(model=schemas.Closure, all_fields=True)
class Closure:
    pass


@pyd_type(model=schemas.WorkingDays, all_fields=True)
class WorkingDays:
    pass


@pyd_input(model=schemas.TermInput, all_fields=True)
class TermInput:
    pass


@pyd_input(model=schemas.AcademicYearCreate, all_fields=True)
class AcademicYearCreateInput:
    pass


@strawberry.input(description="Omitted fields are left alone; `terms`, when given, replaces all terms.")
class AcademicYearUpdateInput:
    label: str | None = strawberry.UNSET
    start_date: dt.date | None = strawberry.UNSET
    end_date: dt.date | None = strawberry.UNSET
    terms: list[TermInput] | None = strawberry.UNSET


@pyd_input(model=schemas.ClosureCreate, all_fields=True)
class ClosureCreateInput:
    pass


def _year(year: schemas.AcademicYear) -> AcademicYear:
    return AcademicYear.from_pydantic(year)


def _closure(closure: object) -> Closure:
    return Closure.from_pydantic(schemas.Closure.model_validate(closure))


def _year_fields(value: object) -> dict[str, Any]:
    data = input_fields(value)
    if data.get("terms") is not None:
        data["terms"] = [input_fields(t) for t in data["terms"]]
    return data


@strawberry.type
class CalendarsQuery:
    @strawberry.field(description="The centre's academic years with their terms.")
    async def academic_years(
        self, info: Ctx, first: First = 50, after: After = None
    ) -> Connection[AcademicYear]:
        p = info.context.require(Scope.centre_read)
        return await paged(
            lambda limit, cursor: info.context.read(service.list_academic_years, p, limit, cursor),
            first,
            after,
            lambda i: _year(i),
        )

    @strawberry.field
    async def academic_year(self, info: Ctx, id: uuid.UUID) -> AcademicYear:
        p = info.context.require(Scope.centre_read)
        return _year(await info.context.read(service.get_academic_year, p, id))

    @strawberry.field(description="Days the centre is closed (not working days, R-31).")
    async def closures(
        self,
        info: Ctx,
        first: First = 50,
        after: After = None,
        from_date: dt.date | None = None,
        to_date: dt.date | None = None,
    ) -> Connection[Closure]:
        p = info.context.require(Scope.centre_read)
        return await paged(
            lambda limit, cursor: info.context.read(
                service.list_closures, p, limit, cursor, from_date, to_date
            ),
            first,
            after,
            lambda i: _closure(i),
        )

    @strawberry.field(
        description="The date `days` working days after `start` in the centre's calendar: weekdays in "
        "its terms, not public holidays, not closures (R-31; the same function as every deadline)."
    )
    async def working_days(self, info: Ctx, start: dt.date, days: int) -> WorkingDays:
        p = info.context.require(Scope.centre_read)
        checked = to_model(schemas.WorkingDaysQuery, {"start": start, "days": days}, "args")
        due = await info.context.read(service.working_days, p, checked.start, checked.days, "args")
        return WorkingDays.from_pydantic(due)


@strawberry.type
class CalendarsMutation:
    @strawberry.mutation
    async def create_academic_year(self, info: Ctx, input: AcademicYearCreateInput) -> AcademicYear:
        p = info.context.require(Scope.calendar_manage)
        data = to_model(schemas.AcademicYearCreate, _year_fields(input))
        return _year(await info.context.write(service.create_academic_year, p, data))

    @strawberry.mutation(description="`version` is the version last read (the REST ETag).")
    async def update_academic_year(
        self, info: Ctx, id: uuid.UUID, version: int, input: AcademicYearUpdateInput
    ) -> AcademicYear:
        p = info.context.require(Scope.calendar_manage)
        data = to_model(schemas.AcademicYearUpdate, _year_fields(input))
        return _year(await info.context.write(service.update_academic_year, p, id, data, version))

    @strawberry.mutation
    async def create_closure(self, info: Ctx, input: ClosureCreateInput) -> Closure:
        p = info.context.require(Scope.calendar_manage)
        data = to_model(schemas.ClosureCreate, input_fields(input))
        return _closure(await info.context.write(service.create_closure, p, data))

    @strawberry.mutation(description="Removes a closure entered by mistake; returns what was removed.")
    async def delete_closure(self, info: Ctx, id: uuid.UUID) -> Closure:
        p = info.context.require(Scope.calendar_manage)
        return _closure(await info.context.write(service.delete_closure, p, id))
