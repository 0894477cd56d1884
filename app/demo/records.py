"""The record over time (R-96..R-98): a legal hold the QN set on a learner, a subject access request
fulfilled for Amara, and a signed checkpoint of the demo centre's audit chain."""

from __future__ import annotations

from app.assessment.storage import evidence_store
from app.core.config import Settings
from app.demo.world import Demo
from app.records import checkpoints, people, schemas, signing


async def load_records(demo: Demo, settings: Settings) -> None:
    qn = demo.as_("qn")
    await people.set_legal_hold(
        demo.session,
        qn,
        schemas.LegalHoldIn(learner_id=demo.ids["learner-zara"], reason="Insurance claim: keep all records"),
    )
    await people.produce_subject_access(demo.session, qn, demo.ids["learner-amara"], evidence_store(settings))
    # Recorded and sent as a webhook; the file sink is written by `verity audit checkpoint` and the
    # worker after their commit, never from inside a transaction that might still roll back.
    await checkpoints.checkpoint(demo.session, signing.load_signer(settings), qn.centre_id)
