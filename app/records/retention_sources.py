"""Retention's providers for employer involvement, and the check that keeps a record another kept record
still refers to (R-97; docs/retention.md)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.appeals.models import Appeal
from app.calendars.models import AcademicYear
from app.employers.models import (
    ActivityParticipant,
    EmployerActivity,
    InvolvementDeclaration,
    InvolvementPlan,
)
from app.programmes.models import PriorLearning, Programme
from app.records.held import Held
from app.records.schemas import RecordKind


async def involvement_records(session: AsyncSession) -> list[Held]:
    """One record per programme's plan (R-95), with its activities, their participants and the
    declarations made at moderation: the plan is what a moderator reads, and certification asks it
    whether each learner took part (app/employers/involvement.py), so its parts go together.

    Its clock (`involvement_ended`) starts on the plan's last event: the end of the programme's
    academic year, or a later activity (the day it happens; `confirmed_on` is the day it was confirmed, before) or
    declaration."""
    last_activity = (
        select(func.max(EmployerActivity.planned_on))
        .where(EmployerActivity.plan_id == InvolvementPlan.id)
        .scalar_subquery()
    )
    last_declaration = (
        select(func.max(InvolvementDeclaration.moderation_on))
        .where(InvolvementDeclaration.plan_id == InvolvementPlan.id)
        .scalar_subquery()
    )
    rows = (
        await session.execute(
            select(
                InvolvementPlan.id,
                InvolvementPlan.centre_id,
                Programme.qualification_id,
                func.greatest(AcademicYear.end_date, last_activity, last_declaration).label("ended_on"),
            )
            .join(Programme, Programme.id == InvolvementPlan.programme_id)
            .join(AcademicYear, AcademicYear.id == Programme.academic_year_id)
        )
    ).all()
    participants: dict[uuid.UUID, set[uuid.UUID]] = {}
    for plan_id, learner_id in (
        await session.execute(
            select(EmployerActivity.plan_id, ActivityParticipant.learner_id).join(
                ActivityParticipant, ActivityParticipant.activity_id == EmployerActivity.id
            )
        )
    ).all():
        participants.setdefault(plan_id, set()).add(learner_id)
    return [
        Held(
            RecordKind.employer_involvement,
            r.id,
            r.centre_id,
            qualification_id=r.qualification_id,
            recorded_on=r.ended_on,
            learners=tuple(sorted(participants.get(r.id, ()))),
        )
        for r in rows
    ]


async def involvement_ended_on(session: AsyncSession, record: Held) -> dt.date | None:
    return record.recorded_on


async def kept_for_references(
    session: AsyncSession, going: set[tuple[RecordKind, uuid.UUID]]
) -> dict[uuid.UUID, str]:
    """Of the records that go, the decisions to keep, and why. A decision is kept while a record that
    is kept refers to it: an appeal of it whose own period has not run (appeals go first in a run), or
    prior learning carried from the RPL it assessed to a programme whose decision stays. Deleting it
    would break the reference (the purge would fail)."""
    decisions = [i for k, i in going if k == RecordKind.assessment_records]
    if not decisions:
        return {}
    kept_by: dict[uuid.UUID, str] = {}
    for appeal_id, decision_id in (
        await session.execute(select(Appeal.id, Appeal.decision_id).where(Appeal.decision_id.in_(decisions)))
    ).all():
        if (RecordKind.appeal_records, appeal_id) not in going:
            kept_by.setdefault(decision_id, f"kept: appeal {appeal_id} of it is kept")
    source = PriorLearning.__table__.alias("source")
    carried = (
        await session.execute(
            select(source.c.decision_id, PriorLearning.id, PriorLearning.decision_id)
            .join(source, source.c.id == PriorLearning.carried_from_id)
            .where(source.c.decision_id.in_(decisions))
        )
    ).all()
    for decision_id, rpl_id, carried_decision in carried:
        if carried_decision is None or (RecordKind.assessment_records, carried_decision) not in going:
            kept_by.setdefault(decision_id, f"kept: prior learning {rpl_id} carried from it is kept")
    return kept_by
