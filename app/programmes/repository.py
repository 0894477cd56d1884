"""Principal-scoped statements (R-98): staff see their centre's programmes, class lists and RPL; the
personal circumstances behind adjustments and special consideration only the roles acting on them, and
below centre level only for learners on their programmes (app/programmes/access.py); a learner sees
only their own."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, false, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.learners.models import Learner
from app.programmes.access import learners_on_reachable_programmes
from app.programmes.models import (
    Enrolment,
    PriorLearning,
    Programme,
    ReasonableAdjustment,
    SpecialConsideration,
)


def programmes(principal: Principal) -> Select:
    return select(Programme).where(Programme.centre_id == principal.centre_id)


def _own_or_centre(model: Any, principal: Principal, staff_scope: Scope) -> Select:  # a model with learner_id
    stmt = select(model).where(model.centre_id == principal.centre_id)
    if principal.has(staff_scope):
        learners = learners_on_reachable_programmes(principal, staff_scope)
        return stmt if learners is None else stmt.where(model.learner_id.in_(learners))
    if principal.has(Scope.learner_self):
        mine = select(Learner.id).where(
            Learner.centre_id == principal.centre_id, Learner.idp_subject == principal.subject
        )
        return stmt.where(model.learner_id.in_(mine))
    return stmt.where(false())


def enrolments(principal: Principal) -> Select:
    return _own_or_centre(Enrolment, principal, Scope.programmes_read)


async def enrolments_by_learner(
    session: AsyncSession, principal: Principal, learner_ids: Sequence[uuid.UUID]
) -> list[list[Enrolment]]:
    """One statement for a batch of learners (a GraphQL DataLoader): each one's enrolments the principal
    sees, oldest first."""
    by: dict[uuid.UUID, list[Enrolment]] = defaultdict(list)
    stmt = enrolments(principal).where(Enrolment.learner_id.in_(learner_ids))
    for e in (await session.scalars(stmt.order_by(Enrolment.enrolled_on, Enrolment.id))).all():
        by[e.learner_id].append(e)
    return [by.get(i, []) for i in learner_ids]


def prior_learning(principal: Principal) -> Select:
    return _own_or_centre(PriorLearning, principal, Scope.learner_support_read)


def reasonable_adjustments(principal: Principal) -> Select:
    return _own_or_centre(ReasonableAdjustment, principal, Scope.adjustments_read)


def special_considerations(principal: Principal) -> Select:
    return _own_or_centre(SpecialConsideration, principal, Scope.special_consideration_read)
