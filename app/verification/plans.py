"""LIV appointments with their annual registration and standardisation (R-40); each programme's IV plan
-- the written sampling strategy (R-42) -- and its annual IV schedule linked to the assessment plan
(R-41), signed off by the programme's LIV only."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.assignments.models import AssessmentPlanEntry, AssignmentBrief
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.calendars.models import AcademicYear
from app.centres import repository as centres_repo
from app.centres.models import StaffMember
from app.core.concurrency import IfMatch
from app.core.errors import Conflict, NotFound, PreconditionRequired, ValidationFailed, field_problem
from app.core.ids import uuid7
from app.core.visibility import get_visible
from app.events.changes import create_recorded, update_recorded
from app.events.write import Change, recorded
from app.programmes.access import programme_access, require_on_programme, visible_programme
from app.programmes.models import Programme, ProgrammeStaff
from app.programmes.service import get_row as programme_row
from app.verification import events, livs, schemas
from app.verification.models import IvPlan, IvPlanSignOff, IvScheduleEntry, LivAnnualRecord, LivAppointment

PLANNERS = ("lead_internal_verifier",)


async def _staff(session: AsyncSession, p: Principal, staff_id: uuid.UUID, field: str) -> StaffMember:
    errors = [field_problem(field, "not_found", "no such staff")]
    return await get_visible(
        session, centres_repo.staff(p), StaffMember, staff_id, "member of staff", errors=errors
    )


# ---- LIV appointments (R-40) --------------------------------------------------------------------------


def _appointments(p: Principal) -> Select[LivAppointment]:
    return select(LivAppointment).where(LivAppointment.centre_id == p.centre_id)


async def appoint_liv(
    session: AsyncSession, p: Principal, data: schemas.LivAppointmentCreate
) -> LivAppointment:
    """R-40: one LIV per subject area: a new appointment ends the current one the day before."""
    await _staff(session, p, data.staff_id, "body.staff_id")
    current = await session.scalar(
        _appointments(p)
        .where(LivAppointment.subject_area == data.subject_area, LivAppointment.ended_on.is_(None))
        .with_for_update()
    )
    if current is not None:
        if current.appointed_on >= data.appointed_on:
            raise Conflict(
                "The subject area's current LIV was appointed on or after that date.",
                errors=[field_problem("body.appointed_on", "R-40", "one LIV per subject area at a time")],
            )
        import datetime as dt

        await update_recorded(
            session,
            p,
            current,
            {"ended_on": data.appointed_on - dt.timedelta(days=1)},
            current.version,
            events.LivAppointmentUpdated,
            "liv_appointment",
        )
    row = LivAppointment(
        id=uuid7(),
        centre_id=p.centre_id,
        subject_area=data.subject_area,
        staff_id=data.staff_id,
        appointed_on=data.appointed_on,
        appointed_by=p.subject,
    )
    return await create_recorded(session, p, row, events.LivAppointed, "liv_appointment")


async def list_livs(
    session: AsyncSession, p: Principal, subject_area: str | None = None
) -> list[LivAppointment]:
    stmt = _appointments(p)
    if subject_area:
        stmt = stmt.where(LivAppointment.subject_area == subject_area)
    return list(
        (
            await session.scalars(
                stmt.order_by(LivAppointment.subject_area, LivAppointment.appointed_on, LivAppointment.id)
            )
        ).all()
    )


async def add_annual_record(
    session: AsyncSession, p: Principal, appointment_id: uuid.UUID, data: schemas.LivAnnualRecordCreate
) -> LivAnnualRecord:
    """R-40: registered with the awarding body and standardised each year (insert-only; latest counts)."""
    appointment = await get_visible(
        session, _appointments(p), LivAppointment, appointment_id, "LIV appointment"
    )
    year = await session.scalar(
        select(AcademicYear.id).where(
            AcademicYear.id == data.academic_year_id, AcademicYear.centre_id == p.centre_id
        )
    )
    if year is None:
        raise NotFound(
            "No such academic year.",
            errors=[
                field_problem("body.academic_year_id", "not_found", "no such academic year in the centre")
            ],
        )
    if data.standardised_on is not None and not data.standardisation_evidence:
        raise ValidationFailed(
            "Say what the standardisation was.",
            errors=[field_problem("body.standardisation_evidence", "R-40", "required with standardised_on")],
        )
    row = LivAnnualRecord(
        id=uuid7(),
        centre_id=p.centre_id,
        appointment_id=appointment.id,
        recorded_by=p.subject,
        **data.model_dump(),
    )
    session.add(row)
    await session.flush()
    annual = events.LivAnnualRecordCreated.of(row)
    await recorded(session, p, Change.created(annual, "liv_appointment", appointment.id))
    return row


async def annual_records(
    session: AsyncSession, p: Principal, appointment_id: uuid.UUID
) -> list[LivAnnualRecord]:
    appointment = await get_visible(
        session, _appointments(p), LivAppointment, appointment_id, "LIV appointment"
    )
    return list(
        (
            await session.scalars(
                select(LivAnnualRecord)
                .where(LivAnnualRecord.appointment_id == appointment.id)
                .order_by(LivAnnualRecord.created_at, LivAnnualRecord.id)
            )
        ).all()
    )


# ---- IV plan, schedule and sign-off (R-41, R-42) ------------------------------------------------------


def _pct(rate: Decimal | float | str) -> int:
    return round(Decimal(str(rate)) * 100)


def _plan_out(plan: IvPlan, signed: bool) -> schemas.IvPlan:
    return schemas.IvPlan(
        id=plan.id,
        programme_id=plan.programme_id,
        default_rate_percent=_pct(plan.default_rate),
        new_assessor_rate_percent=_pct(plan.new_assessor_rate),
        disagreement_rate_percent=_pct(plan.disagreement_rate),
        assessor_rates=[
            schemas.AssessorRateOut(assessor_staff_id=uuid.UUID(k), rate_percent=_pct(v))
            for k, v in sorted(plan.assessor_rates.items())
        ],
        new_assessor_ids=plan.new_assessor_ids,
        new_qualification=plan.new_qualification,
        strategy=plan.strategy,
        signed_off=signed,
        version=plan.version,
    )


async def _signed(session: AsyncSession, plan: IvPlan) -> bool:
    return (
        await session.scalar(
            select(IvPlanSignOff.id).where(
                IvPlanSignOff.iv_plan_id == plan.id, IvPlanSignOff.plan_version == plan.version
            )
        )
        is not None
    )


async def _liv_of(session: AsyncSession, p: Principal, programme: Programme, what: str) -> uuid.UUID:
    return require_on_programme(await programme_access(session, p, programme), *PLANNERS, what=what)


async def get_plan(session: AsyncSession, p: Principal, programme_id: uuid.UUID) -> schemas.IvPlan:
    """R-42: the programme's IV plan, with whether its current version is signed off; 404 until the LIV
    has written one."""
    programme = await visible_programme(session, p, programme_id, Scope.verification_read)
    plan = await session.scalar(select(IvPlan).where(IvPlan.programme_id == programme.id))
    if plan is None:
        raise NotFound(f"Programme {programme_id} has no IV plan yet.")
    return _plan_out(plan, await _signed(session, plan))


async def put_plan(
    session: AsyncSession,
    p: Principal,
    programme_id: uuid.UUID,
    data: schemas.IvPlanWrite,
    expected: int | IfMatch | None,
) -> schemas.IvPlan:
    """The programme's written sampling strategy, by its LIV; a change needs signing off again."""
    programme = await programme_row(session, p, programme_id)
    await _liv_of(session, p, programme, "write its IV plan")
    assessors = set(
        (
            await session.scalars(
                select(ProgrammeStaff.staff_id).where(
                    ProgrammeStaff.programme_id == programme.id, ProgrammeStaff.role == "assessor"
                )
            )
        ).all()
    )
    problems = [
        field_problem(f"body.new_assessor_ids.{i}", "not_an_assessor", "not an assessor of the programme")
        for i, a in enumerate(data.new_assessor_ids)
        if a not in assessors
    ]
    problems += [
        field_problem(
            f"body.assessor_rates.{i}.assessor_staff_id",
            "not_an_assessor",
            "not an assessor of the programme",
        )
        for i, r in enumerate(data.assessor_rates)
        if r.assessor_staff_id not in assessors
    ]
    if problems:
        raise ValidationFailed("The plan names staff who do not assess this programme.", errors=problems)
    hundredth = Decimal("0.01")
    values = {
        "default_rate": data.default_rate_percent * hundredth,
        "new_assessor_rate": data.new_assessor_rate_percent * hundredth,
        "disagreement_rate": data.disagreement_rate_percent * hundredth,
        "assessor_rates": {
            str(r.assessor_staff_id): str(r.rate_percent * hundredth) for r in data.assessor_rates
        },
        "new_assessor_ids": sorted(set(data.new_assessor_ids)),
        "new_qualification": data.new_qualification,
        "strategy": data.strategy,
    }
    plan = await session.scalar(select(IvPlan).where(IvPlan.programme_id == programme.id))
    if plan is None:
        plan = await create_recorded(
            session,
            p,
            IvPlan(id=uuid7(), centre_id=p.centre_id, programme_id=programme.id, **values),
            events.IvPlanCreated,
            "iv_plan",
        )
    else:
        if expected is None:
            raise PreconditionRequired("Give the version of the IV plan you read to change it.")
        plan = await update_recorded(session, p, plan, values, expected, events.IvPlanUpdated, "iv_plan")
    return _plan_out(plan, await _signed(session, plan))


