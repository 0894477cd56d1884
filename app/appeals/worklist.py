"""The QN's worklist of overdue appeal stages (R-61), the worker's pass that marks them, and the R-63
report for quality improvement.

A stage is overdue when it is still open after its due date. `mark_overdue` is the idempotent pass the
worker runs (app/webhooks/worker.py): each newly overdue stage fires `appeal.stage_overdue` once
(`overdue_notified_at`), and a not-upheld appeal whose window to go further has passed is closed."""

from __future__ import annotations

import uuid
from collections import Counter

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.appeals import events, repository, schemas
from app.appeals.models import Appeal, AppealStage
from app.appeals.schemas import AppealStatus, StageOutcome
from app.appeals.service import stages_of, summary
from app.audit.service import SYSTEM_ROLE, Actor
from app.auth.principal import Principal
from app.calendars.service import centre_calendar
from app.core import calendar as cal
from app.core import clock
from app.events.write import Change, recorded_all

OVERDUE_ACTOR = "system:appeals-overdue"


def _overdue(calendar: cal.CentreCalendar, a: Appeal, s: AppealStage) -> schemas.OverdueStage:
    return schemas.OverdueStage(
        appeal_id=a.id,
        learner_id=a.learner_id,
        programme_id=a.programme_id,
        stage=s.number,
        name=schemas.STAGE_NAMES[s.number],
        opened_on=s.opened_on,
        due_on=s.due_on,
        judge_staff_id=s.judge_staff_id,
        working_days_overdue=cal.working_days_between(calendar, s.due_on, clock.today()),
    )


async def overdue_stages(session: AsyncSession, p: Principal) -> list[schemas.OverdueStage]:
    """R-61: the open stages past their due date, of the appeals the caller sees, oldest due first."""
    visible = repository.appeals(p).subquery()
    rows = (
        await session.execute(
            select(Appeal, AppealStage)
            .join(AppealStage, AppealStage.appeal_id == Appeal.id)
            .where(
                Appeal.id.in_(select(visible.c.id)),
                AppealStage.outcome == StageOutcome.open,
                AppealStage.due_on < clock.today(),
            )
            .order_by(AppealStage.due_on, Appeal.id)
        )
    ).all()
    if not rows:
        return []
    calendar = await centre_calendar(session, p.centre_id)
    return [_overdue(calendar, a, s) for a, s in rows]


async def mark_overdue(
    session: AsyncSession, centre_id: uuid.UUID | None = None, actor: str = OVERDUE_ACTOR
) -> int:
    """The worker's pass (idempotent): fire `appeal.stage_overdue` for each open stage newly past its
    due date, and close the not-upheld appeals whose window to go further has passed. Returns the number
    of changes it recorded; a second run straight after records none."""
    today = clock.today()
    stmt = (
        select(Appeal, AppealStage)
        .join(AppealStage, AppealStage.appeal_id == Appeal.id)
        .where(
            AppealStage.outcome == StageOutcome.open,
            AppealStage.due_on < today,
            AppealStage.overdue_notified_at.is_(None),
        )
        .order_by(Appeal.centre_id, Appeal.id)
        .with_for_update(of=AppealStage, skip_locked=True)
    )
    expired = (
        select(Appeal)
        .where(Appeal.status == AppealStatus.not_upheld, Appeal.escalate_by < today)
        .order_by(Appeal.centre_id, Appeal.id)
        .with_for_update(skip_locked=True)
    )
    if centre_id is not None:
        stmt = stmt.where(Appeal.centre_id == centre_id)
        expired = expired.where(Appeal.centre_id == centre_id)
    by_centre: dict[uuid.UUID, list[Change]] = {}
    calendars: dict[uuid.UUID, cal.CentreCalendar] = {}
    for a, s in (await session.execute(stmt)).all():
        if a.centre_id not in calendars:
            calendars[a.centre_id] = await centre_calendar(session, a.centre_id)
        s.overdue_notified_at = clock.now()
        event = events.AppealStageOverdue.model_validate(_overdue(calendars[a.centre_id], a, s))
        by_centre.setdefault(a.centre_id, []).append(Change(event, "appeal", a.id, after=event))
    closing = list((await session.scalars(expired)).all())
    last = await stages_of(session, [a.id for a in closing])
    for a in closing:
        a.status = AppealStatus.closed_not_upheld
        a.closed_on = today
        a.escalate_by = None
        closed = events.AppealClosed.model_validate(summary(a, last[a.id][-1]))
        by_centre.setdefault(a.centre_id, []).append(Change(closed, "appeal", a.id, after=closed))
    await session.flush()
    for centre, changes in sorted(by_centre.items(), key=lambda kv: str(kv[0])):
        await recorded_all(session, Actor(actor, SYSTEM_ROLE, centre), changes)
    return sum(len(c) for c in by_centre.values())


# ---- R-63 ------------------------------------------------------------------------------------------------


async def appeal_report(
    session: AsyncSession,
    p: Principal,
    programme_id: uuid.UUID | None = None,
    academic_year_id: uuid.UUID | None = None,
    assessor_staff_id: uuid.UUID | None = None,
) -> schemas.AppealReport:
    """R-63: the appeals by stage reached, outcome, assessor, programme and year, with the working days
    each stage took (to its outcome; None while it is open)."""
    stmt = repository.appeals(p)
    if programme_id is not None:
        stmt = stmt.where(Appeal.programme_id == programme_id)
    if academic_year_id is not None:
        stmt = stmt.where(Appeal.academic_year_id == academic_year_id)
    if assessor_staff_id is not None:
        stmt = stmt.where(Appeal.assessor_staff_id == assessor_staff_id)
    appeals = list((await session.scalars(stmt.order_by(Appeal.lodged_on, Appeal.id))).all())
    stages = await stages_of(session, [a.id for a in appeals])
    calendar = await centre_calendar(session, p.centre_id)
    rows = [
        schemas.AppealReportRow(
            appeal_id=a.id,
            programme_id=a.programme_id,
            academic_year_id=a.academic_year_id,
            assessor_staff_id=a.assessor_staff_id,
            kind=a.kind,
            stage_reached=a.current_stage,
            status=a.status,
            working_days_per_stage=[
                None
                if s.decided_on is None
                else cal.working_days_between(calendar, s.opened_on, s.decided_on)
                for s in stages[a.id]
            ],
        )
        for a in appeals
    ]
    counts = Counter((r.stage_reached, r.status) for r in rows)
    return schemas.AppealReport(
        appeals=rows,
        by_stage_and_status=[
            schemas.AppealReportGroup(stage_reached=k[0], status=k[1], count=n)
            for k, n in sorted(counts.items())
        ],
    )
