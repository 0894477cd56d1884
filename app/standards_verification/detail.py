"""R-50: what one sample item holds (the brief, every decision version, the IV records, the evidence
files), read for an item the caller was already allowed to see."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.assessment.models import AssessmentDecision, DecisionVersion, EvidenceItem
from app.assignments.models import AssignmentBrief
from app.auth.principal import Principal
from app.learners.models import Learner
from app.standards_verification import schemas
from app.standards_verification.models import SampleItem
from app.standards_verification.service import get_item
from app.verification.models import IvRecord, IvRecordVersion
from app.verification.sampling import grade_of


async def item_detail(session: AsyncSession, item: SampleItem) -> schemas.SampleItemDetail:
    decision = await session.get_one(AssessmentDecision, item.decision_id)
    brief = await session.get_one(AssignmentBrief, item.brief_id)
    learner = await session.get_one(Learner, item.learner_id)
    versions = (
        await session.scalars(
            select(DecisionVersion)
            .where(DecisionVersion.decision_id == decision.id)
            .order_by(DecisionVersion.number)
        )
    ).all()
    iv = (
        await session.scalars(
            select(IvRecordVersion)
            .join(IvRecord, IvRecord.id == IvRecordVersion.record_id)
            .where(IvRecord.decision_id == decision.id)
            .order_by(IvRecordVersion.number)
        )
    ).all()
    evidence = await evidence_of(session, decision.submission_id)
    return schemas.SampleItemDetail(
        item=schemas.SampleItem.model_validate(item),
        learner_name=f"{learner.given_name} {learner.family_name}",
        brief=schemas.BriefView.model_validate(brief),
        submission_id=decision.submission_id,
        decision_versions=[
            schemas.DecisionVersionView(
                number=v.number,
                grade=grade_of(v.criteria, v.unit_grades),
                feedback=v.feedback,
                assessed_on=v.assessed_on,
                reason=v.reason,
                recorded_by=v.recorded_by,
            )
            for v in versions
        ],
        iv_records=[schemas.IvRecordView.model_validate(v) for v in iv],
        evidence=[schemas.EvidenceView.model_validate(e) for e in evidence],
    )


async def evidence_of(session: AsyncSession, submission_id: uuid.UUID) -> list[EvidenceItem]:
    return list(
        (
            await session.scalars(
                select(EvidenceItem)
                .where(EvidenceItem.submission_id == submission_id)
                .order_by(EvidenceItem.id)
            )
        ).all()
    )


async def get_item_detail(
    session: AsyncSession, p: Principal, item_id: uuid.UUID
) -> schemas.SampleItemDetail:
    """The item, if the caller may see it (else 404), with what it holds."""
    return await item_detail(session, await get_item(session, p, item_id))
