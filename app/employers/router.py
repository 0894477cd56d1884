"""REST for employer involvement (R-95): thin endpoints over app.employers.service."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends

from app.auth.dependencies import require
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.core.db import Session
from app.core.idempotent import idempotent
from app.core.routing import DomainRouter
from app.employers import schemas, service

router = DomainRouter(prefix="/v1", tags=["employer-involvement"])
InvolvementRead = Annotated[Principal, Depends(require(Scope.employer_involvement_read))]
InvolvementWrite = Annotated[Principal, Depends(require(Scope.employer_involvement_write))]


@router.post("/employers", operation_id="createEmployer", response_model=schemas.Employer, status_code=201)
@idempotent
async def create_employer(body: schemas.EmployerCreate, session: Session, p: InvolvementWrite):
    return await service.create_employer(session, p, body)


@router.get("/employers", operation_id="listEmployers", response_model=list[schemas.Employer])
async def list_employers(session: Session, p: InvolvementRead, sector: str | None = None):
    return await service.list_employers(session, p, sector)


@router.get("/employers/{employer_id}", operation_id="getEmployer", response_model=schemas.Employer)
async def get_employer(employer_id: uuid.UUID, session: Session, p: InvolvementRead):
    return await service.get_employer(session, p, employer_id)


@router.post(
    "/employer-involvement-plans",
    operation_id="createEmployerInvolvementPlan",
    response_model=schemas.Plan,
    status_code=201,
)
@idempotent
async def create_plan(body: schemas.PlanCreate, session: Session, p: InvolvementWrite):
    """R-95: the programme's plan, at its start, covering all its learners (one per programme)."""
    return await service.create_plan(session, p, body)


@router.get(
    "/employer-involvement-plans",
    operation_id="listEmployerInvolvementPlans",
    response_model=list[schemas.Plan],
)
async def list_plans(session: Session, p: InvolvementRead, programme_id: uuid.UUID | None = None):
    return await service.list_plans(session, p, programme_id)


@router.get(
    "/employer-involvement-plans/{plan_id}",
    operation_id="getEmployerInvolvementPlan",
    response_model=schemas.Plan,
)
async def get_plan(plan_id: uuid.UUID, session: Session, p: InvolvementRead):
    return await service.get_plan(session, p, plan_id)


@router.get(
    "/employer-involvement-plans/{plan_id}/report",
    operation_id="getEmployerInvolvementReport",
    response_model=schemas.InvolvementReport,
)
async def get_report(plan_id: uuid.UUID, session: Session, p: InvolvementRead):
    """R-95: each learner's confirmed meaningful activities; the learners without any."""
    return await service.report(session, p, plan_id)


@router.post(
    "/employer-involvement-plans/{plan_id}/declarations",
    operation_id="declareEmployerInvolvementPlan",
    response_model=schemas.Plan,
)
async def declare(plan_id: uuid.UUID, body: schemas.DeclarationCreate, session: Session, p: InvolvementWrite):
    """R-95 (003 §5): the plan declared at a moderation."""
    return await service.declare(session, p, plan_id, body)


@router.post(
    "/employer-activities",
    operation_id="createEmployerActivity",
    response_model=schemas.Activity,
    status_code=201,
)
@idempotent
async def create_activity(body: schemas.ActivityCreate, session: Session, p: InvolvementWrite):
    """R-95: a meaningful activity (placements, projects set with industry, master classes, expert
    witnesses) with an employer of the plan's sector; other types are refused with the rule."""
    return await service.create_activity(session, p, body)


@router.get(
    "/employer-activities", operation_id="listEmployerActivities", response_model=list[schemas.Activity]
)
async def list_activities(
    session: Session,
    p: InvolvementRead,
    programme_id: uuid.UUID | None = None,
    plan_id: uuid.UUID | None = None,
):
    return await service.list_activities(session, p, programme_id, plan_id)


@router.get(
    "/employer-activities/{activity_id}", operation_id="getEmployerActivity", response_model=schemas.Activity
)
async def get_activity(activity_id: uuid.UUID, session: Session, p: InvolvementRead):
    return await service.get_activity(session, p, activity_id)


@router.post(
    "/employer-activities/{activity_id}/confirm",
    operation_id="confirmEmployerActivity",
    response_model=schemas.Activity,
)
async def confirm_activity(
    activity_id: uuid.UUID, body: schemas.ActivityConfirm, session: Session, p: InvolvementWrite
):
    """R-95: confirmed before it happens."""
    return await service.confirm_activity(session, p, activity_id, body)


@router.post(
    "/employer-activities/{activity_id}/participants",
    operation_id="addEmployerActivityParticipants",
    response_model=schemas.Activity,
)
async def add_participants(
    activity_id: uuid.UUID, body: schemas.ParticipationAdd, session: Session, p: InvolvementWrite
):
    """R-95: the learners who took part (once it has happened)."""
    return await service.add_participants(session, p, activity_id, body)


@router.post(
    "/employer-activities/{activity_id}/planned-learners",
    operation_id="planEmployerActivityLearners",
    response_model=schemas.Activity,
)
async def plan_learners(
    activity_id: uuid.UUID, body: schemas.PlannedLearnersAdd, session: Session, p: InvolvementWrite
):
    """R-95: the plan updated to cover more learners through the activity (e.g. who enrolled later)."""
    return await service.plan_learners(session, p, activity_id, body)
