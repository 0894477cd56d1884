"""R-52: the QN grants a named verifier read access to one sample until an expiry, and can revoke it at
once; the verifier reads exactly that sample (app/standards_verification/verifier.py) and every read is
on the record, which the QN lists here."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AuditEvent
from app.auth.principal import Principal
from app.core import clock
from app.core.config import Settings
from app.core.errors import RuleViolation, ValidationFailed, field_problem
from app.core.ids import uuid7
from app.core.visibility import get_visible
from app.events.write import Change, recorded
from app.standards_verification import events, repository, schemas
from app.standards_verification.access import live, new_token
from app.standards_verification.models import Grant, Sample
from app.standards_verification.service import get_sample_row

MAX_GRANT_DAYS = 120


def issuers(settings: Settings) -> list[str]:
    """Who may vouch for a verifier's subject: the awarding body's configured issuer and the centre's."""
    return [i for i in (settings.sv_jwt_issuer, settings.jwt_issuer) if i]


def grant_out(row: Grant) -> schemas.Grant:
    return schemas.Grant(
        id=row.id,
        sample_id=row.sample_id,
        verifier_name=row.verifier_name,
        issuer=row.issuer,
        subject=row.subject,
        has_token=row.token_hash is not None,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        revoked_by=row.revoked_by,
        granted_by=row.granted_by,
        live=live(row),
    )


async def create_grant(
    session: AsyncSession,
    p: Principal,
    sample_id: uuid.UUID,
    data: schemas.GrantCreate,
    issuers: list[str],
) -> schemas.IssuedGrant:
    """`issuers`: the awarding body's configured issuer (if any) and the centre's own."""
    sample = await get_sample_row(session, p, sample_id)
    problems = []
    expires = data.expires_at
    if expires.tzinfo is None:
        problems.append(field_problem("body.expires_at", "timezone", "give the time zone (e.g. Z)"))
    elif expires <= clock.now():
        problems.append(field_problem("body.expires_at", "R-52", "a grant expires in the future"))
    elif (expires - clock.now()).days > MAX_GRANT_DAYS:
        problems.append(field_problem("body.expires_at", "R-52", f"at most {MAX_GRANT_DAYS} days ahead"))
    if (data.issuer is None) != (data.subject is None):
        problems.append(field_problem("body.subject", "R-52", "an issuer and a subject go together"))
    if data.issuer is not None and data.issuer not in issuers:
        problems.append(field_problem("body.issuer", "R-52", "not a configured issuer"))
    if data.subject is None and not data.issue_token:
        problems.append(
            field_problem("body.issue_token", "R-52", "a grant needs an issuer subject or a token")
        )
    if problems:
        raise ValidationFailed("The grant cannot be made as given.", errors=problems)
    token, digest = new_token() if data.issue_token else (None, None)
    row = Grant(
        id=uuid7(),
        centre_id=p.centre_id,
        sample_id=sample.id,
        verifier_name=data.verifier_name,
        issuer=data.issuer,
        subject=data.subject,
        token_hash=digest,
        expires_at=expires,
        granted_by=p.subject,
    )
    session.add(row)
    await session.flush()
    out = grant_out(row)
    await recorded(session, p, Change.created(events.GrantCreated.of(out), "sv_grant", row.id))
    return schemas.IssuedGrant(**out.model_dump(), token=token)


async def _grant(session: AsyncSession, p: Principal, grant_id: uuid.UUID) -> Grant:
    stmt = select(Grant).where(Grant.sample_id.in_(repository.samples(p).with_only_columns(Sample.id)))
    return await get_visible(session, stmt, Grant, grant_id, "grant")


async def revoke_grant(session: AsyncSession, p: Principal, grant_id: uuid.UUID) -> schemas.Grant:
    row = await _grant(session, p, grant_id)
    await session.refresh(row, with_for_update=True)
    if row.revoked_at is not None:
        raise RuleViolation(
            "The grant is already revoked.", errors=[field_problem("path.grant_id", "R-52", "revoked")]
        )
    before = grant_out(row)
    row.revoked_at = clock.now()
    row.revoked_by = p.subject
    await session.flush()
    after = grant_out(row)
    await recorded(
        session, p, Change.changed(events.GrantRevoked(before=before, after=after), "sv_grant", row.id)
    )
    return after


async def list_grants(session: AsyncSession, p: Principal, sample_id: uuid.UUID) -> list[schemas.Grant]:
    await get_sample_row(session, p, sample_id)
    rows = (await session.scalars(select(Grant).where(Grant.sample_id == sample_id).order_by(Grant.id))).all()
    return [grant_out(r) for r in rows]


async def access_log(
    session: AsyncSession, p: Principal, sample_id: uuid.UUID
) -> list[schemas.AccessLogEntry]:
    """R-52: every read by a verifier of this sample: who, what, when."""
    await get_sample_row(session, p, sample_id)
    names = {
        g.id: g.verifier_name
        for g in (await session.scalars(select(Grant).where(Grant.sample_id == sample_id))).all()
    }
    rows = (
        await session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.centre_id == p.centre_id,
                AuditEvent.action == events.VerifierRead.action,
                AuditEvent.after["sample_id"].astext == str(sample_id),
            )
            .order_by(AuditEvent.seq)
        )
    ).all()
    out = []
    for r in rows:
        after = r.after or {}
        grant_id = uuid.UUID(after["grant_id"]) if after.get("grant_id") else None
        out.append(
            schemas.AccessLogEntry(
                occurred_at=r.occurred_at,
                grant_id=grant_id,
                verifier=names.get(grant_id, r.actor) if grant_id else r.actor,
                action=str(after.get("what", "")),
                subject_type=r.subject_type,
                subject_id=r.subject_id,
            )
        )
    return out
