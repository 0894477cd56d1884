"""REST for malpractice (R-70..R-74): thin endpoints over app.malpractice's services. Every case read
answers 404 for a case the caller may not see, exactly as for one that does not exist."""

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
from app.core.routing import DomainRouter
from app.malpractice import reporting, sanctions, schemas, service
from app.malpractice.schemas import CaseStatus, SubjectKind

router = DomainRouter(prefix="/v1", tags=["malpractice"])
Read = Annotated[Principal, Depends(require(Scope.malpractice_read))]
Manage = Annotated[Principal, Depends(require(Scope.malpractice_manage))]
Investigate = Annotated[Principal, Depends(require(Scope.malpractice_investigate))]
Report = Annotated[Principal, Depends(require(Scope.malpractice_report))]


def _case(response: Response, case: schemas.Case) -> schemas.Case:
    set_etag(response, case.version)
    return case


@router.post(
    "/malpractice-cases", operation_id="createMalpracticeCase", response_model=schemas.Case, status_code=201
)
@idempotent
async def create_case(body: schemas.CaseCreate, session: Session, p: Manage):
    """R-70: a draft case about a learner or a member of staff (HoC, QN): its type, the allegation in
    writing, who raised it, and the submissions, evidence, decisions or claims it concerns."""
    return await service.create_case(session, p, body)


@router.get("/malpractice-cases", operation_id="listMalpracticeCases", response_model=list[schemas.Case])
async def list_cases(
    session: Session,
    p: Read,
    status: CaseStatus | None = None,
    subject_kind: SubjectKind | None = None,
    learner_id: uuid.UUID | None = None,
    staff_id: uuid.UUID | None = None,
    report_overdue: bool | None = None,
):
    """The cases the caller may see (the HoC and QN all; an investigator theirs; the person concerned
    their own once told). `report_overdue`: R-72's flag."""
    return await service.list_cases(session, p, status, subject_kind, learner_id, staff_id, report_overdue)


@router.get("/malpractice-cases/{case_id}", operation_id="getMalpracticeCase", response_model=schemas.Case)
async def get_case(case_id: uuid.UUID, session: Session, p: Read, response: Response):
    return _case(response, await service.get_case(session, p, case_id))


@router.post(
    "/malpractice-cases/{case_id}/open", operation_id="openMalpracticeCase", response_model=schemas.Case
)
async def open_case(
    case_id: uuid.UUID,
    body: schemas.CaseOpen,
    session: Session,
    p: Manage,
    version: IfMatchHeader,
    response: Response,
):
    """R-71: confirm a draft and name its investigators; R-73: a staff case flags their decisions."""
    return _case(response, await service.open_case(session, p, case_id, body, version))


@router.post(
    "/malpractice-cases/{case_id}/links", operation_id="linkMalpracticeCase", response_model=schemas.Case
)
async def add_link(
    case_id: uuid.UUID, body: schemas.LinkIn, session: Session, p: Investigate, response: Response
):
    """R-70: a submission, evidence item, decision or claim the case concerns."""
    return _case(response, await service.add_link(session, p, case_id, body))


@router.post(
    "/malpractice-cases/{case_id}/stages", operation_id="recordMalpracticeStage", response_model=schemas.Case
)
async def record_stage(
    case_id: uuid.UUID, body: schemas.StageCreate, session: Session, p: Investigate, response: Response
):
    """R-71: a dated stage. Investigators record investigation notes and the response; the HoC or QN
    every stage."""
    return _case(response, await service.record_stage(session, p, case_id, body))


@router.post(
    "/malpractice-cases/{case_id}/report", operation_id="recordMalpracticeReport", response_model=schemas.Case
)
async def record_report(
    case_id: uuid.UUID,
    body: schemas.ReportSent,
    session: Session,
    p: Report,
    version: IfMatchHeader,
    response: Response,
):
    """R-72: the HoC sent the report to the awarding body on `sent_on` under `reference`."""
    return _case(response, await reporting.record_report(session, p, case_id, body, version))


@router.get(
    "/malpractice-cases/{case_id}/report.pdf",
    operation_id="renderMalpracticeReport",
    response_class=Response,
    responses={
        200: {
            "description": "JCQ M1 / M2 shaped report.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def render_report(case_id: uuid.UUID, session: Session, p: Report):
    """R-72: the report (JCQ M1 for a learner, M2(a)/M2(b) for staff) as a PDF to read and sign."""
    content = await reporting.render_report(session, p, case_id)
    return Response(
        content,
        media_type="application/pdf",
        headers={
            "Cache-Control": "private, no-store",
            "Content-Disposition": f'attachment; filename="malpractice-{case_id}.pdf"',
        },
    )


@router.post(
    "/malpractice-cases/{case_id}/sanctions",
    operation_id="recordMalpracticeSanction",
    response_model=schemas.Case,
)
async def record_sanction(
    case_id: uuid.UUID, body: schemas.SanctionCreate, session: Session, p: Report, response: Response
):
    """R-74: an awarding body's sanction, a centre penalty (applied: decisions voided, a new attempt,
    withdrawal) or a sanction on the centre."""
    return _case(response, await sanctions.record_sanction(session, p, case_id, body))


@router.post(
    "/malpractice-cases/{case_id}/close", operation_id="closeMalpracticeCase", response_model=schemas.Case
)
async def close_case(
    case_id: uuid.UUID,
    body: schemas.CaseClose,
    session: Session,
    p: Manage,
    version: IfMatchHeader,
    response: Response,
):
    """R-71: a draft with no case to answer, or an open case once told of the outcome and how to appeal."""
    return _case(response, await service.close_case(session, p, case_id, body, version))


@router.get(
    "/centres/{centre_id}/malpractice-policy",
    operation_id="getMalpracticePolicy",
    response_model=schemas.Policy,
)
async def get_policy(centre_id: uuid.UUID, session: Session, p: Manage, response: Response):
    """R-72/R-73: the centre's policy (defaults until set: withhold, report within 5 working days)."""
    out = await service.get_policy(session, p, centre_id)
    set_etag(response, out.version)
    return out


@router.put(
    "/centres/{centre_id}/malpractice-policy",
    operation_id="putMalpracticePolicy",
    response_model=schemas.Policy,
)
async def put_policy(
    centre_id: uuid.UUID,
    body: schemas.PolicyWrite,
    session: Session,
    p: Report,
    version: IfMatchHeader,
    response: Response,
):
    """By the HoC, with If-Match: the version read (`"0"` while the centre has the defaults)."""
    out = await service.put_policy(session, p, centre_id, body, version)
    set_etag(response, out.version)
    return out