async def assign_schedule(
    session: AsyncSession, p: Principal, programme_id: uuid.UUID, data: schemas.ScheduleAssignment
) -> schemas.IvSchedule:
    """R-41: who verifies one assignment of the assessment plan, and when (the plan's IV date unless
    moved). The verifier must be one of the programme's IVs or its LIV."""
    programme = await programme_row(session, p, programme_id)
    await _liv_of(session, p, programme, "schedule its IV")
    plan = await session.scalar(select(IvPlan).where(IvPlan.programme_id == programme.id))
    if plan is None:
        raise Conflict(
            "Write the programme's IV plan first.",
            errors=[field_problem("programme_id", "R-41", "no IV plan")],
        )
    entry = await session.scalar(
        select(AssessmentPlanEntry).where(
            AssessmentPlanEntry.id == data.plan_entry_id, AssessmentPlanEntry.programme_id == programme.id
        )
    )
    if entry is None:
        raise NotFound(
            "No such entry in the programme's assessment plan.",
            errors=[
                field_problem(
                    "body.plan_entry_id", "not_found", "not an entry of this programme's assessment plan"
                )
            ],
        )
    verifiers = set(
        (
            await session.scalars(
                select(ProgrammeStaff.staff_id).where(
                    ProgrammeStaff.programme_id == programme.id, ProgrammeStaff.role == "internal_verifier"
                )
            )
        ).all()
    )
    if data.verifier_staff_id not in verifiers | {await livs.liv_staff_id(session, programme)}:
        raise ValidationFailed(
            "The verifier must be an IV of the programme or its LIV.",
            errors=[
                field_problem(
                    "body.verifier_staff_id", "not_a_verifier", "not an internal verifier of the programme"
                )
            ],
        )
    when = data.planned_iv_date or entry.planned_iv_date
    row = await session.scalar(select(IvScheduleEntry).where(IvScheduleEntry.plan_entry_id == entry.id))
    if row is None:
        await create_recorded(
            session,
            p,
            IvScheduleEntry(
                id=uuid7(),
                centre_id=p.centre_id,
                iv_plan_id=plan.id,
                plan_entry_id=entry.id,
                verifier_staff_id=data.verifier_staff_id,
                planned_iv_date=when,
            ),
            events.IvScheduleEntryCreated,
            "iv_schedule_entry",
        )
    else:
        await update_recorded(
            session,
            p,
            row,
            {"verifier_staff_id": data.verifier_staff_id, "planned_iv_date": when},
            row.version,
            events.IvScheduleEntryUpdated,
            "iv_schedule_entry",
        )
    return await get_schedule(session, p, programme_id)


