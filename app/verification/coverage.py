"""R-42 coverage: which assessors, units, criteria, sites and briefs of a programme IV has touched, and
which not yet; and the LIV dashboard (open and overdue actions, overdue IV, briefs waiting for IV,
coverage). Set-based: a fixed number of statements per programme, whatever the cohort (house rule 12).

"Touched" means an IV record exists for at least one decision of that assessor / on a brief targeting
that unit or criterion / at that site / of that brief. Sampled but not yet verified does not count.
A decision's site is the one its sample item recorded: its learner's enrolment site (records._sites_of).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.assessment.models import AssessmentDecision
from app.assignments.models import AssignmentBrief
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.centres.models import StaffMember
from app.core import clock
from app.core.pagination import paginate
from app.programmes.access import programme_liv_id, visible_programme, visible_programmes
from app.programmes.models import Programme, ProgrammeSite, ProgrammeStaff
from app.verification import schemas
from app.verification.models import IvRecord, IvSampleItem, IvScheduleEntry, RemedialAction
from app.verification.records import iv_reasons_of

# Programmes on one page of the LIV dashboard unless the caller asks for another size.
DASHBOARD_PAGE = 10
DASHBOARD_MAX = 50


def _criterion_key(c: dict[str, Any]) -> str:
    return f"{c['unit_number']}:{c['code']}"


async def _coverage(session: AsyncSession, programme: Programme) -> schemas.Coverage:
    return (await _coverages(session, [programme]))[0]


async def _coverages(session: AsyncSession, programmes: list[Programme]) -> list[schemas.Coverage]:
    """R-42 coverage of each programme, read for all of them at once: five statements whatever their
    number (the dashboard shows every programme of the centre to the HoC)."""
    ids = [pr.id for pr in programmes]
    if not ids:
        return []
    assessors: dict[uuid.UUID, set[Any]] = {i: set() for i in ids}
    for programme_id, staff_id in (
        await session.execute(
            select(ProgrammeStaff.programme_id, ProgrammeStaff.staff_id).where(
                ProgrammeStaff.programme_id.in_(ids), ProgrammeStaff.role == "assessor"
            )
        )
    ).all():
        assessors[programme_id].add(staff_id)
    # Decisions made by staff no longer on the programme still count as assessors to cover.
    for programme_id, staff_id in (
        await session.execute(
            select(AssessmentDecision.programme_id, AssessmentDecision.assessor_staff_id)
            .distinct()
            .where(AssessmentDecision.programme_id.in_(ids))
        )
    ).all():
        assessors[programme_id].add(staff_id)
    sites: dict[uuid.UUID, set[Any]] = {i: set() for i in ids}
    for programme_id, site_id in (
        await session.execute(
            select(ProgrammeSite.programme_id, ProgrammeSite.site_id).where(
                ProgrammeSite.programme_id.in_(ids)
            )
        )
    ).all():
        sites[programme_id].add(site_id)
    briefs_of: dict[uuid.UUID, list[Any]] = {i: [] for i in ids}
    for b in (
        await session.execute(
            select(
                AssignmentBrief.programme_id,
                AssignmentBrief.id,
                AssignmentBrief.unit_numbers,
                AssignmentBrief.criteria,
            ).where(AssignmentBrief.programme_id.in_(ids))
        )
    ).all():
        briefs_of[b.programme_id].append(b)
    touched_of: dict[uuid.UUID, list[Any]] = {i: [] for i in ids}
    for t in (
        await session.execute(
            select(IvRecord.programme_id, IvRecord.brief_id, IvRecord.assessor_staff_id, IvSampleItem.site_id)
            .outerjoin(IvSampleItem, IvSampleItem.decision_id == IvRecord.decision_id)
            .where(IvRecord.programme_id.in_(ids))
            .distinct()
        )
    ).all():
        touched_of[t.programme_id].append(t)
    return [
        _coverage_of(pr, assessors[pr.id], sites[pr.id], briefs_of[pr.id], touched_of[pr.id])
        for pr in programmes
    ]


def _coverage_of(
    programme: Programme, assessors: set[Any], sites: set[Any], briefs: list[Any], touched: list[Any]
) -> schemas.Coverage:
    by_brief = {b.id: b for b in briefs}
    touched_briefs = {t.brief_id for t in touched}
    touched_assessors = {t.assessor_staff_id for t in touched}
    touched_sites = {t.site_id for t in touched if t.site_id}
    units = {n for b in briefs for n in b.unit_numbers}
    touched_units = {n for b in touched_briefs for n in by_brief[b].unit_numbers} if touched_briefs else set()
    criteria = {_criterion_key(c) for b in briefs for c in b.criteria}
    touched_criteria = {_criterion_key(c) for b in touched_briefs for c in by_brief[b].criteria}
    lines: list[schemas.CoverageLine] = []
    untouched: dict[str, list[str]] = {}
    for kind, everything, done in (
        ("assessor", {str(a) for a in assessors}, {str(a) for a in touched_assessors}),
        ("unit", {str(u) for u in units}, {str(u) for u in touched_units}),
        ("criterion", criteria, touched_criteria),
        ("site", {str(s) for s in sites}, {str(s) for s in touched_sites}),
        ("brief", {str(b.id) for b in briefs}, {str(b) for b in touched_briefs}),
    ):
        for k in sorted(everything):
            lines.append(schemas.CoverageLine(kind=kind, key=k, touched=k in done))
        untouched[kind] = sorted(everything - done)
    return schemas.Coverage(
        programme_id=programme.id,
        academic_year_id=programme.academic_year_id,
        lines=lines,
        untouched=untouched,
    )


async def coverage(session: AsyncSession, p: Principal, programme_id: uuid.UUID) -> schemas.Coverage:
    """R-42: the programme's IV coverage for its academic year."""
    return await _coverage(
        session, await visible_programme(session, p, programme_id, Scope.verification_read)
    )


