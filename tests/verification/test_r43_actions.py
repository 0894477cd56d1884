"""R-43 remedial actions apart from developmental recommendations; an action's owner (assessor, IV or
LIV) and the decisions it concerns; R-25 holds only those decisions' release (the defect was that any
open action held the whole cohort's release)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from app.assessment import decisions
from app.core.errors import RuleViolation, ValidationFailed
from app.verification import draws, plans, records, schemas
from tests.programmes.fixtures import principal
from tests.verification.fixtures import ASSESSOR, IV, LIV, as_staff, batch

ON = dt.date(2025, 12, 1)


def agree(decision_id, **over):
    return schemas.IvRecordCreate(
        decision_id=decision_id,
        outcome="agree",
        verified_on=ON,
        feedback_to_assessor="Accurate judgements.",
        **over,
    )


def action(text="Annotate the evidence for A.P1", **over):
    return schemas.RemedialActionCreate(description=text, due_in_working_days=5, **over)


async def _verified_batch(session, world, grades="PMD"):
    brief, made = await batch(session, world, [(ASSESSOR, g) for g in grades])
    sample = await draws.draw_sample(
        session, as_staff(*IV), brief.id, schemas.SampleCreate(), seed_source=lambda: 7
    )
    return brief, made, [i.decision_id for i in sample.items]


async def test_r43_an_open_action_holds_only_the_decisions_it_concerns(session, world):
    brief, made, sampled = await _verified_batch(session, world)
    first, *rest = sampled
    await records.record_iv(session, as_staff(*IV), agree(first, actions=[action()]))
    for d in rest:
        await records.record_iv(session, as_staff(*IV), agree(d))
    assessor = as_staff(*ASSESSOR)
    # The IV of the brief is not complete while the action is open ...
    status = await records.iv_status(session, as_staff(*IV), brief.id)
    assert not status.complete and any("Annotate the evidence" in r for r in status.reasons)
    # ... but only the decision it concerns waits for it.
    with pytest.raises(RuleViolation) as exc:
        await decisions.release(session, assessor, first)
    assert [(e.code, "Annotate the evidence" in e.message) for e in exc.value.errors] == [("R-25", True)]
    released = await decisions.release_brief(session, assessor, brief.id)
    assert sorted(released) == sorted(d.id for d in made if d.id != first)
    assert (await decisions.get_decision(session, assessor, first)).status == "submitted_for_iv"
    # Held alone, the batch release is refused naming the action.
    with pytest.raises(RuleViolation) as exc:
        await decisions.release_brief(session, assessor, brief.id)
    assert exc.value.detail.startswith("R-25")
    assert any("Annotate the evidence" in e.message for e in exc.value.errors)
    (open_action,) = await records.list_actions(session, as_staff(*IV), brief_id=brief.id, status="open")
    assert open_action.decision_ids == [first] and open_action.owner_role == "assessor"
    await records.close_action(
        session, as_staff(*LIV), open_action.id, schemas.ActionClosure(closure_note="done")
    )
    assert (await decisions.release(session, assessor, first)).status == "released"


async def test_r43_an_action_may_concern_several_decisions_of_the_brief(session, world):
    brief, made, sampled = await _verified_batch(session, world)
    first, *rest = sampled
    others = [d.id for d in made if d.id != first]
    await records.record_iv(session, as_staff(*IV), agree(first, actions=[action(decision_ids=others)]))
    for d in rest:
        await records.record_iv(session, as_staff(*IV), agree(d))
    assert await decisions.release_brief(session, as_staff(*ASSESSOR), brief.id) == [first]


async def test_r43_developmental_recommendations_are_kept_and_hold_nothing(session, world):
    brief, _made, sampled = await _verified_batch(session, world)
    tips = ["Reference the criterion wording in feedback", "Try a witness statement next time"]
    out = await records.record_iv(
        session, as_staff(*IV), agree(sampled[0], developmental_recommendations=tips)
    )
    for d in sampled[1:]:
        await records.record_iv(session, as_staff(*IV), agree(d))
    assert out.current.developmental_recommendations == tips
    assert (
        await records.get_iv_record(session, as_staff(*IV), out.id)
    ).current.developmental_recommendations == tips
    assert await records.list_actions(session, as_staff(*IV), brief_id=brief.id) == []
    assert (await records.iv_status(session, as_staff(*IV), brief.id)).complete


async def test_r43_action_owners_assessor_iv_or_the_programmes_liv(session, world):
    brief, _made, sampled = await _verified_batch(session, world)
    # No LIV appointed for the subject area: a LIV-owned action names R-40.
    with pytest.raises(RuleViolation) as exc:
        await records.record_iv(session, as_staff(*IV), agree(sampled[0], actions=[action(owner_role="liv")]))
    assert [(e.field, e.code) for e in exc.value.errors] == [("body.actions.0.owner_role", "R-40")]
    await plans.appoint_liv(
        session,
        principal("hoc"),
        schemas.LivAppointmentCreate(
            subject_area="Business", staff_id=world.liv, appointed_on=dt.date(2025, 9, 1)
        ),
    )
    await records.record_iv(
        session,
        as_staff(*IV),
        agree(
            sampled[1],
            actions=[
                action("a", owner_role="assessor"),
                action("b", owner_role="iv"),
                action("c", owner_role="liv"),
            ],
        ),
    )
    owned = {
        a.description: (a.owner_role, a.owner_staff_id)
        for a in await records.list_actions(session, as_staff(*IV), brief_id=brief.id)
    }
    assert owned == {"a": ("assessor", world.assessor), "b": ("iv", world.iv), "c": ("liv", world.liv)}


async def test_r43_an_action_concerns_decisions_of_its_brief_only(session, world):
    _brief, _made, sampled = await _verified_batch(session, world)
    elsewhere = uuid.uuid4()  # not a decision of this brief
    with pytest.raises(ValidationFailed) as exc:
        await records.record_iv(
            session, as_staff(*IV), agree(sampled[0], actions=[action(decision_ids=[elsewhere])])
        )
    assert [(e.field, e.code) for e in exc.value.errors] == [("body.actions.0.decision_ids", "not_in_brief")]
