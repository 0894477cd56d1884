"""REST for the qualification catalogue and grade predictions: thin endpoints over the service."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

from fastapi import Depends, Query, Request, Response

from app.auth.dependencies import QualificationsManage, QualificationsRead
from app.core.db import Session
from app.core.errors import ValidationFailed, field_problem
from app.core.idempotent import idempotent
from app.core.pagination import Cursor, Limit, Page
from app.core.routing import DomainRouter
from app.core.schemas import FILTER_PATTERN
from app.qualifications import schemas, service

router = DomainRouter(prefix="/v1", tags=["qualifications"])
# The published JSON Schema of a specification file, in the OpenAPI components (see app/core/openapi.py).
SPEC_SCHEMA = "QualificationSpecification"


async def json_document(request: Request) -> Any:
    """The raw JSON body: the specification checker, not FastAPI, reports what is wrong with it."""
    try:
        return json.loads(await request.body())
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed(
            "The body is not JSON.", errors=[field_problem("body", "json_invalid", str(exc))]
        ) from exc


@router.get(
    "/qualifications", operation_id="listQualifications", response_model=Page[schemas.QualificationSummary]
)
async def list_qualifications(
    session: Session,
    p: QualificationsRead,
    limit: Limit = 50,
    cursor: Cursor = None,
    key: Annotated[str | None, Query(max_length=100, pattern=FILTER_PATTERN)] = None,
    awarding_body: Annotated[str | None, Query(max_length=20, pattern=FILTER_PATTERN)] = None,
    all_versions: Annotated[bool, Query(description="Every version, not only the latest of each.")] = False,
):
    """The shipped catalogue and the centre's own imports."""
    items, next_cursor = await service.list_qualifications(
        session, p, limit, cursor, key=key, awarding_body=awarding_body, all_versions=all_versions
    )
    return Page[schemas.QualificationSummary](items=items, next_cursor=next_cursor)


@router.post(
    "/qualifications",
    operation_id="importQualification",
    response_model=schemas.QualificationDetail,
    status_code=201,
    responses={
        200: {"model": schemas.QualificationDetail, "description": "This exact version was already imported."}
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": (
                "A specification (docs/qualification-files.md) as JSON. The schema gives its shape; the "
                "rules it cannot express (unique codes, known outcomes, a gapless grade table…) are "
                "checked too, and every problem is listed at once."
            ),
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{SPEC_SCHEMA}"}}},
        }
    },
)
@idempotent
async def import_qualification(
    session: Session,
    p: QualificationsManage,
    response: Response,
    document: Annotated[Any, Depends(json_document)],
):
    """Import a specification version for this centre. A bad file is refused whole, every problem listed."""
    row, created = await service.import_specification(session, p, document, p.centre_id)
    if not created:
        response.status_code = 200
    return service.detail(row)


@router.get(
    "/qualifications/{qualification_id}",
    operation_id="getQualification",
    response_model=schemas.QualificationDetail,
)
async def get_qualification(qualification_id: uuid.UUID, session: Session, p: QualificationsRead):
    """Units, learning outcomes, criteria and their grouping into assignments, points and grade table."""
    return await service.get_qualification(session, p, qualification_id)


@router.post(
    "/qualifications/{qualification_id}/predictions",
    operation_id="predictQualificationGrade",
    response_model=schemas.QualificationPrediction,
)
async def predict(
    qualification_id: uuid.UUID, body: schemas.PredictionRequest, session: Session, p: QualificationsRead
):
    """What-if: the qualification grade and its breakdown from unit grades or criteria achieved. Stores nothing."""
    return await service.predict(session, p, qualification_id, body)
