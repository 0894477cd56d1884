"""Which learners a principal may see: the whole centre for staff, only themselves for a learner (R-98)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.learners.models import Learner


def learners(principal: Principal) -> Select:
    stmt = select(Learner).where(Learner.centre_id == principal.centre_id)
    if principal.has(Scope.learners_read):
        return stmt
    if principal.has(Scope.learner_self):
        return stmt.where(Learner.idp_subject == principal.subject)
    return stmt.where(false())


async def learners_by_id(
    session: AsyncSession, principal: Principal, ids: Sequence[uuid.UUID]
) -> list[Learner | None]:
    """One statement for a batch of ids (a GraphQL DataLoader): each learner the principal sees, else None."""
    found = {
        row.id: row for row in (await session.scalars(learners(principal).where(Learner.id.in_(ids)))).all()
    }
    return [found.get(i) for i in ids]


def filtered(
    stmt: Select,
    *,
    family_name: str | None = None,
    candidate_number: str | None = None,
    mis_id: str | None = None,
    uln: str | None = None,
) -> Select:
    if family_name:
        # Prefix match, case-insensitive, served by ix_learners_centre_family_name.
        escaped = family_name.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(func.lower(Learner.family_name).like(f"{escaped}%", escape="\\"))
    if candidate_number:
        stmt = stmt.where(Learner.candidate_number == candidate_number)
    if mis_id:
        stmt = stmt.where(Learner.mis_id == mis_id)
    if uln:
        stmt = stmt.where(Learner.uln == uln)
    return stmt
