"""R-40: the LIV of a programme is the LIV appointed for its subject area in its academic year; a
subject area with programmes in a year and no accredited LIV for it (appointed for the year, registered
with the awarding body and standardised for the year) is reported: it may claim certificates only after
a successful standards verification, and certification reads this report.
"""

from __future__ import annotations

import uuid

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.calendars.models import AcademicYear
from app.core.errors import ValidationFailed, field_problem
from app.programmes.models import Programme
from app.verification import schemas
from app.verification.models import LivAnnualRecord, LivAppointment


async def _year(session: AsyncSession, centre_id: uuid.UUID, year_id: uuid.UUID) -> AcademicYear:
    year = await session.scalar(
        select(AcademicYear).where(AcademicYear.id == year_id, AcademicYear.centre_id == centre_id)
    )
    if year is None:
        raise ValidationFailed(
            "No such academic year in the centre.",
            errors=[field_problem("academic_year_id", "not_found", "no such academic year in the centre")],
        )
    return year


async def appointments_in(
    session: AsyncSession, centre_id: uuid.UUID, subject_area: str, year: AcademicYear
) -> list[LivAppointment]:
    """The subject area's LIV appointments in force at some time in the year, the latest first."""
    return list(
        (
            await session.scalars(
                select(LivAppointment)
                .where(
                    LivAppointment.centre_id == centre_id,
                    LivAppointment.subject_area == subject_area,
                    LivAppointment.appointed_on <= year.end_date,
                    or_(LivAppointment.ended_on.is_(None), LivAppointment.ended_on >= year.start_date),
                )
                .order_by(LivAppointment.appointed_on.desc(), LivAppointment.id.desc())
            )
        ).all()
    )


async def programme_liv(session: AsyncSession, programme: Programme) -> LivAppointment | None:
    """R-40: the programme's LIV: the latest appointment for its subject area in force in its year."""
    year = await session.get_one(AcademicYear, programme.academic_year_id)
    found = await appointments_in(session, programme.centre_id, programme.subject_area, year)
    return found[0] if found else None


async def liv_staff_id(session: AsyncSession, programme: Programme) -> uuid.UUID | None:
    """R-40: who the programme's LIV is: the appointed LIV, else (no appointment in force) the one the
    programme names; app/programmes/access.py answers the same for access."""
    appointment = await programme_liv(session, programme)
    return appointment.staff_id if appointment else programme.lead_internal_verifier_id


async def _standing(
    session: AsyncSession, appointment: LivAppointment, year_id: uuid.UUID
) -> schemas.LivGapReason | None:
    """None when the appointment is accredited for the year: its latest annual record for the year
    registers it with the awarding body and records its standardisation."""
    record = await session.scalar(
        select(LivAnnualRecord)
        .where(LivAnnualRecord.appointment_id == appointment.id, LivAnnualRecord.academic_year_id == year_id)
        .order_by(LivAnnualRecord.created_at.desc(), LivAnnualRecord.id.desc())
        .limit(1)
    )
    if record is None:
        return schemas.LivGapReason.not_registered
    if record.standardised_on is None:
        return schemas.LivGapReason.not_standardised
    return None


async def liv_gaps(session: AsyncSession, p: Principal, academic_year_id: uuid.UUID) -> list[schemas.LivGap]:
    """R-40: each subject area with programmes in the year and no accredited LIV for the year."""
    year = await _year(session, p.centre_id, academic_year_id)
    rows = (
        await session.execute(
            select(Programme.subject_area, Programme.id)
            .where(Programme.centre_id == p.centre_id, Programme.academic_year_id == year.id)
            .order_by(Programme.subject_area, Programme.id)
        )
    ).all()
    areas: dict[str, list[uuid.UUID]] = {}
    for area, programme_id in rows:
        areas.setdefault(area, []).append(programme_id)
    out: list[schemas.LivGap] = []
    for area, programme_ids in areas.items():
        appointments = await appointments_in(session, p.centre_id, area, year)
        standings = [(a, await _standing(session, a, year.id)) for a in appointments]
        if any(why is None for _, why in standings):
            continue
        latest, why = standings[0] if standings else (None, schemas.LivGapReason.no_appointment)
        out.append(
            schemas.LivGap(
                subject_area=area,
                academic_year_id=year.id,
                programme_ids=programme_ids,
                reason=why,
                appointment_id=latest.id if latest else None,
                liv_staff_id=latest.staff_id if latest else None,
            )
        )
    return out
