"""Decisions flagged for review (R-62, R-73): an upheld appeal whose outcome questions the assessor's
other results on the brief, or a malpractice case about the member of staff who made them.

The appeal and the case live in domains above verification; they call `flag_for_review` in their own
transaction, after their row locks (it records through the write path, which takes the centre's audit
lock). A flag is satisfied once the decision has an IV record version made after it; until then the IV
sampler always takes it (app/verification/draws.py), and a brief whose official draw misses a flagged
decision may be drawn again (an *extended* draw), so a flag raised after the sample still reaches IV.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import exists, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.assessment.models import AssessmentDecision
from app.auth.principal import Principal
from app.core import clock
from app.core.ids import uuid7
from app.events.write import Change, recorded_all
from app.verification import events, schemas
from app.verification.models import IvRecord, IvRecordVersion, ReviewFlag
from app.verification.schemas import ReviewCause


def _out(flag: ReviewFlag) -> schemas.ReviewFlag:
    return schemas.ReviewFlag.model_validate(flag, from_attributes=True)


async def flag_for_review(
    session: AsyncSession,
    p: Principal,
    decision_ids: Collection[uuid.UUID],
    cause: ReviewCause,
    cause_id: uuid.UUID,
    reason: str,
) -> list[uuid.UUID]:
    """Flag the centre's decisions among `decision_ids` for review by `cause`; returns those newly flagged
    (a decision already flagged by the same cause is left as it is). `reason` is what the IV reads in
    the sample's rationale: never an allegation."""
    if not decision_ids:
        return []
    current = (
        await session.execute(
            select(AssessmentDecision.id, AssessmentDecision.current_version)
            .where(AssessmentDecision.centre_id == p.centre_id, AssessmentDecision.id.in_(decision_ids))
            .order_by(AssessmentDecision.id)
        )
    ).all()
    if not current:
        return []
    now = clock.now()
    rows = [
        {
            "id": uuid7(),
            "centre_id": p.centre_id,
            "decision_id": d.id,
            "decision_version": d.current_version,
            "cause": cause.value,
            "cause_id": cause_id,
            "reason": reason,
            "flagged_by": p.subject,
            "created_at": now,
        }
        for d in current
    ]
    inserted = (
        await session.scalars(
            pg_insert(ReviewFlag)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["cause", "cause_id", "decision_id"])
            .returning(ReviewFlag)
        )
    ).all()
    flags = sorted(inserted, key=lambda f: f.decision_id)
    if flags:
        await recorded_all(
            session,
            p,
            [
                Change.created(
                    events.DecisionFlaggedForReview(**dict(_out(f))), "assessment_decision", f.decision_id
                )
                for f in flags
            ],
        )
    return [f.decision_id for f in flags]


async def open_flags(session: AsyncSession, decision_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The decisions among `decision_ids` with a flag no IV record has followed yet, each with why (the
    reasons of several flags joined)."""
    if not decision_ids:
        return {}
    followed = exists().where(
        IvRecord.decision_id == ReviewFlag.decision_id,
        IvRecordVersion.record_id == IvRecord.id,
        IvRecordVersion.recorded_at > ReviewFlag.created_at,
    )
    rows = (
        await session.execute(
            select(ReviewFlag.decision_id, ReviewFlag.reason)
            .where(ReviewFlag.decision_id.in_(decision_ids), ~followed)
            .order_by(ReviewFlag.decision_id, ReviewFlag.created_at)
        )
    ).all()
    reasons: dict[uuid.UUID, list[str]] = {}
    for decision_id, reason in rows:
        reasons.setdefault(decision_id, []).append(reason)
    return {d: "; ".join(r) for d, r in reasons.items()}


async def flags_of(session: AsyncSession, decision_id: uuid.UUID) -> list[schemas.ReviewFlag]:
    """Every flag of one decision, oldest first."""
    flags = await session.scalars(
        select(ReviewFlag).where(ReviewFlag.decision_id == decision_id).order_by(ReviewFlag.created_at)
    )
    return [_out(f) for f in flags]
