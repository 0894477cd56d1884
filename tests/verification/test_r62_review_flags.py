"""R-62/R-73: decisions flagged for review (by an appeal's outcome or a staff malpractice case) are always
in the brief's IV sample until an IV record follows the flag; a flag raised after the draw extends it."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.events.models import OutboxEvent
from app.verification import draws, records, review_flags, schemas
from app.verification.schemas import ReviewCause
from tests.verification.fixtures import ASSESSOR, IV, LIV, as_staff, batch

WHY = "an upheld appeal questions this assessor's other results on the brief"


async def test_r62_a_decision_flagged_after_the_draw_extends_it_and_is_sampled_until_verified(session, world):
    brief, made = await batch(session, world, [(ASSESSOR, "P")] * 10)
    first = await draws.draw_sample(
        session, as_staff(*IV), brief.id, schemas.SampleCreate(), seed_source=lambda: 7
    )
    missed = next(d.id for d in made if d.id not in {i.decision_id for i in first.items})
    appeal_id = uuid.uuid4()

    flagged = await review_flags.flag_for_review(
        session, as_staff(*LIV), [missed, uuid.uuid4()], ReviewCause.appeal, appeal_id, WHY
    )
    assert flagged == [missed]  # an id that is no decision of the centre is not flagged
    again = await review_flags.flag_for_review(
        session, as_staff(*LIV), [missed], ReviewCause.appeal, appeal_id, WHY
    )
    assert again == []  # one flag per cause and decision
    assert await review_flags.open_flags(session, [d.id for d in made]) == {missed: WHY}

    # An IV draws again without a reason: the flag makes it an extended draw that takes the decision.
    second = await draws.draw_sample(session, as_staff(*IV), brief.id, schemas.SampleCreate())
    assert (second.kind, second.seed, second.supersedes_id) == ("extended", first.seed, first.id)
    item = next(i for i in second.items if i.decision_id == missed)
    assert f"flagged for review: {WHY}" in item.rationale

    # The flag is on the record and told to the MIS, without anything but the flag.
    audit = (await session.scalars(select(AuditEvent).where(AuditEvent.subject_id == str(missed)))).all()
    assert "assessment_decision.flagged_for_review" in {a.action for a in audit}
    event = await session.scalar(
        select(OutboxEvent).where(OutboxEvent.event_type == "assessment_decision.flagged_for_review")
    )
    assert event is not None and event.payload["cause_id"] == str(appeal_id)

    await records.record_iv(
        session,
        as_staff(*IV),
        schemas.IvRecordCreate(
            decision_id=missed,
            outcome="agree",
            verified_on=dt.date(2025, 12, 1),
            feedback_to_assessor="Agreed.",
        ),
    )
    assert await review_flags.open_flags(session, [missed]) == {}
    [flag] = await review_flags.flags_of(session, missed)
    assert (flag.cause, flag.cause_id, flag.reason) == (ReviewCause.appeal, appeal_id, WHY)
