"""GraphQL for centres, sites and staff: the same service functions as REST."""

from __future__ import annotations

import uuid
from typing import Annotated

import strawberry
from strawberry.experimental.pydantic import input as pyd_input
from strawberry.experimental.pydantic import type as pyd_type
from strawberry.types import Info

from app.api.gql_context import Context, input_fields, to_model
from app.api.gql_pagination import After, Connection, First, paged
from app.auth.scopes import Scope
from app.centres import schemas, service

strawberry.enum(schemas.Nation)
strawberry.enum(schemas.StaffRoleName, name="StaffRole")


@pyd_type(model=schemas.Centre, all_fields=True)
class Centre:
    pass


@pyd_type(model=schemas.Site, all_fields=True)
class Site:
    pass


@pyd_type(model=schemas.StaffMember, all_fields=True)
class StaffMember:
    pass


# Update inputs: an omitted field is left alone (UNSET); the Pydantic schema refuses a null where
# the field may not be empty, exactly as REST does.
@strawberry.input
class CentreUpdateInput:
    name: str | None = strawberry.UNSET
    nation: schemas.Nation | None = strawberry.UNSET


@pyd_input(model=schemas.SiteCreate, all_fields=True)
class SiteCreateInput:
    pass


@strawberry.input
class SiteUpdateInput:
    name: str | None = strawberry.UNSET
    address: str | None = strawberry.UNSET


@pyd_input(model=schemas.StaffCreate, all_fields=True)
class StaffCreateInput:
    pass


@strawberry.input
class StaffUpdateInput:
    given_name: str | None = strawberry.UNSET
    family_name: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    roles: list[schemas.StaffRoleName] | None = strawberry.UNSET
    active: bool | None = strawberry.UNSET


Ctx = Info[Context, None]


@strawberry.type
class CentresQuery:
    @strawberry.field(description="The caller's own centre (a token is issued for one centre).")
    async def centres(self, info: Ctx, first: First = 50, after: After = None) -> Connection[Centre]:
        p = info.context.require(Scope.centre_read)
        return await paged(
            lambda limit, cursor: info.context.read(service.list_centres, p, limit, cursor),
            first,
            after,
            lambda i: Centre.from_pydantic(schemas.Centre.model_validate(i)),
        )

    @strawberry.field(description="The caller's centre.")
    async def centre(self, info: Ctx, id: uuid.UUID) -> Centre:
        p = info.context.require(Scope.centre_read)
        return Centre.from_pydantic(
            schemas.Centre.model_validate(await info.context.read(service.get_centre, p, id))
        )

    @strawberry.field
    async def sites(self, info: Ctx, first: First = 50, after: After = None) -> Connection[Site]:
        p = info.context.require(Scope.centre_read)
        return await paged(
            lambda limit, cursor: info.context.read(service.list_sites, p, limit, cursor),
            first,
            after,
            lambda i: Site.from_pydantic(schemas.Site.model_validate(i)),
        )

    @strawberry.field
    async def site(self, info: Ctx, id: uuid.UUID) -> Site:
        p = info.context.require(Scope.centre_read)
        return Site.from_pydantic(
            schemas.Site.model_validate(await info.context.read(service.get_site, p, id))
        )

    @strawberry.field
    async def staff(
        self,
        info: Ctx,
        first: First = 50,
        after: After = None,
        role: Annotated[
            schemas.StaffRoleName | None, strawberry.argument(description="Only staff holding this role.")
        ] = None,
        active: bool | None = None,
    ) -> Connection[StaffMember]:
        p = info.context.require(Scope.staff_read)
        return await paged(
            lambda limit, cursor: info.context.read(
                service.list_staff, p, limit, cursor, role.value if role else None, active
            ),
            first,
            after,
            lambda i: StaffMember.from_pydantic(schemas.StaffMember.model_validate(i)),
        )

    @strawberry.field
    async def staff_member(self, info: Ctx, id: uuid.UUID) -> StaffMember:
        p = info.context.require(Scope.staff_read)
        member = await info.context.read(service.get_staff, p, id)
        return StaffMember.from_pydantic(schemas.StaffMember.model_validate(member))


@strawberry.type
class CentresMutation:
    @strawberry.mutation(description="`version` is the version last read (the REST ETag).")
    async def update_centre(self, info: Ctx, id: uuid.UUID, version: int, input: CentreUpdateInput) -> Centre:
        p = info.context.require(Scope.centre_write)
        data = to_model(schemas.CentreUpdate, input_fields(input))
        centre = await info.context.write(service.update_centre, p, id, data, version)
        return Centre.from_pydantic(schemas.Centre.model_validate(centre))

    @strawberry.mutation
    async def create_site(self, info: Ctx, input: SiteCreateInput) -> Site:
        p = info.context.require(Scope.centre_write)
        data = to_model(schemas.SiteCreate, input_fields(input))
        return Site.from_pydantic(
            schemas.Site.model_validate(await info.context.write(service.create_site, p, data))
        )

    @strawberry.mutation
    async def update_site(self, info: Ctx, id: uuid.UUID, version: int, input: SiteUpdateInput) -> Site:
        p = info.context.require(Scope.centre_write)
        data = to_model(schemas.SiteUpdate, input_fields(input))
        site = await info.context.write(service.update_site, p, id, data, version)
        return Site.from_pydantic(schemas.Site.model_validate(site))

    @strawberry.mutation
    async def create_staff_member(self, info: Ctx, input: StaffCreateInput) -> StaffMember:
        p = info.context.require(Scope.staff_write)
        data = to_model(schemas.StaffCreate, input_fields(input))
        member = await info.context.write(service.create_staff, p, data)
        return StaffMember.from_pydantic(schemas.StaffMember.model_validate(member))

    @strawberry.mutation
    async def update_staff_member(
        self, info: Ctx, id: uuid.UUID, version: int, input: StaffUpdateInput
    ) -> StaffMember:
        p = info.context.require(Scope.staff_write)
        data = to_model(schemas.StaffUpdate, input_fields(input))
        member = await info.context.write(service.update_staff, p, id, data, version)
        return StaffMember.from_pydantic(schemas.StaffMember.model_validate(member))
