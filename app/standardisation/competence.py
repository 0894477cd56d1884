"""Staff competence (R-46): assessors and IVs have the expertise the unit needs and a record of annual
CPD (000 §8, 002 QO.1.3, QO.9.2).

CPD records are the member of staff's own: each records and reads their own; the HoC, QN and LIV read
and record everyone's (`repository.CPD_WIDE`). A competence -- the subject areas and units of
qualifications someone has the expertise to assess or verify -- is kept by the HoC, QN and LIV and read
by every member of staff (it is whom a programme can be staffed with)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.assignments.service import qualification_of
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.centres import repository as centres_repo
from app.centres.models import StaffMember
from app.core import clock
from app.core.concurrency import IfMatch
from app.core.errors import Forbidden, NotFound, PreconditionRequired, ValidationFailed, field_problem
from app.core.ids import uuid7
from app.core.visibility import get_visible
from app.events.changes import create_recorded, update_recorded
from app.events.write import Change, recorded
from app.programmes.access import my_staff_ids, visible_programme
from app.programmes.models import ProgrammeStaff
from app.programmes.schemas import TeamRole
from app.qualifications.grades import AssessmentMode
from app.qualifications.models import QualificationVersion
from app.standardisation import events, repository, schemas
from app.standardisation.models import CpdRecord, StaffCompetence
from app.standardisation.service import academic_year


async def _staff(session: AsyncSession, p: Principal, staff_id: uuid.UUID, field: str) -> StaffMember:
    errors = [field_problem(field, "not_found", "no such staff")]
    return await get_visible(
        session, centres_repo.staff(p), StaffMember, staff_id, "member of staff", errors=errors
    )


async def _is_me(session: AsyncSession, p: Principal, staff_id: uuid.UUID) -> bool:
    return staff_id in set((await session.scalars(my_staff_ids(p))).all())


# ---- CPD ------------------------------------------------------------------------------------------


async def record_cpd(session: AsyncSession, p: Principal, data: schemas.CpdCreate) -> CpdRecord:
    """R-46: a CPD activity, by the member of staff themselves or the HoC, QN or LIV."""
    await _staff(session, p, data.staff_id, "body.staff_id")
    if not repository.cpd_wide(p) and not await _is_me(session, p, data.staff_id):
        raise Forbidden(
            "Only the HoC, QN or LIV record another member of staff's CPD.",
            errors=[field_problem("body.staff_id", "R-46", "not your own staff record")],
        )
    if data.undertaken_on > clock.today():
        raise ValidationFailed(
            "CPD is recorded once undertaken.",
            errors=[field_problem("body.undertaken_on", "in_future", "after today")],
        )
    values = data.model_dump()
    values["hours"] = Decimal(str(round(data.hours, 2)))
    row = CpdRecord(id=uuid7(), centre_id=p.centre_id, recorded_by=p.subject, **values)
    session.add(row)
    await session.flush()
    await recorded(session, p, Change.created(events.CpdRecorded.of(row), "cpd_record", row.id))
    return row


async def get_cpd(session: AsyncSession, p: Principal, record_id: uuid.UUID) -> CpdRecord:
    return await get_visible(session, repository.cpd_records(p), CpdRecord, record_id, "CPD record")


async def list_cpd(session: AsyncSession, p: Principal, staff_id: uuid.UUID | None = None) -> list[CpdRecord]:
    stmt = repository.cpd_records(p)
    if staff_id is not None:
        stmt = stmt.where(CpdRecord.staff_id == staff_id)
    return list((await session.scalars(stmt.order_by(CpdRecord.undertaken_on, CpdRecord.id))).all())


# ---- competence -----------------------------------------------------------------------------------


def competence_out(row: StaffCompetence) -> schemas.StaffCompetence:
    return schemas.StaffCompetence.model_validate(row)


async def get_competence(session: AsyncSession, p: Principal, staff_id: uuid.UUID) -> schemas.StaffCompetence:
    """R-46: a member of staff's expertise; 404 until it is first recorded."""
    staff = await _staff(session, p, staff_id, "staff_id")
    row = await session.scalar(select(StaffCompetence).where(StaffCompetence.staff_id == staff.id))
    if row is None:
        raise NotFound(f"No competence is recorded yet for member of staff {staff_id}.")
    return competence_out(row)


