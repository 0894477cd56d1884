"""Released means verified (R-25, R-26): an amendment of a released decision is a new version, made by
the decision's own assessor and recorded as theirs, that waits in `amended` for IV of that version;
the brief's IV status is not complete meanwhile, release is refused until an IV record agrees with the
new version, and the learner keeps seeing the released version until then. The real gate throughout."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.assessment import decisions
from app.assessment import records as assessment_records
from app.assessment import schemas as aschemas
from app.core.errors import Forbidden, RuleViolation
from app.events.models import OutboxEvent
from app.programmes.errors import InvalidTransition
from app.verification import draws, records, schemas
from tests.verification.fixtures import ASSESSOR, IV, LEADER, as_staff, batch, content, lp

ON = dt.date(2025, 12, 1)
MERIT = lambda c: ".D" not in c  # noqa: E731
PASS = lambda c: ".P" in c  # noqa: E731


def agree(decision_id):
    return schemas.IvRecordCreate(
        decision_id=decision_id, outcome="agree", verified_on=ON, feedback_to_assessor="Agreed."
    )


async def released_batch(session, world, n: int):
    """`n` Merit decisions by the world's assessor, sampled, the sample verified, all released."""
    brief, made = await batch(session, world, [(ASSESSOR, "M")] * n)
    sample = await draws.draw_sample(
        session, as_staff(*IV), brief.id, schemas.SampleCreate(), seed_source=lambda: 7
    )
    for i in sample.items:
        await records.record_iv(session, as_staff(*IV), agree(i.decision_id))
    await decisions.release_brief(session, as_staff(*ASSESSOR), brief.id)
    sampled = {i.decision_id for i in sample.items}
    return brief, [await decisions.get_decision(session, as_staff(*ASSESSOR), d.id) for d in made], sampled


async def amend(session, who, brief, d, achieved=PASS, reason="A.M1 is descriptive, not analytical"):
    return await decisions.amend_decision(
        session,
        as_staff(*who),
        d.id,
        aschemas.DecisionAmendment(**content(brief, achieved), reason=reason),
        d.version,
    )


async def _learner_principal(session, learner_id):
    from app.learners.models import Learner

    return lp(await session.get(Learner, learner_id))


async def test_r26_only_the_decisions_assessor_amends_a_released_decision(session, world):
    brief, (d,), _ = await released_batch(session, world, 1)
    # The programme leader is also an assessor on the programme, but not this decision's assessor.
    with pytest.raises(Forbidden) as exc:
        await amend(session, LEADER, brief, d)
    assert exc.value.errors and exc.value.errors[0].code == "R-26"
    assert (await decisions.get_decision(session, as_staff(*ASSESSOR), d.id)).current_version == 1
    amended = await amend(session, ASSESSOR, brief, d)
    history = await decisions.list_versions(session, as_staff(*ASSESSOR), d.id)
    # every version records who made it (the staff member), as well as the login that recorded it.
    assert [(v.number, v.made_by) for v in history] == [(1, world.assessor), (2, world.assessor)]
    assert amended.current.made_by == world.assessor


async def test_r25_an_amended_released_decision_awaits_iv_and_the_learner_keeps_the_released_one(
    session, world
):
    brief, (d,), _ = await released_batch(session, world, 1)
    learner = await _learner_principal(session, d.learner_id)
    before = await assessment_records.learner_record(session, learner, d.learner_id, world.programme_id)
    amended = await amend(session, ASSESSOR, brief, d)
    # Staff see both: the new version awaiting IV and the version the learner was given.
    assert (amended.status, amended.current_version, amended.released_version) == ("amended", 2, 1)
    assert amended.released is not None and amended.released.number == 1
    assert amended.released_at == d.released_at
    # The learner still sees the released decision, at its released version, with its content.
    seen = await decisions.get_decision(session, learner, d.id)
    assert (seen.status, seen.current_version, seen.current.number) == ("released", 1, 1)
    assert {c.code: c.achieved for c in seen.current.criteria}["A.M1"] is True
    assert [v.number for v in await decisions.list_versions(session, learner, d.id)] == [1]
    listed, _ = await decisions.list_decisions(session, learner, 50, None)
    assert [(x.id, x.current_version) for x in listed] == [(d.id, 1)]
    after = await assessment_records.learner_record(session, learner, d.learner_id, world.programme_id)
    assert after.units[0].criteria == before.units[0].criteria
    # Amending again while it waits keeps it amended and the learner's version unchanged.
    again = await amend(session, ASSESSOR, brief, amended, reason="A.P2 evidence reference corrected")
    assert (again.status, again.current_version, again.released_version) == ("amended", 3, 1)
    # An amended decision is not "submitted for IV" again: it is already waiting for IV.
    with pytest.raises(InvalidTransition):
        await decisions.submit_for_iv(session, as_staff(*ASSESSOR), d.id)


async def test_r25_the_briefs_iv_status_reflects_an_unverified_amendment(session, world):
    # Enough decisions that the 20% sample leaves some out: an unsampled decision's amendment too.
    brief, made, sampled = await released_batch(session, world, 8)
    unsampled = next(d for d in made if d.id not in sampled)
    assert (await records.iv_status(session, as_staff(*IV), brief.id)).complete
    await amend(session, ASSESSOR, brief, unsampled)
    status = await records.iv_status(session, as_staff(*IV), brief.id)
    assert not status.complete
    assert any(str(unsampled.id) in r and "amended" in r for r in status.reasons)
    # The LIV's dashboard lists the brief as waiting for IV.
    from app.verification import coverage
    from tests.verification.fixtures import LIV

    board = await coverage.liv_dashboard(session, as_staff(*LIV))
    assert brief.id in {w.brief_id for w in board.briefs_awaiting_iv}


