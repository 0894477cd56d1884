"""REST for internal verification: thin endpoints over app.verification's services (and the batch
release of app.assessment.decisions)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query, Response

from app.assessment import decisions
from app.auth.dependencies import require
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.core.concurrency import IfMatchHeader, set_etag
from app.core.db import Session
from app.core.idempotent import idempotent
from app.core.pagination import Cursor
from app.core.replica import ReadSession
from app.core.routing import DomainRouter
from app.core.schemas import FILTER_PATTERN
from app.verification import arbitration, coverage, draws, livs, plans, records, schemas

router = DomainRouter(prefix="/v1", tags=["verification"])
VerificationRead = Annotated[Principal, Depends(require(Scope.verification_read))]
VerificationWrite = Annotated[Principal, Depends(require(Scope.verification_write))]
IvPlansManage = Annotated[Principal, Depends(require(Scope.iv_plans_manage))]
LivsManage = Annotated[Principal, Depends(require(Scope.livs_manage))]
DecisionsRelease = Annotated[Principal, Depends(require(Scope.decisions_release))]


def _tagged(response: Response, item):
    set_etag(response, item.version)
    return item


# ---- samples and the state of a brief's IV ------------------------------------------------------------


@router.post(
    "/assignment-briefs/{brief_id}/iv-samples",
    operation_id="drawIvSample",
    response_model=schemas.Sample,
    status_code=201,
)
@idempotent
async def draw_sample(
    brief_id: uuid.UUID, body: schemas.SampleCreate, session: Session, p: VerificationWrite
):
    """R-42: the service draws the sample with its own seed: stratified (every assessor, grade, site,
    assessment method and support need), weighted to risk, reproducible from the stored seed. The
    brief's first draw is official; once drawn, a verifier draws again only when decisions were
    submitted since (same seed), and a redraw with a fresh seed needs the programme's LIV and a
    `reason` (422 rule-violation otherwise). Every draw is kept; the new one becomes official."""
    return await draws.draw_sample(session, p, brief_id, body)


@router.get(
    "/assignment-briefs/{brief_id}/iv-samples",
    operation_id="listBriefIvSamples",
    response_model=list[schemas.Sample],
)
async def list_samples(brief_id: uuid.UUID, session: Session, p: VerificationRead):
    """R-42: every draw of the brief's sample, first to last; the last is the official one."""
    return await draws.list_samples(session, p, brief_id)


@router.get(
    "/assignment-briefs/{brief_id}/iv-samples/latest",
    operation_id="getLatestIvSample",
    response_model=schemas.Sample | None,
)
async def latest_sample(brief_id: uuid.UUID, session: Session, p: VerificationRead):
    """R-42: the brief's official draw (its latest), the one the R-25 release gate reads; null before
    the first draw."""
    return await draws.official_sample(session, p, brief_id)


@router.get("/iv-samples/{sample_id}", operation_id="getIvSample", response_model=schemas.Sample)
async def get_sample(sample_id: uuid.UUID, session: Session, p: VerificationRead):
    return await draws.get_sample(session, p, sample_id)


@router.get(
    "/assignment-briefs/{brief_id}/iv-status",
    operation_id="getBriefIvStatus",
    response_model=schemas.IvStatus,
)
async def iv_status(brief_id: uuid.UUID, session: Session, p: VerificationRead):
    """R-25: whether the brief's decisions may be released, with every reason they may not yet."""
    return await records.iv_status(session, p, brief_id)


@router.get(
    "/assignment-briefs/{brief_id}/iv-records",
    operation_id="listBriefIvRecords",
    response_model=list[schemas.IvRecord],
)
async def brief_records(brief_id: uuid.UUID, session: Session, p: VerificationRead):
    """The brief's own IV (R-21) and its decisions' IV (R-43), in one record shape."""
    return await records.brief_iv_records(session, p, brief_id)


@router.post(
    "/assignment-briefs/{brief_id}/release-decisions",
    operation_id="releaseBriefDecisions",
    response_model=schemas.BatchRelease,
)
async def release_decisions(brief_id: uuid.UUID, session: Session, p: DecisionsRelease):
    """R-25: every decision of the brief submitted for IV, released at once once IV is complete; one
    `assessment_decision.released` event per learner. Refused with each reason before that."""
    released = await decisions.release_brief(session, p, brief_id)
    return schemas.BatchRelease(brief_id=brief_id, released=released)


# ---- IV records and remedial actions ------------------------------------------------------------------


