"""Learners on programmes: enrolment, registration with the awarding body, transfer, withdrawal and
completion (R-10..R-12), each a transition that is audited and emitted; and R-11's registration issues."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from app.auth.principal import Principal
from app.calendars.models import AcademicYear
from app.calendars.service import centre_calendar
from app.core import clock
from app.core.errors import Conflict, NotFound, RuleViolation, ValidationFailed, field_problem
from app.core.ids import uuid7
from app.core.pagination import paginate
from app.core.visibility import get_visible
from app.core.writes import flush_unique
from app.events.event import Changed
from app.events.write import Change, recorded, recorded_all
from app.learners import repository as learners_repo
from app.learners.models import Learner
from app.programmes import events, rules, schemas
from app.programmes import repository as repo
from app.programmes.errors import InvalidTransition
from app.programmes.models import ACTIVE_STATUSES, Enrolment, PriorLearning, Programme, ProgrammeSite
from app.programmes.service import get_row as get_programme_row
from app.qualifications.models import QualificationVersion
from app.qualifications.service import parsed

ENROLMENT_UNIQUE = {
    "uq_enrolments_centre_id_mis_id": "body.mis_id",
    "uq_enrolments_programme_id_learner_id_active": "body.programme_id",
}
# the statuses in which the learner is registered for the enrolment's qualification.
REGISTERED_STATUSES = ("registered", "completed")


def snapshot(enrolment: object) -> dict[str, Any]:
    return schemas.Enrolment.model_validate(enrolment).model_dump(mode="json")


def registered_clause(centre_id: Any, learner_id: Any, qualification_id: Any) -> ColumnElement[bool]:
    """R-10 as SQL: the learner is registered with the awarding body for the qualification (values or
    columns of an enclosing query, so a write can gather this fact with its others in one statement)."""
    return exists().where(
        Enrolment.centre_id == centre_id,
        Enrolment.learner_id == learner_id,
        Enrolment.qualification_id == qualification_id,
        Enrolment.status.in_(REGISTERED_STATUSES),
    )


def require_registered(registered: bool | None) -> None:
    """R-10's refusal (RuleViolation, 422, `errors[0].code == "R-10"`) unless `registered_clause` held."""
    if not registered:
        message = "the learner is not registered with the awarding body for this qualification"
        raise RuleViolation(
            f"R-10: {message}; no assessment decision may be recorded.",
            errors=[field_problem("learner_id", "R-10", message)],
        )


async def ensure_registered(
    session: AsyncSession, centre_id: uuid.UUID, learner_id: uuid.UUID, qualification_id: uuid.UUID
) -> None:
    """R-10: a learner is formally assessed only for a qualification they are registered on with the
    awarding body. Raises RuleViolation (422, `errors[0].code == "R-10"`) otherwise; for the assessment
    service to call before it records a decision."""
    require_registered(
        await session.scalar(select(registered_clause(centre_id, learner_id, qualification_id)))
    )


async def learner_in_centre(
    session: AsyncSession, p: Principal, learner_id: uuid.UUID, field: str
) -> Learner:
    """A learner named in a body: one the caller sees (learners_repo), else 404 naming the field."""
    errors = [field_problem(field, "not_found", "no such learner in the centre")]
    return await get_visible(
        session, learners_repo.learners(p), Learner, learner_id, "learner", errors=errors
    )


async def _programme(session: AsyncSession, p: Principal, programme_id: uuid.UUID, field: str) -> Programme:
    try:
        return await get_programme_row(session, p, programme_id)
    except NotFound as exc:
        raise NotFound(
            exc.detail, errors=[field_problem(field, "not_found", "no such programme in the centre")]
        ) from exc


async def deadline_for(session: AsyncSession, programme: Programme, enrolled_on: dt.date) -> dt.date:
    start = (
        await session.execute(
            select(AcademicYear.start_date).where(AcademicYear.id == programme.academic_year_id)
        )
    ).scalar_one()
    return rules.registration_deadline(programme.delivery_model, start, enrolled_on)


def _not_future(value: dt.date, field: str) -> None:
    if value > clock.today():
        raise ValidationFailed(
            "A date that has not come yet cannot be recorded.",
            errors=[field_problem(field, "date_in_future", "must not be after today")],
        )


def _not_before_enrolment(enrolment: Enrolment, value: dt.date, field: str) -> None:
    if value < enrolment.enrolled_on:
        raise ValidationFailed(
            "The date is before the learner was enrolled.",
            errors=[
                field_problem(
                    field,
                    "before_enrolment",
                    f"must not be before the enrolment date {enrolment.enrolled_on}",
                )
            ],
        )


