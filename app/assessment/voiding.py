"""R-74: a decision voided by a penalty the centre applies (the cancellation of an assignment or a unit
after a malpractice case): a new version, with the case as its reason, that records nothing achieved,
released at once so the learner's record shows the cancellation. The earlier versions stay (R-26).

Called by app.malpractice (above assessment) in its own transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.assessment import events
from app.assessment.models import AssessmentDecision, DecisionVersion
from app.auth.principal import Principal
from app.core import clock
from app.events.write import Change, recorded_all


async def void_decisions(
    session: AsyncSession, p: Principal, decision_ids: Collection[uuid.UUID], reason: str
) -> list[uuid.UUID]:
    """Void the centre's decisions among `decision_ids` (each once: a decision already voided for this
    reason is left alone); returns those voided."""
    if not decision_ids:
        return []
    rows = (
        await session.execute(
            select(AssessmentDecision, DecisionVersion)
            .join(
                DecisionVersion,
                (DecisionVersion.decision_id == AssessmentDecision.id)
                & (DecisionVersion.number == AssessmentDecision.current_version),
            )
            .where(AssessmentDecision.centre_id == p.centre_id, AssessmentDecision.id.in_(decision_ids))
            .order_by(AssessmentDecision.id)
            .with_for_update(of=AssessmentDecision)
        )
    ).all()
    changes: list[Change] = []
    now, today = clock.now(), clock.today()
    for decision, current in rows:
        if current.reason == reason:
            continue
        number = decision.current_version + 1
        await session.execute(
            insert(DecisionVersion).values(
                decision_id=decision.id,
                number=number,
                centre_id=decision.centre_id,
                criteria=[{**c, "achieved": False} for c in current.criteria],
                unit_grades={},
                feedback=f"Cancelled: {reason}",
                authenticity_confirmed=False,
                can_improve_without_guidance=False,
                assessed_on=today,
                reason=reason,
                recorded_by=p.subject,
                # The version's judgement is the centre's penalty; the assessor stays the decision's.
                made_by=current.made_by,
            )
        )
        before = {
            "status": decision.status,
            "current_version": decision.current_version,
            "released_version": decision.released_version,
        }
        await session.execute(
            update(AssessmentDecision)
            .where(AssessmentDecision.id == decision.id)
            .values(
                status="released",
                current_version=number,
                released_version=number,
                released_at=now,
                released_by=p.subject,
                version=AssessmentDecision.version + 1,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        after = {"status": "released", "current_version": number, "released_version": number}
        event = events.DecisionVoided(id=decision.id, **after)
        changes.append(Change(event, "assessment_decision", decision.id, before, after))
    if changes:
        await recorded_all(session, p, changes)
    return [c.subject_id for c in changes]
