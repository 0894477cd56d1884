"""What release and certification read while a case is open (R-73) and the sanctions on the centre
(R-74). The agreed cross-domain functions: certification calls `results_withheld` and
`centre_sanctions`; release asks `release_holds` through assessment's hold registry (hooks.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.assessment.models import AssessmentDecision
from app.assignments.models import AssignmentBrief
from app.core import clock
from app.malpractice.models import MalpracticeCase, Sanction
from app.malpractice.schemas import ON_CENTRE, CaseStatus

# The reason release and certification give: never the allegation, nor even the case's type.
WITHHELD = "R-73: the learner's results are withheld by the centre"


@dataclass(frozen=True)
class Withholding:
    case_id: uuid.UUID
    reason: str


@dataclass(frozen=True)
class CentreSanction:
    case_id: uuid.UUID
    kind: str  # registration_block, certification_block or improvement_plan
    note: str


def _withholding_cases() -> Select:
    return select(MalpracticeCase.id, MalpracticeCase.learner_id).where(
        MalpracticeCase.status.in_((CaseStatus.draft, CaseStatus.open)),
        MalpracticeCase.withhold_results.is_(True),
        MalpracticeCase.learner_id.is_not(None),
    )


async def results_withheld(session: AsyncSession, learner_id: uuid.UUID) -> list[Withholding]:
    """R-73: the learner's cases not yet closed under a policy of withholding (the default): while any
    is listed, their decisions are not released and their certification is on hold."""
    rows = await session.scalars(
        _withholding_cases()
        .with_only_columns(MalpracticeCase.id)
        .where(MalpracticeCase.learner_id == learner_id)
        .order_by(MalpracticeCase.id)
    )
    return [Withholding(case_id=c, reason=WITHHELD) for c in rows]


async def release_holds(session: AsyncSession, brief: AssignmentBrief) -> dict[uuid.UUID, list[str]]:
    """R-73 for release (app/assessment/iv_gate.decision_holds): the brief's decisions of learners whose
    results are withheld; the rest of the batch is released as usual."""
    withheld = _withholding_cases().with_only_columns(MalpracticeCase.learner_id).subquery()
    rows = await session.scalars(
        select(AssessmentDecision.id).where(
            AssessmentDecision.brief_id == brief.id,
            AssessmentDecision.learner_id.in_(select(withheld.c.learner_id)),
        )
    )
    return {d: [WITHHELD] for d in rows}


async def centre_sanctions(session: AsyncSession, centre_id: uuid.UUID) -> list[CentreSanction]:
    """R-74: the awarding body's sanctions on the centre in force today."""
    today = clock.today()
    rows = await session.scalars(
        select(Sanction)
        .where(
            Sanction.centre_id == centre_id,
            Sanction.kind.in_(sorted(ON_CENTRE)),
            Sanction.imposed_on <= today,
            or_(Sanction.in_force_until.is_(None), Sanction.in_force_until >= today),
        )
        .order_by(Sanction.imposed_on, Sanction.id)
    )
    return [CentreSanction(case_id=s.case_id, kind=s.kind.value, note=s.note) for s in rows]
