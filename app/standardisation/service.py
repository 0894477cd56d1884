"""Internal standardisation (R-45): each year, for each unit, the programme's assessors and IVs
standardise their judgements -- a meeting or activity with its attendees, the work sampled, what was
agreed and the disagreements the LIV arbitrated -- and the records are kept for the moderator or
verifier (003 §8, 002 QO.9.1, 001). Recorded by the programme's LIV only; read like IV."""

from __future__ import annotations

import uuid

from sqlalchemy import any_, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.assessment.models import AssessmentDecision
from app.assignments.models import AssignmentBrief
from app.assignments.service import qualification_of
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.calendars.models import AcademicYear
from app.centres.models import StaffMember
from app.core import clock
from app.core.errors import FieldProblem, NotFound, RuleViolation, ValidationFailed, field_problem
from app.core.ids import uuid7
from app.core.visibility import get_visible
from app.events.write import Change, recorded
from app.programmes.access import programme_access, require_on_programme, visible_programme
from app.programmes.models import Programme
from app.programmes.service import get_row as programme_row
from app.qualifications.grades import AssessmentMode
from app.standardisation import events, repository, schemas
from app.standardisation.models import StandardisationRecord


async def academic_year(session: AsyncSession, p: Principal, year_id: uuid.UUID, field: str) -> AcademicYear:
    year = await session.scalar(
        select(AcademicYear).where(AcademicYear.id == year_id, AcademicYear.centre_id == p.centre_id)
    )
    if year is None:
        raise NotFound(
            "No such academic year.",
            errors=[field_problem(field, "not_found", "no such academic year in the centre")],
        )
    return year


async def _check_attendees(
    session: AsyncSession, p: Principal, attendee_ids: list[uuid.UUID]
) -> list[FieldProblem]:
    known = set(
        (
            await session.scalars(
                select(StaffMember.id).where(
                    StaffMember.centre_id == p.centre_id, StaffMember.id.in_(attendee_ids)
                )
            )
        ).all()
    )
    problems = [
        field_problem(f"body.attendee_ids.{i}", "not_found", "no such member of staff")
        for i, a in enumerate(attendee_ids)
        if a not in known
    ]
    if len(set(attendee_ids)) != len(attendee_ids):
        problems.append(field_problem("body.attendee_ids", "duplicate", "a member of staff is listed twice"))
    return problems


async def _check_sampled(
    session: AsyncSession, programme: Programme, unit_number: int, decision_ids: list[uuid.UUID]
) -> list[FieldProblem]:
    """R-45: the work sampled is assessed work of this programme on this unit."""
    if not decision_ids:
        return []
    on_unit = set(
        (
            await session.scalars(
                select(AssessmentDecision.id)
                .join(AssignmentBrief, AssignmentBrief.id == AssessmentDecision.brief_id)
                .where(
                    AssessmentDecision.programme_id == programme.id,
                    AssessmentDecision.id.in_(decision_ids),
                    literal(unit_number) == any_(AssignmentBrief.unit_numbers),
                )
            )
        ).all()
    )
    problems = [
        field_problem(
            f"body.sampled_decision_ids.{i}",
            "R-45",
            "not an assessment decision of this programme on this unit",
        )
        for i, d in enumerate(decision_ids)
        if d not in on_unit
    ]
    if len(set(decision_ids)) != len(decision_ids):
        problems.append(field_problem("body.sampled_decision_ids", "duplicate", "a decision is listed twice"))
    return problems


