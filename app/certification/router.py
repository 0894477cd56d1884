"""REST for certification (R-90..R-94): thin endpoints over app.certification's services."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query, Response

from app.auth.dependencies import require
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.certification import certificates, claims, eligibility, export, qmr, schemas
from app.core.concurrency import set_etag
from app.core.db import Session
from app.core.idempotent import idempotent
from app.core.routing import DomainRouter

router = DomainRouter(prefix="/v1", tags=["certification"])
CertificationRead = Annotated[Principal, Depends(require(Scope.certification_read))]
ClaimsWrite = Annotated[Principal, Depends(require(Scope.claims_write))]
ClaimsConfirm = Annotated[Principal, Depends(require(Scope.claims_confirm))]
ClaimsLeaderCheck = Annotated[Principal, Depends(require(Scope.claims_leader_check))]
ClaimsSecondCheck = Annotated[Principal, Depends(require(Scope.claims_second_check))]
QmrManage = Annotated[Principal, Depends(require(Scope.qmr_manage))]


# ---- the preflight (R-90) ------------------------------------------------------------------------------


@router.get(
    "/learners/{learner_id}/registrations/{qualification_id}/certification-eligibility",
    operation_id="getCertificationEligibility",
    response_model=schemas.Eligibility,
)
async def get_eligibility(
    learner_id: uuid.UUID, qualification_id: uuid.UUID, session: Session, p: CertificationRead
):
    """R-90: can a full or a unit certificate be claimed for the learner's registration, and every reason
    (each naming its rule) why not. The same check gates every claim."""
    return await eligibility.preflight(session, p, learner_id, qualification_id)


# ---- claims (R-91, R-93, R-94) ---------------------------------------------------------------------------


def _claim(response: Response, out: schemas.Claim) -> schemas.Claim:
    set_etag(response, out.version)
    return out


@router.post(
    "/certification-claims",
    operation_id="createCertificationClaim",
    response_model=schemas.Claim,
    status_code=201,
)
@idempotent
async def create_claim(body: schemas.ClaimCreate, session: Session, p: ClaimsWrite):
    """R-91: a claim for a set of the programme's learners (full, or unit certification for leavers,
    R-93). Refused whole, with each learner's reasons, if any learner is not eligible (R-90)."""
    return await claims.create_claim(session, p, body)


@router.get(
    "/certification-claims", operation_id="listCertificationClaims", response_model=list[schemas.Claim]
)
async def list_claims(
    session: Session,
    p: CertificationRead,
    programme_id: uuid.UUID | None = None,
    status: schemas.ClaimStatus | None = None,
):
    return await claims.list_claims(session, p, programme_id, status)


@router.get(
    "/certification-claim-deadlines",
    operation_id="listCertificationClaimDeadlines",
    response_model=list[schemas.ClaimDeadline],
)
async def list_deadlines(
    session: Session, p: CertificationRead, within_days: Annotated[int, Query(ge=0, le=366)] = 30
):
    """R-94: claims not submitted that are overdue or due within `within_days` days."""
    return await claims.deadlines(session, p, within_days)


@router.get(
    "/certification-claims/{claim_id}", operation_id="getCertificationClaim", response_model=schemas.Claim
)
async def get_claim(claim_id: uuid.UUID, session: Session, p: CertificationRead, response: Response):
    return _claim(response, await claims.get_claim(session, p, claim_id))


@router.post(
    "/certification-claims/{claim_id}/learners",
    operation_id="addCertificationClaimLearners",
    response_model=schemas.Claim,
)
async def add_learners(
    claim_id: uuid.UUID, body: schemas.ClaimLearnersAdd, session: Session, p: ClaimsWrite, response: Response
):
    """R-90: more learners, each through the preflight; only while the claim is a draft."""
    return _claim(response, await claims.add_learners(session, p, claim_id, body))


@router.post(
    "/certification-claims/{claim_id}/confirm-records",
    operation_id="confirmCertificationClaimRecords",
    response_model=schemas.Claim,
)
async def confirm_records(claim_id: uuid.UUID, session: Session, p: ClaimsConfirm, response: Response):
    """R-91: the programme's LIV confirms the records."""
    return _claim(response, await claims.confirm_records(session, p, claim_id))


@router.post(
    "/certification-claims/{claim_id}/leader-check",
    operation_id="checkCertificationClaimAsLeader",
    response_model=schemas.Claim,
)
async def leader_check(claim_id: uuid.UUID, session: Session, p: ClaimsLeaderCheck, response: Response):
    """R-91: the programme leader checks the claim."""
    return _claim(response, await claims.leader_check(session, p, claim_id))


@router.post(
    "/certification-claims/{claim_id}/prepare",
    operation_id="prepareCertificationClaim",
    response_model=schemas.Claim,
)
async def prepare(claim_id: uuid.UUID, session: Session, p: ClaimsWrite, response: Response):
    """R-91: the exams officer prepares the claim from the records."""
    return _claim(response, await claims.prepare(session, p, claim_id))


