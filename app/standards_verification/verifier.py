"""R-52: the standards verifier's read-only API. The caller's live grants (Principal.grants, made by
app/standards_verification/access.py) are all it reaches: the granted samples, their items and what
each holds (brief, decision versions, IV records, evidence files). Any other id is not found (404).
Every read is on the record (`sv_verifier.read`, an audit row through recorded_access), which the QN
lists as the sample's access log."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.assessment.models import AssessmentDecision, EvidenceItem
from app.assessment.storage import EvidenceStore
from app.auth.principal import Principal
from app.core.errors import NotFound
from app.events.write import recorded_access
from app.standards_verification import events, repository, schemas, service
from app.standards_verification.access import grant_for
from app.standards_verification.detail import item_detail
from app.standards_verification.models import Sample, SampleItem


async def _log(
    session: AsyncSession, p: Principal, sample_id: uuid.UUID, what: str, subject_type: str, obj: uuid.UUID
) -> None:
    access = events.VerifierRead(
        grant_id=grant_for(p, sample_id), sample_id=sample_id, what=what, object_id=str(obj)
    )
    await recorded_access(session, p, access, subject_type, obj)


async def list_samples(session: AsyncSession, p: Principal) -> list[schemas.Sample]:
    rows = (await session.scalars(repository.samples(p).order_by(Sample.id))).all()
    for r in rows:
        await _log(session, p, r.id, "sample", "sv_sample", r.id)
    return [await service.sample_out(session, r) for r in rows]


async def get_sample(session: AsyncSession, p: Principal, sample_id: uuid.UUID) -> schemas.Sample:
    out = await service.get_sample(session, p, sample_id)
    await _log(session, p, sample_id, "sample", "sv_sample", sample_id)
    return out


async def list_items(session: AsyncSession, p: Principal, sample_id: uuid.UUID) -> list[SampleItem]:
    items = await service.list_items(session, p, sample_id)
    await _log(session, p, sample_id, "sample_items", "sv_sample", sample_id)
    return items


async def get_item(session: AsyncSession, p: Principal, item_id: uuid.UUID) -> schemas.SampleItemDetail:
    item = await service.get_item(session, p, item_id)
    out = await item_detail(session, item)
    await _log(session, p, item.sample_id, "sample_item", "sv_sample_item", item.id)
    return out


async def open_evidence(
    session: AsyncSession, p: Principal, store: EvidenceStore, item_id: uuid.UUID, evidence_id: uuid.UUID
) -> tuple[EvidenceItem, AsyncIterator[bytes]]:
    item = await service.get_item(session, p, item_id)
    evidence = await session.scalar(
        select(EvidenceItem)
        .join(AssessmentDecision, AssessmentDecision.submission_id == EvidenceItem.submission_id)
        .where(AssessmentDecision.id == item.decision_id, EvidenceItem.id == evidence_id)
    )
    if evidence is None or evidence.storage_key is None:
        raise NotFound(f"No evidence file {evidence_id} in this sample item.")
    try:
        blocks = await store.open(evidence.storage_key)
    except FileNotFoundError:
        raise NotFound(f"The stored file of evidence item {evidence_id} cannot be found.") from None
    await _log(session, p, item.sample_id, "evidence_file", "evidence_item", evidence.id)
    return evidence, blocks
