"""Appeals (R-60, R-61): lodging in the window, reading, and the centre's appeal policy.

A learner -- or the HoC, QN or LIV on their behalf -- appeals a released decision, or the way an
assessment was conducted, in writing, within the centre's appeal window: `window_working_days` of the
centre's working days (R-31) counted from the day after the decision was released (the conduct of an
assessment not yet released: after it was assessed). A late appeal is refused with the rule, not lost. Stage 1 opens at
once, heard by the learner and the decision's assessor. The stages after it are app.appeals.stages."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.appeals import events, repository, schemas
from app.appeals.models import (
    DEFAULT_STAGE_WORKING_DAYS,
    DEFAULT_WINDOW_WORKING_DAYS,
    Appeal,
    AppealPolicy,
    AppealStage,
)
from app.appeals.schemas import AppealKind, AppealStatus, StageOutcome
from app.assessment import repository as assessment_repo
from app.assessment.models import RELEASED_STATUSES, AssessmentDecision, DecisionVersion
from app.assignments.models import AssignmentBrief
from app.auth.principal import Principal
from app.calendars.service import centre_calendar
from app.core import calendar as cal
from app.core import clock
from app.core.errors import Conflict, RuleViolation, field_problem
from app.core.ids import uuid7
from app.core.visibility import get_visible
from app.events.write import Change, recorded
from app.learners.models import Learner
from app.programmes.models import Programme

ON_HOLD = (AppealStatus.open, AppealStatus.not_upheld)


# ---- policy --------------------------------------------------------------------------------------------


async def policy_of(session: AsyncSession, centre_id: uuid.UUID) -> tuple[int, tuple[int, ...]]:
    """The centre's window and stage limits in working days; the defaults when it set none."""
    row = await session.scalar(select(AppealPolicy).where(AppealPolicy.centre_id == centre_id))
    if row is None:
        return DEFAULT_WINDOW_WORKING_DAYS, DEFAULT_STAGE_WORKING_DAYS
    return row.window_working_days, tuple(row.stage_working_days)


async def get_policy(session: AsyncSession, p: Principal) -> schemas.AppealPolicy:
    row = await session.scalar(select(AppealPolicy).where(AppealPolicy.centre_id == p.centre_id))
    if row is None:
        return schemas.AppealPolicy(
            window_working_days=DEFAULT_WINDOW_WORKING_DAYS,
            stage_working_days=list(DEFAULT_STAGE_WORKING_DAYS),
            version=0,
        )
    return schemas.AppealPolicy.model_validate(row)


async def put_policy(
    session: AsyncSession, p: Principal, data: schemas.AppealPolicyWrite
) -> schemas.AppealPolicy:
    """The HoC sets the centre's appeal window and stage limits. A PUT replaces the whole policy (the
    same body twice leaves the same policy), so it needs no If-Match: the row is locked, the last
    writer wins, and both changes are in the audit trail. Appeals already open keep their due dates."""
    row = await session.scalar(
        select(AppealPolicy).where(AppealPolicy.centre_id == p.centre_id).with_for_update()
    )
    if row is None:
        row = AppealPolicy(
            id=uuid7(),
            centre_id=p.centre_id,
            window_working_days=data.window_working_days,
            stage_working_days=list(data.stage_working_days),
            updated_by=p.subject,
        )
        session.add(row)
        await session.flush()
        out = schemas.AppealPolicy.model_validate(row)
        await recorded(
            session, p, Change.created(events.AppealPolicyCreated.of(out), "appeal_policy", row.id)
        )
        return out
    before = schemas.AppealPolicy.model_validate(row)
    row.window_working_days = data.window_working_days
    row.stage_working_days = list(data.stage_working_days)
    row.updated_by = p.subject
    await session.flush()
    after = schemas.AppealPolicy.model_validate(row)
    event = events.AppealPolicyUpdated(before=before, after=after)
    await recorded(session, p, Change.changed(event, "appeal_policy", row.id))
    return after


# ---- output --------------------------------------------------------------------------------------------


