"""Centres, sites and staff: the tenant and the people who work in it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from enum import Enum

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Author
from app.auth.principal import Principal
from app.centres import events, schemas
from app.centres import repository as repo
from app.centres.models import Centre, Site, StaffMember
from app.core.concurrency import IfMatch
from app.core.pagination import paginate
from app.core.visibility import get_visible
from app.events.changes import create_recorded, update_recorded

CENTRE_UNIQUE = {"uq_centres_centre_number": "body.centre_number"}
SITE_UNIQUE = {"uq_sites_centre_id_name": "body.name"}
STAFF_UNIQUE = {"uq_staff_centre_id_idp_subject": "body.idp_subject"}


async def create_centre(session: AsyncSession, actor: Author, data: schemas.CentreCreate) -> Centre:
    """Onboarding a centre is an operator's act (CLI, demo): no centre role creates another centre."""
    centre = Centre(id=actor.centre_id, **data.model_dump())
    return await create_recorded(session, actor, centre, events.CentreCreated, "centre", CENTRE_UNIQUE)


async def get_centre(session: AsyncSession, p: Principal, centre_id: uuid.UUID) -> Centre:
    return await get_visible(session, repo.centres(p), Centre, centre_id, "centre")


async def list_centres(
    session: AsyncSession, p: Principal, limit: int, cursor: str | None
) -> tuple[list[Centre], str | None]:
    return await paginate(session, repo.centres(p), Centre.id, limit, cursor)


async def update_centre(
    session: AsyncSession,
    p: Principal,
    centre_id: uuid.UUID,
    data: schemas.CentreUpdate,
    expected_version: int | IfMatch,
) -> Centre:
    centre = await get_centre(session, p, centre_id)
    return await update_recorded(
        session,
        p,
        centre,
        data.model_dump(exclude_unset=True),
        expected_version,
        events.CentreUpdated,
        "centre",
    )


async def create_site(session: AsyncSession, p: Author, data: schemas.SiteCreate) -> Site:
    site = Site(centre_id=p.centre_id, **data.model_dump())
    return await create_recorded(session, p, site, events.SiteCreated, "site", SITE_UNIQUE)


async def get_site(session: AsyncSession, p: Principal, site_id: uuid.UUID) -> Site:
    return await get_visible(session, repo.sites(p), Site, site_id, "site")


async def list_sites(
    session: AsyncSession, p: Principal, limit: int, cursor: str | None
) -> tuple[list[Site], str | None]:
    return await paginate(session, repo.sites(p), Site.id, limit, cursor)


async def update_site(
    session: AsyncSession,
    p: Principal,
    site_id: uuid.UUID,
    data: schemas.SiteUpdate,
    expected_version: int | IfMatch,
) -> Site:
    site = await get_site(session, p, site_id)
    return await update_recorded(
        session,
        p,
        site,
        data.model_dump(exclude_unset=True),
        expected_version,
        events.SiteUpdated,
        "site",
        SITE_UNIQUE,
    )


def _role_values(roles: Iterable[Enum]) -> list[str]:
    # One grant per role, in a stable order, whatever the client sent.
    return sorted({r.value for r in roles})


async def create_staff(session: AsyncSession, p: Author, data: schemas.StaffCreate) -> StaffMember:
    member = StaffMember(
        centre_id=p.centre_id,
        active=True,
        **data.model_dump(exclude={"roles"}),
        roles=_role_values(data.roles),
    )
    return await create_recorded(session, p, member, events.StaffMemberCreated, "staff_member", STAFF_UNIQUE)


async def get_staff(session: AsyncSession, p: Principal, staff_id: uuid.UUID) -> StaffMember:
    return await get_visible(session, repo.staff(p), StaffMember, staff_id, "staff member")


async def list_staff(
    session: AsyncSession,
    p: Principal,
    limit: int,
    cursor: str | None,
    role: str | None = None,
    active: bool | None = None,
) -> tuple[list[StaffMember], str | None]:
    stmt = repo.staff(p)
    if role is not None:
        stmt = stmt.where(StaffMember.roles.any_() == role)
    if active is not None:
        stmt = stmt.where(StaffMember.active.is_(active))
    return await paginate(session, stmt, StaffMember.id, limit, cursor)


async def update_staff(
    session: AsyncSession,
    p: Principal,
    staff_id: uuid.UUID,
    data: schemas.StaffUpdate,
    expected_version: int | IfMatch,
) -> StaffMember:
    member = await get_staff(session, p, staff_id)
    changes = data.model_dump(exclude_unset=True)
    if "roles" in changes:
        changes["roles"] = _role_values(data.roles or [])
    return await update_recorded(
        session, p, member, changes, expected_version, events.StaffMemberUpdated, "staff_member", STAFF_UNIQUE
    )
