"""REST for standardisation (R-45) and staff competence and CPD (R-46): thin endpoints over
app.standardisation's services."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query, Response

from app.auth.dependencies import require
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.core.concurrency import IfMatchHeader, set_etag
from app.core.db import Session
from app.core.idempotent import idempotent
from app.core.routing import DomainRouter
from app.standardisation import competence, schemas, service

router = DomainRouter(prefix="/v1", tags=["standardisation"])
StandardisationRead = Annotated[Principal, Depends(require(Scope.standardisation_read))]
StandardisationWrite = Annotated[Principal, Depends(require(Scope.standardisation_write))]
CpdRead = Annotated[Principal, Depends(require(Scope.cpd_read))]
CpdWrite = Annotated[Principal, Depends(require(Scope.cpd_write))]
StaffRead = Annotated[Principal, Depends(require(Scope.staff_read))]
CompetenceManage = Annotated[Principal, Depends(require(Scope.competence_manage))]


# ---- standardisation (R-45) ---------------------------------------------------------------------------


@router.post(
    "/standardisation-records",
    operation_id="recordStandardisation",
    response_model=schemas.StandardisationRecord,
    status_code=201,
)
@idempotent
async def record_standardisation(
    body: schemas.StandardisationCreate, session: Session, p: StandardisationWrite
):
    """R-45: a unit's standardisation for an academic year (meeting, attendees, sampled work, outcomes,
    arbitrations), by the programme's LIV only. Insert-only: a correction is a new record."""
    return await service.record_standardisation(session, p, body)


@router.get(
    "/standardisation-records",
    operation_id="listStandardisationRecords",
    response_model=list[schemas.StandardisationRecord],
)
async def list_standardisation(
    session: Session,
    p: StandardisationRead,
    programme_id: uuid.UUID | None = None,
    academic_year_id: uuid.UUID | None = None,
    unit_number: Annotated[int | None, Query(ge=1, le=999)] = None,
):
    return await service.list_standardisation(session, p, programme_id, academic_year_id, unit_number)


@router.get(
    "/standardisation-records/{record_id}",
    operation_id="getStandardisationRecord",
    response_model=schemas.StandardisationRecord,
)
async def get_standardisation(record_id: uuid.UUID, session: Session, p: StandardisationRead):
    return await service.get_standardisation(session, p, record_id)


@router.get(
    "/programmes/{programme_id}/standardisation-gaps",
    operation_id="getStandardisationGaps",
    response_model=schemas.StandardisationGaps,
)
async def standardisation_gaps(
    programme_id: uuid.UUID,
    session: Session,
    p: StandardisationRead,
    academic_year_id: uuid.UUID | None = None,
):
    """R-45: the internally assessed units of the programme's qualification with no standardisation
    record for the year (the programme's year by default)."""
    return await service.standardisation_gaps(session, p, programme_id, academic_year_id)


@router.get(
    "/programmes/{programme_id}/staff-competence",
    operation_id="getProgrammeStaffCompetence",
    response_model=schemas.CompetenceReport,
)
async def competence_report(
    programme_id: uuid.UUID,
    session: Session,
    p: StandardisationRead,
    academic_year_id: uuid.UUID | None = None,
):
    """R-46: the programme's assessors, IVs and LIV, the units they have no recorded expertise for, and
    their CPD hours in the year."""
    return await competence.competence_report(session, p, programme_id, academic_year_id)


# ---- CPD and competence (R-46) ------------------------------------------------------------------------


@router.post("/cpd-records", operation_id="recordCpd", response_model=schemas.CpdRecord, status_code=201)
@idempotent
async def record_cpd(body: schemas.CpdCreate, session: Session, p: CpdWrite):
    """R-46: a CPD activity: one's own, or anyone's by the HoC, QN or LIV. Insert-only."""
    return await competence.record_cpd(session, p, body)


@router.get("/cpd-records", operation_id="listCpdRecords", response_model=list[schemas.CpdRecord])
async def list_cpd(session: Session, p: CpdRead, staff_id: uuid.UUID | None = None):
    """One's own CPD; the HoC, QN and LIV read everyone's."""
    return await competence.list_cpd(session, p, staff_id)


@router.get("/cpd-records/{record_id}", operation_id="getCpdRecord", response_model=schemas.CpdRecord)
async def get_cpd(record_id: uuid.UUID, session: Session, p: CpdRead):
    return await competence.get_cpd(session, p, record_id)


@router.get(
    "/staff/{staff_id}/competence", operation_id="getStaffCompetence", response_model=schemas.StaffCompetence
)
async def get_competence(staff_id: uuid.UUID, session: Session, p: StaffRead, response: Response):
    """R-46: the subject areas and units a member of staff has the expertise for; 404 until recorded.
    The ETag is the version to change it with (putStaffCompetence)."""
    out = await competence.get_competence(session, p, staff_id)
    set_etag(response, out.version)
    return out


@router.put(
    "/staff/{staff_id}/competence", operation_id="putStaffCompetence", response_model=schemas.StaffCompetence
)
async def put_competence(
    staff_id: uuid.UUID,
    body: schemas.CompetenceWrite,
    session: Session,
    p: CompetenceManage,
    version: IfMatchHeader,
    response: Response,
):
    """R-46, by the HoC, QN or LIV; If-Match is needed to change a competence already recorded."""
    out = await competence.put_competence(session, p, staff_id, body, version)
    set_etag(response, out.version)
    return out
