"""R-51: the verifier's report on a submitted sample (accepted, or not accepted with actions, each with
an owner and a due date, closed with a note) and the subject area's certification status. A report
that is not accepted blocks certification in the subject area until a second sample, asked for once
every action is closed, is accepted."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.centres.models import StaffMember
from app.core import clock
from app.core.errors import Conflict, RuleViolation, ValidationFailed, field_problem
from app.core.ids import uuid7
from app.core.visibility import get_visible
from app.events.write import Change, recorded, recorded_all
from app.programmes.access import visible_programme
from app.standards_verification import events, repository, schemas
from app.standards_verification.models import Action, Allocation, Outcome
from app.standards_verification.service import get_sample_row, status_change, status_now
from app.standards_verification.status import outcome_of, status_for_year


async def outcome_out(session: AsyncSession, row: Outcome) -> schemas.Outcome:
    actions = (
        await session.scalars(select(Action).where(Action.outcome_id == row.id).order_by(Action.id))
    ).all()
    out = schemas.Outcome.model_validate(row)
    out.actions = [schemas.Action.model_validate(a) for a in actions]
    return out


async def record_outcome(
    session: AsyncSession, p: Principal, sample_id: uuid.UUID, data: schemas.OutcomeCreate
) -> schemas.Outcome:
    sample = await get_sample_row(session, p, sample_id)
    await session.refresh(sample, with_for_update=True)
    problems = []
    if sample.status is not schemas.SampleStatus.submitted:
        problems.append(field_problem("path.sample_id", "R-51", "the sample has not been submitted"))
    if data.reported_on > clock.today():
        problems.append(field_problem("body.reported_on", "in_future", "a report is recorded once received"))
    if data.accepted and data.actions:
        problems.append(field_problem("body.actions", "R-51", "an accepted report asks for no actions"))
    if not data.accepted and not data.actions:
        problems.append(field_problem("body.actions", "R-51", "a report not accepted lists its actions"))
    owners = {a.owner_staff_id for a in data.actions}
    known = set(
        (
            await session.scalars(
                select(StaffMember.id).where(StaffMember.centre_id == p.centre_id, StaffMember.id.in_(owners))
            )
        ).all()
    )
    problems += [
        field_problem(f"body.actions.{i}.owner_staff_id", "not_found", "no such member of staff")
        for i, a in enumerate(data.actions)
        if a.owner_staff_id not in known
    ]
    if problems:
        raise ValidationFailed("The report cannot be recorded as given.", errors=problems)
    if await outcome_of(session, sample.id) is not None:
        raise Conflict(
            "The sample's report is already recorded.",
            errors=[field_problem("path.sample_id", "R-51", "one report per sample")],
        )
    allocation = await session.get_one(Allocation, sample.allocation_id)
    before = await status_now(session, allocation.programme_id, allocation.academic_year_id)
    row = Outcome(
        id=uuid7(),
        centre_id=p.centre_id,
        sample_id=sample.id,
        programme_id=sample.programme_id,
        accepted=data.accepted,
        reported_on=data.reported_on,
        summary=data.summary,
        recorded_by=p.subject,
    )
    session.add(row)
    await session.flush()
    for a in data.actions:
        session.add(
            Action(
                id=uuid7(),
                centre_id=p.centre_id,
                outcome_id=row.id,
                description=a.description,
                owner_staff_id=a.owner_staff_id,
                due_on=a.due_on,
                status=schemas.ActionStatus.open,
            )
        )
    await session.flush()
    out = await outcome_out(session, row)
    await recorded_all(
        session,
        p,
        [
            Change.created(events.OutcomeRecorded.of(out), "sv_outcome", row.id),
            *await status_change(session, allocation, before),
        ],
    )
    return out


async def close_action(
    session: AsyncSession, p: Principal, action_id: uuid.UUID, data: schemas.ActionClose
) -> schemas.Action:
    stmt = (
        select(Action)
        .join(Outcome, Outcome.id == Action.outcome_id)
        .where(Outcome.id.in_(repository.outcomes(p).with_only_columns(Outcome.id)))
    )
    row = await get_visible(session, stmt, Action, action_id, "action")
    await session.refresh(row, with_for_update=True)
    if row.status is schemas.ActionStatus.closed:
        raise RuleViolation(
            "The action is already closed.", errors=[field_problem("path.action_id", "R-51", "closed")]
        )
    before = schemas.Action.model_validate(row)
    row.status = schemas.ActionStatus.closed
    row.closed_on = clock.today()
    row.closed_note = data.note
    row.closed_by = p.subject
    await session.flush()
    after = schemas.Action.model_validate(row)
    await recorded(
        session, p, Change.changed(events.ActionClosed(before=before, after=after), "sv_action", row.id)
    )
    return after


async def get_outcome(session: AsyncSession, p: Principal, outcome_id: uuid.UUID) -> schemas.Outcome:
    row = await get_visible(session, repository.outcomes(p), Outcome, outcome_id, "outcome")
    return await outcome_out(session, row)


async def list_outcomes(
    session: AsyncSession, p: Principal, programme_id: uuid.UUID | None = None
) -> list[schemas.Outcome]:
    stmt = repository.outcomes(p)
    if programme_id is not None:
        stmt = stmt.where(Outcome.programme_id == programme_id)
    rows = (await session.scalars(stmt.order_by(Outcome.id))).all()
    return [await outcome_out(session, r) for r in rows]


async def status_view(
    session: AsyncSession, p: Principal, programme_id: uuid.UUID
) -> schemas.CertificationStatusView:
    """R-51: the programme's subject-area status for its year, as certification reads it."""
    programme = await visible_programme(session, p, programme_id, Scope.sv_read)
    return schemas.CertificationStatusView(
        programme_id=programme.id,
        academic_year_id=programme.academic_year_id,
        subject_area=programme.subject_area,
        status=await status_for_year(session, programme.id, programme.academic_year_id),
    )
