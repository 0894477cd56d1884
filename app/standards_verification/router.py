"""REST for standards verification (R-50..R-52) and OCR moderation (R-51): thin endpoints over
app.standards_verification's services; the verifier's read-only API is under /v1/verifier."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.responses import StreamingResponse

from app.assessment.evidence_content import download_headers
from app.assessment.storage import evidence_store
from app.auth.dependencies import require
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.core.concurrency import IfMatchHeader, set_etag
from app.core.db import Session
from app.core.idempotent import idempotent
from app.core.replica import ReadSession
from app.core.routing import DomainRouter
from app.standards_verification import grants, moderation, outcomes, pack, schemas, service, verifier
from app.standards_verification.detail import get_item_detail

router = DomainRouter(prefix="/v1", tags=["standards verification"])
SvRead = Annotated[Principal, Depends(require(Scope.sv_read))]
SvManage = Annotated[Principal, Depends(require(Scope.sv_manage))]
SvPrepare = Annotated[Principal, Depends(require(Scope.sv_prepare))]
Verifier = Annotated[Principal, Depends(require(Scope.sv_sample_read))]

BINARY = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}


def _store(request: Request):
    return request.app.state.__dict__.setdefault("evidence_store", evidence_store(request.app.state.settings))


# ---- policy and allocations (R-50) ---------------------------------------------------------------------


@router.get("/sv-policy", operation_id="getSvPolicy", response_model=schemas.SamplePolicy)
async def get_policy(session: Session, p: SvRead, response: Response):
    """R-50: the centre's sample-size reference table (version 0: the documented defaults)."""
    out = await service.get_policy(session, p)
    set_etag(response, out.version)
    return out


@router.put("/sv-policy", operation_id="putSvPolicy", response_model=schemas.SamplePolicy)
async def put_policy(
    body: schemas.SamplePolicyWrite, session: Session, p: SvManage, version: IfMatchHeader, response: Response
):
    """R-50: set the reference table (If-Match once it has been set)."""
    out = await service.put_policy(session, p, body, version)
    set_etag(response, out.version)
    return out


@router.post(
    "/sv-allocations", operation_id="createSvAllocation", response_model=schemas.Allocation, status_code=201
)
@idempotent
async def create_allocation(body: schemas.AllocationCreate, session: Session, p: SvManage):
    """R-50: the awarding body's verifier allocation of a programme for a year, with its measure."""
    return await service.create_allocation(session, p, body)


@router.get("/sv-allocations", operation_id="listSvAllocations", response_model=list[schemas.Allocation])
async def list_allocations(
    session: ReadSession,
    p: SvRead,
    programme_id: uuid.UUID | None = None,
    academic_year_id: uuid.UUID | None = None,
):
    return await service.list_allocations(session, p, programme_id, academic_year_id)


@router.get(
    "/sv-allocations/{allocation_id}", operation_id="getSvAllocation", response_model=schemas.Allocation
)
async def get_allocation(allocation_id: uuid.UUID, session: ReadSession, p: SvRead):
    return await service.get_allocation(session, p, allocation_id)


# ---- samples (R-50) ------------------------------------------------------------------------------------


@router.post("/sv-samples", operation_id="requestSvSample", response_model=schemas.Sample, status_code=201)
@idempotent
async def request_sample(body: schemas.SampleCreate, session: Session, p: SvManage):
    """R-50: a sample request with its due date; the service proposes the sample (every grade, assessor
    and site present; the required size from the reference table)."""
    return await service.request_sample(session, p, body)


@router.get("/sv-samples", operation_id="listSvSamples", response_model=list[schemas.Sample])
async def list_samples(session: ReadSession, p: SvRead, programme_id: uuid.UUID | None = None):
    return await service.list_samples(session, p, programme_id)


@router.get("/sv-samples/{sample_id}", operation_id="getSvSample", response_model=schemas.Sample)
async def get_sample(sample_id: uuid.UUID, session: ReadSession, p: SvRead):
    return await service.get_sample(session, p, sample_id)


@router.post(
    "/sv-samples/{sample_id}/requests",
    operation_id="requestMoreSvSample",
    response_model=schemas.Sample,
    status_code=201,
)
@idempotent
async def further_request(sample_id: uuid.UUID, body: schemas.FurtherRequest, session: Session, p: SvManage):
    """R-50: "send me three more at Distinction": more items in the same sample, with a due date."""
    return await service.further_request(session, p, sample_id, body)


