"""REST for programmes, enrolments and registration, RPL, adjustments and special consideration: thin
endpoints over the app.programmes services."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Response

from app.auth.dependencies import require
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.core.concurrency import IfMatchHeader, set_etag
from app.core.db import Session
from app.core.idempotent import idempotent
from app.core.pagination import Cursor, Limit, Page
from app.core.routing import DomainRouter
from app.programmes import enrolments, escalations, schemas, service, support

router = DomainRouter(prefix="/v1")
ProgrammesRead = Annotated[Principal, Depends(require(Scope.programmes_read))]
ProgrammesWrite = Annotated[Principal, Depends(require(Scope.programmes_write))]
ProgrammesCreate = Annotated[Principal, Depends(require(Scope.programme_leads_assign))]
# Which fields a caller may change is the service's per-field policy (service.FIELD_POLICY).
ProgrammesUpdate = Annotated[
    Principal,
    Depends(require(Scope.programmes_write, Scope.programme_team_assign, Scope.programme_leads_assign)),
]
EnrolmentsRead = Annotated[Principal, Depends(require(Scope.programmes_read, Scope.learner_self))]
RegistrationsWrite = Annotated[Principal, Depends(require(Scope.registrations_write))]
RegistrationsMonitor = Annotated[Principal, Depends(require(Scope.registrations_monitor))]
RegistrationsEscalate = Annotated[Principal, Depends(require(Scope.registrations_escalate))]
EscalationsResolve = Annotated[Principal, Depends(require(Scope.registration_escalations_resolve))]
SupportRead = Annotated[Principal, Depends(require(Scope.learner_support_read, Scope.learner_self))]
AdjustmentsRead = Annotated[Principal, Depends(require(Scope.adjustments_read, Scope.learner_self))]
SpecialConsiderationRead = Annotated[
    Principal, Depends(require(Scope.special_consideration_read, Scope.learner_self))
]
SupportWrite = Annotated[Principal, Depends(require(Scope.learner_support_write))]
SpecialConsiderationDecide = Annotated[Principal, Depends(require(Scope.special_consideration_authorise))]


def _tagged(response: Response, obj):
    set_etag(response, obj.version)
    return obj


# ---- programmes ---------------------------------------------------------------------------------------


@router.get(
    "/programmes", operation_id="listProgrammes", tags=["programmes"], response_model=Page[schemas.Programme]
)
async def list_programmes(
    session: Session,
    p: ProgrammesRead,
    limit: Limit = 50,
    cursor: Cursor = None,
    academic_year_id: uuid.UUID | None = None,
    qualification_id: uuid.UUID | None = None,
):
    items, next_cursor = await service.list_programmes(
        session, p, limit, cursor, academic_year_id=academic_year_id, qualification_id=qualification_id
    )
    return Page[schemas.Programme](items=items, next_cursor=next_cursor)


@router.post(
    "/programmes",
    operation_id="createProgramme",
    tags=["programmes"],
    response_model=schemas.Programme,
    status_code=201,
)
@idempotent
async def create_programme(
    body: schemas.ProgrammeCreate, session: Session, p: ProgrammesCreate, response: Response
):
    """A qualification version delivered for an academic year; every named member of staff must hold the
    role the programme gives them."""
    return _tagged(response, await service.create_programme(session, p, body))


@router.get(
    "/programmes/{programme_id}",
    operation_id="getProgramme",
    tags=["programmes"],
    response_model=schemas.Programme,
)
async def get_programme(programme_id: uuid.UUID, session: Session, p: ProgrammesRead, response: Response):
    return _tagged(response, await service.get_programme(session, p, programme_id))


@router.patch(
    "/programmes/{programme_id}",
    operation_id="updateProgramme",
    tags=["programmes"],
    response_model=schemas.Programme,
)
async def update_programme(
    programme_id: uuid.UUID,
    body: schemas.ProgrammeUpdate,
    session: Session,
    p: ProgrammesUpdate,
    version: IfMatchHeader,
    response: Response,
):
    """Lists, when given, replace the programme's sites, assessors or internal verifiers."""
    return _tagged(response, await service.update_programme(session, p, programme_id, body, version))