async def site_on_programme(
    session: AsyncSession, programme_id: uuid.UUID, site_id: uuid.UUID | None, field: str
) -> uuid.UUID | None:
    """The learner's site: one of the programme's (R-42 samples every site); the only one when the
    programme runs at a single site and none was given."""
    sites = list(
        (
            await session.scalars(
                select(ProgrammeSite.site_id).where(ProgrammeSite.programme_id == programme_id)
            )
        ).all()
    )
    if site_id is None:
        return sites[0] if len(sites) == 1 else None
    if site_id not in sites:
        raise NotFound(
            "The site is not one where this programme is delivered.",
            errors=[field_problem(field, "not_found", "not a site of the programme")],
        )
    return site_id


async def create_enrolment(session: AsyncSession, p: Principal, data: schemas.EnrolmentCreate) -> Enrolment:
    await learner_in_centre(session, p, data.learner_id, "body.learner_id")
    programme = await _programme(session, p, data.programme_id, "body.programme_id")
    if not data.identity_checked:
        raise RuleViolation(
            "R-12: the learner's identity is checked at enrolment.",
            errors=[
                field_problem(
                    "body.identity_checked", "R-12", "identity must be checked before a learner is enrolled"
                )
            ],
        )
    site_id = await site_on_programme(session, programme.id, data.site_id, "body.site_id")
    enrolment = Enrolment(
        id=uuid7(),
        centre_id=p.centre_id,
        learner_id=data.learner_id,
        programme_id=programme.id,
        qualification_id=programme.qualification_id,
        site_id=site_id,
        mis_id=data.mis_id,
        status="enrolled",
        enrolled_on=data.enrolled_on,
        identity_checked_by=p.subject,
        registration_deadline=await deadline_for(session, programme, data.enrolled_on),
    )
    session.add(enrolment)
    await flush_unique(session, ENROLMENT_UNIQUE)
    await recorded(
        session, p, Change.created(events.EnrolmentCreated.of(enrolment), "enrolment", enrolment.id)
    )
    return enrolment


async def get_enrolment(session: AsyncSession, p: Principal, enrolment_id: uuid.UUID) -> Enrolment:
    return await get_visible(session, repo.enrolments(p), Enrolment, enrolment_id, "enrolment")


async def list_enrolments(
    session: AsyncSession,
    p: Principal,
    limit: int,
    cursor: str | None,
    *,
    learner_id: uuid.UUID | None = None,
    programme_id: uuid.UUID | None = None,
    status: str | None = None,
) -> tuple[list[Enrolment], str | None]:
    stmt = repo.enrolments(p)
    if learner_id:
        stmt = stmt.where(Enrolment.learner_id == learner_id)
    if programme_id:
        stmt = stmt.where(Enrolment.programme_id == programme_id)
    if status:
        stmt = stmt.where(Enrolment.status == status)
    return await paginate(session, stmt, Enrolment.id, limit, cursor)


async def _transition(
    session: AsyncSession,
    p: Principal,
    enrolment: Enrolment,
    event: type[Changed],
    changes: dict,
) -> Enrolment:
    """Apply one transition: one audit row and one event, in the request's transaction."""
    before = snapshot(enrolment)
    for name, value in changes.items():
        setattr(enrolment, name, value)
    try:
        await flush_unique(session, ENROLMENT_UNIQUE)
    except StaleDataError as exc:
        raise Conflict("The enrolment changed while this transition was being made; read it again.") from exc
    after = snapshot(enrolment)
    await recorded(
        session,
        p,
        Change.changed(event.model_validate({"before": before, "after": after}), "enrolment", enrolment.id),
    )
    return enrolment


def _require_active(enrolment: Enrolment, what: str) -> None:
    if enrolment.status not in ACTIVE_STATUSES:
        raise InvalidTransition(
            "R-12",
            f"A {enrolment.status} enrolment cannot be {what}; only an enrolled or registered learner can.",
        )


async def register(
    session: AsyncSession, p: Principal, enrolment_id: uuid.UUID, data: schemas.Registration
) -> Enrolment:
    """R-12: the awarding body's registration number and date. A late or early registration is
    recorded and flagged (R-11), not refused: the QN escalates it."""
    enrolment = await get_enrolment(session, p, enrolment_id)
    if enrolment.status == "registered":
        raise InvalidTransition(
            "R-12", f"The learner is already registered on this enrolment ({enrolment.registration_number})."
        )
    if enrolment.status != "enrolled":
        raise InvalidTransition("R-12", f"A {enrolment.status} enrolment cannot be registered.")
    _not_future(data.registered_on, "body.registered_on")
    learner = await session.get(Learner, enrolment.learner_id)
    assert learner is not None
    return await _transition(
        session,
        p,
        enrolment,
        events.EnrolmentRegistered,
        {
            "status": "registered",
            "registration_number": data.registration_number,
            "registered_on": data.registered_on,
            "status_reason": data.reason or None,
            "registered_given_name": data.given_name,
            "registered_family_name": data.family_name,
            "registered_date_of_birth": data.date_of_birth,
            "registration_inaccurate": rules.registration_inaccurate(
                (data.given_name, data.family_name, data.date_of_birth),
                (learner.given_name, learner.family_name, learner.date_of_birth),
            ),
        },
    )


