"""REST for the MIS bulk sync and CSV class lists: thin endpoints over app.sync.service."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.responses import JSONResponse

from app.auth.dependencies import LearnersWrite, authorize, require
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.calendars.schemas import DATE_RANGE, BoundedDate
from app.core.db import Session
from app.core.errors import ValidationFailed, field_problem
from app.core.idempotency import IdempotencyKeyHeader
from app.core.routing import DomainRouter
from app.sync import class_list, schemas, service

router = DomainRouter(prefix="/v1", tags=["sync"])
MisSyncer = Annotated[Principal, Depends(require(Scope.mis_sync))]


async def _read_capped(request: Request, limit: int) -> bytes:
    """At most `limit` bytes: an oversized upload is refused by the parser without being held whole."""
    chunks, size = [], 0
    async for chunk in request.stream():
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(chunks)[:limit]


def _answer(answer: dict, replayed: bool) -> JSONResponse:
    return JSONResponse(answer, headers={"Idempotent-Replayed": "true"} if replayed else None)


@router.post("/sync/mis", operation_id="syncMis", response_model=schemas.SyncResult)
async def sync_mis(
    body: schemas.MisSync, session: Session, p: MisSyncer, idempotency_key: IdempotencyKeyHeader = None
):
    """Upsert up to 10,000 learners and enrolments keyed by the MIS's own ids, all or nothing: one bad
    record refuses the batch and `errors[]` names every bad record and field (`body.learners.17.uln`).
    Each record's result is `created`, `updated` or `unchanged`. With `Idempotency-Key`, a retry of the
    same request replays the first answer (header `Idempotent-Replayed: true`)."""
    return _answer(*await service.sync_mis(session, p, body, idempotency_key))


@router.post(
    "/class-list-imports",
    operation_id="importLearnersCsv",
    response_model=schemas.SyncResult,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {
                    "schema": {
                        "type": "string",
                        "description": "UTF-8 CSV with a header row: mis_id, given_name, family_name, "
                        "date_of_birth (required), candidate_number, uln, email.",
                    }
                }
            },
        }
    },
)
async def import_learners_csv(
    request: Request,
    session: Session,
    p: LearnersWrite,
    idempotency_key: IdempotencyKeyHeader = None,
    programme_id: Annotated[
        uuid.UUID | None, Query(description="Also enrol every learner on this programme.")
    ] = None,
    enrolled_on: Annotated[BoundedDate | None, Query(description=f"With programme_id. {DATE_RANGE}")] = None,
    identity_checked: Annotated[bool, Query(description="R-12, with programme_id: must be true.")] = False,
):
    """A class list for centres without an MIS integration: the same checks and the same all-or-nothing
    answer as the MIS sync (fields are named `body.learners.<data row from 0>.<column>`)."""
    if programme_id is not None:
        authorize(p, Scope.programmes_write)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "text/csv":
        raise ValidationFailed(
            "Send the class list as text/csv.",
            errors=[field_problem("header.content-type", "unsupported_media_type", "must be text/csv")],
        )
    raw = await _read_capped(request, class_list.MAX_BYTES + 1)
    return _answer(
        *await service.import_class_list(
            session,
            p,
            raw,
            programme_id=programme_id,
            enrolled_on=enrolled_on,
            identity_checked=identity_checked,
            idempotency_key=idempotency_key,
        )
    )
