"""REST for submissions and evidence, extensions, assessment decisions, resubmissions, exam results and
the learner-record / cohort-grid views: thin endpoints over app.assessment's services."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Header, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.assessment import (
    authenticity,
    decisions,
    evidence_content,
    prior_learning,
    reads,
    records,
    resubmissions,
    schemas,
    submissions,
)
from app.assessment.storage import evidence_store
from app.auth.dependencies import require
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.core.concurrency import IfMatchHeader, set_etag
from app.core.db import Session
from app.core.idempotent import idempotent
from app.core.pagination import Cursor, Limit, Page
from app.core.routing import DomainRouter
from app.programmes import schemas as programme_schemas

router = DomainRouter(prefix="/v1", tags=["assessment"])
AssessmentsRead = Annotated[Principal, Depends(require(Scope.assessments_read))]
OwnAssessmentsRead = Annotated[Principal, Depends(require(Scope.assessments_read, Scope.learner_self))]
AssessmentsWrite = Annotated[Principal, Depends(require(Scope.assessments_write))]
SubmissionsWrite = Annotated[Principal, Depends(require(Scope.submissions_write, Scope.submissions_self))]
ExtensionsApprove = Annotated[Principal, Depends(require(Scope.extensions_approve))]
ResubmissionsAuthorise = Annotated[Principal, Depends(require(Scope.resubmissions_authorise))]
ExamResultsWrite = Annotated[Principal, Depends(require(Scope.exam_results_write))]


def _store(request: Request):
    return request.app.state.__dict__.setdefault("evidence_store", evidence_store(request.app.state.settings))


def _submission(response: Response, s) -> schemas.Submission:
    set_etag(response, s.version)
    return submissions.out(s)


def _decision(response: Response, d: schemas.Decision) -> schemas.Decision:
    set_etag(response, d.version)
    return d


# ---- extensions and submissions -----------------------------------------------------------------------


@router.post(
    "/deadline-extensions",
    operation_id="createDeadlineExtension",
    response_model=schemas.Extension,
    status_code=201,
)
@idempotent
async def create_extension(body: schemas.ExtensionCreate, session: Session, p: ExtensionsApprove):
    """An agreed extension for one learner (R-23, R-30), with its reason; the approver is recorded."""
    return await submissions.create_extension(session, p, body)


@router.get(
    "/deadline-extensions", operation_id="listDeadlineExtensions", response_model=Page[schemas.Extension]
)
async def list_extensions(
    session: Session,
    p: OwnAssessmentsRead,
    limit: Limit = 50,
    cursor: Cursor = None,
    learner_id: uuid.UUID | None = None,
    brief_id: uuid.UUID | None = None,
):
    """Agreed extensions, per learner and/or assignment brief; the latest for a learner and brief is the
    one in force (R-23). Staff see their programmes' (the centre-wide readers all); a learner their own."""
    items, nxt = await reads.list_extensions(
        session, p, limit, cursor, learner_id=learner_id, brief_id=brief_id
    )
    return Page[schemas.Extension](
        items=[schemas.Extension.model_validate(e) for e in items], next_cursor=nxt
    )


@router.get("/submissions", operation_id="listSubmissions", response_model=Page[schemas.Submission])
async def list_submissions(
    session: Session,
    p: OwnAssessmentsRead,
    limit: Limit = 50,
    cursor: Cursor = None,
    brief_id: uuid.UUID | None = None,
    learner_id: uuid.UUID | None = None,
):
    items, nxt = await submissions.list_submissions(
        session, p, limit, cursor, brief_id=brief_id, learner_id=learner_id
    )
    return Page[schemas.Submission](items=[submissions.out(s) for s in items], next_cursor=nxt)


@router.post(
    "/submissions", operation_id="createSubmission", response_model=schemas.Submission, status_code=201
)
@idempotent
async def create_submission(
    body: schemas.SubmissionCreate, session: Session, p: SubmissionsWrite, response: Response
):
    """Start a learner's submission for an issued brief: the first attempt, an authorised resubmission
    (R-30) or a retake on a retake brief (R-32). Evidence is added while it is open."""
    return _submission(response, await submissions.create_submission(session, p, body))


@router.get("/submissions/{submission_id}", operation_id="getSubmission", response_model=schemas.Submission)
async def get_submission(
    submission_id: uuid.UUID, session: Session, p: OwnAssessmentsRead, response: Response
):
    return _submission(response, await submissions.get_submission(session, p, submission_id))