@router.get(
    "/sv-samples/{sample_id}/items", operation_id="listSvSampleItems", response_model=list[schemas.SampleItem]
)
async def list_items(sample_id: uuid.UUID, session: ReadSession, p: SvRead):
    return await service.list_items(session, p, sample_id)


@router.post(
    "/sv-samples/{sample_id}/items",
    operation_id="addSvSampleItem",
    response_model=schemas.SampleItem,
    status_code=201,
)
@idempotent
async def add_item(sample_id: uuid.UUID, body: schemas.SampleItemAdd, session: Session, p: SvPrepare):
    """R-50: the QN or LIV adds a learner's work for a brief to the proposed sample, with a reason."""
    return await service.add_item(session, p, sample_id, body)


@router.get(
    "/sv-sample-items/{item_id}", operation_id="getSvSampleItem", response_model=schemas.SampleItemDetail
)
async def get_item(item_id: uuid.UUID, session: Session, p: SvRead):
    """R-50: the item with its brief, every decision version, the IV records and the evidence files."""
    return await get_item_detail(session, p, item_id)


@router.post("/sv-sample-items/{item_id}/removal", operation_id="removeSvSampleItem", status_code=204)
async def remove_item(item_id: uuid.UUID, body: schemas.SampleItemRemove, session: Session, p: SvPrepare):
    """R-50: the QN or LIV takes an item out of a sample not yet submitted, with a reason."""
    await service.remove_item(session, p, item_id, body)
    return Response(status_code=204)


@router.post(
    "/sv-sample-items/{item_id}/authenticity",
    operation_id="declareSvSampleItemAuthentic",
    response_model=schemas.SampleItem,
)
async def declare_authentic(item_id: uuid.UUID, session: Session, p: SvPrepare):
    """R-50: the programme's LIV declares the sampled learner's work authentic."""
    return await service.declare_authentic(session, p, item_id)


@router.post(
    "/sv-samples/{sample_id}/submission", operation_id="submitSvSample", response_model=schemas.Sample
)
async def submit_sample(sample_id: uuid.UUID, session: Session, p: SvManage):
    """R-50: the QN submits the sample, every item declared authentic; late answers are flagged."""
    return await service.submit_sample(session, p, sample_id)


@router.get(
    "/sv-samples/{sample_id}/pack",
    operation_id="downloadSvSamplePack",
    response_class=StreamingResponse,
    responses={
        200: {"description": "A zip: manifest.json, index.html and the evidence files.", "content": BINARY}
    },
)
async def download_pack(sample_id: uuid.UUID, request: Request, session: Session, p: SvManage):
    """R-50: the sample pack as one archive, for a verifier who works in the awarding body's portal."""
    name, blocks = await pack.sample_pack(session, p, _store(request), sample_id)
    return StreamingResponse(
        blocks,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )


# ---- grants (R-52) -------------------------------------------------------------------------------------


@router.post(
    "/sv-samples/{sample_id}/grants",
    operation_id="grantSvAccess",
    response_model=schemas.IssuedGrant,
    status_code=201,
)
@idempotent
async def create_grant(
    sample_id: uuid.UUID, body: schemas.GrantCreate, request: Request, session: Session, p: SvManage
):
    """R-52: a named verifier may read this sample until the expiry. With `issue_token` the Verity token
    is in this answer only (stored as a hash); with issuer and subject, the verifier signs in with the
    awarding body's identity provider."""
    return await grants.create_grant(session, p, sample_id, body, grants.issuers(request.app.state.settings))


@router.get("/sv-samples/{sample_id}/grants", operation_id="listSvGrants", response_model=list[schemas.Grant])
async def list_grants(sample_id: uuid.UUID, session: Session, p: SvManage):
    return await grants.list_grants(session, p, sample_id)


@router.post("/sv-grants/{grant_id}/revocation", operation_id="revokeSvGrant", response_model=schemas.Grant)
async def revoke_grant(grant_id: uuid.UUID, session: Session, p: SvManage):
    """R-52: the grant stops working at once."""
    return await grants.revoke_grant(session, p, grant_id)


@router.get(
    "/sv-samples/{sample_id}/access-log",
    operation_id="listSvAccessLog",
    response_model=list[schemas.AccessLogEntry],
)
async def access_log(sample_id: uuid.UUID, session: Session, p: SvManage):
    """R-52: every read of the sample by a verifier: who, what, when."""
    return await grants.access_log(session, p, sample_id)


# ---- outcomes (R-51) -----------------------------------------------------------------------------------