# ---- enrolments and registration ----------------------------------------------------------------------


@router.get(
    "/enrolments", operation_id="listEnrolments", tags=["enrolments"], response_model=Page[schemas.Enrolment]
)
async def list_enrolments(
    session: Session,
    p: EnrolmentsRead,
    limit: Limit = 50,
    cursor: Cursor = None,
    learner_id: uuid.UUID | None = None,
    programme_id: uuid.UUID | None = None,
    status: schemas.EnrolmentStatus | None = None,
):
    """Staff see the centre's enrolments; a learner sees only their own, with their registration number."""
    items, next_cursor = await enrolments.list_enrolments(
        session, p, limit, cursor, learner_id=learner_id, programme_id=programme_id, status=status
    )
    return Page[schemas.Enrolment](items=items, next_cursor=next_cursor)


@router.post(
    "/enrolments",
    operation_id="createEnrolment",
    tags=["enrolments"],
    response_model=schemas.Enrolment,
    status_code=201,
)
@idempotent
async def create_enrolment(
    body: schemas.EnrolmentCreate, session: Session, p: ProgrammesWrite, response: Response
):
    """Put a learner on a programme (a class list entry). R-12: identity is checked at enrolment."""
    return _tagged(response, await enrolments.create_enrolment(session, p, body))


@router.get(
    "/enrolments/{enrolment_id}",
    operation_id="getEnrolment",
    tags=["enrolments"],
    response_model=schemas.Enrolment,
)
async def get_enrolment(enrolment_id: uuid.UUID, session: Session, p: EnrolmentsRead, response: Response):
    return _tagged(response, await enrolments.get_enrolment(session, p, enrolment_id))


@router.post(
    "/enrolments/{enrolment_id}/registration",
    operation_id="registerEnrolment",
    tags=["enrolments"],
    response_model=schemas.Enrolment,
)
async def register_enrolment(
    enrolment_id: uuid.UUID,
    body: schemas.Registration,
    session: Session,
    p: RegistrationsWrite,
    response: Response,
):
    """R-12: record the awarding body's registration. Late or early registrations are flagged (R-11)."""
    return _tagged(response, await enrolments.register(session, p, enrolment_id, body))


@router.post(
    "/enrolments/{enrolment_id}/transfer",
    operation_id="transferEnrolment",
    tags=["enrolments"],
    response_model=schemas.EnrolmentTransfer,
)
async def transfer_enrolment(
    enrolment_id: uuid.UUID, body: schemas.Transfer, session: Session, p: RegistrationsWrite
):
    """R-12: move the learner to another qualification or pathway; the registration moves with them."""
    ended, started = await enrolments.transfer(session, p, enrolment_id, body)
    return schemas.EnrolmentTransfer(
        transferred_from=schemas.Enrolment.model_validate(ended),
        transferred_to=schemas.Enrolment.model_validate(started),
    )


@router.post(
    "/enrolments/{enrolment_id}/withdrawal",
    operation_id="withdrawEnrolment",
    tags=["enrolments"],
    response_model=schemas.Enrolment,
)
async def withdraw_enrolment(
    enrolment_id: uuid.UUID,
    body: schemas.Withdrawal,
    session: Session,
    p: RegistrationsWrite,
    response: Response,
):
    return _tagged(response, await enrolments.withdraw(session, p, enrolment_id, body))


@router.post(
    "/enrolments/{enrolment_id}/completion",
    operation_id="completeEnrolment",
    tags=["enrolments"],
    response_model=schemas.Enrolment,
)
async def complete_enrolment(
    enrolment_id: uuid.UUID,
    body: schemas.Completion,
    session: Session,
    p: RegistrationsWrite,
    response: Response,
):
    """Only a registered learner completes (R-10)."""
    return _tagged(response, await enrolments.complete(session, p, enrolment_id, body))