@router.get(
    "/submissions/{submission_id}/evidence",
    operation_id="listEvidence",
    response_model=list[schemas.EvidenceItem],
)
async def list_evidence(submission_id: uuid.UUID, session: Session, p: OwnAssessmentsRead):
    return await submissions.list_evidence(session, p, submission_id)


@router.get(
    "/submissions/{submission_id}/evidence/{item_id}/content",
    operation_id="downloadEvidenceFile",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The file as uploaded, with its Content-Type and Content-Disposition: attachment.",
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def download_evidence_file(
    submission_id: uuid.UUID, item_id: uuid.UUID, request: Request, session: Session, p: OwnAssessmentsRead
):
    """An evidence file (the work, or a copy of an AI interaction), streamed, for whoever may see the
    submission (404 otherwise, R-98). Each download is on the audit trail (`evidence.downloaded`); a
    reference to evidence kept elsewhere has no content (404). GraphQL serves no file content."""
    item, blocks = await evidence_content.open_evidence(session, p, _store(request), submission_id, item_id)
    headers = evidence_content.download_headers(item)
    return StreamingResponse(blocks, media_type=headers.pop("Content-Type"), headers=headers)


@router.post(
    "/submissions/{submission_id}/evidence-references",
    operation_id="addEvidenceReference",
    response_model=schemas.EvidenceItem,
    status_code=201,
)
@idempotent
async def add_evidence_reference(
    submission_id: uuid.UUID, body: schemas.EvidenceReferenceCreate, session: Session, p: SubmissionsWrite
):
    """An observation record, a witness statement or other evidence kept elsewhere."""
    return await submissions.add_evidence_reference(session, p, submission_id, body)


@router.post(
    "/submissions/{submission_id}/evidence-files",
    operation_id="uploadEvidenceFile",
    response_model=schemas.EvidenceItem,
    status_code=201,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
@idempotent
async def upload_evidence_file(
    submission_id: uuid.UUID,
    request: Request,
    session: Session,
    p: SubmissionsWrite,
    filename: Annotated[str, Query(min_length=1, max_length=255, pattern=r"^[^\x00-\x1f\x7f/\\]+$")],
    content_type: Annotated[str, Header(alias="Content-Type")] = "application/octet-stream",
    kind: schemas.FileEvidenceKind = schemas.FileEvidenceKind.file,
):
    """The file is the raw request body, its type the Content-Type, which its content must match (magic
    bytes; text/plain is UTF-8 without NUL). The body is streamed to storage and refused with 413 past
    `evidence_max_bytes`; the name is NFC-normalised; the SHA-256 is recorded. `kind=ai_interaction`
    marks a copy of an interaction with an AI tool (R-22: the declaration of AI use needs one)."""
    settings = request.app.state.settings
    return await submissions.add_evidence_file(
        session,
        p,
        settings,
        _store(request),
        submission_id,
        filename,
        content_type,
        request.stream(),
        kind=kind,
    )


@router.post(
    "/submissions/{submission_id}/evidence-removal/{item_id}", operation_id="removeEvidence", status_code=204
)
async def remove_evidence(
    submission_id: uuid.UUID, item_id: uuid.UUID, session: Session, p: SubmissionsWrite
):
    """Only while the submission is open (R-22)."""
    await submissions.remove_evidence(session, p, submission_id, item_id)
    return Response(status_code=204)


@router.post(
    "/submissions/{submission_id}/hand-in", operation_id="handInSubmission", response_model=schemas.Submission
)
async def hand_in(
    submission_id: uuid.UUID, body: schemas.HandIn, session: Session, p: SubmissionsWrite, response: Response
):
    """R-22: with the learner's signed and dated declaration; frozen from then on. R-23: late is recorded."""
    return _submission(response, await submissions.hand_in(session, p, submission_id, body))


@router.post(
    "/submissions/{submission_id}/authenticity-concerns",
    operation_id="raiseAuthenticityConcern",
    response_model=schemas.AuthenticityConcernRaised,
    status_code=201,
)
@idempotent
async def raise_concern(
    submission_id: uuid.UUID, body: schemas.AuthenticityConcern, session: Session, p: AssessmentsWrite
):
    """R-70: an assessor of the programme doubts handed-in work is the learner's own; a draft
    malpractice case opens, linked to the submission (confidential: the HoC and QN read it)."""
    return await authenticity.raise_concern(session, p, submission_id, body)


# ---- decisions ----------------------------------------------------------------------------------------


@router.get(
    "/assessment-decisions", operation_id="listAssessmentDecisions", response_model=Page[schemas.Decision]
)
async def list_decisions(
    session: Session,
    p: OwnAssessmentsRead,
    limit: Limit = 50,
    cursor: Cursor = None,
    brief_id: uuid.UUID | None = None,
    learner_id: uuid.UUID | None = None,
    programme_id: uuid.UUID | None = None,
    status: schemas.DecisionStatus | None = None,
):
    """Staff see the centre's (assessors: their programmes'); a learner sees their own released ones."""
    items, nxt = await decisions.list_decisions(
        session,
        p,
        limit,
        cursor,
        brief_id=brief_id,
        learner_id=learner_id,
        programme_id=programme_id,
        status=status.value if status else None,
    )
    return Page[schemas.Decision](items=items, next_cursor=nxt)


@router.post(
    "/assessment-decisions",
    operation_id="recordAssessmentDecision",
    response_model=schemas.Decision,
    status_code=201,
)
@idempotent
async def record_decision(
    body: schemas.DecisionCreate, session: Session, p: AssessmentsWrite, response: Response
):
    """R-24 per targeted criterion; R-10 registered learners only; by an assessor of the programme."""
    return _decision(response, await decisions.record_decision(session, p, body))


@router.get(
    "/assessment-decisions/{decision_id}",
    operation_id="getAssessmentDecision",
    response_model=schemas.Decision,
)
async def get_decision(decision_id: uuid.UUID, session: Session, p: OwnAssessmentsRead, response: Response):
    return _decision(response, await decisions.get_decision(session, p, decision_id))


@router.get(
    "/assessment-decisions/{decision_id}/versions",
    operation_id="listAssessmentDecisionVersions",
    response_model=list[schemas.DecisionVersion],
)
async def list_versions(decision_id: uuid.UUID, session: Session, p: AssessmentsRead):
    """R-26: the decision's history; nothing is overwritten."""
    return await decisions.list_versions(session, p, decision_id)


@router.post(
    "/assessment-decisions/{decision_id}/amendment",
    operation_id="amendAssessmentDecision",
    response_model=schemas.Decision,
)
async def amend_decision(
    decision_id: uuid.UUID,
    body: schemas.DecisionAmendment,
    session: Session,
    p: AssessmentsWrite,
    version: IfMatchHeader,
    response: Response,
):
    """R-26: a new version with a reason, by the decision's own assessor (another assessor: 403). A
    draft returns to draft; a released decision becomes `amended`: the new version waits for IV of that
    version before it is released, and the learner keeps the released one meanwhile (R-25)."""
    return _decision(response, await decisions.amend_decision(session, p, decision_id, body, version))


@router.post(
    "/assessment-decisions/{decision_id}/submission-for-iv",
    operation_id="submitAssessmentDecisionForIv",
    response_model=schemas.Decision,
)
async def submit_decision_for_iv(
    decision_id: uuid.UUID, session: Session, p: AssessmentsWrite, response: Response
):
    return _decision(response, await decisions.submit_for_iv(session, p, decision_id))


@router.post(
    "/assessment-decisions/{decision_id}/release",
    operation_id="releaseAssessmentDecision",
    response_model=schemas.Decision,
)
async def release_decision(decision_id: uuid.UUID, session: Session, p: AssessmentsWrite, response: Response):
    """R-25: refused until internal verification of the brief's decisions is complete."""
    return _decision(response, await decisions.release(session, p, decision_id))


@router.post(
    "/assessment-decisions/{decision_id}/resubmission",
    operation_id="authoriseResubmission",
    response_model=schemas.Resubmission,
    status_code=201,
)
@idempotent
async def authorise_resubmission(
    decision_id: uuid.UUID, body: schemas.ResubmissionCreate, session: Session, p: ResubmissionsAuthorise
):
    """R-30 (every condition, each named when it fails), R-31 deadline on the centre calendar, R-33."""
    return await resubmissions.authorise(session, p, decision_id, body)


@router.get(
    "/assessment-decisions/{decision_id}/resubmissions",
    operation_id="listResubmissions",
    response_model=list[schemas.Resubmission],
)
async def list_resubmissions(decision_id: uuid.UUID, session: Session, p: OwnAssessmentsRead):
    return await resubmissions.list_resubmissions(session, p, decision_id)


@router.get("/exam-results", operation_id="listExamResults", response_model=Page[schemas.ExamResult])
async def list_exam_results(
    session: Session,
    p: OwnAssessmentsRead,
    limit: Limit = 50,
    cursor: Cursor = None,
    learner_id: uuid.UUID | None = None,
    qualification_id: uuid.UUID | None = None,
    unit_number: Annotated[int | None, Query(ge=1, le=999)] = None,
):
    """Externally assessed units' results, every sitting (the best counts, R-05). Staff see learners on
    their programmes (the centre-wide readers all); a learner their own."""
    items, nxt = await reads.list_exam_results(
        session,
        p,
        limit,
        cursor,
        learner_id=learner_id,
        qualification_id=qualification_id,
        unit_number=unit_number,
    )
    return Page[schemas.ExamResult](
        items=[schemas.ExamResult.model_validate(r) for r in items], next_cursor=nxt
    )


@router.post(
    "/exam-results", operation_id="recordExamResult", response_model=schemas.ExamResult, status_code=201
)
@idempotent
async def record_exam_result(body: schemas.ExamResultCreate, session: Session, p: ExamResultsWrite):
    """An externally assessed unit's result; further sittings are resits (003 §7), the best counts (R-05)."""
    return await decisions.record_exam_result(session, p, body)


# ---- views --------------------------------------------------------------------------------------------


@router.get(
    "/learners/{learner_id}/assessment-record",
    operation_id="getLearnerAssessmentRecord",
    response_model=schemas.LearnerRecord,
)
async def get_learner_record(
    learner_id: uuid.UUID, programme_id: uuid.UUID, session: Session, p: OwnAssessmentsRead
):
    """Units, criteria achieved with where and when, attempts, grades and deadlines; a learner reads
    their own, from released decisions only."""
    return await records.learner_record(session, p, learner_id, programme_id)


@router.get(
    "/learners/{learner_id}/registrations/{qualification_id}/record",
    operation_id="getLearnerRegistrationRecord",
    response_model=schemas.LearnerRecord,
)
async def get_registration_record(
    learner_id: uuid.UUID, qualification_id: uuid.UUID, session: Session, p: OwnAssessmentsRead
):
    """R-14: the record of the learner's registration for a qualification, over every programme year
    and teaching group of it, with the shared units' results of a qualification they were transferred
    from; a learner reads their own, from released decisions only."""
    return await records.registration_record(session, p, learner_id, qualification_id)


@router.get(
    "/programmes/{programme_id}/tracking-grid",
    operation_id="getCohortTrackingGrid",
    response_model=schemas.CohortGrid,
)
async def get_grid(programme_id: uuid.UUID, session: Session, p: AssessmentsRead):
    """Learners × criteria with status, unit and qualification grades, in one request."""
    return await records.cohort_grid(session, p, programme_id)


@router.post(
    "/prior-learning/{prior_learning_id}/assessment",
    operation_id="assessPriorLearning",
    tags=["learner support"],
    response_model=programme_schemas.PriorLearning,
)
async def assess_prior_learning(
    prior_learning_id: uuid.UUID,
    body: programme_schemas.PriorLearningAssessment,
    session: Session,
    p: AssessmentsWrite,
    response: Response,
):
    """R-13: assessed against the unit's criteria, naming the learner's decision that used it."""
    row = await prior_learning.assess(session, p, prior_learning_id, body)
    set_etag(response, row.version)
    return row


@router.post(
    "/prior-learning/{prior_learning_id}/rejection",
    operation_id="rejectPriorLearning",
    tags=["learner support"],
    response_model=programme_schemas.PriorLearning,
)
async def reject_prior_learning(
    prior_learning_id: uuid.UUID,
    body: programme_schemas.PriorLearningRejection,
    session: Session,
    p: AssessmentsWrite,
    response: Response,
):
    """R-13: rejected as not current or not relevant, with the assessor's reason."""
    row = await prior_learning.reject(session, p, prior_learning_id, body)
    set_etag(response, row.version)
    return row
