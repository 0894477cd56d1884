"""Who the caller is on a programme: object-level checks (house rule 4) for briefs and decisions.

A token carries centre-wide roles; what a member of staff may do *on a programme* comes from the
programme's staff lists (programme_staff) and its named leader and LIV.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.centres.models import StaffMember
from app.core.errors import Forbidden
from app.programmes.models import Programme, ProgrammeStaff


@dataclass(frozen=True)
class ProgrammeAccess:
    staff_id: uuid.UUID | None
    roles: frozenset[str]  # assessor, internal_verifier, lead_internal_verifier, programme_leader

    def has(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))


async def programme_access(session: AsyncSession, p: Principal, programme: Programme) -> ProgrammeAccess:
    """One query: the caller's staff record and their roles on this programme."""
    rows = (
        await session.execute(
            select(StaffMember.id, ProgrammeStaff.role)
            .outerjoin(
                ProgrammeStaff,
                and_(ProgrammeStaff.staff_id == StaffMember.id, ProgrammeStaff.programme_id == programme.id),
            )
            .where(
                StaffMember.centre_id == p.centre_id,
                StaffMember.idp_subject == p.subject,
                StaffMember.active.is_(True),
            )
        )
    ).all()
    if not rows:
        return ProgrammeAccess(None, frozenset())
    staff_id = rows[0].id
    roles = {r.role for r in rows if r.role}
    if programme.lead_internal_verifier_id == staff_id:
        roles.add("lead_internal_verifier")
    if programme.programme_leader_id == staff_id:
        roles.add("programme_leader")
    return ProgrammeAccess(staff_id, frozenset(roles))


def require_on_programme(access: ProgrammeAccess, *roles: str, what: str) -> uuid.UUID:
    if access.staff_id is None or not access.has(*roles):
        names = " or ".join(r.replace("_", " ") for r in roles)
        raise Forbidden(f"Only the programme's {names} may {what}.")
    return access.staff_id
