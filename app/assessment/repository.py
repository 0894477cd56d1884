"""Principal-scoped statements for submissions and decisions (house rules 3 and 4).

Staff holding assessments:read see the centre's — except a caller whose only role granting it is
`assessor`: they see only the programmes they assess. A learner sees only their own submissions and
only their own *released* decisions, never drafts (R-25, R-98).
"""

from __future__ import annotations

import uuid

from sqlalchemy import Select, false, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.assessment.models import AssessmentDecision, ExamResult, Submission
from app.assignments.models import AssignmentBrief
from app.auth.principal import Principal
from app.auth.scopes import ROLE_SCOPES, Role, Scope
from app.centres.models import StaffMember
from app.core.errors import NotFound, field_problem
from app.learners.models import Learner
from app.programmes.models import ProgrammeStaff


def assessor_only(p: Principal) -> bool:
    granting = {r for r in p.roles if Scope.assessments_read in ROLE_SCOPES[r]}
    return granting == {Role.assessor}


def assessed_programmes(p: Principal) -> Select:
    return (
        select(ProgrammeStaff.programme_id)
        .join(StaffMember, StaffMember.id == ProgrammeStaff.staff_id)
        .where(
            StaffMember.centre_id == p.centre_id,
            StaffMember.idp_subject == p.subject,
            ProgrammeStaff.role == "assessor",
        )
    )


def own_learner_ids(p: Principal) -> Select:
    return select(Learner.id).where(Learner.centre_id == p.centre_id, Learner.idp_subject == p.subject)


def is_staff_reader(p: Principal) -> bool:
    return p.has(Scope.assessments_read)


def submissions(p: Principal) -> Select:
    stmt = select(Submission).where(Submission.centre_id == p.centre_id)
    if p.has(Scope.assessments_read):
        if assessor_only(p):
            briefs = select(AssignmentBrief.id).where(
                AssignmentBrief.programme_id.in_(assessed_programmes(p))
            )
            return stmt.where(Submission.brief_id.in_(briefs))
        return stmt
    if p.has(Scope.learner_self) or p.has(Scope.submissions_self):
        return stmt.where(Submission.learner_id.in_(own_learner_ids(p)))
    return stmt.where(false())


def decisions(p: Principal) -> Select:
    stmt = select(AssessmentDecision).where(AssessmentDecision.centre_id == p.centre_id)
    if p.has(Scope.assessments_read):
        if assessor_only(p):
            return stmt.where(AssessmentDecision.programme_id.in_(assessed_programmes(p)))
        return stmt
    if p.has(Scope.learner_self):
        return stmt.where(
            AssessmentDecision.learner_id.in_(own_learner_ids(p)), AssessmentDecision.status == "released"
        )
    return stmt.where(false())


def exam_results(p: Principal) -> Select:
    stmt = select(ExamResult).where(ExamResult.centre_id == p.centre_id)
    if p.has(Scope.assessments_read):
        return stmt
    if p.has(Scope.learner_self):
        return stmt.where(ExamResult.learner_id.in_(own_learner_ids(p)))
    return stmt.where(false())


async def learner_in_centre(session: AsyncSession, p: Principal, learner_id: uuid.UUID) -> Learner:
    """The learner named in a staff request, in the caller's centre, or 404 naming the field."""
    learner = await session.scalar(
        select(Learner).where(Learner.centre_id == p.centre_id, Learner.id == learner_id)
    )
    if learner is None:
        raise NotFound(
            f"No learner with id {learner_id}.",
            errors=[field_problem("body.learner_id", "not_found", "no such learner in the centre")],
        )
    return learner
