"""R-40 LIV appointments with annual registration and standardisation; R-41 the IV schedule linked to
the assessment plan, signed off by the programme's LIV only; R-42 coverage and the LIV dashboard."""

from __future__ import annotations

import datetime as dt

import pytest

from app.assignments import schemas as asg_schemas
from app.assignments import service as asg
from app.core.errors import Conflict, Forbidden, PreconditionFailed, PreconditionRequired, ValidationFailed
from app.verification import coverage, draws, plans, records, schemas
from tests.programmes.fixtures import make_staff, principal
from tests.verification.fixtures import ASSESSOR, IV, LEADER, LIV, as_staff, batch

ON = dt.date(2025, 12, 1)


async def test_r40_one_liv_per_subject_area_with_annual_records(session, world):
    hoc = principal("hoc")
    first = await plans.appoint_liv(
        session,
        hoc,
        schemas.LivAppointmentCreate(
            subject_area="Business", staff_id=world.liv, appointed_on=dt.date(2024, 9, 1)
        ),
    )
    newer = await make_staff(session, world.centre, "newliv", "liv")
    with pytest.raises(Conflict):
        await plans.appoint_liv(
            session,
            hoc,
            schemas.LivAppointmentCreate(
                subject_area="Business", staff_id=newer.id, appointed_on=dt.date(2024, 9, 1)
            ),
        )
    second = await plans.appoint_liv(
        session,
        hoc,
        schemas.LivAppointmentCreate(
            subject_area="Business", staff_id=newer.id, appointed_on=dt.date(2025, 9, 1)
        ),
    )
    livs = await plans.list_livs(session, principal("qn"), "Business")
    assert [(a.id, a.ended_on) for a in livs] == [(first.id, dt.date(2025, 8, 31)), (second.id, None)]
    with pytest.raises(ValidationFailed):  # standardised: say how
        await plans.add_annual_record(
            session,
            principal("qn"),
            second.id,
            schemas.LivAnnualRecordCreate(
                academic_year_id=world.year_id,
                awarding_body="Pearson",
                registration_reference="LIV-123",
                registered_on=dt.date(2025, 9, 10),
                standardised_on=dt.date(2025, 10, 1),
            ),
        )
    rec = await plans.add_annual_record(
        session,
        principal("qn"),
        second.id,
        schemas.LivAnnualRecordCreate(
            academic_year_id=world.year_id,
            awarding_body="Pearson",
            registration_reference="LIV-123",
            registered_on=dt.date(2025, 9, 10),
            standardised_on=dt.date(2025, 10, 1),
            standardisation_evidence="OSCA standardisation passed",
        ),
    )
    assert [r.id for r in await plans.annual_records(session, hoc, second.id)] == [rec.id]


