"""R-92 (002 QO.3.4): certificates received are recorded against the claim and checked against the
records within a number of the centre's working days (3 by default, VERITY_CERTIFICATE_CHECK_WORKING_DAYS);
each mismatch of name, grade or unit is an anomaly, reported (`certificate.anomaly`), and that
certificate is withheld until resolved."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.calendars.service import centre_calendar
from app.certification import claims, events, schemas
from app.certification.models import Certificate, ClaimEntry
from app.certification.schemas import AnomalyKind, CertificateStatus, ClaimStatus, EntryStatus
from app.core import calendar as cal
from app.core import clock
from app.core.config import get_settings
from app.core.errors import RuleViolation, field_problem
from app.core.ids import uuid7
from app.core.visibility import get_visible
from app.events.write import Change, recorded
from app.programmes.errors import InvalidTransition


def _certificates(p: Principal) -> Select:
    return select(Certificate).where(Certificate.centre_id == p.centre_id)


def out(c: Certificate) -> schemas.Certificate:
    return schemas.Certificate.model_validate(c)


async def record_certificate(
    session: AsyncSession, p: Principal, claim_id: uuid.UUID, data: schemas.CertificateCreate
) -> schemas.Certificate:
    claim = await claims.claim_row(session, p, claim_id)
    if claim.status is not ClaimStatus.submitted:
        raise InvalidTransition("R-92", "Certificates are received against a submitted claim.")
    entry = await session.scalar(
        select(ClaimEntry).where(
            ClaimEntry.claim_id == claim.id,
            ClaimEntry.learner_id == data.learner_id,
            ClaimEntry.status == EntryStatus.included,
        )
    )
    problems = []
    if entry is None:
        problems.append(field_problem("body.learner_id", "R-92", "the learner is not in the submitted claim"))
    if data.received_on > clock.today():
        problems.append(field_problem("body.received_on", "in_future", "not after today"))
    if problems or entry is None:
        raise RuleViolation("The certificate cannot be recorded against the claim.", errors=problems)
    try:
        due = cal.add_working_days(
            await centre_calendar(session, p.centre_id),
            data.received_on,
            get_settings().certificate_check_working_days,
        )
    except ValueError:  # NoWorkingDays: the centre's calendar has no terms that far ahead
        due = None
    c = Certificate(
        id=uuid7(),
        centre_id=p.centre_id,
        claim_id=claim.id,
        entry_id=entry.id,
        learner_id=data.learner_id,
        received_on=data.received_on,
        check_due_on=due,
        learner_name=data.learner_name,
        overall_grade=data.overall_grade,
        units=[u.model_dump(mode="json") for u in data.units],
        status=CertificateStatus.received,
        anomalies=[],
        recorded_by=p.subject,
    )
    session.add(c)
    await session.flush()
    o = out(c)
    await recorded(
        session,
        p,
        Change.created(events.CertificateReceived.model_validate(o.model_dump()), "certificate", c.id),
    )
    return o


def _norm(s: str | None) -> str:
    return " ".join((s or "").split()).casefold()


def anomalies(entry: ClaimEntry, c: Certificate) -> list[schemas.Anomaly]:
    """Each mismatch between the certificate and the learner's claimed record."""
    found: list[schemas.Anomaly] = []
    name = f"{entry.given_name} {entry.family_name}"
    if _norm(c.learner_name) != _norm(name):
        found.append(
            schemas.Anomaly(
                kind=AnomalyKind.name, unit_number=None, on_certificate=c.learner_name, in_records=name
            )
        )
    if _norm(c.overall_grade) != _norm(entry.overall_grade):
        found.append(
            schemas.Anomaly(
                kind=AnomalyKind.grade,
                unit_number=None,
                on_certificate=c.overall_grade,
                in_records=entry.overall_grade,
            )
        )
    claimed = {u["unit_number"]: u["grade"] for u in entry.units}
    printed = {u["unit_number"]: u["grade"] for u in c.units}
    for n in sorted(claimed.keys() | printed.keys()):
        if n not in printed or n not in claimed:
            found.append(
                schemas.Anomaly(
                    kind=AnomalyKind.unit,
                    unit_number=n,
                    on_certificate=printed.get(n),
                    in_records=claimed.get(n),
                )
            )
        elif _norm(printed[n]) != _norm(claimed[n]):
            found.append(
                schemas.Anomaly(
                    kind=AnomalyKind.grade, unit_number=n, on_certificate=printed[n], in_records=claimed[n]
                )
            )
    return found


async def _get(session: AsyncSession, p: Principal, certificate_id: uuid.UUID) -> Certificate:
    return await get_visible(session, _certificates(p), Certificate, certificate_id, "certificate")


async def get_certificate(
    session: AsyncSession, p: Principal, certificate_id: uuid.UUID
) -> schemas.Certificate:
    return out(await _get(session, p, certificate_id))


async def list_certificates(
    session: AsyncSession,
    p: Principal,
    claim_id: uuid.UUID | None = None,
    status: CertificateStatus | None = None,
    check_overdue: bool | None = None,
) -> list[schemas.Certificate]:
    stmt = _certificates(p)
    if claim_id is not None:
        stmt = stmt.where(Certificate.claim_id == claim_id)
    if status is not None:
        stmt = stmt.where(Certificate.status == status)
    if check_overdue:
        stmt = stmt.where(
            Certificate.status == CertificateStatus.received, Certificate.check_due_on < clock.today()
        )
    rows = (await session.scalars(stmt.order_by(Certificate.received_on, Certificate.id))).all()
    return [out(c) for c in rows]


async def check_certificate(
    session: AsyncSession, p: Principal, certificate_id: uuid.UUID
) -> schemas.Certificate:
    """R-92: compare with the records as claimed; an anomaly withholds the certificate and is reported."""
    c = await _get(session, p, certificate_id)
    if c.status is not CertificateStatus.received:
        raise InvalidTransition("R-92", f"The certificate is already checked ({c.status.value}).")
    entry = await session.get_one(ClaimEntry, c.entry_id)
    before = out(c)
    found = anomalies(entry, c)
    c.anomalies = [a.model_dump(mode="json") for a in found]
    c.status = CertificateStatus.withheld if found else CertificateStatus.cleared
    c.checked_on = clock.today()
    await session.flush()
    after = out(c)
    event = (
        events.CertificateAnomaly.model_validate(after.model_dump())
        if found
        else events.CertificateUpdated(before=before, after=after)
    )
    await recorded(
        session,
        p,
        Change(
            event,
            "certificate",
            c.id,
            before=before,
            after=after,
            action=None if found else "certificate.cleared",
        ),
    )
    return after


async def resolve(
    session: AsyncSession, p: Principal, certificate_id: uuid.UUID, data: schemas.CertificateResolve
) -> schemas.Certificate:
    """R-92: the anomalies were resolved with the awarding body; the certificate is released."""
    c = await _get(session, p, certificate_id)
    if c.status is not CertificateStatus.withheld:
        raise InvalidTransition("R-92", "Only a withheld certificate is resolved.")
    before = out(c)
    c.status = CertificateStatus.released
    c.resolution_note = data.note
    await session.flush()
    after = out(c)
    await recorded(
        session,
        p,
        Change.changed(
            events.CertificateUpdated(before=before, after=after),
            "certificate",
            c.id,
            action="certificate.resolved",
        ),
    )
    return after
