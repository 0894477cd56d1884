"""Retention as data (R-97): each kind of record has one rule (its period, the event that starts its
clock, the holds that stop it), and small providers answer the questions a rule asks.

- A *record provider* lists the records of a kind with what the clock and holds need (centre, learner,
  qualification), and the storage keys of their files.
- A *clock provider* gives, for a record, the date its clock started (certification, certificates
  issued, an appeal closed, the record itself). A record whose clock has not started is kept.
- A *hold provider* says whether a record is held (a legal hold set by the QN, an open appeal, an open
  malpractice case). A held record is kept, whatever its dates.

Providers are registered below (employer involvement's and the check that keeps a decision a kept
record still refers to: app/records/retention_sources.py). A kind without a provider lists nothing, so
nothing is purged early. The real run deletes every kind through the `retention_purge` database
function (docs/retention.md).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.appeals.holds import units_on_hold
from app.appeals.models import Appeal
from app.assessment.models import AssessmentDecision, EvidenceItem, Submission
from app.assessment.storage import EvidenceStore
from app.audit.service import SYSTEM_ROLE, Actor
from app.certification.models import Certificate, CertificationClaim, ClaimEntry
from app.certification.schemas import EntryStatus
from app.core import clock
from app.core.ids import uuid7
from app.events.write import Change, recorded
from app.malpractice.holds import results_withheld
from app.records.erasure import erase_payloads
from app.records.events import RecordsPurged
from app.records.held import Held
from app.records.models import LegalHold
from app.records.retention_sources import involvement_ended_on, involvement_records, kept_for_references
from app.records.schemas import PurgeCounts, RecordKind
from app.standardisation.models import StandardisationRecord


@dataclass(frozen=True)
class Period:
    years: int = 0
    months: int = 0
    weeks: int = 0

    def after(self, start: dt.date) -> dt.date:
        months = start.month - 1 + self.months + 12 * self.years
        year, month = start.year + months // 12, months % 12 + 1
        day = min(start.day, _days_in(year, month))
        return dt.date(year, month, day) + dt.timedelta(weeks=self.weeks)

    def __str__(self) -> str:
        parts = [(self.years, "year"), (self.months, "month"), (self.weeks, "week")]
        return " ".join(f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n)


def _days_in(year: int, month: int) -> int:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return (nxt - dt.timedelta(days=1)).day


@dataclass(frozen=True)
class Rule:
    kind: RecordKind
    period: Period
    clock: str  # the name of the clock provider: the event that starts the clock
    holds: tuple[str, ...]  # the names of the hold providers that stop it
    source: str  # where the rule comes from


# R-97 (004 §8, 003 §5). The data: change a period here, nowhere else.
RULES: tuple[Rule, ...] = (
    Rule(
        RecordKind.assessment_records,
        Period(years=3),
        "certification",
        ("legal_hold", "open_appeal", "malpractice"),
        "R-97: assessment and IV records 3 years after certification",
    ),
    Rule(
        RecordKind.learner_work,
        Period(weeks=12),
        "certificates_issued",
        ("legal_hold", "open_appeal", "malpractice"),
        "R-97: learner work 12 weeks after certificates are issued, not while an appeal is open",
    ),
    Rule(
        RecordKind.appeal_records,
        Period(months=18),
        "appeal_closed",
        ("legal_hold", "open_appeal", "malpractice"),
        "R-97: appeal records 18 months after the appeal is closed",
    ),
    Rule(
        RecordKind.employer_involvement,
        Period(years=3),
        "involvement_ended",
        ("legal_hold", "open_appeal", "malpractice"),
        "R-97: employer-involvement records 3 years (from the plan's last event: docs/retention.md)",
    ),
    Rule(
        RecordKind.standardisation_records,
        Period(years=3),
        "recorded",
        ("legal_hold",),
        "R-97: standardisation records 3 years",
    ),
)


RecordProvider = Callable[[AsyncSession], Awaitable[list[Held]]]
ClockProvider = Callable[[AsyncSession, Held], Awaitable[dt.date | None]]
HoldProvider = Callable[[AsyncSession, Held], Awaitable[str | None]]  # the hold's reason, or None


@dataclass
class Registry:
    records: dict[RecordKind, RecordProvider] = field(default_factory=dict)
    clocks: dict[str, ClockProvider] = field(default_factory=dict)
    holds: dict[str, HoldProvider] = field(default_factory=dict)


REGISTRY = Registry()


def register_records(kind: RecordKind, provider: RecordProvider) -> None:
    REGISTRY.records[kind] = provider


def register_clock(name: str, provider: ClockProvider) -> None:
    """Certification registers `certification` and `certificates_issued`; appeals `appeal_closed`."""
    REGISTRY.clocks[name] = provider


def register_hold(name: str, provider: HoldProvider) -> None:
    """Appeals register `open_appeal` (app/appeals/holds.units_on_hold); malpractice `malpractice`
    (app/malpractice/holds.results_withheld)."""
    REGISTRY.holds[name] = provider


# ---- the providers of what exists in this tree ------------------------------------------------------


async def _assessment_records(session: AsyncSession) -> list[Held]:
    rows = (
        await session.execute(
            select(
                AssessmentDecision.id,
                AssessmentDecision.centre_id,
                AssessmentDecision.learner_id,
                Submission.brief_id,
            ).join(Submission, Submission.id == AssessmentDecision.submission_id)
        )
    ).all()
    return [Held(RecordKind.assessment_records, r.id, r.centre_id, r.learner_id) for r in rows]


async def _learner_work(session: AsyncSession) -> list[Held]:
    rows = (
        await session.execute(
            select(
                EvidenceItem.id, EvidenceItem.centre_id, EvidenceItem.storage_key, Submission.learner_id
            ).join(Submission, Submission.id == EvidenceItem.submission_id)
        )
    ).all()
    return [
        Held(
            RecordKind.learner_work,
            r.id,
            r.centre_id,
            r.learner_id,
            files=(r.storage_key,) if r.storage_key else (),
        )
        for r in rows
    ]


async def _standardisation_records(session: AsyncSession) -> list[Held]:
    rows = (
        await session.execute(
            select(StandardisationRecord.id, StandardisationRecord.centre_id, StandardisationRecord.held_on)
        )
    ).all()
    return [Held(RecordKind.standardisation_records, r.id, r.centre_id, recorded_on=r.held_on) for r in rows]


async def _recorded(session: AsyncSession, record: Held) -> dt.date | None:
    return record.recorded_on


async def _legal_hold(session: AsyncSession, record: Held) -> str | None:
    """A hold set by the QN on one of the record's learners, or on the whole centre."""
    stmt = select(LegalHold.reason).where(
        LegalHold.centre_id == record.centre_id,
        LegalHold.released_at.is_(None),
        (LegalHold.learner_id.is_(None)) | (LegalHold.learner_id.in_(record.people)),
    )
    reason = (await session.scalars(stmt.limit(1))).first()
    return f"legal hold: {reason}" if reason else None