@router.post("/iv-records", operation_id="createIvRecord", response_model=schemas.IvRecord, status_code=201)
@idempotent
async def create_record(
    body: schemas.IvRecordCreate, session: Session, p: VerificationWrite, response: Response
):
    """R-43 agree/disagree with per-criterion comments, feedback and actions; R-44 never one's own."""
    return _tagged(response, await records.record_iv(session, p, body))


@router.get("/iv-records/{record_id}", operation_id="getIvRecord", response_model=schemas.IvRecord)
async def get_record(record_id: uuid.UUID, session: Session, p: VerificationRead, response: Response):
    return _tagged(response, await records.get_iv_record(session, p, record_id))


@router.post(
    "/iv-records/{record_id}/amendment", operation_id="amendIvRecord", response_model=schemas.IvRecord
)
async def amend_record(
    record_id: uuid.UUID,
    body: schemas.IvRecordAmendment,
    session: Session,
    p: VerificationWrite,
    version: IfMatchHeader,
    response: Response,
):
    """House rule 6: a new version with a reason (e.g. agreeing once the decision was reassessed)."""
    return _tagged(response, await records.amend_iv(session, p, record_id, body, version))


@router.get(
    "/iv-records/{record_id}/versions",
    operation_id="listIvRecordVersions",
    response_model=list[schemas.IvRecordVersion],
)
async def record_versions(record_id: uuid.UUID, session: Session, p: VerificationRead):
    return await records.iv_record_versions(session, p, record_id)


@router.post(
    "/iv-records/{record_id}/arbitrations",
    operation_id="arbitrateIvDisagreement",
    response_model=schemas.Arbitration,
    status_code=201,
)
@idempotent
async def arbitrate(
    record_id: uuid.UUID, body: schemas.ArbitrationCreate, session: Session, p: VerificationWrite
):
    """R-45: the programme's LIV rules on the disagreement in the IV record's current version: with the
    assessor (the decision stands), with the IV, or another judgement, with the reasoning."""
    return await arbitration.arbitrate(session, p, record_id, body)


@router.get(
    "/iv-records/{record_id}/arbitrations",
    operation_id="listIvArbitrations",
    response_model=list[schemas.Arbitration],
)
async def list_arbitrations(record_id: uuid.UUID, session: Session, p: VerificationRead):
    """R-45: the LIV's arbitrations of the IV record's disagreements, oldest first."""
    return await arbitration.arbitrations(session, p, record_id)


@router.get(
    "/iv-remedial-actions", operation_id="listIvRemedialActions", response_model=list[schemas.RemedialAction]
)
async def list_actions(
    session: Session,
    p: VerificationRead,
    brief_id: uuid.UUID | None = None,
    programme_id: uuid.UUID | None = None,
    status: schemas.ActionStatus | None = None,
):
    return await records.list_actions(
        session, p, brief_id=brief_id, programme_id=programme_id, status=status.value if status else None
    )


@router.post(
    "/iv-remedial-actions/{action_id}/closure",
    operation_id="closeIvRemedialAction",
    response_model=schemas.RemedialAction,
)
async def close_action(
    action_id: uuid.UUID,
    body: schemas.ActionClosure,
    session: Session,
    p: VerificationWrite,
    response: Response,
):
    """R-43: closed when done, by the programme's IV or LIV, with what was done."""
    return _tagged(
        response,
        schemas.RemedialAction.model_validate(await records.close_action(session, p, action_id, body)),
    )


# ---- coverage and the LIV dashboard (R-42) ------------------------------------------------------------


@router.get(
    "/programmes/{programme_id}/iv-coverage", operation_id="getIvCoverage", response_model=schemas.Coverage
)
async def get_coverage(programme_id: uuid.UUID, session: ReadSession, p: VerificationRead):
    """R-42: assessors, units, criteria, sites and briefs touched by IV this year, and those not yet."""
    return await coverage.coverage(session, p, programme_id)


@router.get("/iv-dashboard", operation_id="getLivDashboard", response_model=schemas.LivDashboard)
async def dashboard(
    session: ReadSession,
    p: VerificationRead,
    academic_year_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=coverage.DASHBOARD_MAX, description="Programmes on the page.")] = (
        coverage.DASHBOARD_PAGE
    ),
    cursor: Cursor = None,
):
    """The LIV's programmes (the centre's for HoC/QN), a page of programmes at a time (`next_cursor`):
    open and overdue actions, overdue IV, briefs waiting for IV with their reasons, coverage."""
    return await coverage.liv_dashboard(session, p, academic_year_id, limit=limit, cursor=cursor)