@router.post(
    "/certification-claims/{claim_id}/second-check",
    operation_id="secondCheckCertificationClaim",
    response_model=schemas.Claim,
)
async def second_check(claim_id: uuid.UUID, session: Session, p: ClaimsSecondCheck, response: Response):
    """R-91: a second person, never the preparer, checks it before submission."""
    return _claim(response, await claims.second_check(session, p, claim_id))


@router.post(
    "/certification-claims/{claim_id}/submit",
    operation_id="submitCertificationClaim",
    response_model=schemas.Claim,
)
async def submit(claim_id: uuid.UUID, session: Session, p: ClaimsWrite, response: Response):
    """R-91: submitted; anyone who became ineligible is removed with the reasons (R-90)."""
    return _claim(response, await claims.submit(session, p, claim_id))


@router.get(
    "/certification-claims/{claim_id}/export",
    operation_id="exportCertificationClaim",
    response_model=schemas.ClaimExport,
)
async def export_json(claim_id: uuid.UUID, session: Session, p: CertificationRead):
    """The submitted claim for the awarding body's portal, as JSON (docs/certification.md)."""
    return await export.export(session, p, claim_id)


@router.get(
    "/certification-claims/{claim_id}/export.csv",
    operation_id="exportCertificationClaimCsv",
    response_class=Response,
    responses={
        200: {
            "description": "The submitted claim as CSV.",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
async def export_csv(claim_id: uuid.UUID, session: Session, p: CertificationRead):
    """The submitted claim as CSV: one row per learner; columns in docs/certification.md."""
    body = await export.export_csv(session, p, claim_id)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="claim-{claim_id}.csv"'},
    )


# ---- certificates received (R-92) ------------------------------------------------------------------------


@router.post(
    "/certification-claims/{claim_id}/certificates",
    operation_id="recordCertificate",
    response_model=schemas.Certificate,
    status_code=201,
)
@idempotent
async def record_certificate(
    claim_id: uuid.UUID, body: schemas.CertificateCreate, session: Session, p: ClaimsWrite
):
    """R-92: a certificate received against the submitted claim; to be checked within the working days."""
    return await certificates.record_certificate(session, p, claim_id, body)


@router.get("/certificates", operation_id="listCertificates", response_model=list[schemas.Certificate])
async def list_certificates(
    session: Session,
    p: CertificationRead,
    claim_id: uuid.UUID | None = None,
    status: schemas.CertificateStatus | None = None,
    check_overdue: bool | None = None,
):
    """R-92: certificates; `check_overdue=true` for those not checked by their due day."""
    return await certificates.list_certificates(session, p, claim_id, status, check_overdue)


@router.get(
    "/certificates/{certificate_id}", operation_id="getCertificate", response_model=schemas.Certificate
)
async def get_certificate(certificate_id: uuid.UUID, session: Session, p: CertificationRead):
    return await certificates.get_certificate(session, p, certificate_id)


@router.post(
    "/certificates/{certificate_id}/check",
    operation_id="checkCertificate",
    response_model=schemas.Certificate,
)
async def check_certificate(certificate_id: uuid.UUID, session: Session, p: ClaimsWrite):
    """R-92: checked against the records: cleared, or withheld with its anomalies (reported)."""
    return await certificates.check_certificate(session, p, certificate_id)


@router.post(
    "/certificates/{certificate_id}/resolve",
    operation_id="resolveCertificate",
    response_model=schemas.Certificate,
)
async def resolve_certificate(
    certificate_id: uuid.UUID, body: schemas.CertificateResolve, session: Session, p: ClaimsWrite
):
    """R-92: a withheld certificate's anomalies were resolved; it is released."""
    return await certificates.resolve(session, p, certificate_id, body)


# ---- QMR (R-90) ----------------------------------------------------------------------------------------


@router.post("/qmr-visits", operation_id="recordQmrVisit", response_model=schemas.QmrVisit, status_code=201)
@idempotent
async def record_qmr_visit(body: schemas.QmrVisitCreate, session: Session, p: QmrManage):
    """R-90: a QMR visit with each quality objective's judgement; insufficient QO.3, QO.4 or QO.9 blocks
    certification of every BTEC programme until the progress report."""
    return await qmr.record_visit(session, p, body)


@router.get("/qmr-visits", operation_id="listQmrVisits", response_model=list[schemas.QmrVisit])
async def list_qmr_visits(session: Session, p: CertificationRead, blocking: bool | None = None):
    return await qmr.list_visits(session, p, blocking)


@router.get("/qmr-visits/{visit_id}", operation_id="getQmrVisit", response_model=schemas.QmrVisit)
async def get_qmr_visit(visit_id: uuid.UUID, session: Session, p: CertificationRead):
    return await qmr.get_visit(session, p, visit_id)


@router.post(
    "/qmr-visits/{visit_id}/progress-report",
    operation_id="acceptQmrProgressReport",
    response_model=schemas.QmrVisit,
)
async def accept_progress_report(
    visit_id: uuid.UUID, body: schemas.ProgressReport, session: Session, p: QmrManage
):
    """R-90: the progress report is accepted: the visit's block is released."""
    return await qmr.accept_progress_report(session, p, visit_id, body)
