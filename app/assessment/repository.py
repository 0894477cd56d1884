"""Principal-scoped statements for submissions and decisions (house rules 3 and 4, R-98).

Staff holding assessments:read see them on the programmes they reach (app/programmes/access.py: the
HoC, QN and exams officer the whole centre; an assessor, IV, LIV or PL their own programmes). A learner
sees only their own submissions and only their own *released* decisions, never drafts (R-25).
"""

from __future__ import annotations

from sqlalchemy import Select, false, select

from app.assessment.models import AssessmentDecision, ExamResult, Extension, Submission
from app.assignments.models import AssignmentBrief
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.learners.models import Learner
from app.programmes.access import learners_on_reachable_programmes, on_reachable_programmes


def own_learner_ids(p: Principal) -> Select:
    return select(Learner.id).where(Learner.centre_id == p.centre_id, Learner.idp_subject == p.subject)


def submissions(p: Principal) -> Select:
    stmt = select(Submission).where(Submission.centre_id == p.centre_id)
    if p.has(Scope.assessments_read):
        clause = on_reachable_programmes(AssignmentBrief.programme_id, p, Scope.assessments_read)
        if clause is None:
            return stmt
        return stmt.where(Submission.brief_id.in_(select(AssignmentBrief.id).where(clause)))
    if p.has(Scope.learner_self) or p.has(Scope.submissions_self):
        return stmt.where(Submission.learner_id.in_(own_learner_ids(p)))
    return stmt.where(false())


def extensions(p: Principal) -> Select:
    """Extensions as their submissions are seen: on the brief's programme, or the learner's own."""
    stmt = select(Extension).where(Extension.centre_id == p.centre_id)
    if p.has(Scope.assessments_read):
        clause = on_reachable_programmes(AssignmentBrief.programme_id, p, Scope.assessments_read)
        if clause is None:
            return stmt
        return stmt.where(Extension.brief_id.in_(select(AssignmentBrief.id).where(clause)))
    if p.has(Scope.learner_self) or p.has(Scope.submissions_self):
        return stmt.where(Extension.learner_id.in_(own_learner_ids(p)))
    return stmt.where(false())


def decisions(p: Principal) -> Select:
    stmt = select(AssessmentDecision).where(AssessmentDecision.centre_id == p.centre_id)
    if p.has(Scope.assessments_read):
        clause = on_reachable_programmes(AssessmentDecision.programme_id, p, Scope.assessments_read)
        return stmt if clause is None else stmt.where(clause)
    if p.has(Scope.learner_self):
        return stmt.where(
            AssessmentDecision.learner_id.in_(own_learner_ids(p)), AssessmentDecision.status == "released"
        )
    return stmt.where(false())


def exam_results(p: Principal) -> Select:
    stmt = select(ExamResult).where(ExamResult.centre_id == p.centre_id)
    if p.has(Scope.assessments_read):
        learners = learners_on_reachable_programmes(p, Scope.assessments_read)
        return stmt if learners is None else stmt.where(ExamResult.learner_id.in_(learners))
    if p.has(Scope.learner_self):
        return stmt.where(ExamResult.learner_id.in_(own_learner_ids(p)))
    return stmt.where(false())
