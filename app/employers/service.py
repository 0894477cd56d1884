"""Employer involvement (R-95, 003 §5, 004 §8): every learner takes part in meaningful activity with
employers of the qualification's sector. A plan per programme at its start covering all learners; each
activity typed (only meaningful types accepted), with an employer in the sector, confirmed before it
happens; each learner's participation; the report of learners without any; the plan declared at each
moderation. Recorded by the HoC or the programme's leader; read by all staff."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.auth.scopes import Role
from app.calendars.models import AcademicYear
from app.core import clock
from app.core.errors import FieldProblem, NotFound, RuleViolation, field_problem
from app.core.ids import uuid7
from app.core.visibility import get_visible
from app.core.writes import flush_unique
from app.employers import events, involvement, schemas
from app.employers.models import (
    ActivityParticipant,
    ActivityPlannedLearner,
    Employer,
    EmployerActivity,
    InvolvementDeclaration,
    InvolvementPlan,
)
from app.events.write import Change, recorded
from app.learners.models import Learner
from app.programmes.access import programme_access, require_on_programme
from app.programmes.errors import InvalidTransition
from app.programmes.models import Enrolment, Programme
from app.programmes.service import get_row as programme_row
from app.qualifications.models import QualificationVersion

# Learners on the programme whom the plan covers: on it now or at its end.
COVERED = ("enrolled", "registered", "completed")


async def _may_write(session: AsyncSession, p: Principal, programme: Programme, what: str) -> None:
    """The HoC for the centre; otherwise the programme's own leader."""
    if Role.hoc in p.roles:
        return
    require_on_programme(await programme_access(session, p, programme), "programme_leader", what=what)


# ---- employers -----------------------------------------------------------------------------------------


def _employers(p: Principal) -> Select:
    return select(Employer).where(Employer.centre_id == p.centre_id)


async def create_employer(session: AsyncSession, p: Principal, data: schemas.EmployerCreate) -> Employer:
    row = Employer(
        id=uuid7(), centre_id=p.centre_id, name=data.name, sector=data.sector, recorded_by=p.subject
    )
    session.add(row)
    await flush_unique(session, {"uq_employers_centre_id_name": "body.name"})
    await recorded(session, p, Change.created(events.EmployerRecorded.of(row), "employer", row.id))
    return row


async def list_employers(session: AsyncSession, p: Principal, sector: str | None = None) -> list[Employer]:
    stmt = _employers(p)
    if sector is not None:
        stmt = stmt.where(Employer.sector == sector)
    return list((await session.scalars(stmt.order_by(Employer.name, Employer.id))).all())


async def get_employer(session: AsyncSession, p: Principal, employer_id: uuid.UUID) -> Employer:
    return await get_visible(session, _employers(p), Employer, employer_id, "employer")


# ---- plans ---------------------------------------------------------------------------------------------


async def _programme_facts(session: AsyncSession, programme: Programme) -> tuple[str | None, dt.date]:
    """The qualification's sector (R-95) and the programme's start (its academic year's first day)."""
    sector = (await session.get_one(QualificationVersion, programme.qualification_id)).sector
    return sector, (await session.get_one(AcademicYear, programme.academic_year_id)).start_date


async def _plan_out(session: AsyncSession, plan: InvolvementPlan) -> schemas.Plan:
    sector, starts_on = await _programme_facts(session, await session.get_one(Programme, plan.programme_id))
    decls = (
        await session.scalars(
            select(InvolvementDeclaration)
            .where(InvolvementDeclaration.plan_id == plan.id)
            .order_by(InvolvementDeclaration.moderation_on, InvolvementDeclaration.id)
        )
    ).all()
    return schemas.Plan(
        id=plan.id,
        programme_id=plan.programme_id,
        sector=sector,
        planned_on=plan.planned_on,
        starts_on=starts_on,
        # 004 §8 "drawn up at the beginning of the programme": a later plan is kept but flagged.
        late=plan.planned_on > starts_on,
        summary=plan.summary,
        required_for_certification=plan.required_for_certification,
        created_by=plan.created_by,
        declarations=[schemas.Declaration.model_validate(d) for d in decls],
        version=plan.version,
    )


