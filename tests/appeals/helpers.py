"""Plain factories for appeals: a released decision of the world's assessor and its learner."""

from __future__ import annotations

from app.appeals import schemas, service
from app.learners.models import Learner
from tests.verification.fixtures import lp
from tests.verification.test_amend_released import released_batch

HOC = ("head", "hoc")
QN = ("qn", "qn")


async def released(session, world, n: int = 1):
    """`n` released Merit decisions by the world's assessor on one brief, and their learners."""
    brief, made, _ = await released_batch(session, world, n)
    learners = [lp(await session.get(Learner, d.learner_id)) for d in made]
    return brief, made, learners


async def lodge(session, who, decision_id, kind=schemas.AppealKind.decision):
    return await service.lodge(
        session,
        who,
        schemas.AppealCreate(decision_id=decision_id, kind=kind, grounds="M1 was met: see p.4 of my report."),
    )


def outcome(result: str, **kw) -> schemas.StageDecision:
    return schemas.StageDecision(outcome=result, response=f"The stage's response: {result}.", **kw)
