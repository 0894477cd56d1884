"""R-11: the QN escalates a late, early, overdue or inaccurate registration to the HoC within 2 working
days of the issue arising; the escalation is recorded with its date and the day it was due, and the
HoC records the outcome."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from app.auth.principal import Principal
from app.calendars.service import centre_calendar
from app.core import clock
from app.core.errors import Conflict, PreconditionFailed, RuleViolation, field_problem
from app.core.ids import uuid7
from app.core.pagination import paginate
from app.core.visibility import get_visible
from app.events.write import Change, recorded
from app.programmes import events, rules, schemas
from app.programmes.enrolments import get_enrolment
from app.programmes.errors import InvalidTransition
from app.programmes.models import RegistrationEscalation


def escalations(p: Principal) -> Select[RegistrationEscalation]:
    return select(RegistrationEscalation).where(RegistrationEscalation.centre_id == p.centre_id)


def out(row: RegistrationEscalation) -> schemas.RegistrationEscalation:
    return schemas.RegistrationEscalation.model_validate(row)


async def get_escalation(
    session: AsyncSession, p: Principal, escalation_id: uuid.UUID
) -> RegistrationEscalation:
    return await get_visible(
        session, escalations(p), RegistrationEscalation, escalation_id, "registration escalation"
    )


async def list_escalations(
    session: AsyncSession,
    p: Principal,
    limit: int,
    cursor: str | None,
    *,
    status: str | None = None,
    enrolment_id: uuid.UUID | None = None,
) -> tuple[list[Any], str | None]:
    stmt = escalations(p)
    if status:
        stmt = stmt.where(RegistrationEscalation.status == status)
    if enrolment_id:
        stmt = stmt.where(RegistrationEscalation.enrolment_id == enrolment_id)
    return await paginate(session, stmt, RegistrationEscalation.id, limit, cursor)


async def escalate(
    session: AsyncSession, p: Principal, data: schemas.RegistrationEscalationCreate
) -> RegistrationEscalation:
    """R-11: only a registration with an issue is escalated, once while open. The due date is 2 of the
    centre's working days after the issue arose (`rules.escalate_by`, the one add_working_days); an
    escalation after it is still recorded, and shows as not on time."""
    enrolment = await get_enrolment(session, p, data.enrolment_id)
    today = clock.today()
    kind = rules.registration_issue(
        status=enrolment.status,
        enrolled_on=enrolment.enrolled_on,
        registration_deadline=enrolment.registration_deadline,
        registered_on=enrolment.registered_on,
        transferred=enrolment.transferred_from_id is not None,
        today=today,
        inaccurate=enrolment.registration_inaccurate,
    )
    if kind is None:
        raise RuleViolation(
            "R-11: only a late, early, overdue or inaccurate registration is escalated.",
            errors=[field_problem("body.enrolment_id", "R-11", "the registration has no issue")],
        )
    open_one = await session.scalar(
        escalations(p).where(
            RegistrationEscalation.enrolment_id == enrolment.id, RegistrationEscalation.status == "open"
        )
    )
    if open_one is not None:
        raise Conflict(f"R-11: the registration is already escalated ({open_one.id}), awaiting the HoC.")
    flagged = rules.flagged_on(kind, enrolment.registration_deadline, enrolment.registered_on)
    row = RegistrationEscalation(
        id=uuid7(),
        centre_id=p.centre_id,
        enrolment_id=enrolment.id,
        issue=kind,
        flagged_on=flagged,
        due_by=rules.escalate_by(await centre_calendar(session, p.centre_id), flagged),
        escalated_on=today,
        escalated_by=p.subject,
        note=data.note or None,
        status="open",
    )
    session.add(row)
    await session.flush()
    await recorded(
        session, p, Change.created(events.RegistrationEscalated.of(row), "registration_escalation", row.id)
    )
    return row


async def record_outcome(
    session: AsyncSession,
    p: Principal,
    escalation_id: uuid.UUID,
    data: schemas.RegistrationEscalationOutcome,
) -> RegistrationEscalation:
    """R-11: the HoC records what was decided; the escalation is then resolved."""
    row = await get_escalation(session, p, escalation_id)
    if row.status != "open":
        raise InvalidTransition("R-11", "The escalation already has the HoC's outcome.")
    before = out(row).model_dump(mode="json")
    row.status, row.outcome = schemas.EscalationStatus.resolved, data.outcome
    row.outcome_recorded_on, row.outcome_recorded_by = clock.today(), p.subject
    try:
        await session.flush()
    except StaleDataError as exc:
        raise PreconditionFailed("The escalation changed meanwhile; read it again.") from exc
    event = events.RegistrationEscalationResolved.model_validate(
        {"before": before, "after": out(row).model_dump(mode="json")}
    )
    await recorded(session, p, Change.changed(event, "registration_escalation", row.id))
    return row