async def create_plan(session: AsyncSession, p: Principal, data: schemas.PlanCreate) -> schemas.Plan:
    """R-95: one plan per programme, at its start."""
    programme = await programme_row(session, p, data.programme_id)
    await _may_write(session, p, programme, "draw up its employer involvement plan")
    if data.planned_on > clock.today():
        raise RuleViolation(
            "A plan is recorded once drawn up.",
            errors=[field_problem("body.planned_on", "in_future", "not after today")],
        )
    if await session.scalar(select(InvolvementPlan.id).where(InvolvementPlan.programme_id == programme.id)):
        raise RuleViolation(
            "The programme already has its employer involvement plan.",
            errors=[field_problem("body.programme_id", "R-95", "one plan per programme")],
        )
    qv = await session.get_one(QualificationVersion, programme.qualification_id)
    if qv.sector is None:
        raise RuleViolation(
            "R-95: the employers are in the qualification's sector, and this qualification states none.",
            errors=[
                field_problem(
                    "body.programme_id",
                    "R-95",
                    f"{qv.key} version {qv.version} has no sector: import a specification version that states it",
                )
            ],
        )
    awarding_body = qv.awarding_body
    required = data.required_for_certification
    plan = InvolvementPlan(
        id=uuid7(),
        centre_id=p.centre_id,
        programme_id=programme.id,
        planned_on=data.planned_on,
        summary=data.summary,
        required_for_certification=involvement.required_by_default(awarding_body)
        if required is None
        else required,
        created_by=p.subject,
    )
    session.add(plan)
    await session.flush()
    out = await _plan_out(session, plan)
    await recorded(
        session,
        p,
        Change.created(
            events.PlanCreated.model_validate(out.model_dump()), "employer_involvement_plan", plan.id
        ),
    )
    return out


def _plans(p: Principal) -> Select:
    return select(InvolvementPlan).where(InvolvementPlan.centre_id == p.centre_id)


async def _plan(session: AsyncSession, p: Principal, plan_id: uuid.UUID) -> InvolvementPlan:
    return await get_visible(session, _plans(p), InvolvementPlan, plan_id, "employer involvement plan")


async def get_plan(session: AsyncSession, p: Principal, plan_id: uuid.UUID) -> schemas.Plan:
    return await _plan_out(session, await _plan(session, p, plan_id))


async def list_plans(
    session: AsyncSession, p: Principal, programme_id: uuid.UUID | None = None
) -> list[schemas.Plan]:
    stmt = _plans(p)
    if programme_id is not None:
        stmt = stmt.where(InvolvementPlan.programme_id == programme_id)
    rows = (await session.scalars(stmt.order_by(InvolvementPlan.planned_on, InvolvementPlan.id))).all()
    return [await _plan_out(session, r) for r in rows]


async def declare(
    session: AsyncSession, p: Principal, plan_id: uuid.UUID, data: schemas.DeclarationCreate
) -> schemas.Plan:
    """R-95 (003 §5): the plan is declared at each moderation; the declaration keeps how many learners
    had no activity then."""
    plan = await _plan(session, p, plan_id)
    await _may_write(session, p, await session.get_one(Programme, plan.programme_id), "declare its plan")
    if data.moderation_on > clock.today():
        raise RuleViolation(
            "A declaration is made at the moderation.",
            errors=[field_problem("body.moderation_on", "in_future", "not after today")],
        )
    before = await _plan_out(session, plan)
    gaps = await report(session, p, plan.id)
    session.add(
        InvolvementDeclaration(
            id=uuid7(),
            centre_id=p.centre_id,
            plan_id=plan.id,
            moderation_on=data.moderation_on,
            statement=data.statement,
            learners_without_activity=len(gaps.learners_without_activity),
            declared_by=p.subject,
        )
    )
    await session.flush()
    after = await _plan_out(session, plan)
    await recorded(
        session,
        p,
        Change.changed(
            events.PlanUpdated(before=before, after=after),
            "employer_involvement_plan",
            plan.id,
            action="employer_involvement_plan.declared",
        ),
    )
    return after


