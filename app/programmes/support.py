"""What is recorded per learner around assessment: recognition of prior learning (R-13), reasonable
adjustments (R-80) and special consideration (R-81)."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy import Select, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from app.auth.principal import Principal
from app.auth.scopes import Role, Scope
from app.calendars.service import centre_calendar
from app.core import clock
from app.core.calendar import NoWorkingDays
from app.core.errors import Conflict, Forbidden, RuleViolation, ValidationFailed, field_problem
from app.core.pagination import paginate
from app.core.visibility import get_visible
from app.events.changes import Recorded
from app.events.event import Event
from app.events.write import Change, recorded
from app.learners.models import Learner
from app.programmes import events, rules, schemas
from app.programmes import repository as repo
from app.programmes.access import learners_on_reachable_programmes
from app.programmes.enrolments import learner_in_centre
from app.programmes.errors import InvalidTransition
from app.programmes.models import (
    ACTIVE_STATUSES,
    Enrolment,
    PriorLearning,
    ReasonableAdjustment,
    SpecialConsideration,
)
from app.programmes.service import visible_qualification
from app.qualifications.service import parsed

R = TypeVar("R", bound=Recorded)


async def _recorded(session: AsyncSession, p: Principal, obj: R, event: type[Event], subject_type: str) -> R:
    session.add(obj)
    await session.flush()
    await recorded(session, p, Change.created(event.of(obj), subject_type, obj.id))
    return obj


async def _check_unit(
    session: AsyncSession, p: Principal, qualification_id: uuid.UUID, unit_number: int
) -> None:
    qualification = parsed(await visible_qualification(session, p, qualification_id, "body.qualification_id"))
    if unit_number not in {u.number for u in qualification.units}:
        raise ValidationFailed(
            f"{qualification.key} has no unit {unit_number}.",
            errors=[
                field_problem(
                    "body.unit_number", "unknown_unit", f"{qualification.key} has no unit {unit_number}"
                )
            ],
        )


async def _learner_in_reach(
    session: AsyncSession, p: Principal, learner_id: uuid.UUID, scope: Scope
) -> Learner:
    """R-98: staff record a learner's circumstances only where they may read them (a PL: the learners on
    the programmes they lead); any other learner is not found, as on a read."""
    stmt = select(Learner).where(Learner.centre_id == p.centre_id)
    reach = learners_on_reachable_programmes(p, scope)
    if reach is not None:
        stmt = stmt.where(Learner.id.in_(reach))
    errors = [field_problem("body.learner_id", "not_found", "no such learner on the programmes you reach")]
    return await get_visible(session, stmt, Learner, learner_id, "learner", errors=errors)


async def _list(
    session: AsyncSession,
    stmt: Select,
    model: Any,
    limit: int,
    cursor: str | None,
    learner_id: uuid.UUID | None,
) -> tuple[list[Any], str | None]:
    if learner_id:
        stmt = stmt.where(model.learner_id == learner_id)
    return await paginate(session, stmt, model.id, limit, cursor)


# ---- R-13 recognition of prior learning ---------------------------------------------------------------


async def record_prior_learning(
    session: AsyncSession, p: Principal, data: schemas.PriorLearningCreate
) -> PriorLearning:
    """R-13: recorded per learner and unit as evidence still to be assessed against the unit's criteria
    (003 §5). There is no exemption: the record starts `to_be_assessed` and counts for nothing until an
    assessor's decision on it exists."""
    await learner_in_centre(session, p, data.learner_id, "body.learner_id")
    await _check_unit(session, p, data.qualification_id, data.unit_number)
    on_it = await session.scalar(
        select(
            exists().where(
                Enrolment.centre_id == p.centre_id,
                Enrolment.learner_id == data.learner_id,
                Enrolment.qualification_id == data.qualification_id,
                Enrolment.status.in_(ACTIVE_STATUSES),
            )
        )
    )
    if not on_it:
        raise RuleViolation(
            "RPL is recorded against a qualification the learner is enrolled on.",
            errors=[
                field_problem(
                    "body.qualification_id", "not_enrolled", "the learner has no live enrolment on it"
                )
            ],
        )
    rpl = PriorLearning(
        centre_id=p.centre_id,
        status=schemas.PriorLearningStatus.to_be_assessed.value,
        recorded_by=p.subject,
        **data.model_dump(),
    )
    return await _recorded(session, p, rpl, events.PriorLearningRecorded, "prior_learning")