async def stages_of(session: AsyncSession, appeal_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[AppealStage]]:
    by: dict[uuid.UUID, list[AppealStage]] = {a: [] for a in appeal_ids}
    if appeal_ids:
        rows = await session.scalars(
            select(AppealStage)
            .where(AppealStage.appeal_id.in_(appeal_ids))
            .order_by(AppealStage.appeal_id, AppealStage.number)
        )
        for s in rows:
            by[s.appeal_id].append(s)
    return by


def stage_out(calendar: cal.CentreCalendar, s: AppealStage, today: dt.date) -> schemas.AppealStage:
    taken = None
    if s.decided_on is not None:
        taken = cal.working_days_between(calendar, s.opened_on, s.decided_on)
    return schemas.AppealStage(
        number=s.number,
        name=schemas.STAGE_NAMES[s.number],
        opened_on=s.opened_on,
        due_on=s.due_on,
        judge_staff_id=s.judge_staff_id,
        grounds=s.grounds,
        outcome=s.outcome,
        response=s.response,
        decided_on=s.decided_on,
        decided_by=s.decided_by,
        awarding_body_reference=s.awarding_body_reference,
        overdue=s.outcome is StageOutcome.open and today > s.due_on,
        working_days_taken=taken,
    )


async def appeals_out(
    session: AsyncSession, centre_id: uuid.UUID, rows: list[Appeal]
) -> list[schemas.Appeal]:
    if not rows:
        return []
    calendar = await centre_calendar(session, centre_id)
    stages = await stages_of(session, [a.id for a in rows])
    today = clock.today()
    return [
        schemas.Appeal.model_validate(
            {
                **{c.key: getattr(a, c.key) for c in Appeal.__table__.columns},
                "stages": [stage_out(calendar, s, today) for s in stages[a.id]],
            }
        )
        for a in rows
    ]


async def appeal_out(session: AsyncSession, a: Appeal) -> schemas.Appeal:
    return (await appeals_out(session, a.centre_id, [a]))[0]


def summary(a: Appeal, stage: AppealStage) -> dict:
    return {
        "id": a.id,
        "kind": a.kind,
        "learner_id": a.learner_id,
        "decision_id": a.decision_id,
        "programme_id": a.programme_id,
        "qualification_id": a.qualification_id,
        "unit_numbers": a.unit_numbers,
        "status": a.status,
        "current_stage": a.current_stage,
        "stage_due_on": stage.due_on,
        "stage_outcome": stage.outcome,
        "amended_version": a.amended_version,
    }


# ---- reads ---------------------------------------------------------------------------------------------


async def get_row(session: AsyncSession, p: Principal, appeal_id: uuid.UUID, *, lock: bool = False) -> Appeal:
    stmt = repository.appeals(p)
    if lock:
        stmt = stmt.with_for_update()
    return await get_visible(session, stmt, Appeal, appeal_id, "appeal")


async def get_appeal(session: AsyncSession, p: Principal, appeal_id: uuid.UUID) -> schemas.Appeal:
    return await appeal_out(session, await get_row(session, p, appeal_id))


async def list_appeals(
    session: AsyncSession,
    p: Principal,
    learner_id: uuid.UUID | None = None,
    decision_id: uuid.UUID | None = None,
    status: AppealStatus | None = None,
) -> list[schemas.Appeal]:
    stmt = repository.appeals(p)
    if learner_id is not None:
        stmt = stmt.where(Appeal.learner_id == learner_id)
    if decision_id is not None:
        stmt = stmt.where(Appeal.decision_id == decision_id)
    if status is not None:
        stmt = stmt.where(Appeal.status == status)
    rows = list((await session.scalars(stmt.order_by(Appeal.lodged_on, Appeal.id))).all())
    return await appeals_out(session, p.centre_id, rows)


# ---- lodging (R-60) ------------------------------------------------------------------------------------


def _local_date(at: dt.datetime) -> dt.date:
    return at.astimezone(ZoneInfo(clock.CENTRE_TIME_ZONE)).date()


