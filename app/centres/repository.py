"""Principal-scoped statements: every read is limited to the caller's centre (house rule 3)."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.centres.models import Centre, Site, StaffMember
from app.core.errors import NotFound


def centres(principal: Principal) -> Select:
    return select(Centre).where(Centre.id == principal.centre_id)


def sites(principal: Principal) -> Select:
    return select(Site).where(Site.centre_id == principal.centre_id)


def staff(principal: Principal) -> Select:
    return select(StaffMember).where(StaffMember.centre_id == principal.centre_id)


async def one(session: AsyncSession, stmt: Select, model: type, object_id: uuid.UUID, what: str):
    """Another centre's object is simply not found: 404 with no detail about it (house rule 3)."""
    found = (await session.scalars(stmt.where(model.id == object_id))).one_or_none()
    if found is None:
        raise NotFound(f"No {what} with id {object_id}.")
    return found