async def test_r25_releasing_an_amendment_needs_iv_of_that_version(session, world):
    brief, made, sampled = await released_batch(session, world, 8)
    for d in (next(d for d in made if d.id in sampled), next(d for d in made if d.id not in sampled)):
        amended = await amend(session, ASSESSOR, brief, d)
        with pytest.raises(RuleViolation) as exc:
            await decisions.release(session, as_staff(*ASSESSOR), d.id)
        assert {e.code for e in exc.value.errors} == {"R-25"}
        with pytest.raises(RuleViolation):
            await decisions.release_brief(session, as_staff(*ASSESSOR), brief.id)
        # R-44 still holds for the new version, and the IV verifies this version.
        existing = await records.brief_iv_records(session, as_staff(*IV), brief.id)
        record = next((r for r in existing if r.decision_id == d.id), None)
        if record is None:
            verified = await records.record_iv(session, as_staff(*IV), agree(d.id))
        else:
            verified = await records.amend_iv(
                session,
                as_staff(*IV),
                record.id,
                schemas.IvRecordAmendment(
                    outcome="agree",
                    verified_on=ON,
                    feedback_to_assessor="Reassessed to P: agreed.",
                    reason="The assessor amended the released decision",
                ),
                record.version,
            )
        assert verified.current.decision_version == amended.current_version == 2
        assert (await records.iv_status(session, as_staff(*IV), brief.id)).complete
        out = await decisions.release(session, as_staff(*ASSESSOR), d.id)
        assert (out.status, out.current_version, out.released_version) == ("released", 2, 2)
        learner = await _learner_principal(session, d.learner_id)
        seen = await decisions.get_decision(session, learner, d.id)
        assert seen.current.number == 2
        assert {c.code: c.achieved for c in seen.current.criteria}["A.M1"] is False


async def test_r25_r26_amendment_events_through_the_write_path(session, world):
    brief, (d,), _ = await released_batch(session, world, 1)
    await amend(session, ASSESSOR, brief, d)
    (amended,) = (
        await session.scalars(
            select(OutboxEvent.payload).where(OutboxEvent.event_type == "assessment_decision.amended")
        )
    ).all()
    assert amended["id"] == str(d.id)
    assert (amended["status"], amended["current_version"], amended["released_version"]) == ("amended", 2, 1)
    assert amended["made_by"] == str(world.assessor)
    existing = await records.brief_iv_records(session, as_staff(*IV), brief.id)
    record = next(r for r in existing if r.decision_id == d.id)
    await records.amend_iv(
        session,
        as_staff(*IV),
        record.id,
        schemas.IvRecordAmendment(
            outcome="agree", verified_on=ON, feedback_to_assessor="Agreed.", reason="Amended decision"
        ),
        record.version,
    )
    await decisions.release_brief(session, as_staff(*ASSESSOR), brief.id)
    payloads = (
        await session.scalars(
            select(OutboxEvent.payload)
            .where(OutboxEvent.event_type == "assessment_decision.released")
            .order_by(OutboxEvent.id)
        )
    ).all()
    # One shape per event type: the first release and the amendment's carry the same keys.
    assert len(payloads) == 2 and len({frozenset(p) for p in payloads}) == 1
    assert [p["released_version"] for p in payloads] == [1, 2]


async def test_r25_r26_amending_a_released_decision_over_rest_and_graphql(client, auth, session, world):
    from tests.programmes.fixtures import gql

    brief, (d,), _ = await released_batch(session, world, 1)
    await session.commit()
    body = aschemas.DecisionAmendment(**content(brief, PASS), reason="A.M1 not met").model_dump(mode="json")
    url = f"/v1/assessment-decisions/{d.id}/amendment"
    etag = {"If-Match": f'"{d.version}"'}
    # Another assessor of the programme: 403, naming the rule and the field.
    other = await client.post(url, json=body, headers={**auth("assessor", subject="staff-leader"), **etag})
    assert other.status_code == 403, other.text
    assert [(e["field"], e["code"]) for e in other.json()["errors"]] == [("assessor_staff_id", "R-26")]
    own = await client.post(url, json=body, headers={**auth("assessor", subject="staff-assessor"), **etag})
    assert own.status_code == 200, own.text
    out = own.json()
    assert (out["status"], out["current_version"], out["released_version"]) == ("amended", 2, 1)
    assert out["current"]["made_by"] == str(world.assessor) and out["released"]["number"] == 1
    query = (
        f'query {{ assessmentDecision(id: "{d.id}") {{ status currentVersion releasedVersion madeBy '
        "released { number madeBy criteria { code achieved } } } }"
    )
    staff = (await gql(client, auth("assessor", subject="staff-assessor"), query))["data"]
    assert staff["assessmentDecision"]["status"] == "amended"
    assert staff["assessmentDecision"]["releasedVersion"] == 1
    assert staff["assessmentDecision"]["released"]["madeBy"] == str(world.assessor)
    from app.learners.models import Learner

    learner = await session.get(Learner, d.learner_id)
    mine = (await gql(client, auth("learner", subject=learner.idp_subject), query))["data"]
    assert mine["assessmentDecision"]["status"] == "released"
    assert mine["assessmentDecision"]["currentVersion"] == 1
    seen = await client.get(
        f"/v1/assessment-decisions/{d.id}", headers=auth("learner", subject=learner.idp_subject)
    )
    assert seen.status_code == 200 and seen.json()["current"]["number"] == 1