async def get_prior_learning(session: AsyncSession, p: Principal, rpl_id: uuid.UUID) -> PriorLearning:
    return await get_visible(session, repo.prior_learning(p), PriorLearning, rpl_id, "prior learning record")


async def list_prior_learning(
    session: AsyncSession, p: Principal, limit: int, cursor: str | None, learner_id: uuid.UUID | None = None
) -> tuple[list[PriorLearning], str | None]:
    return await _list(session, repo.prior_learning(p), PriorLearning, limit, cursor, learner_id)


# ---- R-80 reasonable adjustments ----------------------------------------------------------------------


async def record_reasonable_adjustment(
    session: AsyncSession, p: Principal, data: schemas.ReasonableAdjustmentCreate
) -> ReasonableAdjustment:
    """R-80: agreed before the assessment it applies to, the learner's normal way of working, never a
    change to the standard assessed; recorded (001: Form VQ/IA)."""
    problems = []
    if not data.standard_unchanged:
        problems.append(
            field_problem(
                "body.standard_unchanged",
                "R-80",
                "a reasonable adjustment never changes the standard assessed",
            )
        )
    if data.agreed_on > data.applies_from:
        problems.append(
            field_problem("body.agreed_on", "R-80", "must be agreed before the assessment it applies to")
        )
    if data.agreed_on > clock.today():
        problems.append(field_problem("body.agreed_on", "date_in_future", "must not be after today"))
    if problems:
        raise RuleViolation("R-80: the adjustment cannot be recorded as given.", errors=problems)
    await _learner_in_reach(session, p, data.learner_id, Scope.adjustments_read)
    if data.qualification_id:
        await visible_qualification(session, p, data.qualification_id, "body.qualification_id")
    adjustment = ReasonableAdjustment(
        centre_id=p.centre_id, agreed_by=p.subject, **data.model_dump(exclude={"standard_unchanged"})
    )
    return await _recorded(
        session,
        p,
        adjustment,
        events.ReasonableAdjustmentRecorded,
        "reasonable_adjustment",
    )


async def get_reasonable_adjustment(
    session: AsyncSession, p: Principal, ra_id: uuid.UUID
) -> ReasonableAdjustment:
    return await get_visible(
        session, repo.reasonable_adjustments(p), ReasonableAdjustment, ra_id, "reasonable adjustment"
    )


async def list_reasonable_adjustments(
    session: AsyncSession, p: Principal, limit: int, cursor: str | None, learner_id: uuid.UUID | None = None
) -> tuple[list[ReasonableAdjustment], str | None]:
    return await _list(
        session, repo.reasonable_adjustments(p), ReasonableAdjustment, limit, cursor, learner_id
    )


# ---- R-81 special consideration -----------------------------------------------------------------------