@router.get(
    "/registration-issues",
    operation_id="listRegistrationIssues",
    tags=["enrolments"],
    response_model=Page[schemas.RegistrationIssue],
)
async def list_registration_issues(
    session: Session,
    p: RegistrationsMonitor,
    limit: Limit = 50,
    cursor: Cursor = None,
    issue: schemas.RegistrationIssueKind | None = None,
    programme_id: uuid.UUID | None = None,
):
    """R-11: late, early and overdue registrations, each with the day by which the QN escalates it to
    the HoC (2 working days)."""
    items, next_cursor = await enrolments.list_registration_issues(
        session, p, limit, cursor, issue=issue, programme_id=programme_id
    )
    return Page[schemas.RegistrationIssue](items=items, next_cursor=next_cursor)


# ---- RPL, reasonable adjustments, special consideration -----------------------------------------------


@router.get(
    "/registration-escalations",
    operation_id="listRegistrationEscalations",
    tags=["enrolments"],
    response_model=Page[schemas.RegistrationEscalation],
)
async def list_registration_escalations(
    session: Session,
    p: RegistrationsMonitor,
    limit: Limit = 50,
    cursor: Cursor = None,
    status: schemas.EscalationStatus | None = None,
    enrolment_id: uuid.UUID | None = None,
):
    """R-11: the QN's escalations to the HoC, each with its date, the day it was due and the outcome."""
    items, next_cursor = await escalations.list_escalations(
        session, p, limit, cursor, status=status.value if status else None, enrolment_id=enrolment_id
    )
    return Page[schemas.RegistrationEscalation](
        items=[escalations.out(e) for e in items], next_cursor=next_cursor
    )


@router.post(
    "/registration-escalations",
    operation_id="escalateRegistration",
    tags=["enrolments"],
    response_model=schemas.RegistrationEscalation,
    status_code=201,
)
@idempotent
async def escalate_registration(
    body: schemas.RegistrationEscalationCreate, session: Session, p: RegistrationsEscalate, response: Response
):
    """R-11: the QN escalates a late, early, overdue or inaccurate registration to the HoC; due within
    2 working days of the issue arising."""
    return _tagged(response, escalations.out(await escalations.escalate(session, p, body)))


@router.get(
    "/registration-escalations/{escalation_id}",
    operation_id="getRegistrationEscalation",
    tags=["enrolments"],
    response_model=schemas.RegistrationEscalation,
)
async def get_registration_escalation(
    escalation_id: uuid.UUID, session: Session, p: RegistrationsMonitor, response: Response
):
    return _tagged(response, escalations.out(await escalations.get_escalation(session, p, escalation_id)))


@router.post(
    "/registration-escalations/{escalation_id}/outcome",
    operation_id="recordRegistrationEscalationOutcome",
    tags=["enrolments"],
    response_model=schemas.RegistrationEscalation,
)
async def record_registration_escalation_outcome(
    escalation_id: uuid.UUID,
    body: schemas.RegistrationEscalationOutcome,
    session: Session,
    p: EscalationsResolve,
    response: Response,
):
    """R-11: the HoC records the outcome; the escalation is resolved."""
    row = await escalations.record_outcome(session, p, escalation_id, body)
    return _tagged(response, escalations.out(row))


@router.get(
    "/prior-learning",
    operation_id="listPriorLearning",
    tags=["learner support"],
    response_model=Page[schemas.PriorLearning],
)
async def list_prior_learning(
    session: Session,
    p: SupportRead,
    limit: Limit = 50,
    cursor: Cursor = None,
    learner_id: uuid.UUID | None = None,
):
    items, next_cursor = await support.list_prior_learning(session, p, limit, cursor, learner_id)
    return Page[schemas.PriorLearning](items=items, next_cursor=next_cursor)


@router.post(
    "/prior-learning",
    operation_id="recordPriorLearning",
    tags=["learner support"],
    response_model=schemas.PriorLearning,
    status_code=201,
)
@idempotent
async def record_prior_learning(
    body: schemas.PriorLearningCreate, session: Session, p: SupportWrite, response: Response
):
    """R-13: RPL for one unit, recorded as evidence to be assessed, never as an exemption."""
    return _tagged(response, await support.record_prior_learning(session, p, body))


