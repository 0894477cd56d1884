"""REST for the centre calendar: thin endpoints over app.calendars.service."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query, Response

from app.auth.dependencies import CentreRead, require
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.calendars import schemas, service
from app.calendars.schemas import DATE_RANGE, BoundedDate
from app.core.concurrency import IfMatchHeader, set_etag
from app.core.db import Session
from app.core.idempotent import idempotent
from app.core.pagination import Cursor, Limit, Page
from app.core.routing import DomainRouter

router = DomainRouter(prefix="/v1", tags=["calendar"])
CalendarManage = Annotated[Principal, Depends(require(Scope.calendar_manage))]
# Query dates: a bounded range (see schemas.CalendarDate), so every working-day count is computable.
QueryDate = Annotated[BoundedDate | None, Query(description=DATE_RANGE)]


@router.get("/academic-years", operation_id="listAcademicYears", response_model=Page[schemas.AcademicYear])
async def list_academic_years(session: Session, p: CentreRead, limit: Limit = 50, cursor: Cursor = None):
    items, next_cursor = await service.list_academic_years(session, p, limit, cursor)
    return Page[schemas.AcademicYear](items=items, next_cursor=next_cursor)


@router.post(
    "/academic-years", operation_id="createAcademicYear", response_model=schemas.AcademicYear, status_code=201
)
@idempotent
async def create_academic_year(
    body: schemas.AcademicYearCreate, session: Session, p: CalendarManage, response: Response
):
    """An academic year and its term dates; years of a centre may not overlap."""
    year = await service.create_academic_year(session, p, body)
    set_etag(response, year.version)
    return year


@router.get(
    "/academic-years/{academic_year_id}", operation_id="getAcademicYear", response_model=schemas.AcademicYear
)
async def get_academic_year(academic_year_id: uuid.UUID, session: Session, p: CentreRead, response: Response):
    year = await service.get_academic_year(session, p, academic_year_id)
    set_etag(response, year.version)
    return year


@router.patch(
    "/academic-years/{academic_year_id}",
    operation_id="updateAcademicYear",
    response_model=schemas.AcademicYear,
)
async def update_academic_year(
    academic_year_id: uuid.UUID,
    body: schemas.AcademicYearUpdate,
    session: Session,
    p: CalendarManage,
    version: IfMatchHeader,
    response: Response,
):
    """`terms`, when given, replaces all of the year's terms."""
    year = await service.update_academic_year(session, p, academic_year_id, body, version)
    set_etag(response, year.version)
    return year


@router.get("/closures", operation_id="listClosures", response_model=Page[schemas.Closure])
async def list_closures(
    session: Session,
    p: CentreRead,
    limit: Limit = 50,
    cursor: Cursor = None,
    from_date: QueryDate = None,
    to_date: QueryDate = None,
):
    items, next_cursor = await service.list_closures(session, p, limit, cursor, from_date, to_date)
    return Page[schemas.Closure](items=items, next_cursor=next_cursor)


@router.post("/closures", operation_id="createClosure", response_model=schemas.Closure, status_code=201)
@idempotent
async def create_closure(body: schemas.ClosureCreate, session: Session, p: CalendarManage):
    """A day the centre is closed: no working-day deadline counts it (R-31)."""
    return await service.create_closure(session, p, body)


@router.delete("/closures/{closure_id}", operation_id="deleteClosure", status_code=204)
async def delete_closure(closure_id: uuid.UUID, session: Session, p: CalendarManage):
    await service.delete_closure(session, p, closure_id)
    return Response(status_code=204)


@router.get("/working-days", operation_id="addWorkingDays", response_model=schemas.WorkingDays)
async def add_working_days(
    session: Session,
    p: CentreRead,
    start: Annotated[BoundedDate, Query(description=DATE_RANGE)],
    days: Annotated[int, Query(ge=-260, le=260, description="Working days to add.")],
):
    """The date `days` working days after `start` (before it when negative) in the centre's calendar, by
    the definition every deadline uses (R-31): working days are weekdays inside the centre's terms, so
    the holidays between terms, the nation's public holidays and the centre's closures do not count.
    Counting starts the day after `start`; `days=0` gives `start` or the next working day. A count that
    runs past the centre's last (or first) term is refused with a problem naming R-31."""
    return await service.working_days(session, p, start, days)