async def _certified_on(session: AsyncSession, record: Held) -> dt.date | None:
    """R-97's "after certification": the day the first claim that included the learner was submitted."""
    if record.learner_id is None:
        return None
    submitted = await session.scalar(
        select(func.min(CertificationClaim.submitted_at))
        .join(ClaimEntry, ClaimEntry.claim_id == CertificationClaim.id)
        .where(
            ClaimEntry.learner_id == record.learner_id,
            ClaimEntry.status == EntryStatus.included,
            CertificationClaim.submitted_at.is_not(None),
        )
    )
    return submitted.astimezone(ZoneInfo(clock.CENTRE_TIME_ZONE)).date() if submitted is not None else None


async def _certificates_issued_on(session: AsyncSession, record: Held) -> dt.date | None:
    """R-97's "after certificates are issued": the day the learner's latest certificate was received."""
    if record.learner_id is None:
        return None
    received: dt.date | None = await session.scalar(
        select(func.max(Certificate.received_on)).where(Certificate.learner_id == record.learner_id)
    )
    return received


async def _malpractice(session: AsyncSession, record: Held) -> str | None:
    """R-73: an open case withholding a learner's results keeps their records (no allegation here)."""
    for learner_id in record.people:
        withheld = await results_withheld(session, learner_id)
        if withheld:
            return f"malpractice: {withheld[0].reason}"
    return None


async def _open_appeal(session: AsyncSession, record: Held) -> str | None:
    """R-62/R-97: a learner's work and records are kept while an appeal of theirs is open."""
    for learner_id in record.people:
        holds = await units_on_hold(session, learner_id)
        if holds:
            return f"open appeal {holds[0].appeal_id}"
    return None


async def _appeal_records(session: AsyncSession) -> list[Held]:
    rows = (await session.execute(select(Appeal.id, Appeal.centre_id, Appeal.learner_id))).all()
    return [Held(RecordKind.appeal_records, r.id, r.centre_id, r.learner_id) for r in rows]


async def _appeal_closed_on(session: AsyncSession, record: Held) -> dt.date | None:
    """R-63/R-97: appeal records count 18 months from the day the appeal was closed."""
    closed: dt.date | None = await session.scalar(select(Appeal.closed_on).where(Appeal.id == record.id))
    return closed


register_records(RecordKind.assessment_records, _assessment_records)
register_records(RecordKind.learner_work, _learner_work)
register_records(RecordKind.standardisation_records, _standardisation_records)
register_clock("recorded", _recorded)
register_hold("legal_hold", _legal_hold)
register_clock("certification", _certified_on)
register_clock("certificates_issued", _certificates_issued_on)
register_hold("malpractice", _malpractice)
register_hold("open_appeal", _open_appeal)
register_records(RecordKind.appeal_records, _appeal_records)
register_clock("appeal_closed", _appeal_closed_on)
register_records(RecordKind.employer_involvement, involvement_records)
register_clock("involvement_ended", involvement_ended_on)


