"""R-13: prior learning is assessed — to_be_assessed -> assessed (naming the decision that used it) or
rejected (with the reason) — and it travels with an in-year transfer."""

from __future__ import annotations

import datetime as dt

import pytest

from app.assessment import prior_learning
from app.core.errors import Forbidden, RuleViolation
from app.programmes import enrolments, support
from app.programmes import schemas as ps
from app.programmes.errors import InvalidTransition
from tests.programmes.fixtures import principal
from tests.verification.fixtures import ASSESSOR, as_staff, batch


async def _rpl(session, world, learner_id, qualification_id=None, unit=1):
    return await support.record_prior_learning(
        session,
        principal("hoc"),
        ps.PriorLearningCreate(
            learner_id=learner_id,
            qualification_id=qualification_id or world.award_id,
            unit_number=unit,
            description="Customer service NVQ unit, 2024, previous college",
            evidence_reference="Portfolio box 3",
        ),
    )


async def test_r13_rpl_is_assessed_by_the_learners_decision_on_its_unit(session, world):
    _, (decision, other) = await batch(session, world, [(ASSESSOR, "M"), (ASSESSOR, "P")])
    rpl = await _rpl(session, world, decision.learner_id)
    assert rpl.status == "to_be_assessed"
    with pytest.raises(RuleViolation) as wrong:  # another learner's decision
        await prior_learning.assess(
            session, as_staff(*ASSESSOR), rpl.id, ps.PriorLearningAssessment(decision_id=other.id)
        )
    assert wrong.value.errors[0].code == "R-13"
    with pytest.raises(Forbidden):  # the HoC does not judge evidence
        await prior_learning.assess(
            session, principal("hoc", "assessor"), rpl.id, ps.PriorLearningAssessment(decision_id=decision.id)
        )
    done = await prior_learning.assess(
        session, as_staff(*ASSESSOR), rpl.id, ps.PriorLearningAssessment(decision_id=decision.id)
    )
    assert (done.status, done.decision_id, done.assessed_by) == ("assessed", decision.id, "staff-assessor")
    with pytest.raises(InvalidTransition):
        await prior_learning.reject(
            session, as_staff(*ASSESSOR), rpl.id, ps.PriorLearningRejection(reason="Out of date")
        )


async def test_r13_rpl_is_rejected_with_a_reason(client, auth, session, world):
    _, (decision,) = await batch(session, world, [(ASSESSOR, "M")])
    rpl = await _rpl(session, world, decision.learner_id)
    url = f"/v1/prior-learning/{rpl.id}/rejection"
    assert (
        await client.post(url, json={}, headers=auth("assessor", subject="staff-assessor"))
    ).status_code == 422
    assert (await client.post(url, json={"reason": "x"}, headers=auth("programme_leader"))).status_code == 403
    r = await client.post(
        url,
        json={"reason": "Not current: the unit was taken in 2015 under an older standard."},
        headers=auth("assessor", subject="staff-assessor"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "rejected" and r.json()["rejection_reason"].startswith("Not current")
    assert r.json()["decision_id"] is None


async def test_r13_rpl_travels_with_an_in_year_transfer(session, world, clock):
    clock.set(dt.datetime(2026, 1, 12, 10, 0, tzinfo=dt.UTC))
    from tests.assessment.fixtures import registered_learner

    learner = await registered_learner(session, world)
    kept = await _rpl(session, world, learner.id, unit=1)
    gone = await _rpl(session, world, learner.id, unit=1)
    await prior_learning.reject(
        session, as_staff(*ASSESSOR), gone.id, ps.PriorLearningRejection(reason="Not relevant")
    )
    hoc = principal("hoc")
    [e] = [
        x
        for x in (await enrolments.list_enrolments(session, hoc, 50, None, learner_id=learner.id))[0]
        if x.status == "registered"
    ]
    # To the OCR diploma, which has a unit 1 too: the record not rejected travels, to be assessed again.
    await enrolments.transfer(
        session,
        hoc,
        e.id,
        ps.Transfer(
            programme_id=world.other_programme_id, transferred_on=dt.date(2026, 1, 12), reason="Pathway"
        ),
    )
    carried = [
        r
        for r in (await support.list_prior_learning(session, hoc, 50, None, learner.id))[0]
        if r.qualification_id == world.diploma_id
    ]
    assert [(r.carried_from_id, r.status, r.unit_number) for r in carried] == [(kept.id, "to_be_assessed", 1)]
