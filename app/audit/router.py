"""Reading the audit log and checking its chain (R-96): for the HoC and the Quality Nominee."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from app.audit import schemas, service
from app.auth.dependencies import AuditRead
from app.core.db import Session
from app.core.pagination import Cursor, Limit, Page
from app.core.routing import DomainRouter
from app.core.schemas import FILTER_PATTERN

router = DomainRouter(prefix="/v1", tags=["audit"])


@router.get("/audit-events", operation_id="listAuditEvents", response_model=Page[schemas.AuditEvent])
async def list_audit_events(
    session: Session,
    p: AuditRead,
    limit: Limit = 50,
    cursor: Cursor = None,
    subject_type: Annotated[str | None, Query(max_length=60, pattern=FILTER_PATTERN)] = None,
    subject_id: Annotated[str | None, Query(max_length=100, pattern=FILTER_PATTERN)] = None,
):
    """The centre's audit trail in the order it was written."""
    items, next_cursor = await service.list_events(
        session, p.centre_id, limit, cursor, subject_type, subject_id
    )
    return Page[schemas.AuditEvent](items=items, next_cursor=next_cursor)


@router.get("/audit/verification", operation_id="verifyAuditChain", response_model=schemas.ChainReport)
async def verify_audit_chain(
    session: Session,
    p: AuditRead,
    limit: Annotated[
        int, Query(ge=1, le=service.CHAIN_WINDOW_MAX, description="Links to check in this window.")
    ] = service.CHAIN_WINDOW,
    cursor: Cursor = None,
):
    """Recompute a window of the centre's hash chain (`limit` links after `cursor`) and report the
    first broken link, if any. Walking the windows by `next_cursor` checks every link once; each window
    costs the same whatever the chain's length."""
    return await service.verify_window(session, p.centre_id, limit, cursor)