async def test_r41_schedule_linked_to_the_plan_and_signed_off_by_the_liv_only(session, world):
    entry = await asg.create_plan_entry(
        session,
        principal("programme_leader", subject="staff-leader"),
        asg_schemas.PlanEntryCreate(
            programme_id=world.programme_id,
            title="Segmentation",
            unit_numbers=[1],
            hand_out_date=dt.date(2025, 10, 1),
            deadline=dt.date(2025, 11, 14),
            planned_iv_date=dt.date(2025, 11, 28),
        ),
    )
    liv = as_staff(*LIV)
    with pytest.raises(Forbidden):  # only the programme's LIV writes the plan
        await plans.put_plan(session, as_staff("iv", "liv"), world.programme_id, schemas.IvPlanWrite(), None)
    with pytest.raises(ValidationFailed):
        await plans.put_plan(
            session, liv, world.programme_id, schemas.IvPlanWrite(new_assessor_ids=[world.iv]), None
        )
    plan = await plans.put_plan(
        session,
        liv,
        world.programme_id,
        schemas.IvPlanWrite(
            default_rate_percent=15,
            assessor_rates=[schemas.AssessorRateInput(assessor_staff_id=world.leader, rate_percent=50)],
        ),
        None,
    )
    assert plan.default_rate_percent == 15 and not plan.signed_off
    assert [(r.assessor_staff_id, r.rate_percent) for r in plan.assessor_rates] == [(world.leader, 50)]
    with pytest.raises(ValidationFailed):  # the verifier must verify on this programme
        await plans.assign_schedule(
            session,
            liv,
            world.programme_id,
            schemas.ScheduleAssignment(plan_entry_id=entry.id, verifier_staff_id=world.assessor),
        )
    schedule = await plans.assign_schedule(
        session,
        liv,
        world.programme_id,
        schemas.ScheduleAssignment(plan_entry_id=entry.id, verifier_staff_id=world.iv),
    )
    (line,) = schedule.entries
    assert (line.planned_iv_date, line.verifier_staff_id) == (dt.date(2025, 11, 28), world.iv)
    with pytest.raises(Forbidden):
        await plans.sign_off(session, as_staff(*IV), world.programme_id, schemas.SignOffCreate(signed_on=ON))
    signed = await plans.sign_off(session, liv, world.programme_id, schemas.SignOffCreate(signed_on=ON))
    assert (signed.plan_version, signed.liv_staff_id, signed.signed_on) == (plan.version, world.liv, ON)
    with pytest.raises(Conflict):
        await plans.sign_off(session, liv, world.programme_id, schemas.SignOffCreate(signed_on=ON))
    assert (await plans.get_schedule(session, as_staff(*ASSESSOR), world.programme_id)).plan.signed_off
    # A change needs the version read, and a new sign-off.
    with pytest.raises(PreconditionRequired):
        await plans.put_plan(session, liv, world.programme_id, schemas.IvPlanWrite(), None)
    with pytest.raises(PreconditionFailed):
        await plans.put_plan(session, liv, world.programme_id, schemas.IvPlanWrite(), plan.version + 5)
    changed = await plans.put_plan(session, liv, world.programme_id, schemas.IvPlanWrite(), plan.version)
    assert changed.version == plan.version + 1 and not changed.signed_off


async def test_r42_coverage_and_the_liv_dashboard(session, world):
    brief, _made = await batch(session, world, [(ASSESSOR, "P"), (ASSESSOR, "M"), (LEADER, "D")])
    before = await coverage.coverage(session, as_staff(*LIV), world.programme_id)
    assert set(before.untouched["assessor"]) == {str(world.assessor), str(world.leader)}
    assert before.untouched["site"] == [str(world.site_ids[0])]
    sample = await draws.draw_sample(
        session, as_staff(*IV), brief.id, schemas.SampleCreate(), seed_source=lambda: 2
    )
    mine = next(i for i in sample.items if i.assessor_staff_id == world.assessor)
    await records.record_iv(
        session,
        as_staff(*IV),
        schemas.IvRecordCreate(
            decision_id=mine.decision_id,
            outcome="disagree",
            verified_on=dt.date(2025, 11, 3),
            feedback_to_assessor="Too generous on A.M1.",
            actions=[schemas.RemedialActionCreate(description="Re-mark A.M1", due_in_working_days=3)],
        ),
    )
    after = await coverage.coverage(session, as_staff(*LIV), world.programme_id)
    assert after.untouched["assessor"] == [str(world.leader)]
    assert after.untouched["unit"] == [] and after.untouched["site"] == [] and after.untouched["brief"] == []
    assert "1:A.P1" not in after.untouched["criterion"]
    touched = {(line.kind, line.key) for line in after.lines if line.touched}
    assert ("assessor", str(world.assessor)) in touched
    board = await coverage.liv_dashboard(session, as_staff(*LIV), today=dt.date(2025, 12, 1))
    assert [a.description for a in board.open_actions] == ["Re-mark A.M1"]
    assert [a.description for a in board.overdue_actions] == ["Re-mark A.M1"]  # due 6 Nov
    (waiting,) = board.briefs_awaiting_iv
    assert waiting.brief_id == brief.id and any("disagrees" in r for r in waiting.reasons)
    assert {c.programme_id for c in board.coverage} >= {world.programme_id}


