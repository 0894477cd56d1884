"""R-62: while an appeal is open the learner's affected units are on hold for certification, and their
work on them is kept. Certification (and the records issue's retention) read the holds here only.

An appeal holds its units while a stage is open, and while a not-upheld stage may still be taken to the
next one (until `escalate_by`): the learner has not finished appealing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.appeals.models import Appeal
from app.appeals.schemas import AppealStatus
from app.core import clock


@dataclass(frozen=True)
class UnitHold:
    appeal_id: uuid.UUID
    qualification_id: uuid.UUID
    unit_number: int


def still_open() -> ColumnElement[bool]:
    """The SQL condition of an appeal that holds its units today."""
    return or_(
        Appeal.status == AppealStatus.open,
        (Appeal.status == AppealStatus.not_upheld) & (Appeal.escalate_by >= clock.today()),
    )


async def units_on_hold(session: AsyncSession, learner_id: uuid.UUID) -> list[UnitHold]:
    """Every unit of every open appeal of the learner (R-62), in a stable order."""
    rows = (
        await session.execute(
            select(Appeal.id, Appeal.qualification_id, Appeal.unit_numbers)
            .where(Appeal.learner_id == learner_id, still_open())
            .order_by(Appeal.id)
        )
    ).all()
    return sorted(
        {UnitHold(r.id, r.qualification_id, n) for r in rows for n in r.unit_numbers},
        key=lambda h: (str(h.appeal_id), str(h.qualification_id), h.unit_number),
    )
