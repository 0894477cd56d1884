"""R-95 coverage: a plan at the programme's start covering every learner. Each activity names the
learners it is planned for (by default everyone on the programme then); a learner who enrols later is
uncovered, shown by the report over REST and GraphQL, until the plan is updated. A plan drawn up after
the programme started is kept and flagged late (004 §8 "drawn up at the beginning ... monitored
throughout the year")."""

from __future__ import annotations

import datetime as dt

import pytest

from app.core.errors import RuleViolation
from app.employers import schemas, service
from tests.assessment.fixtures import registered_learner
from tests.programmes.fixtures import principal

HOC = principal("hoc")


async def _plan(session, world, on=dt.date(2025, 9, 1)):
    return await service.create_plan(
        session,
        HOC,
        schemas.PlanCreate(
            programme_id=world.programme_id, planned_on=on, summary="A brief set with CallCo for everyone."
        ),
    )


async def _activity(session, plan, **over):
    employer = await service.create_employer(
        session, HOC, schemas.EmployerCreate(name="CallCo", sector="Customer service")
    )
    return await service.create_activity(
        session,
        HOC,
        schemas.ActivityCreate(
            plan_id=plan.id,
            employer_id=employer.id,
            activity_type="industry_project",
            title="Complaint replies for CallCo",
            planned_on=dt.date(2025, 11, 5),
            **over,
        ),
    )


async def test_r95_a_learner_who_enrols_later_is_uncovered_until_the_plan_is_updated(session, world, clock):
    first = await registered_learner(session, world, n=0)
    plan = await _plan(session, world)
    activity = await _activity(session, plan)
    assert activity.planned_learner_ids == [first.id]  # everyone on the programme when it was planned
    late = await registered_learner(session, world, n=1)
    report = await service.report(session, principal("assessor"), plan.id)
    assert report.learners_uncovered == [late.id]
    assert {r.learner_id: r.covered for r in report.learners} == {first.id: True, late.id: False}
    updated = await service.plan_learners(
        session, HOC, activity.id, schemas.PlannedLearnersAdd(learner_ids=[late.id])
    )
    assert sorted(updated.planned_learner_ids) == sorted([first.id, late.id])
    assert (await service.report(session, HOC, plan.id)).learners_uncovered == []


async def test_r95_an_activity_planned_for_some_leaves_the_others_uncovered(session, world, clock):
    some, other = await registered_learner(session, world, n=0), await registered_learner(session, world, n=1)
    plan = await _plan(session, world)
    await _activity(session, plan, learner_ids=[some.id])
    assert (await service.report(session, HOC, plan.id)).learners_uncovered == [other.id]


async def test_r95_only_the_programmes_learners_are_planned_for(session, world, clock):
    elsewhere = await registered_learner(session, world, programme_id=world.other_programme_id, n=5)
    plan = await _plan(session, world)
    with pytest.raises(RuleViolation) as refused:
        await _activity(session, plan, learner_ids=[elsewhere.id])
    assert [(e.field, e.code) for e in refused.value.errors] == [("body.learner_ids.0", "not_found")]


async def test_r95_a_plan_after_the_programme_started_is_kept_and_flagged_late(session, world, clock):
    on_time = await _plan(session, world, on=dt.date(2025, 9, 1))  # the academic year's first day
    assert (on_time.starts_on, on_time.late) == (dt.date(2025, 9, 1), False)
    other = await service.create_plan(
        session,
        HOC,
        schemas.PlanCreate(
            programme_id=world.other_programme_id, planned_on=dt.date(2025, 9, 2), summary="Drawn up late."
        ),
    )
    assert other.late is True
    assert (await service.report(session, HOC, other.id)).plan_late is True


async def test_r95_the_coverage_report_over_rest_and_graphql(client, auth, session, world):
    covered = await registered_learner(session, world, n=0)
    plan = await _plan(session, world)
    await _activity(session, plan)
    uncovered = await registered_learner(session, world, n=1)
    staff = auth("assessor")
    rest = await client.get(f"/v1/employer-involvement-plans/{plan.id}/report", headers=staff)
    assert rest.status_code == 200, rest.text
    assert rest.json()["learners_uncovered"] == [str(uncovered.id)]
    query = (
        f'{{ employerInvolvementReport(planId: "{plan.id}") '
        "{ planLate learnersUncovered learners { learnerId covered plannedActivityIds } } }"
    )
    body = (await client.post("/graphql", json={"query": query}, headers=staff)).json()
    got = body["data"]["employerInvolvementReport"]
    assert got["learnersUncovered"] == [str(uncovered.id)], body
    assert {r["learnerId"]: r["covered"] for r in got["learners"]} == {
        str(covered.id): True,
        str(uncovered.id): False,
    }
    # The plan updated over REST: the learner is covered.
    activity_id = (await client.get(f"/v1/employer-activities?plan_id={plan.id}", headers=staff)).json()[0][
        "id"
    ]
    added = await client.post(
        f"/v1/employer-activities/{activity_id}/planned-learners",
        json={"learner_ids": [str(uncovered.id)]},
        headers=auth("hoc"),
    )
    assert added.status_code == 200, added.text
    rest = await client.get(f"/v1/employer-involvement-plans/{plan.id}/report", headers=staff)
    assert rest.json()["learners_uncovered"] == []