async def record_standardisation(
    session: AsyncSession, p: Principal, data: schemas.StandardisationCreate
) -> StandardisationRecord:
    """R-45: the programme's LIV records a unit's standardisation for an academic year."""
    programme = await programme_row(session, p, data.programme_id)
    liv = require_on_programme(
        await programme_access(session, p, programme),
        "lead_internal_verifier",
        what="record its standardisation",
    )
    q = await qualification_of(session, programme.qualification_id)
    problems: list[FieldProblem] = []
    try:
        unit = q.unit(data.unit_number)
    except KeyError:
        raise ValidationFailed(
            "The programme's qualification has no such unit.",
            errors=[
                field_problem("body.unit_number", "unknown_unit", f"{q.key} has no unit {data.unit_number}")
            ],
        ) from None
    if unit.assessment is AssessmentMode.external:
        problems.append(
            field_problem(
                "body.unit_number",
                "R-45",
                f"unit {unit.number} is externally assessed: not standardised here",
            )
        )
    year_id = data.academic_year_id or programme.academic_year_id
    year = await academic_year(session, p, year_id, "body.academic_year_id")
    if not year.start_date <= data.held_on <= year.end_date:
        problems.append(field_problem("body.held_on", "R-45", "not within the academic year"))
    if data.held_on > clock.today():
        problems.append(field_problem("body.held_on", "in_future", "a standardisation is recorded once held"))
    problems += await _check_attendees(session, p, data.attendee_ids)
    problems += await _check_sampled(session, programme, data.unit_number, data.sampled_decision_ids)
    if problems:
        raise RuleViolation("The standardisation record cannot be kept as given.", errors=problems)
    row = StandardisationRecord(
        id=uuid7(),
        centre_id=p.centre_id,
        programme_id=programme.id,
        qualification_id=programme.qualification_id,
        unit_number=data.unit_number,
        academic_year_id=year.id,
        held_on=data.held_on,
        attendee_ids=list(data.attendee_ids),
        sampled_decision_ids=list(data.sampled_decision_ids),
        outcomes=data.outcomes,
        arbitrations=data.arbitrations,
        liv_staff_id=liv,
        recorded_by=p.subject,
    )
    session.add(row)
    await session.flush()
    event = events.StandardisationRecorded.of(row)
    await recorded(session, p, Change.created(event, "standardisation_record", row.id))
    return row


async def get_standardisation(
    session: AsyncSession, p: Principal, record_id: uuid.UUID
) -> StandardisationRecord:
    return await get_visible(
        session,
        repository.standardisation_records(p),
        StandardisationRecord,
        record_id,
        "standardisation record",
    )


async def list_standardisation(
    session: AsyncSession,
    p: Principal,
    programme_id: uuid.UUID | None = None,
    academic_year_id: uuid.UUID | None = None,
    unit_number: int | None = None,
) -> list[StandardisationRecord]:
    stmt = repository.standardisation_records(p)
    if programme_id is not None:
        stmt = stmt.where(StandardisationRecord.programme_id == programme_id)
    if academic_year_id is not None:
        stmt = stmt.where(StandardisationRecord.academic_year_id == academic_year_id)
    if unit_number is not None:
        stmt = stmt.where(StandardisationRecord.unit_number == unit_number)
    stmt = stmt.order_by(StandardisationRecord.held_on, StandardisationRecord.id)
    return list((await session.scalars(stmt)).all())


async def standardisation_gaps(
    session: AsyncSession, p: Principal, programme_id: uuid.UUID, academic_year_id: uuid.UUID | None = None
) -> schemas.StandardisationGaps:
    """R-45: every internally assessed unit of the programme's qualification, with its standardisation
    records for the year (the programme's own year unless another is asked for); the units with none."""
    programme = await visible_programme(session, p, programme_id, Scope.standardisation_read)
    year_id = academic_year_id or programme.academic_year_id
    await academic_year(session, p, year_id, "query.academic_year_id")
    q = await qualification_of(session, programme.qualification_id)
    rows = (
        await session.scalars(
            select(StandardisationRecord)
            .where(
                StandardisationRecord.programme_id == programme.id,
                StandardisationRecord.academic_year_id == year_id,
            )
            .order_by(StandardisationRecord.held_on, StandardisationRecord.id)
        )
    ).all()
    by_unit: dict[int, list[StandardisationRecord]] = {}
    for r in rows:
        by_unit.setdefault(r.unit_number, []).append(r)
    units = []
    for unit in q.units:
        if unit.assessment is AssessmentMode.external:
            continue
        mine = by_unit.get(unit.number, [])
        units.append(
            schemas.UnitStandardisation(
                unit_number=unit.number,
                title=unit.title,
                standardised=bool(mine),
                record_ids=[r.id for r in mine],
                last_held_on=max((r.held_on for r in mine), default=None),
            )
        )
    return schemas.StandardisationGaps(
        programme_id=programme.id,
        qualification_id=programme.qualification_id,
        academic_year_id=year_id,
        units=units,
        missing_unit_numbers=[u.unit_number for u in units if not u.standardised],
    )