@router.get(
    "/prior-learning/{prior_learning_id}",
    operation_id="getPriorLearning",
    tags=["learner support"],
    response_model=schemas.PriorLearning,
)
async def get_prior_learning(
    prior_learning_id: uuid.UUID, session: Session, p: SupportRead, response: Response
):
    return _tagged(response, await support.get_prior_learning(session, p, prior_learning_id))


@router.get(
    "/reasonable-adjustments",
    operation_id="listReasonableAdjustments",
    tags=["learner support"],
    response_model=Page[schemas.ReasonableAdjustment],
)
async def list_reasonable_adjustments(
    session: Session,
    p: AdjustmentsRead,
    limit: Limit = 50,
    cursor: Cursor = None,
    learner_id: uuid.UUID | None = None,
):
    items, next_cursor = await support.list_reasonable_adjustments(session, p, limit, cursor, learner_id)
    return Page[schemas.ReasonableAdjustment](items=items, next_cursor=next_cursor)


@router.post(
    "/reasonable-adjustments",
    operation_id="recordReasonableAdjustment",
    tags=["learner support"],
    response_model=schemas.ReasonableAdjustment,
    status_code=201,
)
@idempotent
async def record_reasonable_adjustment(
    body: schemas.ReasonableAdjustmentCreate, session: Session, p: SupportWrite, response: Response
):
    """R-80: agreed before the assessment, the learner's normal way of working, the standard unchanged."""
    return _tagged(response, await support.record_reasonable_adjustment(session, p, body))


@router.get(
    "/reasonable-adjustments/{reasonable_adjustment_id}",
    operation_id="getReasonableAdjustment",
    tags=["learner support"],
    response_model=schemas.ReasonableAdjustment,
)
async def get_reasonable_adjustment(
    reasonable_adjustment_id: uuid.UUID, session: Session, p: AdjustmentsRead, response: Response
):
    return _tagged(response, await support.get_reasonable_adjustment(session, p, reasonable_adjustment_id))


@router.get(
    "/special-considerations",
    operation_id="listSpecialConsiderations",
    tags=["learner support"],
    response_model=Page[schemas.SpecialConsideration],
)
async def list_special_considerations(
    session: Session,
    p: SpecialConsiderationRead,
    limit: Limit = 50,
    cursor: Cursor = None,
    learner_id: uuid.UUID | None = None,
    status: schemas.SpecialConsiderationStatus | None = None,
):
    items, next_cursor = await support.list_special_considerations(
        session, p, limit, cursor, learner_id, status
    )
    return Page[schemas.SpecialConsideration](items=items, next_cursor=next_cursor)


@router.post(
    "/special-considerations",
    operation_id="applyForSpecialConsideration",
    tags=["learner support"],
    response_model=schemas.SpecialConsideration,
    status_code=201,
)
@idempotent
async def apply_for_special_consideration(
    body: schemas.SpecialConsiderationCreate, session: Session, p: SupportWrite, response: Response
):
    """R-81: at the time of the assessment; the HoC then authorises or refuses it."""
    return _tagged(response, await support.apply_for_special_consideration(session, p, body))


@router.get(
    "/special-considerations/{special_consideration_id}",
    operation_id="getSpecialConsideration",
    tags=["learner support"],
    response_model=schemas.SpecialConsideration,
)
async def get_special_consideration(
    special_consideration_id: uuid.UUID, session: Session, p: SpecialConsiderationRead, response: Response
):
    return _tagged(response, await support.get_special_consideration(session, p, special_consideration_id))


@router.post(
    "/special-considerations/{special_consideration_id}/decision",
    operation_id="decideSpecialConsideration",
    tags=["learner support"],
    response_model=schemas.SpecialConsideration,
)
async def decide_special_consideration(
    special_consideration_id: uuid.UUID,
    body: schemas.SpecialConsiderationDecision,
    session: Session,
    p: SpecialConsiderationDecide,
    response: Response,
):
    """R-81: the Head of Centre authorises or refuses the application."""
    decided = await support.decide_special_consideration(session, p, special_consideration_id, body)
    return _tagged(response, decided)
