"""Principal-scoped statements: every read is limited to the caller's centre (house rule 3)."""

from __future__ import annotations

from sqlalchemy import Select, select

from app.auth.principal import Principal
from app.centres.models import Centre, Site, StaffMember


def centres(principal: Principal) -> Select:
    return select(Centre).where(Centre.id == principal.centre_id)


def sites(principal: Principal) -> Select:
    return select(Site).where(Site.centre_id == principal.centre_id)


def staff(principal: Principal) -> Select:
    return select(StaffMember).where(StaffMember.centre_id == principal.centre_id)
