"""Claims (R-91, R-93, R-94): a claim for a set of a programme's learners moves through the R-91 checks
-- records confirmed by the LIV, checked by the programme leader, prepared by the exams officer,
checked by a second person who is not the preparer, submitted. Nothing ineligible enters (R-90's
preflight, app/certification/eligibility.py, gates every learner at every step); a learner who becomes
ineligible before submission is removed with the reasons. A unit claim is for a learner who left
without the full qualification (R-93). The deadline is R-94's."""

from __future__ import annotations

import calendar
import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.calendars.models import AcademicYear
from app.certification import eligibility, events, schemas
from app.certification.models import CertificationClaim, ClaimEntry
from app.certification.schemas import ClaimStatus, ClaimType, EntryStatus
from app.core import clock
from app.core.errors import FieldProblem, Forbidden, NotFound, RuleViolation, field_problem
from app.core.ids import uuid7
from app.core.visibility import get_visible
from app.events.write import Change, recorded
from app.learners.models import Learner
from app.programmes.access import programme_access, require_on_programme
from app.programmes.errors import InvalidTransition
from app.programmes.models import ACTIVE_STATUSES, Enrolment, Programme
from app.programmes.service import get_row as programme_row

S = ClaimStatus
# R-91's order: the step each transition needs the claim to be at, and where it leaves it.
STEPS = {
    "confirm_records": (S.draft, S.records_confirmed),
    "leader_check": (S.records_confirmed, S.leader_checked),
    "prepare": (S.leader_checked, S.prepared),
    "second_check": (S.prepared, S.checked),
    "submit": (S.checked, S.submitted),
}


def add_months(d: dt.date, months: int) -> dt.date:
    m = d.month - 1 + months
    y, m = d.year + m // 12, m % 12 + 1
    return dt.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def due_date(
    delivery_model: str, year: AcademicYear, completions: Sequence[dt.date], today: dt.date
) -> dt.date:
    """R-94: end of July of the academic year for academic-year programmes; otherwise one month after
    completion (the earliest completion of the claim's learners; today's, while none has ended)."""
    if delivery_model == "academic_year":
        july = dt.date(year.end_date.year, 7, 31)
        return july if july >= year.start_date else dt.date(year.end_date.year + 1, 7, 31)
    return add_months(min(completions) if completions else today, 1)


# ---- reads ---------------------------------------------------------------------------------------------


def _claims(p: Principal) -> Select:
    return select(CertificationClaim).where(CertificationClaim.centre_id == p.centre_id)


async def _entries(
    session: AsyncSession, claim_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ClaimEntry]]:
    out: dict[uuid.UUID, list[ClaimEntry]] = {i: [] for i in claim_ids}
    for e in (
        await session.scalars(
            select(ClaimEntry)
            .where(ClaimEntry.claim_id.in_(claim_ids))
            .order_by(ClaimEntry.family_name, ClaimEntry.given_name, ClaimEntry.id)
        )
    ).all():
        out[e.claim_id].append(e)
    return out


def _out(c: CertificationClaim, entries: Sequence[ClaimEntry]) -> schemas.Claim:
    return schemas.Claim(
        id=c.id,
        programme_id=c.programme_id,
        qualification_id=c.qualification_id,
        claim_type=c.claim_type,
        status=c.status,
        due_on=c.due_on,
        created_by=c.created_by,
        records_confirmed_by=c.records_confirmed_by,
        leader_checked_by=c.leader_checked_by,
        prepared_by=c.prepared_by,
        checked_by=c.checked_by,
        submitted_by=c.submitted_by,
        submitted_at=c.submitted_at,
        entries=[
            schemas.ClaimEntry(
                id=e.id,
                learner_id=e.learner_id,
                status=e.status,
                registration_number=e.registration_number,
                given_name=e.given_name,
                family_name=e.family_name,
                units=[schemas.ClaimUnit.model_validate(u) for u in e.units],
                overall_grade=e.overall_grade,
                removed_reasons=[schemas.EligibilityReason.model_validate(r) for r in e.removed_reasons],
            )
            for e in entries
        ],
        version=c.version,
    )


async def claim_out(session: AsyncSession, c: CertificationClaim) -> schemas.Claim:
    return _out(c, (await _entries(session, [c.id]))[c.id])


