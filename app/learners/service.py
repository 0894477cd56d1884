"""Learners: the first domain slice. Every change is audited and emitted in the request's transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Author
from app.auth.principal import Principal
from app.core import clock
from app.core.concurrency import IfMatch
from app.core.errors import ValidationFailed, field_problem
from app.core.pagination import paginate
from app.core.visibility import get_visible
from app.events.changes import create_recorded, update_recorded
from app.learners import events, schemas
from app.learners import repository as repo
from app.learners.models import Learner

LEARNER_UNIQUE = {
    "uq_learners_centre_id_mis_id": "body.mis_id",
    "uq_learners_centre_id_candidate_number": "body.candidate_number",
    "uq_learners_centre_id_idp_subject": "body.idp_subject",
}
EARLIEST_BIRTH = dt.date(1900, 1, 1)


def _check_date_of_birth(value: dt.date | None) -> None:
    if value is not None and not (EARLIEST_BIRTH <= value <= clock.today()):
        raise ValidationFailed(
            "The date of birth is not plausible.",
            errors=[
                field_problem(
                    "body.date_of_birth", "date_of_birth_out_of_range", "must be between 1900-01-01 and today"
                )
            ],
        )


async def create_learner(session: AsyncSession, p: Author, data: schemas.LearnerCreate) -> Learner:
    _check_date_of_birth(data.date_of_birth)
    learner = Learner(centre_id=p.centre_id, **data.model_dump())
    return await create_recorded(session, p, learner, events.LearnerCreated, "learner", LEARNER_UNIQUE)


async def get_learner(session: AsyncSession, p: Principal, learner_id: uuid.UUID) -> Learner:
    return await get_visible(session, repo.learners(p), Learner, learner_id, "learner")


async def list_learners(
    session: AsyncSession, p: Principal, limit: int, cursor: str | None, **filters: Any
) -> tuple[list[Learner], str | None]:
    return await paginate(session, repo.filtered(repo.learners(p), **filters), Learner.id, limit, cursor)


async def update_learner(
    session: AsyncSession,
    p: Principal,
    learner_id: uuid.UUID,
    data: schemas.LearnerUpdate,
    expected_version: int | IfMatch,
) -> Learner:
    changes = data.model_dump(exclude_unset=True)
    _check_date_of_birth(changes.get("date_of_birth"))
    learner = await get_learner(session, p, learner_id)
    return await update_recorded(
        session, p, learner, changes, expected_version, events.LearnerUpdated, "learner", LEARNER_UNIQUE
    )
