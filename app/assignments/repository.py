"""Principal-scoped statements for plans and briefs (R-98): staff see them on the programmes they reach
(app/programmes/access.py); a learner sees only the issued (or closed) briefs of programmes they are
enrolled on."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, SQLColumnExpression, false, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.assignments.models import AssessmentPlanEntry, AssignmentBrief, BriefVerification
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.programmes.access import enrolled_programmes, on_reachable_programmes


def _reached(
    stmt: Select, column: SQLColumnExpression[uuid.UUID], p: Principal, scope: Scope = Scope.assignments_read
) -> Select:
    clause = on_reachable_programmes(column, p, scope)
    return stmt if clause is None else stmt.where(clause)


def plan_entries(p: Principal) -> Select:
    stmt = select(AssessmentPlanEntry).where(AssessmentPlanEntry.centre_id == p.centre_id)
    if not p.has(Scope.assignments_read):
        return stmt.where(false())
    return _reached(stmt, AssessmentPlanEntry.programme_id, p)


def briefs(p: Principal, scope: Scope = Scope.assignments_read) -> Select:
    """`scope` is what the brief is read for: its content (assignments:read) or its IV (verification:read)."""
    stmt = select(AssignmentBrief).where(AssignmentBrief.centre_id == p.centre_id)
    if p.has(scope):
        return _reached(stmt, AssignmentBrief.programme_id, p, scope)
    if p.has(Scope.learner_self) or p.has(Scope.submissions_self):
        return stmt.where(
            AssignmentBrief.status.in_(("issued", "closed")),
            AssignmentBrief.programme_id.in_(enrolled_programmes(p)),
        )
    return stmt.where(false())


async def briefs_by_id(
    session: AsyncSession, p: Principal, ids: Sequence[uuid.UUID], scope: Scope = Scope.assignments_read
) -> list[AssignmentBrief | None]:
    """One statement for a batch of ids (a GraphQL DataLoader): each brief `p` reads, else None."""
    found = {
        b.id: b for b in (await session.scalars(briefs(p, scope).where(AssignmentBrief.id.in_(ids)))).all()
    }
    return [found.get(i) for i in ids]


def verifications(p: Principal) -> Select:
    stmt = select(BriefVerification).where(BriefVerification.centre_id == p.centre_id)
    if not p.has(Scope.assignments_read):
        return stmt.where(false())
    reached = on_reachable_programmes(AssignmentBrief.programme_id, p, Scope.assignments_read)
    if reached is None:
        return stmt
    return stmt.where(BriefVerification.brief_id.in_(select(AssignmentBrief.id).where(reached)))