async def claim_row(session: AsyncSession, p: Principal, claim_id: uuid.UUID) -> CertificationClaim:
    return await get_visible(session, _claims(p), CertificationClaim, claim_id, "certification claim")


async def get_claim(session: AsyncSession, p: Principal, claim_id: uuid.UUID) -> schemas.Claim:
    return await claim_out(session, await claim_row(session, p, claim_id))


async def list_claims(
    session: AsyncSession,
    p: Principal,
    programme_id: uuid.UUID | None = None,
    status: ClaimStatus | None = None,
) -> list[schemas.Claim]:
    stmt = _claims(p)
    if programme_id is not None:
        stmt = stmt.where(CertificationClaim.programme_id == programme_id)
    if status is not None:
        stmt = stmt.where(CertificationClaim.status == status)
    rows = (await session.scalars(stmt.order_by(CertificationClaim.due_on, CertificationClaim.id))).all()
    entries = await _entries(session, [c.id for c in rows])
    return [_out(c, entries[c.id]) for c in rows]


async def deadlines(
    session: AsyncSession, p: Principal, within_days: int = 30
) -> list[schemas.ClaimDeadline]:
    """R-94: claims not yet submitted that are overdue, or due within `within_days`."""
    today = clock.today()
    rows = (
        await session.scalars(
            _claims(p)
            .where(
                CertificationClaim.status != S.submitted,
                CertificationClaim.due_on <= today + dt.timedelta(days=within_days),
            )
            .order_by(CertificationClaim.due_on, CertificationClaim.id)
        )
    ).all()
    return [
        schemas.ClaimDeadline(
            claim_id=c.id,
            programme_id=c.programme_id,
            status=c.status,
            due_on=c.due_on,
            state=schemas.DeadlineState.overdue if c.due_on < today else schemas.DeadlineState.due_soon,
        )
        for c in rows
    ]


# ---- entries: the gate ---------------------------------------------------------------------------------


def _left(c: eligibility.Candidate) -> bool:
    """R-93: the learner has left the qualification (no live enrolment on it)."""
    return not any(
        pl.enrolment_status in ACTIVE_STATUSES for pl in c.released.record.programmes if not pl.carried
    )


async def _gate(
    session: AsyncSession,
    p: Principal,
    claim_type: ClaimType,
    learner_id: uuid.UUID,
    qualification_id: uuid.UUID,
) -> tuple[eligibility.Candidate, schemas.Eligibility, list[schemas.EligibilityReason]]:
    """The learner's preflight (R-90) for this claim type, and why they may not be in the claim."""
    c, e = await eligibility.evaluate(session, p, learner_id, qualification_id)
    why: list[schemas.EligibilityReason] = []
    if not eligibility.claimable(e, claim_type):
        why = list(e.reasons) or [
            eligibility.reason(
                schemas.ReasonCode.unit_not_verified,
                "R-93",
                "No unit has a released result at Pass or above.",
                schemas.ReasonScope.every_claim,
            )
        ]
    elif claim_type is ClaimType.unit and not _left(c):
        why = [
            eligibility.reason(
                schemas.ReasonCode.withdrawn,
                "R-93",
                "Unit certification is for a learner who leaves without the full qualification.",
                schemas.ReasonScope.every_claim,
            )
        ]
    return c, e, why


def _snapshot(
    claim_type: ClaimType, c: eligibility.Candidate, e: schemas.Eligibility
) -> tuple[list[dict], str | None]:
    if claim_type is ClaimType.unit:
        return [u.model_dump(mode="json") for u in e.claimable_units], None
    units = [
        {"unit_number": n, "title": c.q.unit(n).title, "grade": o.grade.value}
        for n, o in sorted(c.released.units.items())
    ]
    return units, e.overall_grade


