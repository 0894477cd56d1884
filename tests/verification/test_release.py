"""R-25 end to end: decisions -> sample -> IV records -> actions closed -> the brief's batch released,
one `assessment_decision.released` event per learner; refused before that with a problem naming R-25
and each reason. Through the service and through REST (the real gate, nothing monkeypatched)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.assessment import decisions, iv_gate
from app.assessment import schemas as aschemas
from app.core.errors import Forbidden, RuleViolation
from app.events.models import OutboxEvent
from app.verification import actions, draws, records, schemas
from tests.verification.fixtures import ASSESSOR, IV, LEADER, LIV, as_staff, batch, content

ON = dt.date(2025, 12, 1)


def agree(decision_id, **over):
    return schemas.IvRecordCreate(
        decision_id=decision_id,
        outcome="agree",
        verified_on=ON,
        feedback_to_assessor="Accurate, well-referenced judgements.",
        **over,
    )


async def _reasons(session, p, brief_id) -> list[str]:
    with pytest.raises(RuleViolation) as exc:
        await decisions.release_brief(session, p, brief_id)
    assert exc.value.detail.startswith("R-25")
    assert {e.code for e in exc.value.errors} == {"R-25"}
    return [e.message for e in exc.value.errors]


async def released_events(session, ids) -> list[dict]:
    rows = (
        await session.scalars(
            select(OutboxEvent).where(OutboxEvent.event_type == "assessment_decision.released")
        )
    ).all()
    return [r.payload for r in rows if r.payload.get("id") in {str(i) for i in ids}]


async def test_release_end_to_end_through_the_service(session, world):
    brief, made = await batch(session, world, [(ASSESSOR, g) for g in "PPMDU"] + [(LEADER, g) for g in "PM"])
    ids = [d.id for d in made]
    assessor = as_staff(*ASSESSOR)
    # Nothing sampled yet.
    assert any("no IV sample" in r for r in await _reasons(session, assessor, brief.id))
    sample = await draws.draw_sample(
        session, as_staff(*IV), brief.id, schemas.SampleCreate(), seed_source=lambda: 3
    )
    sampled = [i.decision_id for i in sample.items]
    reasons = await _reasons(session, assessor, brief.id)
    assert sorted(r for r in reasons if "has no IV record" in r) == sorted(
        f"sampled decision {d} has no IV record" for d in sampled
    )
    # One disagreement with an action; the others agree.
    first, *rest = sampled
    disagreed = await records.record_iv(
        session,
        as_staff(*IV),
        schemas.IvRecordCreate(
            decision_id=first,
            outcome="disagree",
            verified_on=ON,
            feedback_to_assessor="A.M1 is not evidenced.",
            criteria_comments=[
                schemas.CriterionComment(unit_number=1, code="A.M1", agree=False, comment="descriptive")
            ],
            actions=[
                schemas.RemedialActionCreate(
                    description="Standardise A.M1 with the IV", due_in_working_days=10
                )
            ],
        ),
    )
    for d in rest:
        await records.record_iv(session, as_staff(*IV), agree(d))
    reasons = await _reasons(session, assessor, brief.id)
    assert any("disagrees" in r and str(first) in r for r in reasons)
    assert any("Standardise A.M1" in r for r in reasons)
    # The assessor reassesses: a new decision version, submitted for IV again.
    owner = next(d for d in made if d.id == first)
    who = as_staff(*(ASSESSOR if owner.assessor_staff_id == world.assessor else LEADER))
    amended = await decisions.amend_decision(
        session,
        who,
        first,
        aschemas.DecisionAmendment(**content(brief, lambda c: ".P" in c), reason="A.M1 not met after IV"),
        owner.version,
    )
    await decisions.submit_for_iv(session, who, amended.id)
    reasons = await _reasons(session, assessor, brief.id)
    assert any("disagrees" in r for r in reasons)  # still: the IV has not agreed with the new version
    await records.amend_iv(
        session,
        as_staff(*IV),
        disagreed.id,
        schemas.IvRecordAmendment(
            outcome="agree",
            verified_on=ON,
            feedback_to_assessor="Reassessed to P: agreed.",
            reason="Assessor reassessed after IV",
        ),
        disagreed.version,
    )
    # The open action holds only the decision it concerns: the rest of the batch is released.
    assert not (await records.iv_status(session, as_staff(*IV), brief.id)).complete
    released = await decisions.release_brief(session, assessor, brief.id)
    assert sorted(released) == sorted(d for d in ids if d != first)
    reasons = await _reasons(session, assessor, brief.id)
    assert len(reasons) == 1 and "remedial action" in reasons[0]
    (action,) = await records.list_actions(session, as_staff(*IV), brief_id=brief.id, status="open")
    with pytest.raises(Forbidden):  # closed by the programme's IV or LIV
        await records.close_action(session, assessor, action.id, schemas.ActionClosure(closure_note="done"))
    await records.close_action(
        session,
        as_staff(*LIV),
        action.id,
        schemas.ActionClosure(closure_note="Standardisation meeting held 3 Dec"),
    )
    assert (await records.iv_status(session, as_staff(*IV), brief.id)).complete
    # The held decision is released once its action is closed.
    assert await decisions.release_brief(session, assessor, brief.id) == [first]
    events = await released_events(session, ids)
    assert len(events) == len(ids) and {e["learner_id"] for e in events} == {str(d.learner_id) for d in made}
    for d in ids:
        assert (await decisions.get_decision(session, assessor, d)).status == "released"


async def test_a_decision_submitted_after_the_sample_blocks_release(session, world):
    brief, _made = await batch(session, world, [(ASSESSOR, "P")] * 3)
    sample = await draws.draw_sample(
        session, as_staff(*IV), brief.id, schemas.SampleCreate(), seed_source=lambda: 1
    )
    for i in sample.items:
        await records.record_iv(session, as_staff(*IV), agree(i.decision_id))
    assert (await records.iv_status(session, as_staff(*IV), brief.id)).complete
    await batch(session, world, [(ASSESSOR, "D")], brief=brief)
    reasons = await _reasons(session, as_staff(*ASSESSOR), brief.id)
    assert any("after the IV sample was drawn" in r for r in reasons)


async def test_batch_reassessment_must_be_done_before_release(session, world):
    brief, _made = await batch(session, world, [(ASSESSOR, "M")] * 6)
    sample = await draws.draw_sample(
        session, as_staff(*IV), brief.id, schemas.SampleCreate(), seed_source=lambda: 5
    )
    first = sample.items[0].decision_id
    await records.record_iv(
        session,
        as_staff(*IV),
        schemas.IvRecordCreate(
            decision_id=first,
            outcome="disagree",
            verified_on=ON,
            reassess_batch=True,
            feedback_to_assessor="Merit awarded without analysis across the batch.",
        ),
    )
    reasons = await _reasons(session, as_staff(*ASSESSOR), brief.id)
    assert sum("flagged for reassessment" in r for r in reasons) == 5


@pytest.fixture
def only_the_apps_gates(monkeypatch):
    """No gate registered until the app is built: what follows runs through create_app's wiring."""
    monkeypatch.setattr(iv_gate, "release_gates", [])
    monkeypatch.setattr(iv_gate, "decision_holds", [])


