"""Principal-scoped statements for appeals (R-60, R-98).

The learner reads their own appeals; a member of staff those on decisions they made or stages they
judge; the LIV, QN and HoC every appeal of the centre. Anyone else: none (404 by id)."""

from __future__ import annotations

from sqlalchemy import Select, false, or_, select

from app.appeals.models import Appeal, AppealStage
from app.assessment.repository import own_learner_ids
from app.auth.principal import Principal
from app.auth.scopes import Role, Scope
from app.programmes.access import my_staff_ids

APPEALS_WIDE = frozenset({Role.hoc, Role.qn, Role.liv})


def appeals(p: Principal) -> Select:
    stmt = select(Appeal).where(Appeal.centre_id == p.centre_id)
    if not p.has(Scope.appeals_read):
        return stmt.where(false())
    if p.roles & APPEALS_WIDE:
        return stmt
    mine = my_staff_ids(p)
    judged = select(AppealStage.appeal_id).where(AppealStage.judge_staff_id.in_(mine))
    return stmt.where(
        or_(
            Appeal.learner_id.in_(own_learner_ids(p)),
            Appeal.assessor_staff_id.in_(mine),
            Appeal.id.in_(judged),
        )
    )
