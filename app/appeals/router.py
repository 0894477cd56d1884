"""REST for appeals (R-60..R-63): thin endpoints over app.appeals' services."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Path

from app.appeals import schemas, service, stages, worklist
from app.appeals.schemas import AppealStatus
from app.auth.dependencies import require
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.core.db import Session
from app.core.idempotent import idempotent
from app.core.replica import ReadSession
from app.core.routing import DomainRouter

router = DomainRouter(prefix="/v1", tags=["appeals"])
Read = Annotated[Principal, Depends(require(Scope.appeals_read))]
Lodge = Annotated[Principal, Depends(require(Scope.appeals_lodge))]
Judge = Annotated[Principal, Depends(require(Scope.appeals_judge))]
Submit = Annotated[Principal, Depends(require(Scope.appeals_submit))]
Monitor = Annotated[Principal, Depends(require(Scope.appeals_monitor))]
Amend = Annotated[Principal, Depends(require(Scope.assessments_write))]
PolicyRead = Annotated[Principal, Depends(require(Scope.centre_read))]
PolicyManage = Annotated[Principal, Depends(require(Scope.appeal_policy_manage))]
StageNumber = Annotated[int, Path(ge=1, le=4)]


@router.post("/appeals", operation_id="lodgeAppeal", response_model=schemas.Appeal, status_code=201)
@idempotent
async def lodge(body: schemas.AppealCreate, session: Session, p: Lodge):
    """R-60: the learner (or the HoC, QN or LIV on their behalf) appeals a released decision or the
    conduct of an assessment, in writing, within the centre's appeal window; stage 1 opens."""
    return await service.lodge(session, p, body)


@router.get("/appeals", operation_id="listAppeals", response_model=list[schemas.Appeal])
async def list_appeals(
    session: Session,
    p: Read,
    learner_id: uuid.UUID | None = None,
    decision_id: uuid.UUID | None = None,
    status: AppealStatus | None = None,
):
    """The learner's own appeals; the assessor's on their decisions; the HoC, QN and LIV all."""
    return await service.list_appeals(session, p, learner_id, decision_id, status)


@router.get("/appeals/{appeal_id}", operation_id="getAppeal", response_model=schemas.Appeal)
async def get_appeal(appeal_id: uuid.UUID, session: Session, p: Read):
    """An appeal with every stage and its written response."""
    return await service.get_appeal(session, p, appeal_id)


@router.post(
    "/appeals/{appeal_id}/stages/{number}/outcome",
    operation_id="decideAppealStage",
    response_model=schemas.Appeal,
)
@idempotent
async def decide_stage(
    appeal_id: uuid.UUID, number: StageNumber, body: schemas.StageDecision, session: Session, p: Judge
):
    """R-61: the stage's judge records upheld or not upheld with a written response (stage 4: the HoC
    records the awarding body's, with its reference)."""
    return await stages.decide_stage(session, p, appeal_id, number, body)


@router.post("/appeals/{appeal_id}/escalations", operation_id="escalateAppeal", response_model=schemas.Appeal)
@idempotent
async def escalate(appeal_id: uuid.UUID, body: schemas.Escalation, session: Session, p: Lodge):
    """R-61: a not-upheld stage 1 or 2 taken to the next stage within the centre's window."""
    return await stages.escalate(session, p, appeal_id, body)


@router.post(
    "/appeals/{appeal_id}/awarding-body-submission",
    operation_id="submitAppealToAwardingBody",
    response_model=schemas.Appeal,
)
@idempotent
async def submit(appeal_id: uuid.UUID, body: schemas.AwardingBodySubmission, session: Session, p: Submit):
    """R-61: stage 4, by the HoC in writing, once stage 3 was not upheld."""
    return await stages.submit_to_awarding_body(session, p, appeal_id, body)


@router.post("/appeals/{appeal_id}/withdrawal", operation_id="withdrawAppeal", response_model=schemas.Appeal)
@idempotent
async def withdraw(appeal_id: uuid.UUID, body: schemas.Withdrawal, session: Session, p: Lodge):
    """The learner (or staff on their behalf) withdraws the appeal in writing."""
    return await stages.withdraw(session, p, appeal_id, body)


@router.post(
    "/appeals/{appeal_id}/amendment", operation_id="amendAppealedDecision", response_model=schemas.Appeal
)
@idempotent
async def amend(appeal_id: uuid.UUID, body: schemas.AppealAmendment, session: Session, p: Amend):
    """R-62: the decision's assessor amends an upheld appeal's decision: a new version with the appeal as
    its reason, which waits for IV before release (R-25)."""
    return await stages.amend_upheld(session, p, appeal_id, body)


@router.get(
    "/appeal-stages/overdue",
    operation_id="listOverdueAppealStages",
    response_model=list[schemas.OverdueStage],
)
async def overdue(session: Session, p: Monitor):
    """R-61: open stages past their due date (the QN's worklist)."""
    return await worklist.overdue_stages(session, p)


@router.get("/appeal-report", operation_id="getAppealReport", response_model=schemas.AppealReport)
async def report(
    session: ReadSession,
    p: Monitor,
    programme_id: uuid.UUID | None = None,
    academic_year_id: uuid.UUID | None = None,
    assessor_staff_id: uuid.UUID | None = None,
):
    """R-63: appeals by stage reached, outcome, assessor, programme and year, with time per stage."""
    return await worklist.appeal_report(session, p, programme_id, academic_year_id, assessor_staff_id)


@router.get("/appeal-policy", operation_id="getAppealPolicy", response_model=schemas.AppealPolicy)
async def get_policy(session: Session, p: PolicyRead):
    """R-60/R-61: the centre's appeal window and stage limits in working days (the defaults until set,
    version 0)."""
    return await service.get_policy(session, p)


@router.put("/appeal-policy", operation_id="putAppealPolicy", response_model=schemas.AppealPolicy)
async def put_policy(body: schemas.AppealPolicyWrite, session: Session, p: PolicyManage):
    """The HoC replaces the appeal window and stage limits (the whole policy: the last writer wins)."""
    return await service.put_policy(session, p, body)