async def apply_for_special_consideration(
    session: AsyncSession, p: Principal, data: schemas.SpecialConsiderationCreate
) -> SpecialConsideration:
    """R-81: applied for at the time of the assessment — on the day or within the centre's next
    SPECIAL_CONSIDERATION_WORKING_DAYS working days — and then authorised or refused by the HoC."""
    today = clock.today()
    applied_on = data.applied_on or today
    problems = []
    if data.assessment_date > today:
        problems.append(
            field_problem(
                "body.assessment_date",
                "date_in_future",
                "special consideration follows an assessment that has taken place",
            )
        )
    if applied_on > today:
        problems.append(field_problem("body.applied_on", "date_in_future", "must not be after today"))
    if data.unit_number is not None and data.qualification_id is None:
        problems.append(
            field_problem(
                "body.unit_number", "unit_without_qualification", "give the qualification the unit belongs to"
            )
        )
    if problems:
        raise ValidationFailed("The application has invalid dates or fields.", errors=problems)
    await _learner_in_reach(session, p, data.learner_id, Scope.special_consideration_read)
    if data.qualification_id is not None:
        if data.unit_number is not None:
            await _check_unit(session, p, data.qualification_id, data.unit_number)
        else:
            await visible_qualification(session, p, data.qualification_id, "body.qualification_id")
    try:
        last_day = rules.special_consideration_last_day(
            await centre_calendar(session, p.centre_id), data.assessment_date
        )
    except NoWorkingDays as exc:
        raise RuleViolation(
            "R-81: the application window is counted in the centre's working days (R-31), and the "
            "centre's calendar does not have enough term days after the assessment.",
            errors=[field_problem("body.assessment_date", "R-31", str(exc))],
        ) from exc
    if not data.assessment_date <= applied_on <= last_day:
        raise RuleViolation(
            "R-81: special consideration is applied for at the time of the assessment.",
            errors=[
                field_problem(
                    "body.applied_on",
                    "R-81",
                    f"must be between the assessment ({data.assessment_date}) and {last_day}, "
                    f"{rules.SPECIAL_CONSIDERATION_WORKING_DAYS} working days after it",
                )
            ],
        )
    application = SpecialConsideration(
        centre_id=p.centre_id,
        applied_by=p.subject,
        status="applied",
        applied_on=applied_on,
        **data.model_dump(exclude={"applied_on"}),
    )
    return await _recorded(
        session,
        p,
        application,
        events.SpecialConsiderationApplied,
        "special_consideration",
    )


async def decide_special_consideration(
    session: AsyncSession, p: Principal, application_id: uuid.UUID, data: schemas.SpecialConsiderationDecision
) -> SpecialConsideration:
    """R-81: only a Head of Centre authorises (001: "authorised by the head of centre"). The scope
    table grants this to the HoC alone; the rule is checked here too, so no future grant can bypass it."""
    if Role.hoc not in p.roles:
        raise Forbidden(
            "R-81: only the Head of Centre authorises special consideration.",
            errors=[field_problem("principal", "R-81", "the caller is not the Head of Centre")],
        )
    application = await get_visible(
        session,
        repo.special_considerations(p),
        SpecialConsideration,
        application_id,
        "special consideration application",
    )
    if application.status != "applied":
        raise InvalidTransition("R-81", f"The application was already {application.status}.")
    before = schemas.SpecialConsideration.model_validate(application).model_dump(mode="json")
    application.status = data.outcome.value
    application.decided_by, application.decided_on = p.subject, clock.today()
    application.decision_reason = data.reason
    try:
        await session.flush()
    except StaleDataError as exc:
        raise Conflict("The application changed while it was being decided; read it again.") from exc
    after = schemas.SpecialConsideration.model_validate(application).model_dump(mode="json")
    decided = events.SPECIAL_CONSIDERATION_DECIDED[application.status]
    event = decided.model_validate({"before": before, "after": after})
    await recorded(session, p, Change.changed(event, "special_consideration", application.id))
    return application


async def get_special_consideration(
    session: AsyncSession, p: Principal, sc_id: uuid.UUID
) -> SpecialConsideration:
    return await get_visible(
        session,
        repo.special_considerations(p),
        SpecialConsideration,
        sc_id,
        "special consideration application",
    )


async def list_special_considerations(
    session: AsyncSession,
    p: Principal,
    limit: int,
    cursor: str | None,
    learner_id: uuid.UUID | None = None,
    status: str | None = None,
) -> tuple[list[SpecialConsideration], str | None]:
    stmt = repo.special_considerations(p)
    if status:
        stmt = stmt.where(SpecialConsideration.status == status)
    return await _list(session, stmt, SpecialConsideration, limit, cursor, learner_id)
