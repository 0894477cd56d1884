"""R-43 remedial actions raised with an IV record: owned by the decision's assessor, the IV or the
programme's LIV, due in the centre's working days (R-31), and naming the decisions of the brief they
concern. An open action holds only those decisions' release (R-25, through app/assessment/iv_gate.py);
developmental recommendations are kept on the IV record version and hold nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.assessment.models import AssessmentDecision
from app.assignments.models import AssignmentBrief
from app.auth.principal import Principal
from app.calendars.service import centre_calendar
from app.core import calendar as cal
from app.core.errors import RuleViolation, ValidationFailed, field_problem
from app.core.ids import uuid7
from app.programmes.models import Programme
from app.verification import livs, schemas
from app.verification.models import IvRecord, RemedialAction


async def raise_actions(
    session: AsyncSession,
    p: Principal,
    r: IvRecord,
    verifier_staff_id: uuid.UUID,
    data: schemas.IvRecordContent,
) -> None:
    if not data.actions:
        return
    brief_decisions = set(
        (
            await session.scalars(
                select(AssessmentDecision.id).where(AssessmentDecision.brief_id == r.brief_id)
            )
        ).all()
    )
    problems = [
        field_problem(f"body.actions.{i}.decision_ids", "not_in_brief", f"decision {d} is not of this brief")
        for i, a in enumerate(data.actions)
        for d in a.decision_ids
        if d not in brief_decisions
    ]
    if problems:
        raise ValidationFailed("A remedial action concerns decisions of the brief only.", errors=problems)
    owners: dict[schemas.ActionOwnerRole, uuid.UUID] = {
        schemas.ActionOwnerRole.assessor: r.assessor_staff_id,
        schemas.ActionOwnerRole.iv: verifier_staff_id,
    }
    if any(a.owner_role == schemas.ActionOwnerRole.liv for a in data.actions):
        appointment = await livs.programme_liv(session, await session.get_one(Programme, r.programme_id))
        if appointment is None:
            raise RuleViolation(
                "R-40: the programme's subject area has no LIV appointed for its year to own the action.",
                errors=[
                    field_problem(
                        f"body.actions.{i}.owner_role", "R-40", "no LIV is appointed for the subject area"
                    )
                    for i, a in enumerate(data.actions)
                    if a.owner_role == schemas.ActionOwnerRole.liv
                ],
            )
        owners[schemas.ActionOwnerRole.liv] = appointment.staff_id
    calendar = await centre_calendar(session, p.centre_id)
    due: dict[int, dt.date] = {}
    for i, a in enumerate(data.actions):
        try:
            due[a.due_in_working_days] = cal.add_working_days(
                calendar, data.verified_on, a.due_in_working_days
            )
        except ValueError as exc:  # cal.NoWorkingDays, or a date without public-holiday data
            problems.append(field_problem(f"body.actions.{i}.due_in_working_days", "R-31", str(exc)))
    if problems:
        raise RuleViolation(
            "R-31: a remedial action's due date is counted in the centre's working days (term days), "
            "and the centre's calendar does not have enough of them after the verification.",
            errors=problems,
        )
    await session.execute(
        insert(RemedialAction),
        [
            {
                "id": uuid7(),
                "centre_id": p.centre_id,
                "programme_id": r.programme_id,
                "brief_id": r.brief_id,
                "iv_record_id": r.id,
                "description": a.description,
                "owner_role": a.owner_role.value,
                "owner_staff_id": owners[a.owner_role],
                "decision_ids": sorted(set(a.decision_ids)) or [r.decision_id],
                "raised_on": data.verified_on,
                "due_in_working_days": a.due_in_working_days,
                "due_on": due[a.due_in_working_days],
                "status": "open",
                "raised_by": p.subject,
                "version": 1,
            }
            for a in data.actions
        ],
    )


def why(a: RemedialAction) -> str:
    return f"remedial action {a.description!r} (due {a.due_on.isoformat()}) is not closed (R-43)"


async def open_actions(session: AsyncSession, brief_id: uuid.UUID) -> list[RemedialAction]:
    return await open_actions_of(session, [brief_id])


async def open_actions_of(session: AsyncSession, brief_ids: list[uuid.UUID]) -> list[RemedialAction]:
    """The open actions of the briefs, each brief's in the order its reasons list them."""
    if not brief_ids:
        return []
    return list(
        (
            await session.scalars(
                select(RemedialAction)
                .where(RemedialAction.brief_id.in_(brief_ids), RemedialAction.status == "open")
                .order_by(RemedialAction.due_on, RemedialAction.id)
            )
        ).all()
    )


async def action_reasons(session: AsyncSession, brief_id: uuid.UUID) -> list[str]:
    """Every open action of the brief, once each (the IV of the brief is not complete while any is)."""
    return [why(a) for a in await open_actions(session, brief_id)]


async def action_holds(session: AsyncSession, brief: AssignmentBrief) -> dict[uuid.UUID, list[str]]:
    """R-43/R-25: the decisions the brief's open actions concern, each with its open actions; the
    brief's other decisions are not held by them."""
    held: dict[uuid.UUID, list[str]] = {}
    for a in await open_actions(session, brief.id):
        for d in a.decision_ids:
            held.setdefault(d, []).append(why(a))
    return held