async def _admit(
    session: AsyncSession, p: Principal, claim: CertificationClaim, learner_ids: Sequence[uuid.UUID]
) -> list[ClaimEntry]:
    """Nothing ineligible enters: every learner passes the preflight or the whole request is refused."""
    problems: list[FieldProblem] = []
    admitted: list[ClaimEntry] = []
    existing = set(
        (await session.scalars(select(ClaimEntry.learner_id).where(ClaimEntry.claim_id == claim.id))).all()
    )
    if len(set(learner_ids)) != len(learner_ids):
        problems.append(field_problem("body.learner_ids", "duplicate", "a learner is listed twice"))
    programme = await session.get_one(Programme, claim.programme_id)
    for i, lid in enumerate(learner_ids):
        field = f"body.learner_ids.{i}"
        if lid in existing:
            problems.append(field_problem(field, "duplicate", "already in the claim"))
            continue
        try:
            c, e, why = await _gate(session, p, claim.claim_type, lid, claim.qualification_id)
        except NotFound:
            problems.append(
                field_problem(field, "not_found", "no registration of the learner on the qualification")
            )
            continue
        if c.programme.qualification_id != programme.qualification_id:
            problems.append(
                field_problem(field, "not_found", "not a learner of the programme's qualification")
            )
            continue
        problems += [field_problem(field, r.rule, r.message) for r in why]
        if why:
            continue
        units, overall = _snapshot(claim.claim_type, c, e)
        learner = c.released.record
        names = await _names(session, lid)
        admitted.append(
            ClaimEntry(
                id=uuid7(),
                centre_id=p.centre_id,
                claim_id=claim.id,
                learner_id=lid,
                status=EntryStatus.included,
                registration_number=learner.registration_number,
                given_name=names[0],
                family_name=names[1],
                units=units,
                overall_grade=overall,
                removed_reasons=[],
            )
        )
    if problems:
        raise RuleViolation(
            "R-90: only eligible learners enter a claim; each reason is listed.", errors=problems
        )
    return admitted


async def _names(session: AsyncSession, learner_id: uuid.UUID) -> tuple[str, str]:
    row = (
        await session.execute(select(Learner.given_name, Learner.family_name).where(Learner.id == learner_id))
    ).one()
    return row[0], row[1]


async def _completions(
    session: AsyncSession, programme_id: uuid.UUID, learner_ids: Sequence[uuid.UUID]
) -> list[dt.date]:
    return [
        d
        for d in (
            await session.scalars(
                select(Enrolment.ended_on).where(
                    Enrolment.programme_id == programme_id,
                    Enrolment.learner_id.in_(learner_ids),
                    Enrolment.ended_on.is_not(None),
                )
            )
        ).all()
        if d is not None
    ]


# ---- writes --------------------------------------------------------------------------------------------


async def create_claim(session: AsyncSession, p: Principal, data: schemas.ClaimCreate) -> schemas.Claim:
    """R-91: the exams officer opens a claim for a set of the programme's learners (R-90 gates each)."""
    programme = await programme_row(session, p, data.programme_id)
    year = await session.get_one(AcademicYear, programme.academic_year_id)
    claim = CertificationClaim(
        id=uuid7(),
        centre_id=p.centre_id,
        programme_id=programme.id,
        qualification_id=programme.qualification_id,
        claim_type=data.claim_type,
        status=S.draft,
        due_on=due_date(
            programme.delivery_model,
            year,
            await _completions(session, programme.id, data.learner_ids),
            clock.today(),
        ),
        created_by=p.subject,
    )
    # Every learner is gated before anything is written: a refused claim leaves nothing behind.
    entries = await _admit(session, p, claim, data.learner_ids)
    session.add(claim)
    await session.flush()
    session.add_all(entries)
    await session.flush()
    out = await claim_out(session, claim)
    await recorded(
        session,
        p,
        Change.created(events.ClaimCreated.model_validate(out.model_dump()), "certification_claim", claim.id),
    )
    return out


async def _record_change(
    session: AsyncSession, p: Principal, claim: CertificationClaim, before: schemas.Claim, action: str
) -> schemas.Claim:
    await session.flush()
    after = await claim_out(session, claim)
    await recorded(
        session,
        p,
        Change.changed(
            events.ClaimUpdated(before=before, after=after), "certification_claim", claim.id, action=action
        ),
    )
    return after


