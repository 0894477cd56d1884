"""REST for the record over time: subject access (R-98), identity corrections, legal holds (R-97), and a
learner's own full record. Thin endpoints over app.records.people."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request, Response

from app.assessment.storage import EvidenceStore, evidence_store
from app.auth.dependencies import require
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.core.db import Session
from app.core.idempotent import idempotent
from app.core.routing import DomainRouter
from app.learners import schemas as learner_schemas
from app.records import people, schemas

router = DomainRouter(prefix="/v1", tags=["records"])
SubjectAccess = Annotated[Principal, Depends(require(Scope.subject_access))]
Holds = Annotated[Principal, Depends(require(Scope.legal_holds))]
LearnerSelf = Annotated[Principal, Depends(require(Scope.learner_self))]


def _store(request: Request) -> EvidenceStore:
    return request.app.state.__dict__.setdefault("evidence_store", evidence_store(request.app.state.settings))


@router.post(
    "/learners/{learner_id}/subject-access-requests",
    operation_id="produceSubjectAccess",
    # 200, not 201: each call is a fresh archive (and a new recorded request), so a retry loses nothing
    # and there is no single created resource to replay (the archive is not kept).
    status_code=200,
    response_class=Response,
    responses={
        200: {"content": {"application/zip": {}}, "description": "The archive (zip: JSON and files)."}
    },
)
async def produce_subject_access(learner_id: uuid.UUID, request: Request, session: Session, p: SubjectAccess):
    """R-98 (UK GDPR art. 15): everything held about the learner as one zip (records, decisions and their
    versions, feedback, support, evidence files, the audit events about them). The request and its
    fulfilment (digest and counts) are recorded; `Location` names the request."""
    row, archive = await people.produce_subject_access(session, p, learner_id, _store(request))
    return Response(
        archive,
        status_code=200,
        media_type="application/zip",
        headers={
            "Location": f"/v1/subject-access-requests/{row.id}",
            "Content-Disposition": f'attachment; filename="subject-access-{learner_id}.zip"',
        },
    )


@router.get(
    "/subject-access-requests",
    operation_id="listSubjectAccessRequests",
    response_model=list[schemas.SubjectAccessRequest],
)
async def list_subject_access(session: Session, p: SubjectAccess, learner_id: uuid.UUID | None = None):
    return await people.list_subject_access(session, p, learner_id)


@router.post(
    "/learners/{learner_id}/identity-corrections",
    operation_id="correctLearnerIdentity",
    response_model=learner_schemas.Learner,
)
async def correct_identity(
    learner_id: uuid.UUID, body: schemas.IdentityCorrectionIn, session: Session, p: SubjectAccess
):
    """R-98: correct a learner's identity data; the audit log keeps the old value and the reason."""
    return await people.correct_identity(session, p, learner_id, body)


@router.post("/legal-holds", operation_id="setLegalHold", response_model=schemas.LegalHold, status_code=201)
@idempotent
async def set_legal_hold(body: schemas.LegalHoldIn, session: Session, p: Holds):
    """R-97: a legal hold on a learner (or, with no learner, the whole centre): retention purges nothing
    it covers until it is released."""
    return await people.set_legal_hold(session, p, body)


@router.post(
    "/legal-holds/{hold_id}/release", operation_id="releaseLegalHold", response_model=schemas.LegalHold
)
async def release_legal_hold(hold_id: uuid.UUID, session: Session, p: Holds):
    return await people.release_legal_hold(session, p, hold_id)


@router.get("/legal-holds", operation_id="listLegalHolds", response_model=list[schemas.LegalHold])
async def list_legal_holds(session: Session, p: Holds, learner_id: uuid.UUID | None = None):
    return await people.list_legal_holds(session, p, learner_id)


@router.get("/me/record", operation_id="getOwnRecord", response_model=schemas.OwnRecord)
async def own_record(session: Session, p: LearnerSelf):
    """R-98: the signed-in learner's own full record: identity, released decisions with feedback (R-25),
    support (R-80, R-81). Nothing of anyone else's."""
    return await people.own_record(session, p)
