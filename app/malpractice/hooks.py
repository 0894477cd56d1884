"""Malpractice's answers to assessment's registries (it sits above assessment): the authenticity chain
opens draft cases (app/assessment/authenticity.py) and release keeps back withheld results
(app/assessment/iv_gate.decision_holds). `create_app` calls `register()`."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.assessment import authenticity, iv_gate
from app.assessment.authenticity import AuthenticitySignal, SignalKind
from app.assessment.models import AssessmentDecision
from app.auth.principal import Principal
from app.malpractice import holds, service
from app.malpractice.schemas import CaseType, LinkIn, LinkKind


async def open_draft_case(session: AsyncSession, p: Principal, signal: AuthenticitySignal) -> uuid.UUID:
    """R-70: the draft case the signal opens, linked to the submission (and its decision, if any)."""
    links = [LinkIn(kind=LinkKind.submission, target_id=signal.submission_id)]
    decision = await session.scalar(
        select(AssessmentDecision.id).where(AssessmentDecision.submission_id == signal.submission_id)
    )
    if decision is not None:
        links.append(LinkIn(kind=LinkKind.decision, target_id=decision))
    return await service.open_from_signal(
        session,
        p,
        learner_id=signal.learner_id,
        # A declared AI use the brief forbids is AI misuse; a concern is plagiarism until investigated
        # (the HoC may retype it when opening the case).
        case_type=CaseType.ai_misuse if signal.kind is SignalKind.ai_declaration else CaseType.plagiarism,
        allegation=signal.text,
        raised_by=signal.raised_by,
        links=links,
    )


def register() -> None:
    authenticity.register(open_draft_case)
    iv_gate.register_holds(holds.release_holds)
