"""Reads of the records that had only a write: agreed extensions (R-23, R-30) and exam results (003 §7).

Both are scoped by the caller like the rest of assessment (app/assessment/repository.py): staff on the
programmes they reach, the centre-wide readers everywhere, a learner their own.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.assessment import repository as repo
from app.assessment.models import ExamResult, Extension
from app.auth.principal import Principal
from app.core.pagination import paginate


async def list_extensions(
    session: AsyncSession,
    p: Principal,
    limit: int,
    cursor: str | None,
    *,
    learner_id: uuid.UUID | None = None,
    brief_id: uuid.UUID | None = None,
) -> tuple[list[Any], str | None]:
    """Every extension agreed, the superseded ones too (only the latest counts: R-23)."""
    stmt = repo.extensions(p)
    if learner_id:
        stmt = stmt.where(Extension.learner_id == learner_id)
    if brief_id:
        stmt = stmt.where(Extension.brief_id == brief_id)
    return await paginate(session, stmt, Extension.id, limit, cursor)


async def list_exam_results(
    session: AsyncSession,
    p: Principal,
    limit: int,
    cursor: str | None,
    *,
    learner_id: uuid.UUID | None = None,
    qualification_id: uuid.UUID | None = None,
    unit_number: int | None = None,
) -> tuple[list[Any], str | None]:
    """Every sitting recorded, resits included (the best counts, R-05)."""
    stmt = repo.exam_results(p)
    if learner_id:
        stmt = stmt.where(ExamResult.learner_id == learner_id)
    if qualification_id:
        stmt = stmt.where(ExamResult.qualification_id == qualification_id)
    if unit_number is not None:
        stmt = stmt.where(ExamResult.unit_number == unit_number)
    return await paginate(session, stmt, ExamResult.id, limit, cursor)
