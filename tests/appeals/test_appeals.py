"""R-60..R-63: lodging in the window, who sees an appeal, the stages and their judges, the outcome's
amendment and review flags, the holds, the overdue pass and the report. Real PostgreSQL throughout."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.appeals import holds, schemas, service, stages, worklist
from app.appeals.models import Appeal
from app.assessment import decisions
from app.core.errors import Forbidden, NotFound, RuleViolation
from app.events.models import OutboxEvent
from app.programmes.errors import InvalidTransition
from app.verification import review_flags
from tests.appeals.helpers import HOC, QN, lodge, outcome, released
from tests.assessment.fixtures import content
from tests.verification.fixtures import ASSESSOR, IV, LIV, as_staff, batch

TODAY = dt.date(2025, 10, 15)  # the frozen clock's (a Wednesday in the autumn term)


async def _types(session) -> list[str]:
    return list((await session.scalars(select(OutboxEvent.event_type).order_by(OutboxEvent.id))).all())


async def test_r60_the_learner_lodges_in_writing_and_stage_1_is_due_in_5_working_days(session, world, clock):
    _, (d, d2), (learner, _) = await released(session, world, 2)
    a = await lodge(session, learner, d.id)
    assert (a.status, a.current_stage, a.on_behalf, a.lodged_on) == ("open", 1, False, TODAY)
    (s1,) = a.stages
    # counted from the day after it opens: Thu 16 .. Wed 22 October.
    assert (s1.opened_on, s1.due_on, s1.judge_staff_id) == (TODAY, dt.date(2025, 10, 22), world.assessor)
    assert a.unit_numbers and a.assessor_staff_id == world.assessor
    assert "appeal.lodged" in await _types(session)
    # Staff on the learner's behalf.
    b = await lodge(session, as_staff(*HOC), d2.id)
    assert b.on_behalf and b.lodged_by == "staff-head"


async def test_r60_a_late_appeal_is_refused_with_the_rule_and_nothing_is_written(session, world, clock):
    _, (d,), (learner,) = await released(session, world)
    # The default window: 10 working days after release (Wed 29 October); the 30th is late.
    clock.set(dt.datetime(2025, 10, 30, 10, 0, tzinfo=dt.UTC))
    with pytest.raises(RuleViolation) as exc:
        await lodge(session, learner, d.id)
    assert exc.value.errors[0].code == "R-60"
    assert "2025-10-29" in exc.value.errors[0].message
    assert await session.scalar(select(func.count()).select_from(Appeal)) == 0


async def test_r60_only_a_released_decision_is_appealed(session, world, clock):
    _, (pending,) = await batch(session, world, [(ASSESSOR, "M")])
    with pytest.raises(RuleViolation) as exc:
        await lodge(session, as_staff(*HOC), pending.id)
    assert exc.value.errors[0].code == "R-60"


async def test_r60_who_sees_an_appeal(session, world, clock):
    _, (d, other), (learner, other_learner) = await released(session, world, 2)
    with pytest.raises(NotFound):  # a learner appeals only their own decisions
        await lodge(session, learner, other.id)
    a = await lodge(session, learner, d.id)
    for who in (learner, as_staff(*ASSESSOR), as_staff(*LIV), as_staff(*QN), as_staff(*HOC)):
        assert (await service.get_appeal(session, who, a.id)).id == a.id
    for who in (other_learner, as_staff(*IV), as_staff("leader", "programme_leader", "assessor")):
        with pytest.raises(NotFound):
            await service.get_appeal(session, who, a.id)
        assert [x.id for x in await service.list_appeals(session, who)] == []


async def test_r61_four_stages_each_judged_once_independently_and_stage_4_by_the_hoc(session, world, clock):
    _, (d,), (learner,) = await released(session, world)
    a = await lodge(session, learner, d.id)
    # Stage 1: learner and assessor; only its judge decides it.
    with pytest.raises(Forbidden):
        await stages.decide_stage(session, as_staff(*LIV), a.id, 1, outcome("not_upheld"))
    a = await stages.decide_stage(session, as_staff(*ASSESSOR), a.id, 1, outcome("not_upheld"))
    assert a.status == "not_upheld" and a.escalate_by == dt.date(2025, 10, 29)
    # Stage 2: the decision's assessor may not judge it.
    with pytest.raises(RuleViolation) as exc:
        await stages.escalate(
            session,
            learner,
            a.id,
            schemas.Escalation(grounds="Please look again.", judge_staff_id=world.assessor),
        )
    assert exc.value.errors[0].code == "R-61"
    a = await stages.escalate(session, learner, a.id, schemas.Escalation(grounds="Please look again."))
    assert (a.current_stage, a.stages[1].judge_staff_id) == (2, world.liv)  # the LIV by default
    with pytest.raises(Forbidden):
        await stages.decide_stage(session, as_staff(*ASSESSOR), a.id, 2, outcome("upheld"))
    a = await stages.decide_stage(session, as_staff(*LIV), a.id, 2, outcome("not_upheld"))
    # The awarding body only once the internal stages are exhausted.
    with pytest.raises(RuleViolation):
        await stages.submit_to_awarding_body(
            session, as_staff(*HOC), a.id, schemas.AwardingBodySubmission(submission="To Pearson.")
        )
    # Stage 3: the HoC may name a senior leader, but not the one who judged stage 2.
    with pytest.raises(RuleViolation) as exc:
        await stages.escalate(
            session, as_staff(*HOC), a.id, schemas.Escalation(grounds="Further.", judge_staff_id=world.liv)
        )
    assert "two stages" in exc.value.detail
    a = await stages.escalate(session, learner, a.id, schemas.Escalation(grounds="Further."))
    head = a.stages[2].judge_staff_id
    assert a.current_stage == 3 and head not in (world.assessor, world.liv)
    a = await stages.decide_stage(session, as_staff(*HOC), a.id, 3, outcome("not_upheld"))
    # Stage 4: the learner cannot take it there; the HoC submits in writing.
    with pytest.raises(InvalidTransition):
        await stages.escalate(session, learner, a.id, schemas.Escalation(grounds="To Pearson."))
    a = await stages.submit_to_awarding_body(
        session, as_staff(*HOC), a.id, schemas.AwardingBodySubmission(submission="The centre's procedure.")
    )
    assert (a.current_stage, a.stages[3].judge_staff_id, a.stages[3].due_on) == (
        4,
        None,
        dt.date(2025, 11, 4),
    )
    with pytest.raises(RuleViolation):  # the awarding body's reference is required with its outcome
        await stages.decide_stage(session, as_staff(*HOC), a.id, 4, outcome("not_upheld"))
    a = await stages.decide_stage(
        session, as_staff(*HOC), a.id, 4, outcome("not_upheld", awarding_body_reference="PE-2025-0042")
    )
    assert a.status == "closed_not_upheld" and a.closed_on == TODAY
    assert [s.outcome for s in a.stages] == ["not_upheld"] * 4
    assert all(s.response for s in a.stages)
    assert a.stages[3].awarding_body_reference == "PE-2025-0042"


async def test_r61_a_not_upheld_stage_is_taken_further_only_within_the_window(session, world, clock):
    _, (d,), (learner,) = await released(session, world)
    a = await lodge(session, learner, d.id)
    await stages.decide_stage(session, as_staff(*ASSESSOR), a.id, 1, outcome("not_upheld"))
    clock.set(dt.datetime(2025, 10, 30, 10, 0, tzinfo=dt.UTC))
    with pytest.raises(RuleViolation) as exc:
        await stages.escalate(session, learner, a.id, schemas.Escalation(grounds="Late."))
    assert exc.value.errors[0].code == "R-61"
    # The worker's pass closes it; the unit is no longer on hold.
    assert await holds.units_on_hold(session, d.learner_id) == []
    assert await worklist.mark_overdue(session) == 1
    assert (await service.get_appeal(session, learner, a.id)).status == "closed_not_upheld"
    assert await worklist.mark_overdue(session) == 0


async def test_r61_overdue_stages_are_listed_and_fire_one_event(session, world, clock):
    _, (d,), (learner,) = await released(session, world)
    a = await lodge(session, learner, d.id)
    assert await worklist.overdue_stages(session, as_staff(*QN)) == []
    clock.set(dt.datetime(2025, 10, 23, 10, 0, tzinfo=dt.UTC))  # the day after stage 1 was due
    (late,) = await worklist.overdue_stages(session, as_staff(*QN))
    assert (late.appeal_id, late.stage, late.due_on, late.working_days_overdue) == (
        a.id,
        1,
        dt.date(2025, 10, 22),
        1,
    )
    assert (await service.get_appeal(session, learner, a.id)).stages[0].overdue
    assert await worklist.mark_overdue(session) == 1
    assert await worklist.mark_overdue(session) == 0  # idempotent: the event fires once
    assert (await _types(session)).count("appeal.stage_overdue") == 1
    assert await worklist.overdue_stages(session, as_staff(*QN)) != []  # still open, still listed


async def test_r62_an_upheld_appeal_amends_the_decision_through_iv_and_flags_the_others(
    session, world, clock
):
    brief, made, learners = await released(session, world, 3)
    d = made[0]
    a = await lodge(session, learners[0], d.id)
    assert {h.unit_number for h in await holds.units_on_hold(session, d.learner_id)} == set(a.unit_numbers)
    a = await stages.decide_stage(
        session, as_staff(*ASSESSOR), a.id, 1, outcome("upheld", questions_other_results=True)
    )
    assert a.status == "upheld"
    flags = await review_flags.open_flags(session, [x.id for x in made])
    assert set(flags) == {made[1].id, made[2].id}
    # The amendment: by the decision's assessor, a new version whose reason is the appeal, awaiting IV.
    body = schemas.AppealAmendment.model_validate(content(brief, lambda c: True))
    with pytest.raises(NotFound):  # another assessor of the programme does not even see the appeal
        await stages.amend_upheld(session, as_staff("leader", "programme_leader", "assessor"), a.id, body)
    a = await stages.amend_upheld(session, as_staff(*ASSESSOR), a.id, body)
    amended = await decisions.get_decision(session, as_staff(*ASSESSOR), d.id)
    assert (amended.status, amended.current_version, a.amended_version) == ("amended", 2, 2)
    assert str(a.id) in amended.current.reason
    # The learner keeps the released version until IV of the new one.
    assert (await decisions.get_decision(session, learners[0], d.id)).current_version == 1
    # Closed: no longer on hold.
    assert await holds.units_on_hold(session, d.learner_id) == []


async def test_r62_units_are_on_hold_while_open_and_while_a_stage_may_be_taken_further(session, world, clock):
    _, (d,), (learner,) = await released(session, world)
    a = await lodge(session, learner, d.id)
    held = await holds.units_on_hold(session, d.learner_id)
    assert held and all(h.appeal_id == a.id and h.qualification_id == a.qualification_id for h in held)
    await stages.decide_stage(session, as_staff(*ASSESSOR), a.id, 1, outcome("not_upheld"))
    assert await holds.units_on_hold(session, d.learner_id) == held
    await stages.withdraw(session, learner, a.id, schemas.Withdrawal(response="I accept the grade."))
    assert await holds.units_on_hold(session, d.learner_id) == []


async def test_r63_the_report_by_stage_outcome_assessor_programme_and_year(session, world, clock):
    _, (d, e), (l1, l2) = await released(session, world, 2)
    a = await lodge(session, l1, d.id)
    await lodge(session, l2, e.id)
    clock.set(dt.datetime(2025, 10, 17, 10, 0, tzinfo=dt.UTC))
    await stages.decide_stage(session, as_staff(*ASSESSOR), a.id, 1, outcome("upheld"))
    report = await worklist.appeal_report(session, as_staff(*QN), programme_id=world.programme_id)
    rows = {r.appeal_id: r for r in report.appeals}
    assert rows[a.id].working_days_per_stage == [2]  # Thu 16, Fri 17
    assert rows[a.id].assessor_staff_id == world.assessor and rows[a.id].academic_year_id == world.year_id
    assert [(g.stage_reached, g.status, g.count) for g in report.by_stage_and_status] == [
        (1, "open", 1),
        (1, "upheld", 1),
    ]


async def test_r61_the_centres_policy_sets_the_window_and_stage_limits(session, world, clock):
    hoc = as_staff(*HOC)
    assert (await service.get_policy(session, hoc)).stage_working_days == [5, 5, 5, 14]
    p = await service.put_policy(
        session, hoc, schemas.AppealPolicyWrite(window_working_days=3, stage_working_days=[2, 5, 5, 14])
    )
    assert p.version == 1
    again = await service.put_policy(
        session, hoc, schemas.AppealPolicyWrite(window_working_days=4, stage_working_days=[2, 5, 5, 14])
    )
    p = await service.put_policy(
        session, hoc, schemas.AppealPolicyWrite(window_working_days=3, stage_working_days=[2, 5, 5, 14])
    )
    assert (again.version, p.version, p.window_working_days) == (2, 3, 3)
    _, (d, e), (learner, l2) = await released(session, world, 2)
    a = await lodge(session, learner, d.id)
    assert a.stages[0].due_on == dt.date(2025, 10, 17)
    clock.set(dt.datetime(2025, 10, 21, 10, 0, tzinfo=dt.UTC))  # 4 working days after release
    with pytest.raises(RuleViolation) as exc:
        await lodge(session, l2, e.id)
    assert "2025-10-20" in exc.value.errors[0].message


async def test_r61_the_worker_runs_the_overdue_pass(session, connection, world, clock):
    from app.webhooks.worker import mark_overdue_appeals

    _, (d,), (learner,) = await released(session, world)
    await lodge(session, learner, d.id)
    await session.flush()
    assert await mark_overdue_appeals(connection) == 0
    clock.set(dt.datetime(2025, 10, 23, 10, 0, tzinfo=dt.UTC))
    assert await mark_overdue_appeals(connection) == 1
    assert await mark_overdue_appeals(connection) == 0