# ---- activities ----------------------------------------------------------------------------------------


async def _activity_out(session: AsyncSession, a: EmployerActivity) -> schemas.Activity:
    planned = (
        await session.scalars(
            select(ActivityPlannedLearner.learner_id)
            .where(ActivityPlannedLearner.activity_id == a.id)
            .order_by(ActivityPlannedLearner.learner_id)
        )
    ).all()
    learners = (
        await session.scalars(
            select(ActivityParticipant.learner_id)
            .where(ActivityParticipant.activity_id == a.id)
            .order_by(ActivityParticipant.learner_id)
        )
    ).all()
    return schemas.Activity(
        id=a.id,
        plan_id=a.plan_id,
        programme_id=a.programme_id,
        employer_id=a.employer_id,
        activity_type=a.activity_type,
        title=a.title,
        planned_on=a.planned_on,
        confirmed_on=a.confirmed_on,
        confirmed_by=a.confirmed_by,
        planned_learner_ids=list(planned),
        learner_ids=list(learners),
        created_by=a.created_by,
        version=a.version,
    )


async def create_activity(
    session: AsyncSession, p: Principal, data: schemas.ActivityCreate
) -> schemas.Activity:
    """R-95: only meaningful types; an employer in the qualification's sector; planned for the given
    learners of the programme, by default all of them now (the plan's coverage)."""
    plan = await _plan(session, p, data.plan_id)
    programme = await session.get_one(Programme, plan.programme_id)
    sector, _ = await _programme_facts(session, programme)
    await _may_write(session, p, programme, "plan its employer activities")
    problems: list[FieldProblem] = []
    if data.activity_type not in schemas.MEANINGFUL:
        problems.append(
            field_problem(
                "body.activity_type",
                "R-95",
                f"{data.activity_type.value} alone is not meaningful employer involvement: placements, "
                "projects set with industry, master classes and expert witnesses are",
            )
        )
    employer = await session.scalar(_employers(p).where(Employer.id == data.employer_id))
    if employer is None:
        raise NotFound(
            "No such employer.", errors=[field_problem("body.employer_id", "not_found", "no such employer")]
        )
    if sector is None or employer.sector.casefold() != sector.casefold():
        problems.append(
            field_problem(
                "body.employer_id",
                "R-95",
                f"the employer's sector ({employer.sector}) is not the qualification's ({sector or 'none stated'})",
            )
        )
    if data.learner_ids is None:
        planned_for = await _on_programme(session, programme.id)
    else:
        planned_for = data.learner_ids
        problems += await _learner_problems(session, programme.id, data.learner_ids)
    if problems:
        raise RuleViolation("R-95: the activity is not meaningful employer involvement.", errors=problems)
    a = EmployerActivity(
        id=uuid7(),
        centre_id=p.centre_id,
        plan_id=plan.id,
        programme_id=plan.programme_id,
        employer_id=employer.id,
        activity_type=data.activity_type,
        title=data.title,
        planned_on=data.planned_on,
        created_by=p.subject,
    )
    session.add(a)
    await session.flush()
    _plan_for(session, p, a, planned_for)
    await session.flush()
    out = await _activity_out(session, a)
    await recorded(
        session,
        p,
        Change.created(events.ActivityCreated.model_validate(out.model_dump()), "employer_activity", a.id),
    )
    return out


def _activities(p: Principal) -> Select:
    return select(EmployerActivity).where(EmployerActivity.centre_id == p.centre_id)


async def _activity(session: AsyncSession, p: Principal, activity_id: uuid.UUID) -> EmployerActivity:
    return await get_visible(session, _activities(p), EmployerActivity, activity_id, "employer activity")


async def get_activity(session: AsyncSession, p: Principal, activity_id: uuid.UUID) -> schemas.Activity:
    return await _activity_out(session, await _activity(session, p, activity_id))


