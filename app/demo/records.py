"""The record over time (R-97, R-98): a legal hold the QN set on a learner, and a subject access request
fulfilled for Amara. Checkpoints (R-96) are the worker's and `verity audit checkpoint`'s, after commit."""

from __future__ import annotations

from app.assessment.storage import evidence_store
from app.core.config import Settings
from app.demo.world import Demo
from app.records import people, schemas


async def load_records(demo: Demo, settings: Settings) -> None:
    qn = demo.as_("qn")
    await people.set_legal_hold(
        demo.session,
        qn,
        schemas.LegalHoldIn(learner_id=demo.ids["learner-zara"], reason="Insurance claim: keep all records"),
    )
    await people.produce_subject_access(demo.session, qn, demo.ids["learner-amara"], evidence_store(settings))
