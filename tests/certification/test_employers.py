"""R-95 employer involvement: a plan per programme, only meaningful activity with an employer of the
sector, confirmed before it happens, recorded per learner; the report of learners without any; the
declaration at moderation."""

from __future__ import annotations

import datetime as dt

import pytest

from app.core.errors import Forbidden, RuleViolation
from app.employers import schemas, service
from app.programmes.errors import InvalidTransition
from tests.assessment.fixtures import registered_learner
from tests.programmes.fixtures import principal
from tests.verification.fixtures import as_staff

HOC = principal("hoc")
PL = as_staff("leader", "programme_leader")


async def _plan(session, world, who=PL):
    return await service.create_plan(
        session,
        who,
        schemas.PlanCreate(
            programme_id=world.programme_id,
            planned_on=dt.date(2025, 9, 10),
            summary="Every learner: a project set with a contact centre in unit 1, assignment 2.",
        ),
    )


async def _employer(session, name="CallCo", sector="Customer service"):
    return await service.create_employer(session, HOC, schemas.EmployerCreate(name=name, sector=sector))


def _activity(plan, employer, kind="industry_project", on=dt.date(2025, 11, 5)):
    return schemas.ActivityCreate(
        plan_id=plan.id,
        employer_id=employer.id,
        activity_type=kind,
        title="A brief set with CallCo",
        planned_on=on,
    )


async def test_r95_one_plan_per_programme_by_its_leader(session, world, clock):
    with pytest.raises(Forbidden):
        await _plan(session, world, who=as_staff("assessor", "programme_leader"))
    plan = await _plan(session, world)
    assert plan.required_for_certification is False  # BTEC: the centre decides; OCR requires it (003 §5)
    with pytest.raises(RuleViolation):
        await _plan(session, world)


@pytest.mark.parametrize("kind", ["careers_talk", "visit", "cv_help", "simulation", "premises"])
async def test_r95_activities_that_are_not_meaningful_are_refused_with_the_rule(session, world, clock, kind):
    plan, employer = await _plan(session, world), await _employer(session)
    with pytest.raises(RuleViolation) as refused:
        await service.create_activity(session, PL, _activity(plan, employer, kind))
    assert [(e.field, e.code) for e in refused.value.errors] == [("body.activity_type", "R-95")]


async def test_r95_the_employer_is_in_the_qualifications_sector(session, world, clock):
    plan, bakery = await _plan(session, world), await _employer(session, "Bakery", "Food manufacturing")
    with pytest.raises(RuleViolation) as refused:
        await service.create_activity(session, PL, _activity(plan, bakery))
    assert [(e.field, e.code) for e in refused.value.errors] == [("body.employer_id", "R-95")]


async def test_r95_confirmed_before_it_happens_then_recorded_per_learner_and_reported(session, world, clock):
    plan, employer = await _plan(session, world), await _employer(session)
    took = await registered_learner(session, world, n=0)
    missed = await registered_learner(session, world, n=1)
    activity = await service.create_activity(session, PL, _activity(plan, employer))
    with pytest.raises(InvalidTransition):  # not confirmed
        await service.add_participants(
            session, PL, activity.id, schemas.ParticipationAdd(learner_ids=[took.id])
        )
    with pytest.raises(RuleViolation):  # confirmation comes before the activity, not on or after it
        await service.confirm_activity(
            session, PL, activity.id, schemas.ActivityConfirm(confirmed_on=dt.date(2025, 11, 5))
        )
    await service.confirm_activity(
        session, PL, activity.id, schemas.ActivityConfirm(confirmed_on=dt.date(2025, 10, 14))
    )
    with pytest.raises(InvalidTransition):  # it has not happened yet
        await service.add_participants(
            session, PL, activity.id, schemas.ParticipationAdd(learner_ids=[took.id])
        )
    clock.set(dt.datetime(2025, 11, 6, 10, tzinfo=dt.UTC))
    out = await service.add_participants(
        session, PL, activity.id, schemas.ParticipationAdd(learner_ids=[took.id])
    )
    assert out.learner_ids == [took.id]
    report = await service.report(session, principal("assessor"), plan.id)
    assert report.learners_without_activity == [missed.id]
    declared = await service.declare(
        session,
        PL,
        plan.id,
        schemas.DeclarationCreate(
            moderation_on=dt.date(2025, 11, 6), statement="The plan as shown to the moderator."
        ),
    )
    assert [(d.moderation_on, d.learners_without_activity) for d in declared.declarations] == [
        (dt.date(2025, 11, 6), 1)
    ]


async def test_r95_participants_are_the_programmes_learners(session, world, clock):
    plan, employer = await _plan(session, world), await _employer(session)
    elsewhere = await registered_learner(session, world, programme_id=world.other_programme_id, n=5)
    activity = await service.create_activity(session, PL, _activity(plan, employer))
    await service.confirm_activity(
        session, PL, activity.id, schemas.ActivityConfirm(confirmed_on=dt.date(2025, 10, 14))
    )
    clock.set(dt.datetime(2025, 11, 6, 10, tzinfo=dt.UTC))
    with pytest.raises(RuleViolation):
        await service.add_participants(
            session, PL, activity.id, schemas.ParticipationAdd(learner_ids=[elsewhere.id])
        )