async def list_activities(
    session: AsyncSession,
    p: Principal,
    programme_id: uuid.UUID | None = None,
    plan_id: uuid.UUID | None = None,
) -> list[schemas.Activity]:
    stmt = _activities(p)
    if programme_id is not None:
        stmt = stmt.where(EmployerActivity.programme_id == programme_id)
    if plan_id is not None:
        stmt = stmt.where(EmployerActivity.plan_id == plan_id)
    rows = (await session.scalars(stmt.order_by(EmployerActivity.planned_on, EmployerActivity.id))).all()
    return [await _activity_out(session, a) for a in rows]


async def _change(
    session: AsyncSession, p: Principal, a: EmployerActivity, before: schemas.Activity, action: str
) -> schemas.Activity:
    await session.flush()
    after = await _activity_out(session, a)
    await recorded(
        session,
        p,
        Change.changed(
            events.ActivityUpdated(before=before, after=after), "employer_activity", a.id, action=action
        ),
    )
    return after


async def confirm_activity(
    session: AsyncSession, p: Principal, activity_id: uuid.UUID, data: schemas.ActivityConfirm
) -> schemas.Activity:
    """R-95: each activity is confirmed before it happens."""
    a = await _activity(session, p, activity_id)
    await _may_write(session, p, await session.get_one(Programme, a.programme_id), "confirm its activities")
    if a.confirmed_on is not None:
        raise InvalidTransition("R-95", "The activity is already confirmed.")
    if data.confirmed_on > clock.today() or data.confirmed_on >= a.planned_on:
        raise RuleViolation(
            "R-95: an activity is confirmed before it happens.",
            errors=[
                field_problem(
                    "body.confirmed_on", "R-95", f"before {a.planned_on.isoformat()} and not after today"
                )
            ],
        )
    before = await _activity_out(session, a)
    a.confirmed_on = data.confirmed_on
    a.confirmed_by = p.subject
    return await _change(session, p, a, before, "employer_activity.confirmed")


async def add_participants(
    session: AsyncSession, p: Principal, activity_id: uuid.UUID, data: schemas.ParticipationAdd
) -> schemas.Activity:
    """R-95: each learner's participation, recorded once the confirmed activity has happened, for the
    programme's learners."""
    a = await _activity(session, p, activity_id)
    await _may_write(session, p, await session.get_one(Programme, a.programme_id), "record participation")
    if a.confirmed_on is None or a.planned_on > clock.today():
        raise InvalidTransition(
            "R-95",
            "Participation is recorded for a confirmed activity once it has happened.",
            field="activity",
        )
    problems = await _learner_problems(session, a.programme_id, data.learner_ids)
    if problems:
        raise RuleViolation("Participation cannot be recorded as given.", errors=problems)
    before = await _activity_out(session, a)
    new = [lid for lid in data.learner_ids if lid not in set(before.learner_ids)]
    if not new:
        return before
    for lid in new:
        session.add(
            ActivityParticipant(
                activity_id=a.id, learner_id=lid, centre_id=p.centre_id, recorded_by=p.subject
            )
        )
    return await _change(session, p, a, before, "employer_activity.participation_recorded")


async def plan_learners(
    session: AsyncSession, p: Principal, activity_id: uuid.UUID, data: schemas.PlannedLearnersAdd
) -> schemas.Activity:
    """R-95: the plan updated to cover more learners through the activity (a learner who enrolled
    after it was drawn up is uncovered until then)."""
    a = await _activity(session, p, activity_id)
    await _may_write(session, p, await session.get_one(Programme, a.programme_id), "update its plan")
    problems = await _learner_problems(session, a.programme_id, data.learner_ids)
    if problems:
        raise RuleViolation("The activity cannot be planned for the learners given.", errors=problems)
    before = await _activity_out(session, a)
    new = [lid for lid in data.learner_ids if lid not in set(before.planned_learner_ids)]
    if not new:
        return before
    _plan_for(session, p, a, new)
    return await _change(session, p, a, before, "employer_activity.learners_planned")


