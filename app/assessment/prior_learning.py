"""R-13: prior learning is assessed against the unit's criteria like any other evidence. Its status moves
from `to_be_assessed` to `assessed`, naming the assessment decision that used it, or to `rejected`
with the assessor's reason (not current, not relevant). It lives up here, not in programmes, because
an assessed RPL record names a decision."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from app.assessment import repository as repo
from app.assessment.models import AssessmentDecision
from app.assignments.models import AssignmentBrief
from app.auth.principal import Principal
from app.core import clock
from app.core.errors import Forbidden, PreconditionFailed, RuleViolation, field_problem
from app.core.visibility import get_visible
from app.events.event import Changed
from app.events.write import Change, recorded
from app.programmes import events as programme_events
from app.programmes import schemas as programme_schemas
from app.programmes.access import programme_access
from app.programmes.errors import InvalidTransition
from app.programmes.models import ACTIVE_STATUSES, Enrolment, PriorLearning, Programme
from app.programmes.support import get_prior_learning


def _out(row: PriorLearning) -> programme_schemas.PriorLearning:
    return programme_schemas.PriorLearning.model_validate(row)


def _to_be_assessed(rpl: PriorLearning) -> None:
    if rpl.status != "to_be_assessed":
        raise InvalidTransition("R-13", f"The prior learning is already {rpl.status}.")


async def _change(
    session: AsyncSession, p: Principal, rpl: PriorLearning, event: type[Changed], changes: dict
) -> PriorLearning:
    before = _out(rpl).model_dump(mode="json")
    for name, value in changes.items():
        setattr(rpl, name, value)
    try:
        await session.flush()
    except StaleDataError as exc:
        raise PreconditionFailed("The prior learning record changed meanwhile; read it again.") from exc
    e = event.model_validate({"before": before, "after": _out(rpl).model_dump(mode="json")})
    await recorded(session, p, Change.changed(e, "prior_learning", rpl.id))
    return rpl


async def assess(
    session: AsyncSession, p: Principal, rpl_id: uuid.UUID, data: programme_schemas.PriorLearningAssessment
) -> PriorLearning:
    """R-13: assessed by the assessor of the decision that used it: the learner's own decision, on a
    brief of the same qualification that targets the RPL's unit."""
    rpl = await get_prior_learning(session, p, rpl_id)
    _to_be_assessed(rpl)
    errors = [field_problem("body.decision_id", "not_found", "no such assessment decision")]
    decision = await get_visible(
        session, repo.decisions(p), AssessmentDecision, data.decision_id, "assessment decision", errors=errors
    )
    brief = await session.get(AssignmentBrief, decision.brief_id)
    assert brief is not None
    problems = []
    if decision.learner_id != rpl.learner_id:
        problems.append(field_problem("body.decision_id", "R-13", "the decision is another learner's"))
    if brief.qualification_id != rpl.qualification_id or rpl.unit_number not in brief.unit_numbers:
        problems.append(
            field_problem("body.decision_id", "R-13", f"the decision does not assess unit {rpl.unit_number}")
        )
    if problems:
        raise RuleViolation(
            "R-13: RPL is assessed by a decision on the learner's work for its unit.", errors=problems
        )
    programme = await session.get(Programme, decision.programme_id)
    assert programme is not None
    if not (await programme_access(session, p, programme)).has("assessor"):
        raise Forbidden("Only an assessor of the programme assesses prior learning (R-13).")
    return await _change(
        session,
        p,
        rpl,
        programme_events.PriorLearningAssessed,
        {
            "status": "assessed",
            "decision_id": decision.id,
            "assessed_by": p.subject,
            "assessed_on": clock.today(),
        },
    )


async def reject(
    session: AsyncSession, p: Principal, rpl_id: uuid.UUID, data: programme_schemas.PriorLearningRejection
) -> PriorLearning:
    """R-13: the assessor judges how current and relevant RPL is; rejected with the reason, by an
    assessor of a programme the learner is on for that qualification."""
    rpl = await get_prior_learning(session, p, rpl_id)
    _to_be_assessed(rpl)
    programmes = (
        await session.scalars(
            select(Programme)
            .join(Enrolment, Enrolment.programme_id == Programme.id)
            .where(
                Enrolment.learner_id == rpl.learner_id,
                Enrolment.qualification_id == rpl.qualification_id,
                Enrolment.status.in_(ACTIVE_STATUSES),
            )
        )
    ).all()
    for programme in programmes:
        if (await programme_access(session, p, programme)).has("assessor"):
            break
    else:
        raise Forbidden("Only an assessor of the learner's programme judges their prior learning (R-13).")
    return await _change(
        session,
        p,
        rpl,
        programme_events.PriorLearningRejected,
        {
            "status": "rejected",
            "rejection_reason": data.reason,
            "assessed_by": p.subject,
            "assessed_on": clock.today(),
        },
    )