async def test_r42_the_liv_dashboard_reads_a_fixed_number_of_statements_whatever_its_briefs(session, world):
    """The dashboard lists every brief awaiting IV with its reasons: read for all briefs at once, not per
    brief (a 2,000-learner centre's dashboard took 9.6 s through one R-25 check per brief)."""
    from tests.assessment.fixtures import GROUP_C, issued_brief
    from tests.statement_counting import statements_of

    async def statements() -> tuple[int, list]:
        async with statements_of(session) as seen:
            board = await coverage.liv_dashboard(session, as_staff(*LIV), today=ON)
        return len(seen), board.briefs_awaiting_iv

    first, _ = await batch(session, world, [(ASSESSOR, "P"), (LEADER, "M")])
    await draws.draw_sample(session, as_staff(*IV), first.id, schemas.SampleCreate(), seed_source=lambda: 2)
    one, waiting = await statements()
    assert [w.brief_id for w in waiting] == [first.id]
    second, _ = await batch(
        session, world, [(ASSESSOR, "D")], brief=await issued_brief(session, world, GROUP_C)
    )
    await draws.draw_sample(session, as_staff(*IV), second.id, schemas.SampleCreate(), seed_source=lambda: 2)
    two, waiting = await statements()
    assert sorted(w.brief_id for w in waiting) == sorted([first.id, second.id])
    assert two == one
    for w in waiting:  # the batched reasons are each brief's own R-25 reasons
        brief = await asg.get_brief(session, as_staff(*LIV), w.brief_id)
        assert w.reasons == await records.iv_reasons(session, brief)


async def test_r42_the_liv_dashboard_is_paged_by_programme(session, world):
    """A page holds `limit` programmes and every section is of that page's programmes; walking the
    pages yields each programme once and, together, the one-page dashboard (issue 18: a 100-programme
    centre's dashboard was one 836 kB answer)."""
    brief, _made = await batch(session, world, [(ASSESSOR, "P"), (LEADER, "M")])
    await draws.draw_sample(session, as_staff(*IV), brief.id, schemas.SampleCreate(), seed_source=lambda: 2)
    whole = await coverage.liv_dashboard(session, as_staff(*LIV), today=ON)
    assert whole.next_cursor is None and len(whole.coverage) == 3
    pages, cursor = [], None
    while True:
        page = await coverage.liv_dashboard(session, as_staff(*LIV), today=ON, limit=1, cursor=cursor)
        pages.append(page)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert [len(p.coverage) for p in pages] == [1, 1, 1]
    assert sorted(c.programme_id for p in pages for c in p.coverage) == sorted(
        c.programme_id for c in whole.coverage
    )
    (with_brief,) = [p for p in pages if p.briefs_awaiting_iv]
    assert [c.programme_id for c in with_brief.coverage] == [world.programme_id]
    assert [w.brief_id for w in with_brief.briefs_awaiting_iv] == [brief.id]


async def test_r42_the_liv_dashboard_pages_over_http(client, auth, session, world):
    await session.commit()
    hoc = auth("hoc")
    first = await client.get("/v1/iv-dashboard", params={"limit": 2}, headers=hoc)
    assert first.status_code == 200, first.text
    assert len(first.json()["coverage"]) == 2 and first.json()["next_cursor"]
    rest = await client.get(
        "/v1/iv-dashboard", params={"limit": 2, "cursor": first.json()["next_cursor"]}, headers=hoc
    )
    assert len(rest.json()["coverage"]) == 1 and rest.json()["next_cursor"] is None
    too_big = await client.get("/v1/iv-dashboard", params={"limit": 51}, headers=hoc)
    assert too_big.status_code == 422
    assert too_big.headers["content-type"].startswith("application/problem+json")
    assert "limit" in too_big.text


async def test_r42_the_liv_dashboard_pages_over_graphql(client, auth, session, world):
    from tests.programmes.fixtures import gql

    await session.commit()
    hoc = auth("hoc")
    query = "query($after: String) { livDashboard(first: 2, after: $after) { nextCursor coverage { programmeId } } }"
    first = (await gql(client, hoc, query))["data"]["livDashboard"]
    rest = (await gql(client, hoc, query, after=first["nextCursor"]))["data"]["livDashboard"]
    assert [len(first["coverage"]), len(rest["coverage"]), rest["nextCursor"]] == [2, 1, None]
    refused = await gql(client, hoc, "{ livDashboard(first: 51) { nextCursor } }")
    assert refused["errors"][0]["extensions"]["code"] == "page-too-large"
