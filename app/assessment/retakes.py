"""R-32: a retake is a different assignment covering the same learning outcomes, allowed once the
standard is still not met. Submissions ask it when work is handed in on a retake brief."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.assessment.models import AssessmentDecision, DecisionVersion, Submission
from app.assignments.models import AssignmentBrief
from app.assignments.service import qualification_of
from app.core.errors import FieldProblem, RuleViolation, field_problem


async def check_retake(session: AsyncSession, brief: AssignmentBrief, learner_id: uuid.UUID) -> None:
    """R-32: a retake (on a retake brief) only where the qualification allows one, at most that many per
    assignment, and only when the standard is still not met on the original after its released
    decisions (first and any resubmission)."""
    q = await qualification_of(session, brief.qualification_id)
    problems: list[FieldProblem] = []
    if q.policies.retakes_allowed < 1:
        problems.append(field_problem("body.brief_id", "R-32.not_allowed", f"{q.key} allows no retake"))
    retake_briefs = select(AssignmentBrief.id).where(AssignmentBrief.retake_of_id == brief.retake_of_id)
    taken = (
        await session.execute(
            select(func.count())
            .select_from(Submission)
            .where(Submission.learner_id == learner_id, Submission.brief_id.in_(retake_briefs))
        )
    ).scalar_one()
    if taken >= q.policies.retakes_allowed:
        problems.append(field_problem("body.brief_id", "R-32.limit", "the learner has used their retake"))
    rows = (
        await session.execute(
            select(AssessmentDecision.status, DecisionVersion.criteria)
            .join(
                DecisionVersion,
                (DecisionVersion.decision_id == AssessmentDecision.id)
                # the released result (an amendment awaiting IV does not count yet).
                & (DecisionVersion.number == AssessmentDecision.released_version),
            )
            .where(
                AssessmentDecision.brief_id == brief.retake_of_id, AssessmentDecision.learner_id == learner_id
            )
        )
    ).all()
    released = [r.criteria for r in rows]
    if not released:
        problems.append(
            field_problem(
                "body.brief_id",
                "R-32.no_result",
                "the learner has no released result on the original assignment",
            )
        )
    else:
        achieved = {(c["unit_number"], c["code"]) for criteria in released for c in criteria if c["achieved"]}
        original = await session.get_one(AssignmentBrief, brief.retake_of_id)
        passes = {(c["unit_number"], c["code"]) for c in original.criteria if ".P" in c["code"]}
        if passes <= achieved:
            problems.append(
                field_problem(
                    "body.brief_id",
                    "R-32.standard_met",
                    "the learner met the Pass standard of the original assignment",
                )
            )
    if problems:
        raise RuleViolation("R-32: no retake for this learner on this assignment.", errors=problems)