async def _dashboard_programmes(
    session: AsyncSession,
    p: Principal,
    academic_year_id: uuid.UUID | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Programme], str | None]:
    """A page of the programmes the caller is LIV of; for a caller who is nobody's LIV, of those whose
    IV they read (the HoC and QN: the centre's). Paged by programme, so that a 100-programme centre's
    dashboard costs what a small centre's does per page (issue 18: it was 836 kB in one answer)."""
    stmt = visible_programmes(p, Scope.verification_read)
    if academic_year_id is not None:
        stmt = stmt.where(Programme.academic_year_id == academic_year_id)
    # the programme's LIV is the appointed one (else the one it names), as for access.
    mine = stmt.join(StaffMember, StaffMember.id == programme_liv_id()).where(
        StaffMember.idp_subject == p.subject
    )
    # Decided on the whole list, not the page, so that every page of one walk reads the same list.
    chosen = mine if await session.scalar(select(mine.exists())) else stmt
    return await paginate(session, chosen, Programme.id, limit, cursor)


async def liv_dashboard(
    session: AsyncSession,
    p: Principal,
    academic_year_id: uuid.UUID | None = None,
    today: dt.date | None = None,
    *,
    limit: int = DASHBOARD_PAGE,
    cursor: str | None = None,
) -> schemas.LivDashboard:
    """One page of the dashboard: every section is of the page's programmes; `next_cursor` is the next
    page's."""
    today = today or clock.today()
    programmes, next_cursor = await _dashboard_programmes(session, p, academic_year_id, limit, cursor)
    ids = [pr.id for pr in programmes]
    actions = (
        (
            await session.scalars(
                select(RemedialAction)
                .where(RemedialAction.programme_id.in_(ids), RemedialAction.status == "open")
                .order_by(RemedialAction.due_on, RemedialAction.id)
            )
        ).all()
        if ids
        else []
    )
    open_actions = [schemas.RemedialAction.model_validate(a) for a in actions]
    from app.assignments.models import AssessmentPlanEntry

    overdue = (
        (
            await session.execute(
                select(
                    AssessmentPlanEntry, IvScheduleEntry.verifier_staff_id, IvScheduleEntry.planned_iv_date
                )
                .outerjoin(IvScheduleEntry, IvScheduleEntry.plan_entry_id == AssessmentPlanEntry.id)
                .where(
                    AssessmentPlanEntry.programme_id.in_(ids),
                    or_(
                        IvScheduleEntry.planned_iv_date < today,
                        (IvScheduleEntry.id.is_(None)) & (AssessmentPlanEntry.planned_iv_date < today),
                    ),
                )
                .order_by(AssessmentPlanEntry.planned_iv_date)
            )
        ).all()
        if ids
        else []
    )
    briefs = (
        (
            await session.scalars(
                select(AssignmentBrief)
                .where(
                    AssignmentBrief.programme_id.in_(ids),
                    AssignmentBrief.id.in_(
                        # an amendment of a released decision waits for IV too.
                        select(AssessmentDecision.brief_id).where(
                            AssessmentDecision.status.in_(("submitted_for_iv", "amended"))
                        )
                    ),
                )
                .order_by(AssignmentBrief.id)
            )
        ).all()
        if ids
        else []
    )
    reasons_of = await iv_reasons_of(session, [b.id for b in briefs])
    waiting = [
        schemas.IvStatus(brief_id=b.id, complete=False, reasons=reasons_of[b.id])
        for b in briefs
        if reasons_of[b.id]
    ]
    by_entry: dict[uuid.UUID, list[uuid.UUID]] = {}
    for b in (
        (
            await session.scalars(
                select(AssignmentBrief).where(
                    AssignmentBrief.programme_id.in_(ids),
                    AssignmentBrief.plan_entry_id.in_([e.id for e, _, _ in overdue]),
                )
            )
        ).all()
        if overdue
        else []
    ):
        if b.plan_entry_id is not None:  # always: the query asked for these entries' briefs
            by_entry.setdefault(b.plan_entry_id, []).append(b.id)
    # Overdue: the planned IV date has passed and some brief of the entry has no IV yet or is waiting.
    verified = (
        set(
            (
                await session.scalars(
                    select(IvRecord.brief_id).distinct().where(IvRecord.programme_id.in_(ids))
                )
            ).all()
        )
        if overdue
        else set()
    )
    waiting_ids = {w.brief_id for w in waiting}
    overdue_schedule = []
    for e, verifier, planned in overdue:
        mine = by_entry.get(e.id, [])
        if mine and all(b in verified and b not in waiting_ids for b in mine):
            continue
        overdue_schedule.append(
            schemas.ScheduleEntry(
                plan_entry_id=e.id,
                title=e.title,
                deadline=e.deadline,
                planned_iv_date=planned or e.planned_iv_date,
                verifier_staff_id=verifier,
                brief_ids=mine,
            )
        )
    return schemas.LivDashboard(
        open_actions=open_actions,
        overdue_actions=[a for a in open_actions if a.due_on < today],
        overdue_schedule=overdue_schedule,
        briefs_awaiting_iv=waiting,
        coverage=await _coverages(session, programmes),
        next_cursor=next_cursor,
    )
