"""R-40 for programme access: the programme's LIV is the LIV appointed for its subject area in its
academic year (app/verification/livs.py), so the appointed LIV reads and leads the programme's IV even
where the programme names another. Programmes sit below verification and cannot import the
appointments: `register` hands app/programmes/access.py the lookup as SQL when the app is built."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, or_, select

from app.calendars.models import AcademicYear
from app.programmes import access
from app.programmes.models import Programme
from app.verification.models import LivAppointment


def appointed_liv() -> ColumnElement[uuid.UUID]:
    """The staff id of the latest appointment for the programme's subject area in force at some time in
    its year (the order livs.appointments_in uses), correlated to the enclosing query's programme."""
    return (
        select(LivAppointment.staff_id)
        .where(
            AcademicYear.id == Programme.academic_year_id,
            LivAppointment.centre_id == Programme.centre_id,
            LivAppointment.subject_area == Programme.subject_area,
            LivAppointment.appointed_on <= AcademicYear.end_date,
            or_(LivAppointment.ended_on.is_(None), LivAppointment.ended_on >= AcademicYear.start_date),
        )
        .order_by(LivAppointment.appointed_on.desc(), LivAppointment.id.desc())
        .limit(1)
        .correlate(Programme)
        .scalar_subquery()
    )


def register() -> None:
    access.register_appointed_liv(appointed_liv)