def test_r25_the_built_app_registers_verifications_release_gate(
    only_the_apps_gates, test_settings, sessionmaker
):
    from app.main import create_app

    assert iv_gate.release_gates == []
    create_app(test_settings, sessionmaker=sessionmaker)
    assert iv_gate.release_gates == [records.brief_reasons]
    # R-43's remedial actions, then R-73's withholding (app.malpractice.hooks): each holds its decisions.
    from app.malpractice import holds

    assert iv_gate.decision_holds == [actions.action_holds, holds.release_holds]


async def test_r25_release_is_refused_when_no_gate_is_registered(only_the_apps_gates, session, world):
    brief, _ = await batch(session, world, [(ASSESSOR, "P")])
    with pytest.raises(iv_gate.NoReleaseGate):
        await decisions.release_brief(session, as_staff(*ASSESSOR), brief.id)


async def test_release_over_rest_refused_with_each_reason_then_allowed(
    only_the_apps_gates, client, auth, session, world
):
    brief, made = await batch(session, world, [(ASSESSOR, "P"), (ASSESSOR, "M")])
    await session.commit()
    assessor = auth("assessor", subject="staff-assessor")
    iv = auth("iv", subject="staff-iv")
    r = await client.post(f"/v1/assignment-briefs/{brief.id}/release-decisions", headers=assessor)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"].startswith("R-25") and r.json()["errors"][0]["code"] == "R-25"
    # An IV may not release; the learner's role has no such operation.
    assert (
        await client.post(f"/v1/assignment-briefs/{brief.id}/release-decisions", headers=iv)
    ).status_code == 403
    # the client gives no seed; the service chooses and stores one.
    r = await client.post(f"/v1/assignment-briefs/{brief.id}/iv-samples", json={"seed": 9}, headers=iv)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.seed", r.text
    r = await client.post(f"/v1/assignment-briefs/{brief.id}/iv-samples", json={}, headers=iv)
    assert r.status_code == 201, r.text
    sample = r.json()
    assert isinstance(sample["seed"], int) and len(sample["items"]) == 2  # both grades must appear
    assert sample["official"] is True and sample["number"] == 1 and sample["kind"] == "first"
    for item in sample["items"]:
        r = await client.post(
            "/v1/iv-records",
            headers=iv,
            json={
                "decision_id": item["decision_id"],
                "outcome": "agree",
                "verified_on": "2025-12-01",
                "feedback_to_assessor": "Agreed.",
                "criteria_comments": [{"unit_number": 1, "code": "A.P1", "agree": True, "comment": "clear"}],
            },
        )
        assert r.status_code == 201, r.text
        assert r.headers["etag"] == '"1"'
    r = await client.get(f"/v1/assignment-briefs/{brief.id}/iv-status", headers=assessor)
    assert r.json() == {"brief_id": str(brief.id), "complete": True, "reasons": []}
    r = await client.post(f"/v1/assignment-briefs/{brief.id}/release-decisions", headers=assessor)
    assert r.status_code == 200, r.text
    assert sorted(r.json()["released"]) == sorted(str(d.id) for d in made)
