"""REST for assessment plans and assignment briefs: thin endpoints over app.assignments.service."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Response

from app.assignments import schemas, service
from app.auth.dependencies import require
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.core.concurrency import IfMatchHeader, set_etag
from app.core.db import Session
from app.core.idempotent import idempotent
from app.core.pagination import Cursor, Limit, Page
from app.core.routing import DomainRouter

router = DomainRouter(prefix="/v1", tags=["assignments"])
AssignmentsRead = Annotated[Principal, Depends(require(Scope.assignments_read))]
BriefsRead = Annotated[Principal, Depends(require(Scope.assignments_read, Scope.learner_self))]
AssignmentsWrite = Annotated[Principal, Depends(require(Scope.assignments_write))]
BriefsVerify = Annotated[Principal, Depends(require(Scope.briefs_verify))]
PlansSignOff = Annotated[Principal, Depends(require(Scope.iv_plans_manage))]


def _brief(response: Response, brief) -> schemas.Brief:
    set_etag(response, brief.version)
    return service.brief_out(brief)


@router.get(
    "/programmes/{programme_id}/assessment-plan",
    operation_id="getAssessmentPlan",
    response_model=schemas.AssessmentPlan,
)
async def get_assessment_plan(programme_id: uuid.UUID, session: Session, p: AssignmentsRead):
    """R-20: each assignment's hand-out date, deadline and planned IV date, in hand-out order."""
    return await service.get_plan(session, p, programme_id)


@router.post(
    "/programmes/{programme_id}/assessment-plan/sign-off",
    operation_id="signOffAssessmentPlan",
    response_model=schemas.AssessmentPlan,
)
async def sign_off_assessment_plan(programme_id: uuid.UUID, session: Session, p: PlansSignOff):
    """R-20: the programme's LIV signs off the plan as it stands; a changed plan is signed again."""
    return await service.sign_off_plan(session, p, programme_id)


@router.post(
    "/assessment-plan-entries",
    operation_id="createAssessmentPlanEntry",
    response_model=schemas.PlanEntry,
    status_code=201,
)
@idempotent
async def create_plan_entry(
    body: schemas.PlanEntryCreate, session: Session, p: AssignmentsWrite, response: Response
):
    entry = await service.create_plan_entry(session, p, body)
    set_etag(response, entry.version)
    return entry


@router.get(
    "/assessment-plan-entries/{entry_id}",
    operation_id="getAssessmentPlanEntry",
    response_model=schemas.PlanEntry,
)
async def get_plan_entry(entry_id: uuid.UUID, session: Session, p: AssignmentsRead, response: Response):
    """R-20: one entry of a programme's assessment plan; its ETag is the version to change it with."""
    entry = await service.get_plan_entry(session, p, entry_id)
    set_etag(response, entry.version)
    return entry


@router.patch(
    "/assessment-plan-entries/{entry_id}",
    operation_id="updateAssessmentPlanEntry",
    response_model=schemas.PlanEntry,
)
async def update_plan_entry(
    entry_id: uuid.UUID,
    body: schemas.PlanEntryUpdate,
    session: Session,
    p: AssignmentsWrite,
    version: IfMatchHeader,
    response: Response,
):
    entry = await service.update_plan_entry(session, p, entry_id, body, version)
    set_etag(response, entry.version)
    return entry


@router.get(
    "/brief-checklist", operation_id="getBriefChecklist", response_model=list[schemas.ChecklistQuestion]
)
async def get_brief_checklist(p: AssignmentsRead):
    """R-21: the questions an internal verifier answers for every brief."""
    return service.checklist_questions()


@router.get("/assignment-briefs", operation_id="listAssignmentBriefs", response_model=Page[schemas.Brief])
async def list_briefs(
    session: Session,
    p: BriefsRead,
    limit: Limit = 50,
    cursor: Cursor = None,
    programme_id: uuid.UUID | None = None,
    status: schemas.BriefStatus | None = None,
):
    """Staff see the centre's briefs; a learner sees the issued briefs of their programmes."""
    items, next_cursor = await service.list_briefs(
        session, p, limit, cursor, programme_id=programme_id, status=status.value if status else None
    )
    return Page[schemas.Brief](items=[service.brief_out(b) for b in items], next_cursor=next_cursor)


