"""R-25: a decision is released to the learner only after internal verification of that assignment's
decisions is complete.

This is the ONE place that answers "is IV complete for this brief?". The answer comes from the IV
records of app.verification (imported here at call time: verification depends on assessment, not the
other way round): the latest IV sample of the brief covers every decision submitted for IV, every
sampled decision has an IV record agreeing with its current version (every disagreement resolved),
every remedial action is closed and every decision flagged for reassessment of the batch (R-43) has
been reassessed. Each unmet condition is a reason, named in the R-25 problem.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.assignments.models import AssignmentBrief


@dataclass(frozen=True)
class IvGate:
    satisfied: bool
    reasons: tuple[str, ...] = ()


async def iv_complete_for_brief(session: AsyncSession, brief: AssignmentBrief) -> IvGate:
    from app.verification.records import iv_reasons

    reasons = tuple(await iv_reasons(session, brief))
    return IvGate(not reasons, reasons)