# ---- LIVs, IV plans, schedule (R-40, R-41) -----------------------------------------------------------


@router.get(
    "/academic-years/{academic_year_id}/liv-gaps",
    operation_id="listLivGaps",
    response_model=list[schemas.LivGap],
)
async def liv_gaps(academic_year_id: uuid.UUID, session: Session, p: VerificationRead):
    """R-40: the subject areas with programmes in the year and no accredited LIV for it (appointed,
    registered with the awarding body and standardised for the year); certification reads it."""
    return await livs.liv_gaps(session, p, academic_year_id)


@router.post(
    "/liv-appointments", operation_id="appointLiv", response_model=schemas.LivAppointment, status_code=201
)
@idempotent
async def appoint_liv(
    body: schemas.LivAppointmentCreate, session: Session, p: LivsManage, response: Response
):
    """R-40: one LIV per subject area; a new appointment ends the current one."""
    return _tagged(response, schemas.LivAppointment.model_validate(await plans.appoint_liv(session, p, body)))


@router.get(
    "/liv-appointments", operation_id="listLivAppointments", response_model=list[schemas.LivAppointment]
)
async def list_livs(
    session: Session,
    p: VerificationRead,
    subject_area: Annotated[str | None, Query(max_length=100, pattern=FILTER_PATTERN)] = None,
):
    return await plans.list_livs(session, p, subject_area)


@router.post(
    "/liv-appointments/{appointment_id}/annual-records",
    operation_id="createLivAnnualRecord",
    response_model=schemas.LivAnnualRecord,
    status_code=201,
)
@idempotent
async def add_annual_record(
    appointment_id: uuid.UUID, body: schemas.LivAnnualRecordCreate, session: Session, p: LivsManage
):
    """R-40: this year's registration with the awarding body and standardisation."""
    return await plans.add_annual_record(session, p, appointment_id, body)


@router.get(
    "/liv-appointments/{appointment_id}/annual-records",
    operation_id="listLivAnnualRecords",
    response_model=list[schemas.LivAnnualRecord],
)
async def annual_records(appointment_id: uuid.UUID, session: Session, p: VerificationRead):
    return await plans.annual_records(session, p, appointment_id)


@router.get("/programmes/{programme_id}/iv-plan", operation_id="getIvPlan", response_model=schemas.IvPlan)
async def get_plan(programme_id: uuid.UUID, session: Session, p: VerificationRead, response: Response):
    """R-42: the programme's written sampling strategy and rates, and whether this version is signed off;
    404 until its LIV writes one. The ETag is the version to change it with (putIvPlan)."""
    return _tagged(response, await plans.get_plan(session, p, programme_id))


@router.put("/programmes/{programme_id}/iv-plan", operation_id="putIvPlan", response_model=schemas.IvPlan)
async def put_plan(
    programme_id: uuid.UUID,
    body: schemas.IvPlanWrite,
    session: Session,
    p: IvPlansManage,
    version: IfMatchHeader,
    response: Response,
):
    """R-42's written strategy (rates per programme and assessor, new assessors), by the programme's
    LIV; If-Match is needed to change an existing plan, which must then be signed off again."""
    return _tagged(response, await plans.put_plan(session, p, programme_id, body, version))


@router.get(
    "/programmes/{programme_id}/iv-schedule", operation_id="getIvSchedule", response_model=schemas.IvSchedule
)
async def get_schedule(programme_id: uuid.UUID, session: Session, p: VerificationRead):
    """R-41: the annual IV schedule linked to the assessment plan, with the plan and its sign-offs."""
    return await plans.get_schedule(session, p, programme_id)


@router.post(
    "/programmes/{programme_id}/iv-schedule/entries",
    operation_id="assignIvScheduleEntry",
    response_model=schemas.IvSchedule,
)
async def assign_schedule(
    programme_id: uuid.UUID, body: schemas.ScheduleAssignment, session: Session, p: IvPlansManage
):
    return await plans.assign_schedule(session, p, programme_id, body)


@router.post(
    "/programmes/{programme_id}/iv-plan/sign-offs",
    operation_id="signOffIvPlan",
    response_model=schemas.SignOff,
    status_code=201,
)
@idempotent
async def sign_off(programme_id: uuid.UUID, body: schemas.SignOffCreate, session: Session, p: IvPlansManage):
    """By the programme's LIV only; names the plan version signed."""
    return await plans.sign_off(session, p, programme_id, body)