async def _window_start(session: AsyncSession, d: AssessmentDecision, kind: AppealKind) -> dt.date:
    """R-60: the window runs from the release of the decision; the conduct of an assessment may be
    appealed before its decision is released, from the day it was assessed."""
    if d.status in RELEASED_STATUSES and d.released_at is not None:
        return _local_date(d.released_at)
    if kind is AppealKind.decision:
        raise RuleViolation(
            "R-60: only a released decision is appealed; before release it is still the assessor's.",
            errors=[field_problem("body.decision_id", "R-60", "the decision has not been released")],
        )
    assessed = await session.scalar(
        select(DecisionVersion.assessed_on).where(
            DecisionVersion.decision_id == d.id, DecisionVersion.number == 1
        )
    )
    assert assessed is not None
    return assessed


def due_after(calendar: cal.CentreCalendar, day: dt.date, working_days: int, field: str) -> dt.date:
    """R-31/R-61: `working_days` of the centre's working days counted from the day after `day`."""
    try:
        return cal.add_working_days(calendar, day, working_days)
    except ValueError as exc:  # cal.NoWorkingDays, or a year without public-holiday data
        raise RuleViolation(
            "R-31: the centre's calendar has too few working days for this time limit.",
            errors=[field_problem(field, "R-31", str(exc))],
        ) from exc


async def lodge(session: AsyncSession, p: Principal, data: schemas.AppealCreate) -> schemas.Appeal:
    d = await get_visible(
        session, assessment_repo.decisions(p), AssessmentDecision, data.decision_id, "assessment decision"
    )
    own = await session.scalar(assessment_repo.own_learner_ids(p).where(Learner.id == d.learner_id))
    # The learner's own appeal, or staff lodging it on their behalf.
    on_behalf = own is None
    window, limits = await policy_of(session, p.centre_id)
    calendar = await centre_calendar(session, p.centre_id)
    start = await _window_start(session, d, data.kind)
    today = clock.today()
    closes = due_after(calendar, start, window, "body.decision_id")
    if today > closes:
        raise RuleViolation(
            f"R-60: the centre's appeal window ({window} working days from {start}) closed on {closes}.",
            errors=[field_problem("body.decision_id", "R-60", f"the appeal window closed on {closes}")],
        )
    open_already = await session.scalar(
        select(Appeal.id).where(
            Appeal.decision_id == d.id, Appeal.kind == data.kind, Appeal.status.in_(ON_HOLD)
        )
    )
    if open_already is not None:
        raise Conflict(
            "This decision already has an open appeal of this kind.",
            errors=[field_problem("body.decision_id", "R-60", f"appeal {open_already} is open")],
        )
    brief = await session.get_one(AssignmentBrief, d.brief_id)
    programme = await session.get_one(Programme, d.programme_id)
    appeal = Appeal(
        id=uuid7(),
        centre_id=p.centre_id,
        kind=data.kind,
        learner_id=d.learner_id,
        decision_id=d.id,
        decision_version=d.released_version or d.current_version,
        programme_id=d.programme_id,
        brief_id=d.brief_id,
        qualification_id=brief.qualification_id,
        unit_numbers=list(brief.unit_numbers),
        assessor_staff_id=d.assessor_staff_id,
        academic_year_id=programme.academic_year_id,
        lodged_on=today,
        lodged_by=p.subject,
        on_behalf=on_behalf,
        grounds=data.grounds,
        status=AppealStatus.open,
        current_stage=1,
    )
    stage = AppealStage(
        id=uuid7(),
        centre_id=p.centre_id,
        appeal_id=appeal.id,
        number=1,
        opened_on=today,
        due_on=due_after(calendar, today, limits[0], "body.decision_id"),
        judge_staff_id=d.assessor_staff_id,
        grounds=data.grounds,
        outcome=StageOutcome.open,
    )
    session.add(appeal)
    await session.flush()
    session.add(stage)
    await session.flush()
    event = events.AppealLodged.model_validate(summary(appeal, stage))
    await recorded(session, p, Change.created(event, "appeal", appeal.id))
    return await appeal_out(session, appeal)
