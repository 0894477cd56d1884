"""Shared by tests/assignments and tests/assessment: a database of their own (other slices' runs
recreate theirs), the app with these routers and GraphQL types wired in as create_app() will have them,
and plain factories that walk a brief to `issued` and a learner to `registered`."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import CENTRE_A
from tests.programmes.fixtures import World, make_learner, principal


def as_staff(name: str, *roles: str, centre: uuid.UUID = CENTRE_A):
    return principal(*roles, centre=centre, subject=f"staff-{name}")


ASSESSOR = ("assessor", "assessor")
IV = ("iv", "iv")
LIV = ("liv", "liv")
GROUP_AB = [(1, c) for c in ("A.P1", "A.P2", "B.P3", "B.P4", "A.M1", "B.M2", "AB.D1")]
GROUP_C = [(1, c) for c in ("C.P5", "C.P6", "C.M3", "C.D2")]
ALL_CRITERIA = GROUP_AB + GROUP_C


def checklist(answer: bool = True, **overrides: bool) -> list:
    from app.assignments.rules import BRIEF_CHECKLIST
    from app.assignments.schemas import ChecklistAnswer

    return [ChecklistAnswer(question=q, answer=overrides.get(q, answer)) for q in BRIEF_CHECKLIST]


_NEW: object = object()


async def plan_entry(session: AsyncSession, programme_id, units=(1,), planner=LIV):
    """R-20: an entry of the programme's assessment plan for one brief."""
    from app.assignments import schemas, service

    return await service.create_plan_entry(
        session,
        as_staff(*planner),
        schemas.PlanEntryCreate(
            programme_id=programme_id,
            title="Assignment",
            unit_numbers=list(units),
            hand_out_date=dt.date(2025, 10, 1),
            deadline=dt.date(2025, 11, 14),
            planned_iv_date=dt.date(2025, 11, 28),
        ),
    )


async def sign_off(session: AsyncSession, programme_id, liv=None) -> None:
    """R-20: the programme's LIV signs off the plan as it stands (nothing to do when it already is)."""
    from app.assignments import service
    from app.centres.models import StaffMember
    from app.programmes.models import Programme
    from tests.programmes.fixtures import principal

    if await service.plan_signed_off(session, programme_id):
        return
    if liv is None:
        programme = await session.get(Programme, programme_id)
        staff = await session.get(StaffMember, programme.lead_internal_verifier_id)
        who = principal("liv", centre=programme.centre_id, subject=staff.idp_subject)
    else:
        who = as_staff(*liv)
    await service.sign_off_plan(session, who, programme_id)


async def make_brief(
    session: AsyncSession,
    world: World,
    criteria=GROUP_AB,
    *,
    programme_id=None,
    author=ASSESSOR,
    units=(1,),
    retake_of_id=None,
    scenario="A retailer segments its customers.",
    start=dt.date(2025, 10, 1),
    completion=dt.date(2025, 11, 14),
    plan_entry_id=_NEW,
):
    from app.assignments import schemas, service

    if plan_entry_id is _NEW:
        planned = await plan_entry(session, programme_id or world.programme_id, list(units), planner=author)
        plan_entry_id = planned.id
    return await service.create_brief(
        session,
        as_staff(*author),
        schemas.BriefCreate(
            programme_id=programme_id or world.programme_id,
            plan_entry_id=plan_entry_id,
            title="Customer segmentation",
            unit_numbers=list(units),
            criteria=[schemas.TargetedCriterion(unit_number=n, code=c) for n, c in criteria],
            scenario=scenario,
            start_date=start,
            completion_date=completion,
            retake_of_id=retake_of_id,
        ),
    )


async def issue(session: AsyncSession, brief, author=ASSESSOR, verifier=IV):
    from app.assignments import schemas, service

    await service.submit_for_iv(session, as_staff(*author), brief.id)
    await service.verify_brief(
        session, as_staff(*verifier), brief.id, schemas.BriefVerificationCreate(checklist=checklist())
    )
    await sign_off(session, brief.programme_id)
    return await service.issue_brief(session, as_staff(*author), brief.id)


async def issued_brief(session: AsyncSession, world: World, criteria=GROUP_AB, **kw):
    return await issue(session, await make_brief(session, world, criteria, **kw))


async def registered_learner(
    session: AsyncSession, world: World, programme_id=None, n: int = 0, site_id=None, **over
):
    from app.programmes import enrolments, schemas

    learner = await make_learner(
        session, world.centre, given_name=f"L{n}", idp_subject=f"learner-{uuid.uuid4()}", **over
    )
    hoc = principal("hoc", centre=world.centre)
    e = await enrolments.create_enrolment(
        session,
        hoc,
        schemas.EnrolmentCreate(
            learner_id=learner.id,
            programme_id=programme_id or world.programme_id,
            enrolled_on=dt.date(2025, 9, 8),
            identity_checked=True,
            site_id=site_id,
        ),
    )
    await enrolments.register(
        session,
        hoc,
        e.id,
        schemas.Registration(
            registration_number=f"R{uuid.uuid4().hex[:8].upper()}", registered_on=dt.date(2025, 10, 1)
        ),
    )
    return learner


def content(brief, achieved=lambda code: True, **over):
    """A decision's content for `brief`: every targeted criterion judged by `achieved(code)`."""
    from app.assessment import schemas

    return {
        "criteria": [
            schemas.CriterionJudgement(
                unit_number=c["unit_number"],
                code=c["code"],
                achieved=achieved(c["code"]),
                evidence_location="p.3" if achieved(c["code"]) else None,
            )
            for c in brief.criteria
        ],
        "feedback": "A.P1 met on p.3: types of segmentation explained.",
        "authenticity_confirmed": True,
        "can_improve_without_guidance": True,
        "assessed_on": dt.date(2025, 11, 20),
        **over,
    }