async def put_competence(
    session: AsyncSession,
    p: Principal,
    staff_id: uuid.UUID,
    data: schemas.CompetenceWrite,
    expected: int | IfMatch | None,
) -> schemas.StaffCompetence:
    """R-46: the subject areas and units of qualifications a member of staff has the expertise for.
    If-Match is needed to change a competence already recorded."""
    staff = await _staff(session, p, staff_id, "staff_id")
    problems = []
    specs: dict[uuid.UUID, object] = {}
    for i, u in enumerate(data.units):
        if u.qualification_id not in specs:
            found = await session.scalar(
                select(QualificationVersion.id).where(QualificationVersion.id == u.qualification_id)
            )
            specs[u.qualification_id] = (
                await qualification_of(session, u.qualification_id) if found is not None else None
            )
        q = specs[u.qualification_id]
        if q is None:
            problems.append(
                field_problem(f"body.units.{i}.qualification_id", "not_found", "no such qualification")
            )
            continue
        try:
            q.unit(u.unit_number)  # type: ignore[attr-defined]
        except KeyError:
            problems.append(
                field_problem(
                    f"body.units.{i}.unit_number", "unknown_unit", "the qualification has no such unit"
                )
            )
    if problems:
        raise ValidationFailed("The competence names units that do not exist.", errors=problems)
    units = sorted({(str(u.qualification_id), u.unit_number) for u in data.units})
    values = {
        "subject_areas": sorted(set(data.subject_areas)),
        "units": [{"qualification_id": q, "unit_number": n} for q, n in units],
        "note": data.note,
        "updated_by": p.subject,
    }
    row = await session.scalar(select(StaffCompetence).where(StaffCompetence.staff_id == staff.id))
    if row is None:
        row = StaffCompetence(id=uuid7(), centre_id=p.centre_id, staff_id=staff.id, **values)
        await create_recorded(session, p, row, events.CompetenceCreated, "staff_competence")
    else:
        if expected is None:
            raise PreconditionRequired("Give the version of the competence you read to change it.")
        await update_recorded(session, p, row, values, expected, events.CompetenceUpdated, "staff_competence")
    return competence_out(row)


# ---- the R-46 report --------------------------------------------------------------------------------


def _has_expertise(c: StaffCompetence | None, qualification_id: uuid.UUID, unit: int, area: str) -> bool:
    if c is None:
        return False
    if area in c.subject_areas:
        return True
    return any(u["qualification_id"] == str(qualification_id) and u["unit_number"] == unit for u in c.units)


async def competence_report(
    session: AsyncSession, p: Principal, programme_id: uuid.UUID, academic_year_id: uuid.UUID | None = None
) -> schemas.CompetenceReport:
    """R-46 for a programme: each assessor, IV and the LIV, with the internally assessed units of the
    qualification they have no recorded expertise for (neither the unit nor the programme's subject
    area), and their CPD hours in the academic year (the programme's unless another is asked for)."""
    programme = await visible_programme(session, p, programme_id, Scope.standardisation_read)
    year = await academic_year(
        session, p, academic_year_id or programme.academic_year_id, "query.academic_year_id"
    )
    q = await qualification_of(session, programme.qualification_id)
    internal = [u.number for u in q.units if u.assessment is not AssessmentMode.external]
    roles: dict[uuid.UUID, set[TeamRole]] = {}
    for staff_id, role in (
        await session.execute(
            select(ProgrammeStaff.staff_id, ProgrammeStaff.role).where(
                ProgrammeStaff.programme_id == programme.id
            )
        )
    ).all():
        roles.setdefault(staff_id, set()).add(TeamRole(role))
    roles.setdefault(programme.lead_internal_verifier_id, set()).add(TeamRole.lead_internal_verifier)
    ids = sorted(roles)
    competences = {
        c.staff_id: c
        for c in (
            await session.scalars(select(StaffCompetence).where(StaffCompetence.staff_id.in_(ids)))
        ).all()
    }
    hours: dict[uuid.UUID, Decimal] = {}
    for c in (
        await session.scalars(
            select(CpdRecord).where(
                CpdRecord.staff_id.in_(ids),
                CpdRecord.undertaken_on >= year.start_date,
                CpdRecord.undertaken_on <= year.end_date,
            )
        )
    ).all():
        hours[c.staff_id] = hours.get(c.staff_id, Decimal(0)) + c.hours
    return schemas.CompetenceReport(
        programme_id=programme.id,
        academic_year_id=year.id,
        staff=[
            schemas.StaffCompetenceGap(
                staff_id=s,
                roles=sorted(roles[s]),
                units_without_expertise=[
                    n
                    for n in internal
                    if not _has_expertise(
                        competences.get(s), programme.qualification_id, n, programme.subject_area
                    )
                ],
                cpd_hours=float(hours.get(s, Decimal(0))),
                has_cpd=s in hours,
            )
            for s in ids
        ],
    )
