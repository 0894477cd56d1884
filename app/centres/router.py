"""REST for centres, sites and staff: thin endpoints over app.centres.service."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Response

from app.auth.dependencies import CentreRead, CentreWrite, StaffRead, StaffWrite
from app.centres import schemas, service
from app.centres.schemas import StaffRoleName
from app.core.concurrency import IfMatchHeader, set_etag
from app.core.db import Session
from app.core.idempotent import idempotent
from app.core.pagination import Cursor, Limit, Page
from app.core.routing import DomainRouter

router = DomainRouter(prefix="/v1")


@router.get("/centres", operation_id="listCentres", tags=["centres"], response_model=Page[schemas.Centre])
async def list_centres(session: Session, p: CentreRead, limit: Limit = 50, cursor: Cursor = None):
    """The caller's own centre (a token is issued for one centre)."""
    items, next_cursor = await service.list_centres(session, p, limit, cursor)
    return Page[schemas.Centre](items=items, next_cursor=next_cursor)


@router.get("/centres/{centre_id}", operation_id="getCentre", tags=["centres"], response_model=schemas.Centre)
async def get_centre(centre_id: uuid.UUID, session: Session, p: CentreRead, response: Response):
    centre = await service.get_centre(session, p, centre_id)
    set_etag(response, centre.version)
    return centre


@router.patch(
    "/centres/{centre_id}", operation_id="updateCentre", tags=["centres"], response_model=schemas.Centre
)
async def update_centre(
    centre_id: uuid.UUID,
    body: schemas.CentreUpdate,
    session: Session,
    p: CentreWrite,
    version: IfMatchHeader,
    response: Response,
):
    centre = await service.update_centre(session, p, centre_id, body, version)
    set_etag(response, centre.version)
    return centre


@router.get("/sites", operation_id="listSites", tags=["sites"], response_model=Page[schemas.Site])
async def list_sites(session: Session, p: CentreRead, limit: Limit = 50, cursor: Cursor = None):
    items, next_cursor = await service.list_sites(session, p, limit, cursor)
    return Page[schemas.Site](items=items, next_cursor=next_cursor)


@router.post(
    "/sites", operation_id="createSite", tags=["sites"], response_model=schemas.Site, status_code=201
)
@idempotent
async def create_site(body: schemas.SiteCreate, session: Session, p: CentreWrite, response: Response):
    site = await service.create_site(session, p, body)
    set_etag(response, site.version)
    return site


@router.get("/sites/{site_id}", operation_id="getSite", tags=["sites"], response_model=schemas.Site)
async def get_site(site_id: uuid.UUID, session: Session, p: CentreRead, response: Response):
    site = await service.get_site(session, p, site_id)
    set_etag(response, site.version)
    return site


@router.patch("/sites/{site_id}", operation_id="updateSite", tags=["sites"], response_model=schemas.Site)
async def update_site(
    site_id: uuid.UUID,
    body: schemas.SiteUpdate,
    session: Session,
    p: CentreWrite,
    version: IfMatchHeader,
    response: Response,
):
    site = await service.update_site(session, p, site_id, body, version)
    set_etag(response, site.version)
    return site


@router.get("/staff", operation_id="listStaff", tags=["staff"], response_model=Page[schemas.StaffMember])
async def list_staff(
    session: Session,
    p: StaffRead,
    limit: Limit = 50,
    cursor: Cursor = None,
    role: Annotated[StaffRoleName | None, Query(description="Only staff holding this role.")] = None,
    active: bool | None = None,
):
    items, next_cursor = await service.list_staff(
        session, p, limit, cursor, role.value if role else None, active
    )
    return Page[schemas.StaffMember](items=items, next_cursor=next_cursor)


@router.post(
    "/staff",
    operation_id="createStaffMember",
    tags=["staff"],
    response_model=schemas.StaffMember,
    status_code=201,
)
@idempotent
async def create_staff(body: schemas.StaffCreate, session: Session, p: StaffWrite, response: Response):
    member = await service.create_staff(session, p, body)
    set_etag(response, member.version)
    return member


@router.get(
    "/staff/{staff_id}", operation_id="getStaffMember", tags=["staff"], response_model=schemas.StaffMember
)
async def get_staff(staff_id: uuid.UUID, session: Session, p: StaffRead, response: Response):
    member = await service.get_staff(session, p, staff_id)
    set_etag(response, member.version)
    return member


@router.patch(
    "/staff/{staff_id}", operation_id="updateStaffMember", tags=["staff"], response_model=schemas.StaffMember
)
async def update_staff(
    staff_id: uuid.UUID,
    body: schemas.StaffUpdate,
    session: Session,
    p: StaffWrite,
    version: IfMatchHeader,
    response: Response,
):
    member = await service.update_staff(session, p, staff_id, body, version)
    set_etag(response, member.version)
    return member
