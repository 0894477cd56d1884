"""What certification asks of employer involvement (R-90, R-95): does the programme's qualification
require it, and has the learner taken part in a confirmed meaningful activity on a programme of the
qualification (over the whole registration, R-14)."""

from __future__ import annotations

import uuid

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.employers.models import ActivityParticipant, EmployerActivity, InvolvementPlan
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
