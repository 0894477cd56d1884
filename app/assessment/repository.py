"""Principal-scoped statements for submissions and decisions (house rules 3 and 4, R-98).

Staff holding assessments:read see them on the programmes they reach (app/programmes/access.py: the
HoC, QN and exams officer the whole centre; an assessor, IV, LIV or PL their own programmes). A learner
sees only their own submissions and only their own *released* decisions, never drafts (R-25).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import Select, false, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.assessment.models import AssessmentDecision, DecisionVersion, ExamResult, Extension, Submission
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
            AssessmentDecision.learner_id.in_(own_learner_ids(p)),
            AssessmentDecision.released_version.is_not(None),  # released (an amendment may await IV)
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


# ---- batch fetchers for GraphQL DataLoaders: one statement per batch of keys, visibility in the statement


def _with_current(p: Principal) -> Select:
    return (
        decisions(p)
        .add_columns(DecisionVersion)
        .join(
            DecisionVersion,
            (DecisionVersion.decision_id == AssessmentDecision.id)
            & (DecisionVersion.number == AssessmentDecision.current_version),
        )
    )


async def decisions_by_id(
    session: AsyncSession, p: Principal, ids: Sequence[uuid.UUID]
) -> list[tuple[AssessmentDecision, DecisionVersion] | None]:
    """Each decision `p` sees with its current version, else None."""
    rows = (await session.execute(_with_current(p).where(AssessmentDecision.id.in_(ids)))).all()
    found = {d.id: (d, v) for d, v in rows}
    return [found.get(i) for i in ids]


async def decisions_by_brief(
    session: AsyncSession, p: Principal, brief_ids: Sequence[uuid.UUID]
) -> list[list[tuple[AssessmentDecision, DecisionVersion]]]:
    """Each brief's decisions that `p` sees (a learner: their own released ones), with current versions."""
    stmt = _with_current(p).where(AssessmentDecision.brief_id.in_(brief_ids)).order_by(AssessmentDecision.id)
    by: dict[uuid.UUID, list[tuple[AssessmentDecision, DecisionVersion]]] = defaultdict(list)
    for d, v in (await session.execute(stmt)).all():
        by[d.brief_id].append((d, v))
    return [by.get(i, []) for i in brief_ids]


async def versions_by_decision(
    session: AsyncSession, p: Principal, decision_ids: Sequence[uuid.UUID]
) -> list[list[DecisionVersion]]:
    """Each decision's versions, oldest first, for the decisions `p` sees (R-26); staff only, as REST's
    versions endpoint (a learner reads their released decision's current version only)."""
    visible = (
        decisions(p).with_only_columns(AssessmentDecision.id).where(AssessmentDecision.id.in_(decision_ids))
    )
    stmt = (
        select(DecisionVersion)
        .where(
            DecisionVersion.decision_id.in_(visible) if p.has(Scope.assessments_read) else false(),
        )
        .order_by(DecisionVersion.decision_id, DecisionVersion.number)
    )
    by: dict[uuid.UUID, list[DecisionVersion]] = defaultdict(list)
    for v in (await session.scalars(stmt)).all():
        by[v.decision_id].append(v)
    return [by.get(i, []) for i in decision_ids]