async def sign_off(
    session: AsyncSession, p: Principal, programme_id: uuid.UUID, data: schemas.SignOffCreate
) -> IvPlanSignOff:
    """The IV plan signed off by the programme's LIV only, naming the plan version it saw."""
    programme = await programme_row(session, p, programme_id)
    liv = await _liv_of(session, p, programme, "sign off its IV plan")
    plan = await session.scalar(select(IvPlan).where(IvPlan.programme_id == programme.id))
    if plan is None:
        raise Conflict(
            "There is no IV plan to sign off.", errors=[field_problem("programme_id", "R-41", "no IV plan")]
        )
    if await _signed(session, plan):
        raise Conflict("This version of the IV plan is already signed off.")
    row = IvPlanSignOff(
        id=uuid7(),
        centre_id=p.centre_id,
        iv_plan_id=plan.id,
        plan_version=plan.version,
        signed_on=data.signed_on,
        liv_staff_id=liv,
        signed_by=p.subject,
    )
    session.add(row)
    await session.flush()
    await recorded(session, p, Change.created(events.IvPlanSignedOff.of(row), "iv_plan", plan.id))
    return row


async def get_schedule(session: AsyncSession, p: Principal, programme_id: uuid.UUID) -> schemas.IvSchedule:
    """R-41: the annual IV schedule: every assessment plan entry with its planned IV date, its assigned
    IV, its briefs and whether their IV is complete (R-25)."""
    from app.verification.records import iv_reasons_of

    programme = await visible_programme(session, p, programme_id, Scope.verification_read)
    plan = await session.scalar(select(IvPlan).where(IvPlan.programme_id == programme.id))
    entries = (
        await session.scalars(
            select(AssessmentPlanEntry)
            .where(AssessmentPlanEntry.programme_id == programme.id)
            .order_by(AssessmentPlanEntry.planned_iv_date, AssessmentPlanEntry.id)
        )
    ).all()
    assigned = (
        {
            s.plan_entry_id: s
            for s in (
                await session.scalars(
                    select(IvScheduleEntry).where(IvScheduleEntry.plan_entry_id.in_([e.id for e in entries]))
                )
            ).all()
        }
        if entries
        else {}
    )
    briefs: dict[uuid.UUID, list[AssignmentBrief]] = {}
    for b in (
        await session.scalars(
            select(AssignmentBrief).where(
                AssignmentBrief.programme_id == programme.id, AssignmentBrief.plan_entry_id.is_not(None)
            )
        )
    ).all():
        if b.plan_entry_id is not None:  # always: the query asked for no other
            briefs.setdefault(b.plan_entry_id, []).append(b)
    reasons_of = await iv_reasons_of(session, [b.id for mine in briefs.values() for b in mine])
    out = []
    for e in entries:
        s = assigned.get(e.id)
        mine = briefs.get(e.id, [])
        complete = bool(mine) and all(not reasons_of[b.id] for b in mine)
        out.append(
            schemas.ScheduleEntry(
                plan_entry_id=e.id,
                title=e.title,
                deadline=e.deadline,
                planned_iv_date=s.planned_iv_date if s else e.planned_iv_date,
                verifier_staff_id=s.verifier_staff_id if s else None,
                brief_ids=[b.id for b in mine],
                iv_complete=complete,
            )
        )
    sign_offs = (
        (
            await session.scalars(
                select(IvPlanSignOff)
                .where(IvPlanSignOff.iv_plan_id == plan.id)
                .order_by(IvPlanSignOff.plan_version)
            )
        ).all()
        if plan
        else []
    )
    return schemas.IvSchedule(
        programme_id=programme.id,
        plan=_plan_out(plan, await _signed(session, plan)) if plan else None,
        entries=out,
        sign_offs=[schemas.SignOff.model_validate(s) for s in sign_offs],
    )
