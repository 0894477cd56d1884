"""Health, readiness and "who am I": what load balancers and the SPA ask first."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request
from pydantic import BaseModel
from sqlalchemy import select, text

from app.auth.dependencies import current_principal
from app.auth.principal import Principal
from app.centres.models import StaffMember
from app.core.db import Session
from app.core.errors import ProblemError
from app.core.routing import DomainRouter
from app.learners.models import Learner

router = DomainRouter(tags=["system"])


class Health(BaseModel):
    status: str


class NotReady(ProblemError):
    status, slug, title = 503, "not-ready", "Not ready"


@router.get("/health", operation_id="getHealth", response_model=Health)
async def health():
    """The process is up. Says nothing about the database (see /ready)."""
    return Health(status="ok")


@router.get("/ready", operation_id="getReadiness", response_model=Health)
async def ready(request: Request):
    """The database answers and its schema is at this build's head — or ahead of it, as during a
    rolling upgrade once the new release's migration Job has run (migrations stay backward compatible
    for one release, so the old pods keep serving until they are replaced)."""
    expected = request.app.state.schema_head
    try:
        async with request.app.state.sessionmaker() as session:
            current = (
                await session.execute(text("SELECT version_num FROM alembic_version"))
            ).scalar_one_or_none()
    except Exception as exc:  # any failure to reach the database means "not ready"
        raise NotReady(f"The database cannot be reached: {type(exc).__name__}.") from exc
    behind = current is None or (current != expected and current in request.app.state.known_revisions)
    if behind:
        raise NotReady(
            f"The database schema is at {current!r}, the service expects {expected!r}: run `verity migrate`."
        )
    return Health(status="ready")


class Me(BaseModel):
    subject: str
    centre_id: uuid.UUID
    roles: list[str]
    scopes: list[str]
    staff_member_id: uuid.UUID | None = None
    learner_id: uuid.UUID | None = None


@router.get("/v1/me", operation_id="getMe", response_model=Me)
async def me(session: Session, p: Annotated[Principal, Depends(current_principal)]):
    """The caller as Verity sees them: roles, scopes, and their staff or learner record."""
    staff_id = (
        await session.execute(
            select(StaffMember.id).where(
                StaffMember.centre_id == p.centre_id, StaffMember.idp_subject == p.subject
            )
        )
    ).scalar_one_or_none()
    learner_id = (
        await session.execute(
            select(Learner.id).where(Learner.centre_id == p.centre_id, Learner.idp_subject == p.subject)
        )
    ).scalar_one_or_none()
    return Me(
        subject=p.subject,
        centre_id=p.centre_id,
        roles=sorted(p.roles),
        scopes=sorted(p.scopes),
        staff_member_id=staff_id,
        learner_id=learner_id,
    )