async def add_learners(
    session: AsyncSession, p: Principal, claim_id: uuid.UUID, data: schemas.ClaimLearnersAdd
) -> schemas.Claim:
    claim = await claim_row(session, p, claim_id)
    if claim.status is not S.draft:
        raise InvalidTransition("R-91", "Learners are added to a claim before its records are confirmed.")
    before = await claim_out(session, claim)
    session.add_all(await _admit(session, p, claim, data.learner_ids))
    claim.updated_at = clock.now()  # a new version: the claim's ETag changes with its entries
    return await _record_change(session, p, claim, before, "certification_claim.learners_added")


async def _regate(session: AsyncSession, p: Principal, claim: CertificationClaim, resnapshot: bool) -> None:
    """R-90 at every step: a learner who became ineligible is removed with the reasons."""
    for e in (await _entries(session, [claim.id]))[claim.id]:
        if e.status is not EntryStatus.included:
            continue
        c, el, why = await _gate(session, p, claim.claim_type, e.learner_id, claim.qualification_id)
        if why:
            e.status = EntryStatus.removed
            e.removed_reasons = [r.model_dump(mode="json") for r in why]
        elif resnapshot:
            e.units, e.overall_grade = _snapshot(claim.claim_type, c, el)


async def _step(session: AsyncSession, p: Principal, claim_id: uuid.UUID, step: str) -> schemas.Claim:
    claim = await claim_row(session, p, claim_id)
    at, to = STEPS[step]
    if claim.status is not at:
        raise InvalidTransition(
            "R-91", f"The claim is {claim.status.value}: {step.replace('_', ' ')} needs {at.value}."
        )
    programme = await session.get_one(Programme, claim.programme_id)
    if step == "confirm_records":
        require_on_programme(
            await programme_access(session, p, programme),
            "lead_internal_verifier",
            what="confirm its claim's records",
        )
    elif step == "leader_check":
        require_on_programme(
            await programme_access(session, p, programme), "programme_leader", what="check its claim"
        )
    elif step == "second_check" and p.subject == claim.prepared_by:
        raise Forbidden("R-91: the second check is made by someone other than the preparer.")
    before = await claim_out(session, claim)
    await _regate(session, p, claim, resnapshot=step == "prepare")
    included = [
        e for e in (await _entries(session, [claim.id]))[claim.id] if e.status is EntryStatus.included
    ]
    if step == "submit" and not included:
        raise RuleViolation(
            "R-90: every learner of the claim is ineligible; nothing to submit.",
            errors=[field_problem("entries", "R-90", "no eligible learner left")],
        )
    claim.status = to
    who = p.subject
    if step == "confirm_records":
        claim.records_confirmed_by = who
    elif step == "leader_check":
        claim.leader_checked_by = who
    elif step == "prepare":
        claim.prepared_by = who
    elif step == "second_check":
        claim.checked_by = who
    else:
        claim.submitted_by, claim.submitted_at = who, clock.now()
    if step != "submit":
        return await _record_change(session, p, claim, before, f"certification_claim.{to.value}")
    await session.flush()
    after = await claim_out(session, claim)
    await recorded(
        session,
        p,
        Change(
            events.ClaimSubmitted.model_validate(after.model_dump()),
            "certification_claim",
            claim.id,
            before=before,
            after=after,
        ),
    )
    return after


async def confirm_records(session: AsyncSession, p: Principal, claim_id: uuid.UUID) -> schemas.Claim:
    """R-91: the programme's LIV confirms the records."""
    return await _step(session, p, claim_id, "confirm_records")


async def leader_check(session: AsyncSession, p: Principal, claim_id: uuid.UUID) -> schemas.Claim:
    """R-91: the programme leader checks the claim."""
    return await _step(session, p, claim_id, "leader_check")


async def prepare(session: AsyncSession, p: Principal, claim_id: uuid.UUID) -> schemas.Claim:
    """R-91: the exams officer prepares it (the units and grades are taken from the records now)."""
    return await _step(session, p, claim_id, "prepare")


async def second_check(session: AsyncSession, p: Principal, claim_id: uuid.UUID) -> schemas.Claim:
    """R-91 (002 QO.3.4): a second person, not the preparer, checks it."""
    return await _step(session, p, claim_id, "second_check")


async def submit(session: AsyncSession, p: Principal, claim_id: uuid.UUID) -> schemas.Claim:
    """R-91: submitted; the preflight runs once more and removes anyone who became ineligible."""
    return await _step(session, p, claim_id, "submit")