async def transfer(
    session: AsyncSession, p: Principal, enrolment_id: uuid.UUID, data: schemas.Transfer
) -> tuple[Enrolment, Enrolment]:
    """R-12: to another qualification or pathway. The enrolment ends as `transferred` and a new one
    starts on the target programme, carrying the registration (number and date) and the original R-11
    deadline: a transfer moves a registration, it does not restart the clock."""
    source = await get_enrolment(session, p, enrolment_id)
    _require_active(source, "transferred")
    target = await _programme(session, p, data.programme_id, "body.programme_id")
    if target.id == source.programme_id:
        raise ValidationFailed(
            "A transfer moves the learner to another programme.",
            errors=[
                field_problem(
                    "body.programme_id", "same_programme", "the learner is already on this programme"
                )
            ],
        )
    _not_future(data.transferred_on, "body.transferred_on")
    _not_before_enrolment(source, data.transferred_on, "body.transferred_on")
    started = Enrolment(
        id=uuid7(),
        centre_id=p.centre_id,
        learner_id=source.learner_id,
        programme_id=target.id,
        qualification_id=target.qualification_id,
        site_id=await site_on_programme(session, target.id, None, ""),
        status=source.status,
        enrolled_on=data.transferred_on,
        identity_checked_by=source.identity_checked_by,
        registration_deadline=source.registration_deadline,
        registration_number=source.registration_number,
        registered_on=source.registered_on,
        registered_given_name=source.registered_given_name,
        registered_family_name=source.registered_family_name,
        registered_date_of_birth=source.registered_date_of_birth,
        registration_inaccurate=source.registration_inaccurate,
        transferred_from_id=source.id,
        status_reason=data.reason,
    )
    before = snapshot(source)
    session.add(started)
    await flush_unique(session, ENROLMENT_UNIQUE)  # the new enrolment first: the old one will point at it
    source.status, source.ended_on, source.status_reason = (
        schemas.EnrolmentStatus.transferred,
        data.transferred_on,
        data.reason,
    )
    source.transferred_to_id = started.id
    try:
        await flush_unique(session, ENROLMENT_UNIQUE)
    except StaleDataError as exc:
        raise Conflict("The enrolment changed while it was being transferred; read it again.") from exc
    ended, begun = snapshot(source), snapshot(started)
    # Two records change, so two audit rows; the MIS gets one event that carries both.
    moved = events.EnrolmentTransferred(transferred_from=ended, transferred_to=begun)
    carried = await _carry_prior_learning(session, p, source, target)
    await recorded_all(
        session,
        p,
        [
            Change(moved, "enrolment", source.id, before=before, after=ended),
            Change(None, "enrolment", started.id, after=begun, action="enrolment.created"),
            *(Change.created(events.PriorLearningCarried.of(r), "prior_learning", r.id) for r in carried),
        ],
    )
    return source, started


async def _carry_prior_learning(
    session: AsyncSession, p: Principal, source: Enrolment, target: Programme
) -> list[PriorLearning]:
    """R-13: RPL travels with an in-year transfer. RPL is recorded per learner and qualification, so a
    move to another programme of the same qualification keeps it as it is; a transfer to another
    qualification carries each record not rejected, for every unit the new qualification shares, as a
    new record to be assessed against the new qualification's criteria (pointing at the one it came
    from). Nothing assessed becomes an exemption on the way."""
    if target.qualification_id == source.qualification_id:
        return []
    version = await session.get(QualificationVersion, target.qualification_id)
    assert version is not None
    units = {u.number for u in parsed(version).units}
    rows = (
        await session.scalars(
            select(PriorLearning)
            .where(
                PriorLearning.centre_id == p.centre_id,
                PriorLearning.learner_id == source.learner_id,
                PriorLearning.qualification_id == source.qualification_id,
                PriorLearning.status != "rejected",
            )
            .order_by(PriorLearning.id)
        )
    ).all()
    already = set(
        (
            await session.scalars(
                select(PriorLearning.carried_from_id).where(
                    PriorLearning.learner_id == source.learner_id,
                    PriorLearning.qualification_id == target.qualification_id,
                    PriorLearning.carried_from_id.is_not(None),
                )
            )
        ).all()
    )
    carried = [
        PriorLearning(
            id=uuid7(),
            centre_id=p.centre_id,
            learner_id=r.learner_id,
            qualification_id=target.qualification_id,
            unit_number=r.unit_number,
            description=r.description,
            evidence_reference=r.evidence_reference,
            status="to_be_assessed",
            recorded_by=p.subject,
            carried_from_id=r.id,
        )
        for r in rows
        if r.unit_number in units and r.id not in already
    ]
    session.add_all(carried)
    await session.flush()
    return carried


