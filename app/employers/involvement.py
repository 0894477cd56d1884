"""What certification asks of employer involvement (R-90, R-95): does the programme's qualification
require it, and has the learner taken part in a confirmed meaningful activity on a programme of the
qualification (over the whole registration, R-14); if not, what is missing: the programme's plan, the
plan's coverage of the learner, or the learner's participation."""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.employers.models import (
    ActivityParticipant,
    ActivityPlannedLearner,
    EmployerActivity,
    InvolvementPlan,
)
from app.programmes.models import Programme

# 003 §5: "It is a requirement that employers are engaged in the delivery of this qualification."
REQUIRED_BY_DEFAULT = frozenset({"ocr"})


def required_by_default(awarding_body: str) -> bool:
    return awarding_body in REQUIRED_BY_DEFAULT


async def required(session: AsyncSession, programme_id: uuid.UUID, awarding_body: str) -> bool:
    """The programme's plan says; without a plan, the awarding body's default."""
    plan = await session.scalar(
        select(InvolvementPlan.required_for_certification).where(InvolvementPlan.programme_id == programme_id)
    )
    return required_by_default(awarding_body) if plan is None else bool(plan)


async def learner_involved(session: AsyncSession, qualification_id: uuid.UUID, learner_id: uuid.UUID) -> bool:
    stmt = select(
        exists(
            select(ActivityParticipant.activity_id)
            .join(EmployerActivity, EmployerActivity.id == ActivityParticipant.activity_id)
            .join(Programme, Programme.id == EmployerActivity.programme_id)
            .where(
                ActivityParticipant.learner_id == learner_id,
                EmployerActivity.confirmed_on.is_not(None),
                Programme.qualification_id == qualification_id,
            )
        )
    )
    return bool(await session.scalar(stmt))


class Gap(StrEnum):
    plan_missing = "plan_missing"  # the programme has no plan (R-95: one at its start)
    uncovered = "uncovered"  # the plan has no activity planned for the learner
    no_participation = "no_participation"  # planned, but no confirmed activity taken part in yet


async def _planned(session: AsyncSession, qualification_id: uuid.UUID, learner_id: uuid.UUID) -> bool:
    stmt = select(
        exists(
            select(ActivityPlannedLearner.activity_id)
            .join(EmployerActivity, EmployerActivity.id == ActivityPlannedLearner.activity_id)
            .join(Programme, Programme.id == EmployerActivity.programme_id)
            .where(
                ActivityPlannedLearner.learner_id == learner_id,
                Programme.qualification_id == qualification_id,
            )
        )
    )
    return bool(await session.scalar(stmt))


async def gap(
    session: AsyncSession, programme_id: uuid.UUID, qualification_id: uuid.UUID, learner_id: uuid.UUID
) -> Gap | None:
    """None once the learner took part; otherwise the first thing missing, in the order R-95 builds it."""
    if await learner_involved(session, qualification_id, learner_id):
        return None
    if (
        await session.scalar(select(InvolvementPlan.id).where(InvolvementPlan.programme_id == programme_id))
        is None
    ):
        return Gap.plan_missing
    if not await _planned(session, qualification_id, learner_id):
        return Gap.uncovered
    return Gap.no_participation
