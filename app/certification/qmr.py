"""R-90 (002 "What constitutes a certification block?"): a QMR visit records each quality objective's
judgement; "insufficient evidence" on QO.3, QO.4 or QO.9 blocks certification of every BTEC programme of
the centre until the Centre Quality Manager's progress report releases it."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.certification import events, schemas
from app.certification.models import QmrVisit
from app.core import clock
from app.core.errors import RuleViolation, field_problem
from app.core.ids import uuid7
from app.core.visibility import get_visible
from app.events.write import Change, recorded
from app.programmes.errors import InvalidTransition


def blocks(judgement: dict) -> bool:
    return (
        judgement["judgement"] == schemas.Judgement.insufficient
        and judgement["objective"] in schemas.BLOCKING_OBJECTIVES
    )


def blocking(v: QmrVisit) -> bool:
    return v.progress_report_on is None and any(blocks(j) for j in v.judgements)


def out(v: QmrVisit) -> schemas.QmrVisit:
    return schemas.QmrVisit(
        id=v.id,
        visited_on=v.visited_on,
        reviewer=v.reviewer,
        judgements=[schemas.ObjectiveJudgementOut.model_validate(j) for j in v.judgements],
        note=v.note,
        blocks_certification=blocking(v),
        progress_report_on=v.progress_report_on,
        progress_report_note=v.progress_report_note,
        recorded_by=v.recorded_by,
        version=v.version,
    )


def _visits(centre_id: uuid.UUID) -> Select:
    return select(QmrVisit).where(QmrVisit.centre_id == centre_id)


async def blocking_visits(session: AsyncSession, centre_id: uuid.UUID) -> list[QmrVisit]:
    rows = (await session.scalars(_visits(centre_id).where(QmrVisit.progress_report_on.is_(None)))).all()
    return [v for v in rows if blocking(v)]


async def record_visit(session: AsyncSession, p: Principal, data: schemas.QmrVisitCreate) -> schemas.QmrVisit:
    problems = []
    seen: set[str] = set()
    for i, j in enumerate(data.judgements):
        if j.objective in seen:
            problems.append(field_problem(f"body.judgements.{i}.objective", "duplicate", "judged twice"))
        seen.add(j.objective)
    if data.visited_on > clock.today():
        problems.append(field_problem("body.visited_on", "in_future", "a visit is recorded once it happened"))
    if problems:
        raise RuleViolation("The QMR visit cannot be recorded as given.", errors=problems)
    v = QmrVisit(
        id=uuid7(),
        centre_id=p.centre_id,
        visited_on=data.visited_on,
        reviewer=data.reviewer,
        judgements=[j.model_dump(mode="json") for j in data.judgements],
        note=data.note,
        recorded_by=p.subject,
    )
    session.add(v)
    await session.flush()
    o = out(v)
    await recorded(
        session, p, Change.created(events.QmrVisitRecorded.model_validate(o.model_dump()), "qmr_visit", v.id)
    )
    return o


async def _get(session: AsyncSession, p: Principal, visit_id: uuid.UUID) -> QmrVisit:
    return await get_visible(session, _visits(p.centre_id), QmrVisit, visit_id, "QMR visit")


async def get_visit(session: AsyncSession, p: Principal, visit_id: uuid.UUID) -> schemas.QmrVisit:
    return out(await _get(session, p, visit_id))


async def list_visits(
    session: AsyncSession, p: Principal, blocking_only: bool | None = None
) -> list[schemas.QmrVisit]:
    rows = (await session.scalars(_visits(p.centre_id).order_by(QmrVisit.visited_on, QmrVisit.id))).all()
    found = [out(v) for v in rows]
    return [v for v in found if v.blocks_certification] if blocking_only else found


async def accept_progress_report(
    session: AsyncSession, p: Principal, visit_id: uuid.UUID, data: schemas.ProgressReport
) -> schemas.QmrVisit:
    """R-90: the progress report releases the block."""
    v = await _get(session, p, visit_id)
    if v.progress_report_on is not None:
        raise InvalidTransition("R-90", "The visit's progress report is already recorded.")
    if data.accepted_on < v.visited_on or data.accepted_on > clock.today():
        raise RuleViolation(
            "The progress report's date must fall between the visit and today.",
            errors=[field_problem("body.accepted_on", "R-90", "between the visit and today")],
        )
    before = out(v)
    v.progress_report_on = data.accepted_on
    v.progress_report_note = data.note
    await session.flush()
    after = out(v)
    await recorded(
        session,
        p,
        Change.changed(
            events.QmrVisitUpdated(before=before, after=after),
            "qmr_visit",
            v.id,
            action="qmr_visit.progress_report_accepted",
        ),
    )
    return after