async def withdraw(
    session: AsyncSession, p: Principal, enrolment_id: uuid.UUID, data: schemas.Withdrawal
) -> Enrolment:
    """R-12: recorded with its reason and reported (the event) to the awarding body."""
    enrolment = await get_enrolment(session, p, enrolment_id)
    _require_active(enrolment, "withdrawn")
    _not_future(data.withdrawn_on, "body.withdrawn_on")
    _not_before_enrolment(enrolment, data.withdrawn_on, "body.withdrawn_on")
    return await _transition(
        session,
        p,
        enrolment,
        events.EnrolmentWithdrawn,
        {"status": "withdrawn", "ended_on": data.withdrawn_on, "status_reason": data.reason},
    )


async def complete(
    session: AsyncSession, p: Principal, enrolment_id: uuid.UUID, data: schemas.Completion
) -> Enrolment:
    enrolment = await get_enrolment(session, p, enrolment_id)
    if enrolment.status == "enrolled":
        # nothing was formally assessed without a registration, so nothing can be completed.
        raise InvalidTransition(
            "R-10", "An unregistered learner cannot complete: register them first (R-10)."
        )
    if enrolment.status != "registered":
        raise InvalidTransition("R-12", f"A {enrolment.status} enrolment cannot be completed.")
    _not_future(data.completed_on, "body.completed_on")
    _not_before_enrolment(enrolment, data.completed_on, "body.completed_on")
    return await _transition(
        session,
        p,
        enrolment,
        events.EnrolmentCompleted,
        {"status": "completed", "ended_on": data.completed_on, "status_reason": data.reason or None},
    )


# ---- registration issues -------------------------------------------------------------------------


def _issue_condition(issue: str | None, today: dt.date) -> ColumnElement[bool]:
    live = Enrolment.status != "transferred"
    late = and_(live, Enrolment.registered_on > Enrolment.registration_deadline)
    early = and_(
        live, Enrolment.registered_on < Enrolment.enrolled_on, Enrolment.transferred_from_id.is_(None)
    )
    overdue = and_(Enrolment.status == "enrolled", Enrolment.registration_deadline < today)
    inaccurate = and_(live, Enrolment.registration_inaccurate)
    kinds: dict[str | None, ColumnElement[bool]] = {
        "late": late,
        "early": early,
        "overdue": overdue,
        "inaccurate": inaccurate,
    }
    return kinds.get(issue, or_(late, early, overdue, inaccurate))


async def list_registration_issues(
    session: AsyncSession,
    p: Principal,
    limit: int,
    cursor: str | None,
    *,
    issue: str | None = None,
    programme_id: uuid.UUID | None = None,
) -> tuple[list[schemas.RegistrationIssue], str | None]:
    """R-11: late, early and overdue registrations, with the day by which the QN escalates each to the
    HoC (2 of the centre's working days after it arose)."""
    today = clock.today()
    stmt = select(Enrolment).where(Enrolment.centre_id == p.centre_id, _issue_condition(issue, today))
    if programme_id:
        stmt = stmt.where(Enrolment.programme_id == programme_id)
    rows, next_cursor = await paginate(session, stmt, Enrolment.id, limit, cursor)
    if not rows:
        return [], next_cursor
    calendar = await centre_calendar(session, p.centre_id)
    items: list[schemas.RegistrationIssue] = []
    for e in rows:
        kind = rules.registration_issue(
            status=e.status,
            enrolled_on=e.enrolled_on,
            registration_deadline=e.registration_deadline,
            registered_on=e.registered_on,
            transferred=e.transferred_from_id is not None,
            today=today,
            inaccurate=e.registration_inaccurate,
        )
        if kind is None or (issue and kind != issue):
            continue  # the SQL filter and the pure rule agree except on pathological overlaps
        flagged = rules.flagged_on(kind, e.registration_deadline, e.registered_on)
        items.append(
            schemas.RegistrationIssue(
                enrolment_id=e.id,
                learner_id=e.learner_id,
                programme_id=e.programme_id,
                issue=kind,
                registration_deadline=e.registration_deadline,
                registered_on=e.registered_on,
                flagged_on=flagged,
                escalate_by=rules.escalate_by(calendar, flagged),
            )
        )
    return items, next_cursor
