"""Principal-scoped statements for plans and briefs: staff see their centre's; a learner sees only the
issued (or closed) briefs of programmes they are enrolled on (R-98)."""

from __future__ import annotations

from sqlalchemy import Select, false, select

from app.assignments.models import AssessmentPlanEntry, AssignmentBrief, BriefVerification
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.learners.models import Learner
from app.programmes.models import Enrolment


def plan_entries(p: Principal) -> Select:
    stmt = select(AssessmentPlanEntry).where(AssessmentPlanEntry.centre_id == p.centre_id)
    return stmt if p.has(Scope.assignments_read) else stmt.where(false())


def my_programmes(p: Principal) -> Select:
    return (
        select(Enrolment.programme_id)
        .join(Learner, Learner.id == Enrolment.learner_id)
        .where(
            Enrolment.centre_id == p.centre_id,
            Learner.idp_subject == p.subject,
            Enrolment.status.in_(("enrolled", "registered", "completed")),
        )
    )


def briefs(p: Principal) -> Select:
    stmt = select(AssignmentBrief).where(AssignmentBrief.centre_id == p.centre_id)
    if p.has(Scope.assignments_read):
        return stmt
    if p.has(Scope.learner_self) or p.has(Scope.submissions_self):
        return stmt.where(
            AssignmentBrief.status.in_(("issued", "closed")),
            AssignmentBrief.programme_id.in_(my_programmes(p)),
        )
    return stmt.where(false())


def verifications(p: Principal) -> Select:
    stmt = select(BriefVerification).where(BriefVerification.centre_id == p.centre_id)
    return stmt if p.has(Scope.assignments_read) else stmt.where(false())
