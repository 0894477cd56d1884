"""What a person does with the record (R-97, R-98): the QN's subject access, identity corrections and
legal holds; a learner's reading of their own full record."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.assessment import repository as assessment_repo
from app.assessment.models import DecisionVersion
from app.assessment.storage import EvidenceStore
from app.auth.principal import Principal
from app.core import clock
from app.core.errors import NotFound, RuleViolation, field_problem
from app.core.visibility import get_visible
from app.events.write import Change, recorded
from app.learners import events as learner_events
from app.learners import repository as learner_repo
from app.learners import schemas as learner_schemas
from app.learners.models import Learner
from app.programmes import repository as programme_repo
from app.records import schemas, subject_access
from app.records.events import LegalHoldReleased, LegalHoldSet
from app.records.models import LegalHold, SubjectAccessRequest


async def _learner(session: AsyncSession, p: Principal, learner_id: uuid.UUID) -> Learner:
    return await get_visible(session, learner_repo.learners(p), Learner, learner_id, "learner")


async def produce_subject_access(
    session: AsyncSession, p: Principal, learner_id: uuid.UUID, store: EvidenceStore
) -> tuple[SubjectAccessRequest, bytes]:
    await _learner(session, p, learner_id)
    return await subject_access.fulfil(session, p, learner_id, store)


async def list_subject_access(
    session: AsyncSession, p: Principal, learner_id: uuid.UUID | None
) -> list[SubjectAccessRequest]:
    stmt = select(SubjectAccessRequest).where(SubjectAccessRequest.centre_id == p.centre_id)
    if learner_id is not None:
        stmt = stmt.where(SubjectAccessRequest.learner_id == learner_id)
    return list(
        (
            await session.scalars(stmt.order_by(SubjectAccessRequest.requested_at, SubjectAccessRequest.id))
        ).all()
    )


async def correct_identity(
    session: AsyncSession, p: Principal, learner_id: uuid.UUID, body: schemas.IdentityCorrectionIn
) -> Learner:
    """R-98: the learner's identity data corrected; the audit row keeps the old value and the reason."""
    learner = await _learner(session, p, learner_id)
    changes = body.model_dump(exclude_unset=True, exclude={"reason"}, exclude_none=True)
    if not changes:
        raise RuleViolation(
            "A correction changes at least one of given_name, family_name, date_of_birth.",
            errors=[field_problem("given_name", "R-98", "nothing to correct")],
        )
    before = learner_schemas.Learner.model_validate(learner)
    for name, value in changes.items():
        setattr(learner, name, value)
    await session.flush()
    after = learner_schemas.Learner.model_validate(learner)
    event = learner_events.LearnerUpdated(before=before, after=after)
    audit_after = {**after.model_dump(mode="json"), "correction_reason": body.reason}
    await recorded(
        session,
        p,
        Change(
            event,
            "learner",
            learner.id,
            before=before,
            after=audit_after,
            action="learner.identity_corrected",
        ),
    )
    return learner


async def set_legal_hold(session: AsyncSession, p: Principal, body: schemas.LegalHoldIn) -> LegalHold:
    if body.learner_id is not None:
        await _learner(session, p, body.learner_id)
    hold = LegalHold(centre_id=p.centre_id, learner_id=body.learner_id, reason=body.reason, set_by=p.subject)
    session.add(hold)
    await session.flush()
    await recorded(session, p, Change.created(LegalHoldSet.of(hold), "legal_hold", hold.id))
    return hold


async def release_legal_hold(session: AsyncSession, p: Principal, hold_id: uuid.UUID) -> LegalHold:
    hold = await session.get(LegalHold, hold_id)
    if hold is None or hold.centre_id != p.centre_id:
        raise NotFound(f"No legal hold {hold_id}.")
    if hold.released_at is not None:
        raise RuleViolation(
            "This legal hold is already released.",
            errors=[field_problem("released_at", "R-97", "already released")],
        )
    before = schemas.LegalHold.model_validate(hold)
    hold.released_at, hold.released_by = clock.now(), p.subject
    await session.flush()
    after = schemas.LegalHold.model_validate(hold)
    await recorded(
        session, p, Change.changed(LegalHoldReleased(before=before, after=after), "legal_hold", hold.id)
    )
    return hold


async def list_legal_holds(
    session: AsyncSession, p: Principal, learner_id: uuid.UUID | None
) -> list[LegalHold]:
    stmt = select(LegalHold).where(LegalHold.centre_id == p.centre_id)
    if learner_id is not None:
        stmt = stmt.where(LegalHold.learner_id == learner_id)
    return list((await session.scalars(stmt.order_by(LegalHold.created_at, LegalHold.id))).all())


async def own_record(session: AsyncSession, p: Principal) -> schemas.OwnRecord:
    """The learner's own record (R-98), through the same visibility every other read uses: their own
    row, only released decisions at their released version (R-25), their own support."""
    learner = (
        await session.scalars(learner_repo.learners(p).where(Learner.idp_subject == p.subject))
    ).first()
    if learner is None:
        raise NotFound("No learner record is linked to this sign-in.")
    decisions = []
    for d in (await session.scalars(assessment_repo.decisions(p))).all():
        if d.learner_id != learner.id or d.released_version is None:
            continue
        v = await session.get(DecisionVersion, (d.id, d.released_version))
        if v is None:
            continue
        decisions.append(
            schemas.OwnDecision(
                decision_id=d.id,
                brief_id=d.brief_id,
                attempt_kind=d.attempt_kind,
                released_at=d.released_at,
                version=v.number,
                assessed_on=v.assessed_on,
                feedback=v.feedback,
                criteria_achieved=[c["code"] for c in v.criteria if c.get("achieved")],
            )
        )
    support = [
        schemas.OwnSupport(
            id=a.id, kind="reasonable_adjustment", description=a.adjustment, status=None, on=a.agreed_on
        )
        for a in (await session.scalars(programme_repo.reasonable_adjustments(p))).all()
        if a.learner_id == learner.id
    ] + [
        schemas.OwnSupport(
            id=c.id,
            kind="special_consideration",
            description=c.circumstances,
            status=c.status,
            on=c.applied_on,
        )
        for c in (await session.scalars(programme_repo.special_considerations(p))).all()
        if c.learner_id == learner.id
    ]
    return schemas.OwnRecord(
        learner_id=learner.id,
        given_name=learner.given_name,
        family_name=learner.family_name,
        date_of_birth=learner.date_of_birth,
        candidate_number=learner.candidate_number,
        uln=learner.uln,
        decisions=decisions,
        support=support,
    )