async def _on_programme(session: AsyncSession, programme_id: uuid.UUID) -> list[uuid.UUID]:
    """The learners the plan must cover: on the programme now or at its end."""
    stmt = (
        select(Enrolment.learner_id)
        .where(Enrolment.programme_id == programme_id, Enrolment.status.in_(COVERED))
        .distinct()
        .order_by(Enrolment.learner_id)
    )
    return list((await session.scalars(stmt)).all())


async def _learner_problems(
    session: AsyncSession, programme_id: uuid.UUID, learner_ids: list[uuid.UUID]
) -> list[FieldProblem]:
    on_programme = set(
        (
            await session.scalars(
                select(Enrolment.learner_id).where(
                    Enrolment.programme_id == programme_id, Enrolment.learner_id.in_(learner_ids)
                )
            )
        ).all()
    )
    problems = [
        field_problem(f"body.learner_ids.{i}", "not_found", "not a learner of the programme")
        for i, lid in enumerate(learner_ids)
        if lid not in on_programme
    ]
    if len(set(learner_ids)) != len(learner_ids):
        problems.append(field_problem("body.learner_ids", "duplicate", "a learner is listed twice"))
    return problems


def _plan_for(session: AsyncSession, p: Principal, a: EmployerActivity, learner_ids: list[uuid.UUID]) -> None:
    for lid in learner_ids:
        session.add(
            ActivityPlannedLearner(
                activity_id=a.id, learner_id=lid, centre_id=p.centre_id, planned_by=p.subject
            )
        )


# ---- the report ----------------------------------------------------------------------------------------


async def report(session: AsyncSession, p: Principal, plan_id: uuid.UUID) -> schemas.InvolvementReport:
    """R-95: every learner on the programme with the activities planned for them and the confirmed ones
    they took part in; the learners the plan does not cover, and those without any activity."""
    plan = await _plan(session, p, plan_id)
    learners = (
        await session.execute(
            select(Learner.id, Learner.given_name, Learner.family_name)
            .join(Enrolment, Enrolment.learner_id == Learner.id)
            .where(Enrolment.programme_id == plan.programme_id, Enrolment.status.in_(COVERED))
            .distinct()
            .order_by(Learner.family_name, Learner.given_name, Learner.id)
        )
    ).all()
    planned: dict[uuid.UUID, list[uuid.UUID]] = {}
    for activity_id, learner_id in (
        await session.execute(
            select(ActivityPlannedLearner.activity_id, ActivityPlannedLearner.learner_id)
            .join(EmployerActivity, EmployerActivity.id == ActivityPlannedLearner.activity_id)
            .where(EmployerActivity.plan_id == plan.id)
            .order_by(ActivityPlannedLearner.activity_id)
        )
    ).all():
        planned.setdefault(learner_id, []).append(activity_id)
    took: dict[uuid.UUID, list[uuid.UUID]] = {}
    for activity_id, learner_id in (
        await session.execute(
            select(ActivityParticipant.activity_id, ActivityParticipant.learner_id)
            .join(EmployerActivity, EmployerActivity.id == ActivityParticipant.activity_id)
            .where(EmployerActivity.plan_id == plan.id, EmployerActivity.confirmed_on.is_not(None))
            .order_by(ActivityParticipant.activity_id)
        )
    ).all():
        took.setdefault(learner_id, []).append(activity_id)
    rows = [
        schemas.LearnerInvolvement(
            learner_id=lid,
            given_name=g,
            family_name=f,
            planned_activity_ids=planned.get(lid, []),
            covered=lid in planned,
            activity_ids=took.get(lid, []),
        )
        for lid, g, f in learners
    ]
    return schemas.InvolvementReport(
        plan_id=plan.id,
        programme_id=plan.programme_id,
        plan_late=(await _plan_out(session, plan)).late,
        learners=rows,
        learners_uncovered=[r.learner_id for r in rows if not r.covered],
        learners_without_activity=[r.learner_id for r in rows if not r.activity_ids],
    )
