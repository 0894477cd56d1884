"""REST for learners: thin endpoints over app.learners.service."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Response

from app.auth.dependencies import LearnersRead, LearnersWrite
from app.core.concurrency import IfMatchHeader, set_etag
from app.core.db import Session
from app.core.idempotent import idempotent
from app.core.pagination import Cursor, Limit, Page
from app.core.routing import DomainRouter
from app.core.schemas import FILTER_PATTERN
from app.learners import schemas, service

router = DomainRouter(prefix="/v1", tags=["learners"])


@router.get("/learners", operation_id="listLearners", response_model=Page[schemas.Learner])
async def list_learners(
    session: Session,
    p: LearnersRead,
    limit: Limit = 50,
    cursor: Cursor = None,
    family_name: Annotated[
        str | None, Query(max_length=100, pattern=FILTER_PATTERN, description="Case-insensitive prefix.")
    ] = None,
    candidate_number: Annotated[str | None, Query(max_length=20, pattern=FILTER_PATTERN)] = None,
    mis_id: Annotated[str | None, Query(max_length=64, pattern=FILTER_PATTERN)] = None,
    uln: Annotated[str | None, Query(max_length=10, pattern=FILTER_PATTERN)] = None,
):
    """Staff see the centre's learners; a learner sees only their own record."""
    items, next_cursor = await service.list_learners(
        session,
        p,
        limit,
        cursor,
        family_name=family_name,
        candidate_number=candidate_number,
        mis_id=mis_id,
        uln=uln,
    )
    return Page[schemas.Learner](items=items, next_cursor=next_cursor)


@router.post("/learners", operation_id="createLearner", response_model=schemas.Learner, status_code=201)
@idempotent
async def create_learner(body: schemas.LearnerCreate, session: Session, p: LearnersWrite, response: Response):
    learner = await service.create_learner(session, p, body)
    set_etag(response, learner.version)
    return learner


@router.get("/learners/{learner_id}", operation_id="getLearner", response_model=schemas.Learner)
async def get_learner(learner_id: uuid.UUID, session: Session, p: LearnersRead, response: Response):
    learner = await service.get_learner(session, p, learner_id)
    set_etag(response, learner.version)
    return learner


@router.patch("/learners/{learner_id}", operation_id="updateLearner", response_model=schemas.Learner)
async def update_learner(
    learner_id: uuid.UUID,
    body: schemas.LearnerUpdate,
    session: Session,
    p: LearnersWrite,
    version: IfMatchHeader,
    response: Response,
):
    learner = await service.update_learner(session, p, learner_id, body, version)
    set_etag(response, learner.version)
    return learner