@router.post(
    "/assignment-briefs", operation_id="createAssignmentBrief", response_model=schemas.Brief, status_code=201
)
@idempotent
async def create_brief(body: schemas.BriefCreate, session: Session, p: AssignmentsWrite, response: Response):
    """A draft brief by one of the programme's assessors; criteria checked against the qualification (R-06)."""
    return _brief(response, await service.create_brief(session, p, body))


@router.post(
    "/assignment-briefs/{brief_id}/reuse",
    operation_id="reuseAssignmentBrief",
    response_model=schemas.Brief,
    status_code=201,
)
@idempotent
async def reuse_brief(
    brief_id: uuid.UUID, body: schemas.BriefReuse, session: Session, p: AssignmentsWrite, response: Response
):
    """R-21: the brief's text as a new draft on another programme (a new year), verified again."""
    return _brief(response, await service.reuse_brief(session, p, brief_id, body))


@router.get("/assignment-briefs/{brief_id}", operation_id="getAssignmentBrief", response_model=schemas.Brief)
async def get_brief(brief_id: uuid.UUID, session: Session, p: BriefsRead, response: Response):
    return _brief(response, await service.get_brief(session, p, brief_id))


@router.patch(
    "/assignment-briefs/{brief_id}", operation_id="updateAssignmentBrief", response_model=schemas.Brief
)
async def update_brief(
    brief_id: uuid.UUID,
    body: schemas.BriefUpdate,
    session: Session,
    p: AssignmentsWrite,
    version: IfMatchHeader,
    response: Response,
):
    """Only a draft or returned brief is edited."""
    return _brief(response, await service.update_brief(session, p, brief_id, body, version))


@router.post(
    "/assignment-briefs/{brief_id}/submission-for-iv",
    operation_id="submitAssignmentBriefForIv",
    response_model=schemas.Brief,
)
async def submit_for_iv(brief_id: uuid.UUID, session: Session, p: AssignmentsWrite, response: Response):
    return _brief(response, await service.submit_for_iv(session, p, brief_id))


@router.post(
    "/assignment-briefs/{brief_id}/verification",
    operation_id="verifyAssignmentBrief",
    response_model=schemas.Brief,
)
async def verify_brief(
    brief_id: uuid.UUID,
    body: schemas.BriefVerificationCreate,
    session: Session,
    p: BriefsVerify,
    response: Response,
):
    """R-21: fit for purpose, with every checklist answer; R-44: never by the brief's author."""
    return _brief(response, await service.verify_brief(session, p, brief_id, body))


@router.post(
    "/assignment-briefs/{brief_id}/return", operation_id="returnAssignmentBrief", response_model=schemas.Brief
)
async def return_brief(
    brief_id: uuid.UUID, body: schemas.BriefReturn, session: Session, p: BriefsVerify, response: Response
):
    """Back to the author with comments; it returns to IV as the brief's next version."""
    return _brief(response, await service.return_brief(session, p, brief_id, body))


@router.post(
    "/assignment-briefs/{brief_id}/issue", operation_id="issueAssignmentBrief", response_model=schemas.Brief
)
async def issue_brief(brief_id: uuid.UUID, session: Session, p: AssignmentsWrite, response: Response):
    """R-21: only a brief verified (this version) by an IV other than its author."""
    return _brief(response, await service.issue_brief(session, p, brief_id))


@router.post(
    "/assignment-briefs/{brief_id}/closure", operation_id="closeAssignmentBrief", response_model=schemas.Brief
)
async def close_brief(brief_id: uuid.UUID, session: Session, p: AssignmentsWrite, response: Response):
    return _brief(response, await service.close_brief(session, p, brief_id))


@router.get(
    "/assignment-briefs/{brief_id}/verifications",
    operation_id="listAssignmentBriefVerifications",
    response_model=list[schemas.BriefVerification],
)
async def list_verifications(brief_id: uuid.UUID, session: Session, p: AssignmentsRead):
    """R-26: when the brief was verified or returned, by whom, with the checklist answers and comments."""
    return await service.list_verifications(session, p, brief_id)