@router.post(
    "/sv-samples/{sample_id}/outcome",
    operation_id="recordSvOutcome",
    response_model=schemas.Outcome,
    status_code=201,
)
@idempotent
async def record_outcome(sample_id: uuid.UUID, body: schemas.OutcomeCreate, session: Session, p: SvManage):
    """R-51: the verifier's report: accepted, or not accepted with actions (owner, due date)."""
    return await outcomes.record_outcome(session, p, sample_id, body)


@router.get("/sv-outcomes", operation_id="listSvOutcomes", response_model=list[schemas.Outcome])
async def list_outcomes(session: Session, p: SvRead, programme_id: uuid.UUID | None = None):
    return await outcomes.list_outcomes(session, p, programme_id)


@router.get("/sv-outcomes/{outcome_id}", operation_id="getSvOutcome", response_model=schemas.Outcome)
async def get_outcome(outcome_id: uuid.UUID, session: Session, p: SvRead):
    return await outcomes.get_outcome(session, p, outcome_id)


@router.post("/sv-actions/{action_id}/closure", operation_id="closeSvAction", response_model=schemas.Action)
async def close_action(action_id: uuid.UUID, body: schemas.ActionClose, session: Session, p: SvManage):
    """R-51: an action of the report is closed with a note."""
    return await outcomes.close_action(session, p, action_id, body)


@router.get(
    "/programmes/{programme_id}/sv-status",
    operation_id="getSvCertificationStatus",
    response_model=schemas.CertificationStatusView,
)
async def certification_status(programme_id: uuid.UUID, session: Session, p: SvRead):
    """R-51: the subject area's certification status for the programme's year (Pearson's statuses)."""
    return await outcomes.status_view(session, p, programme_id)


# ---- OCR moderation (R-51) -----------------------------------------------------------------------------


@router.post(
    "/ocr-moderations", operation_id="recordOcrModeration", response_model=schemas.Moderation, status_code=201
)
@idempotent
async def record_moderation(body: schemas.ModerationCreate, session: Session, p: SvManage):
    """R-51: an OCR moderation visit of a unit (at most the policy's visits a year): agreed confirms the
    unit's grades; adjusted makes new decision versions of the listed work, attributed to the visit."""
    return await moderation.record_moderation(session, p, body)


@router.get("/ocr-moderations", operation_id="listOcrModerations", response_model=list[schemas.Moderation])
async def list_moderations(session: Session, p: SvRead, programme_id: uuid.UUID | None = None):
    return await moderation.list_moderations(session, p, programme_id)


@router.get("/ocr-moderations/{visit_id}", operation_id="getOcrModeration", response_model=schemas.Moderation)
async def get_moderation(visit_id: uuid.UUID, session: Session, p: SvRead):
    return await moderation.get_moderation(session, p, visit_id)


# ---- the verifier's read-only API (R-52) ---------------------------------------------------------------


@router.get("/verifier/samples", operation_id="verifierListSamples", response_model=list[schemas.Sample])
async def verifier_samples(session: Session, p: Verifier):
    """R-52: the samples of the caller's live grants (a verifier's token)."""
    return await verifier.list_samples(session, p)


@router.get("/verifier/samples/{sample_id}", operation_id="verifierGetSample", response_model=schemas.Sample)
async def verifier_sample(sample_id: uuid.UUID, session: Session, p: Verifier):
    return await verifier.get_sample(session, p, sample_id)


@router.get(
    "/verifier/samples/{sample_id}/items",
    operation_id="verifierListSampleItems",
    response_model=list[schemas.SampleItem],
)
async def verifier_items(sample_id: uuid.UUID, session: Session, p: Verifier):
    return await verifier.list_items(session, p, sample_id)


@router.get(
    "/verifier/items/{item_id}", operation_id="verifierGetSampleItem", response_model=schemas.SampleItemDetail
)
async def verifier_item(item_id: uuid.UUID, session: Session, p: Verifier):
    """R-52: one item: the brief, every decision version, the IV records and the evidence files."""
    return await verifier.get_item(session, p, item_id)


@router.get(
    "/verifier/items/{item_id}/evidence/{evidence_id}/content",
    operation_id="verifierDownloadEvidence",
    response_class=StreamingResponse,
    responses={200: {"description": "The evidence file as uploaded.", "content": BINARY}},
)
async def verifier_evidence(
    item_id: uuid.UUID, evidence_id: uuid.UUID, request: Request, session: Session, p: Verifier
):
    """R-52: an evidence file of a granted item, streamed; the download is on the access log."""
    evidence, blocks = await verifier.open_evidence(session, p, _store(request), item_id, evidence_id)
    headers = download_headers(evidence)
    return StreamingResponse(blocks, media_type=headers.pop("Content-Type"), headers=headers)