# ---- the run -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    record: Held
    rule: Rule
    due_on: dt.date | None
    goes: bool
    why: str


async def assess(session: AsyncSession, today: dt.date | None = None) -> list[Verdict]:
    """Every record of every kind with a provider, and whether its rule says it goes today, and why."""
    today = today or clock.today()
    verdicts = []
    for rule in RULES:
        provider = REGISTRY.records.get(rule.kind)
        if provider is None:
            continue
        for record in await provider(session):
            verdicts.append(await _judge(session, rule, record, today))
    kept = await kept_for_references(session, {(v.rule.kind, v.record.id) for v in verdicts if v.goes})
    return [
        dataclasses.replace(v, goes=False, why=kept[v.record.id])
        if v.goes and v.rule.kind == RecordKind.assessment_records and v.record.id in kept
        else v
        for v in verdicts
    ]


async def _judge(session: AsyncSession, rule: Rule, record: Held, today: dt.date) -> Verdict:
    start_of = REGISTRY.clocks.get(rule.clock)
    start = await start_of(session, record) if start_of else None
    if start is None:
        return Verdict(record, rule, None, False, f"kept: its clock ({rule.clock}) has not started")
    due = rule.period.after(start)
    if due > today:
        return Verdict(
            record, rule, due, False, f"kept until {due}: {rule.period} after {rule.clock} on {start}"
        )
    for name in rule.holds:
        hold = REGISTRY.holds.get(name)
        reason = await hold(session, record) if hold else None
        if reason:
            return Verdict(record, rule, due, False, f"held: {reason}")
    return Verdict(
        record, rule, due, True, f"goes: {rule.period} after {rule.clock} on {start} ({rule.source})"
    )


# retention_purge (alembic 0023_purge, 0024_purge_all) deletes every kind, with the submissions, IV
# samples and plans that go with the last of their records, and the outbox and webhook copies of what it
# deleted. Appeal records go before assessment records in one run, since an appeal refers to the
# decision it appeals; learner work before assessment records, so a submission goes in the same run.
PURGE_ORDER = (
    RecordKind.learner_work,
    RecordKind.appeal_records,
    RecordKind.assessment_records,
    RecordKind.standardisation_records,
    RecordKind.employer_involvement,
)

_PURGE = text("SELECT retention_purge(:kind, :centre, CAST(:ids AS uuid[]))")
_STILL_USED = text("SELECT DISTINCT storage_key FROM evidence_items WHERE storage_key = ANY(:keys)")


@dataclass(frozen=True)
class Purge:
    centre_id: uuid.UUID
    counts: PurgeCounts
    files_to_delete: tuple[str, ...]


async def purge(session: AsyncSession, verdicts: list[Verdict]) -> list[Purge]:
    """Delete what goes, erase its audit payloads and leave one audit event per purge (counts only).
    The files are deleted by the caller after commit (`delete_files`), and only keys no remaining
    evidence shares (storage is content-addressed)."""
    groups: dict[tuple[uuid.UUID, RecordKind], list[Verdict]] = {}
    for v in verdicts:
        if v.goes:
            groups.setdefault((v.record.centre_id, v.rule.kind), []).append(v)
    done = []
    for (centre_id, kind), group in sorted(
        groups.items(), key=lambda g: (str(g[0][0]), PURGE_ORDER.index(g[0][1]))
    ):
        rule = group[0].rule
        ids = [v.record.id for v in group]
        # What the function deleted, by the audit subject type its rows are recorded under.
        deleted = (
            await session.execute(_PURGE, {"kind": kind.value, "centre": centre_id, "ids": ids})
        ).scalar_one()
        rows, erased = int(deleted["rows"]), 0
        for subject_type, subject_ids in sorted(deleted["subjects"].items()):
            reason = f"retention: {rule.source}"
            erased += await erase_payloads(session, centre_id, subject_type, subject_ids, reason)
        keys = sorted({k for v in group for k in v.record.files})
        used = set((await session.execute(_STILL_USED, {"keys": keys})).scalars()) if keys else set()
        counts = PurgeCounts(kind=kind, rows=rows, files=len(set(keys) - used), audit_events_erased=erased)
        actor = Actor(subject="system:retention", audit_role=SYSTEM_ROLE, centre_id=centre_id)
        purge_id = uuid7()
        await recorded(
            session, actor, Change.created(RecordsPurged(**counts.model_dump()), "retention_purge", purge_id)
        )
        done.append(Purge(centre_id, counts, tuple(sorted(set(keys) - used))))
    return done


async def delete_files(store: EvidenceStore, purges: list[Purge]) -> None:
    for p in purges:
        for key in p.files_to_delete:
            await store.delete(key)
