"""The views the SPA needs: one learner's full record, and a programme's cohort tracking grid.

Both are set-based: a fixed number of statements whatever the cohort size (house rule 12; the grid's
count is pinned by tests/assessment/test_views.py). Grades come from the grading engine (R-02..R-05):
per unit, the first attempt (first submission and resubmission together: a criterion counts once,
R-02), a retake (capped at Pass where the qualification says so, R-32) and exam sittings; the best
counts (R-05). A learner's own view counts released decisions only (R-25); staff see pending ones too.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, Select, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.assessment import repository as repo
from app.assessment import schemas
from app.assessment.models import (
    AssessmentDecision,
    DecisionVersion,
    ExamResult,
    ResubmissionAuthorisation,
    Submission,
)
from app.assignments.models import AssignmentBrief
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.core.errors import NotFound
from app.core.visibility import get_visible
from app.learners import repository as learners_repo
from app.learners.models import Learner
from app.programmes.access import visible_programmes
from app.programmes.models import Enrolment, Programme
from app.qualifications.grades import AttemptKind
from app.qualifications.grading import grade_qualification, grade_unit_attempts
from app.qualifications.models import QualificationVersion
from app.qualifications.outcomes import QualificationOutcome, UnitAttempt, UnitOutcome
from app.qualifications.service import parsed
from app.qualifications.structure import Qualification

S = schemas.CriterionStatus
_RANK = {S.not_targeted: 0, S.targeted: 1, S.not_achieved: 2, S.achieved_pending_iv: 3, S.achieved: 4}


@dataclass
class _Learned:
    """What one learner has on the programme, gathered from the set-based reads."""

    criteria: dict[tuple[int, str], schemas.RecordCriterion] = field(default_factory=dict)
    first: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    retake: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    graded: dict[int, list[UnitAttempt]] = field(default_factory=lambda: defaultdict(list))
    assessed_units: set[int] = field(default_factory=set)


def _learn(
    q: Qualification,
    briefs: dict[uuid.UUID, AssignmentBrief],
    decisions: Iterable[Row[Any]],
    exams,  # ExamResult rows: their grade is text, where UnitAttempt declares a UnitGrade
    released_only: bool,
) -> _Learned:
    out = _Learned()
    for b in briefs.values():
        if b.status in ("issued", "closed"):
            for c in b.criteria:
                key = (c["unit_number"], c["code"])
                if key not in out.criteria:
                    out.criteria[key] = schemas.RecordCriterion(
                        unit_number=key[0], code=key[1], status=S.targeted, brief_id=b.id
                    )
    for d in decisions:
        if released_only and d.status != "released":
            continue
        achieved_status = S.achieved if d.status == "released" else S.achieved_pending_iv
        kind = d.attempt_kind
        for c in d.criteria:
            key = (c["unit_number"], c["code"])
            status = achieved_status if c["achieved"] else S.not_achieved
            old = out.criteria.get(key)
            if old is None or _RANK[status] > _RANK[old.status]:
                out.criteria[key] = schemas.RecordCriterion(
                    unit_number=key[0],
                    code=key[1],
                    status=status,
                    brief_id=d.brief_id,
                    evidence_location=c.get("evidence_location"),
                    assessed_on=d.assessed_on,
                    attempt_kind=kind,
                )
            out.assessed_units.add(key[0])
            if c["achieved"]:
                (out.retake if kind == "retake" else out.first)[key[0]].add(key[1])
        for unit, grade in d.unit_grades.items():
            out.graded[int(unit)].append(UnitAttempt(kind=AttemptKind(kind), grade=grade))
            out.assessed_units.add(int(unit))
    for e in exams:
        out.graded[e.unit_number].append(
            UnitAttempt(kind=AttemptKind.first if e.sitting == 1 else AttemptKind.resit, grade=e.grade)
        )
    return out


def _outcomes(q: Qualification, learned: _Learned) -> tuple[dict[int, UnitOutcome], QualificationOutcome]:
    results: dict[int, UnitOutcome] = {}
    for unit in q.units:
        attempts: list[UnitAttempt] = []
        if unit.criteria_listed and unit.criteria and unit.number in learned.assessed_units:
            first = learned.first.get(unit.number, set())
            attempts.append(UnitAttempt(criteria_achieved=frozenset(first)))
            if unit.number in learned.retake:
                # The retake replaces one assignment: it counts with what the others achieved.
                attempts.append(
                    UnitAttempt(
                        kind=AttemptKind.retake,
                        criteria_achieved=frozenset(first | learned.retake[unit.number]),
                    )
                )
        attempts += learned.graded.get(unit.number, [])
        if attempts:
            results[unit.number] = grade_unit_attempts(q, unit, attempts)
    return results, grade_qualification(q, results)


async def _decisions(
    session: AsyncSession,
    p: Principal,
    programme_ids: Sequence[uuid.UUID],
    learner_ids: Sequence[uuid.UUID] | None = None,
    released_only: bool = False,
) -> Sequence[Row[Any]]:
    """Each decision with its current version; for a learner's own view (`released_only`) the version
    released to them, counted as released even while an amendment of it awaits IV (R-25)."""
    shown = AssessmentDecision.released_version if released_only else AssessmentDecision.current_version
    stmt = (
        select(
            AssessmentDecision.learner_id,
            AssessmentDecision.programme_id,
            AssessmentDecision.brief_id,
            (literal("released") if released_only else AssessmentDecision.status).label("status"),
            AssessmentDecision.attempt_kind,
            AssessmentDecision.id,
            AssessmentDecision.submission_id,
            DecisionVersion.criteria,
            DecisionVersion.unit_grades,
            DecisionVersion.assessed_on,
        )
        .join(
            DecisionVersion,
            (DecisionVersion.decision_id == AssessmentDecision.id) & (DecisionVersion.number == shown),
        )
        .where(
            AssessmentDecision.id.in_(repo.decisions(p).with_only_columns(AssessmentDecision.id)),
            AssessmentDecision.programme_id.in_(programme_ids),
        )
    )
    if learner_ids is not None:
        stmt = stmt.where(AssessmentDecision.learner_id.in_(learner_ids))
    return (await session.execute(stmt)).all()


def _programmes_statement(p: Principal) -> Select[Any]:
    """The programmes whose assessment records the caller reads (R-98: else 404), with their
    qualification. A learner reaches a programme through their own enrolment, checked by the caller."""
    if p.has(Scope.assessments_read):
        stmt = visible_programmes(p, Scope.assessments_read)
    else:
        stmt = select(Programme).where(Programme.centre_id == p.centre_id)
    return stmt.add_columns(QualificationVersion).join(
        QualificationVersion, QualificationVersion.id == Programme.qualification_id
    )


async def _programme_and_qualification(session: AsyncSession, p: Principal, programme_id: uuid.UUID):
    row = (await session.execute(_programmes_statement(p).where(Programme.id == programme_id))).one_or_none()
    if row is None:
        raise NotFound(f"No programme with id {programme_id}.")
    return row[0], parsed(row[1])


async def learner_record(
    session: AsyncSession, p: Principal, learner_id: uuid.UUID, programme_id: uuid.UUID
) -> schemas.LearnerRecord:
    await get_visible(session, learners_repo.learners(p), Learner, learner_id, "learner")
    # a learner's record answers only for a programme they are or were enrolled on (a transfer
    # keeps the old record readable, R-14); staff read it only on programmes they reach.
    enrolled = await session.scalar(
        select(Enrolment.id)
        .where(
            Enrolment.centre_id == p.centre_id,
            Enrolment.learner_id == learner_id,
            Enrolment.programme_id == programme_id,
        )
        .limit(1)
    )
    if enrolled is None:
        raise NotFound(f"No record of learner {learner_id} on programme {programme_id}.")
    programme, q = await _programme_and_qualification(session, p, programme_id)
    (record,) = await _records(session, p, [(learner_id, programme, q)])
    return record


async def learner_records(
    session: AsyncSession, p: Principal, keys: Sequence[tuple[uuid.UUID, uuid.UUID]]
) -> list[schemas.LearnerRecord | None]:
    """`learner_record` for a batch of (learner, programme) keys (a GraphQL DataLoader) in a fixed number
    of statements whatever the batch's size: None where `learner_record` would answer 404."""
    if not keys:
        return []
    learner_ids = sorted({k[0] for k in keys})
    programme_ids = sorted({k[1] for k in keys})
    visible = set(
        (
            await session.scalars(
                learners_repo.learners(p).with_only_columns(Learner.id).where(Learner.id.in_(learner_ids))
            )
        ).all()
    )
    enrolled = {
        (row.learner_id, row.programme_id)
        for row in (
            await session.execute(
                select(Enrolment.learner_id, Enrolment.programme_id).where(
                    Enrolment.centre_id == p.centre_id,
                    Enrolment.learner_id.in_(learner_ids),
                    Enrolment.programme_id.in_(programme_ids),
                )
            )
        ).all()
    }
    programmes = {
        row[0].id: (row[0], parsed(row[1]))
        for row in (
            await session.execute(_programmes_statement(p).where(Programme.id.in_(programme_ids)))
        ).all()
    }
    wanted = list(
        dict.fromkeys(
            (learner, programme)
            for learner, programme in keys
            if learner in visible and (learner, programme) in enrolled and programme in programmes
        )
    )
    built = await _records(session, p, [(learner, *programmes[programme]) for learner, programme in wanted])
    found = dict(zip(wanted, built, strict=True))
    return [found.get((learner, programme)) for learner, programme in keys]


async def _records(
    session: AsyncSession, p: Principal, wanted: Sequence[tuple[uuid.UUID, Programme, Qualification]]
) -> list[schemas.LearnerRecord]:
    """The records of (learner, programme) pairs already checked visible: five statements for any
    number of pairs (briefs, decisions, exam results, submissions, resubmission authorisations)."""
    if not wanted:
        return []
    released_only = not p.has(Scope.assessments_read)
    learner_ids = sorted({w[0] for w in wanted})
    programme_ids = sorted({w[1].id for w in wanted})
    briefs_of: dict[uuid.UUID, dict[uuid.UUID, AssignmentBrief]] = defaultdict(dict)
    for b in (
        await session.scalars(select(AssignmentBrief).where(AssignmentBrief.programme_id.in_(programme_ids)))
    ).all():
        briefs_of[b.programme_id][b.id] = b
    all_briefs = [b for briefs in briefs_of.values() for b in briefs]
    decisions_of: dict[tuple[uuid.UUID, uuid.UUID], list] = defaultdict(list)
    for d in await _decisions(session, p, programme_ids, learner_ids, released_only):
        decisions_of[(d.learner_id, d.programme_id)].append(d)
    exams_of: dict[tuple[uuid.UUID, uuid.UUID], list] = defaultdict(list)
    for e in (
        await session.scalars(
            select(ExamResult).where(
                ExamResult.learner_id.in_(learner_ids),
                ExamResult.qualification_id.in_(sorted({w[1].qualification_id for w in wanted})),
            )
        )
    ).all():
        exams_of[(e.learner_id, e.qualification_id)].append(e)
    submissions_of: dict[uuid.UUID, list] = defaultdict(list)
    for s in (
        await session.scalars(
            select(Submission).where(
                Submission.learner_id.in_(learner_ids),
                Submission.brief_id.in_(all_briefs or [uuid.UUID(int=0)]),
            )
        )
    ).all():
        submissions_of[s.learner_id].append(s)
    resubs_of: dict[uuid.UUID, dict[uuid.UUID, ResubmissionAuthorisation]] = defaultdict(dict)
    for r in (
        await session.scalars(
            select(ResubmissionAuthorisation).where(ResubmissionAuthorisation.learner_id.in_(learner_ids))
        )
    ).all():
        resubs_of[r.learner_id][r.brief_id] = r
    return [
        _record_of(
            learner_id,
            programme,
            q,
            briefs_of.get(programme.id, {}),
            decisions_of.get((learner_id, programme.id), []),
            exams_of.get((learner_id, programme.qualification_id), []),
            [s for s in submissions_of.get(learner_id, []) if s.brief_id in briefs_of.get(programme.id, {})],
            resubs_of.get(learner_id, {}),
            released_only,
        )
        for learner_id, programme, q in wanted
    ]


def _record_of(
    learner_id: uuid.UUID,
    programme: Programme,
    q: Qualification,
    briefs: dict[uuid.UUID, AssignmentBrief],
    decisions,
    exams,
    submissions,
    resubs: dict[uuid.UUID, ResubmissionAuthorisation],
    released_only: bool,
) -> schemas.LearnerRecord:
    learned = _learn(q, briefs, decisions, exams, released_only)
    outcomes, overall = _outcomes(q, learned)
    units = []
    for unit in q.units:
        o = outcomes.get(unit.number)
        criteria = [
            learned.criteria.get((unit.number, c.code))
            or schemas.RecordCriterion(unit_number=unit.number, code=c.code, status=S.not_targeted)
            for c in unit.criteria
        ]
        units.append(
            schemas.RecordUnit(
                unit_number=unit.number,
                title=unit.title,
                grade=o.grade.value if o else None,
                basis=o.basis.value if o else None,
                attempt_kind=o.attempt_kind.value if o else None,
                capped_at_pass=o.capped_at_pass if o else False,
                criteria=criteria,
                exam_results=[
                    schemas.ExamResult.model_validate(e) for e in exams if e.unit_number == unit.number
                ],
            )
        )
    by_submission = {d.submission_id: d for d in decisions if not released_only or d.status == "released"}
    attempts = []
    for s in submissions:
        d = by_submission.get(s.id)
        b = briefs[s.brief_id]
        attempts.append(
            schemas.RecordAttempt(
                brief_id=b.id,
                brief_title=b.title,
                attempt_kind=s.attempt_kind,
                deadline=s.deadline,
                submission_id=s.id,
                submitted_at=s.submitted_at,
                late=s.late,
                decision_id=d.id if d else None,
                decision_status=d.status if d else None,
                resubmission_deadline=resubs[b.id].deadline
                if b.id in resubs and s.attempt_kind == "first"
                else None,
            )
        )
    submitted = {s.brief_id for s in submissions}
    for b in briefs.values():  # deadlines still to meet
        if b.status == "issued" and b.id not in submitted:
            attempts.append(
                schemas.RecordAttempt(
                    brief_id=b.id,
                    brief_title=b.title,
                    attempt_kind="first",
                    deadline=b.completion_date,
                    submission_id=None,
                    submitted_at=None,
                    late=None,
                    decision_id=None,
                    decision_status=None,
                )
            )
    return schemas.LearnerRecord(
        learner_id=learner_id,
        programme_id=programme.id,
        qualification_id=programme.qualification_id,
        units=units,
        attempts=attempts,
        qualification_grade=overall.grade.value,
        decided_by=overall.decided_by.value,
        total_points=overall.total_points,
        released_only=released_only,
    )


def q_id(programme: Programme) -> uuid.UUID:
    return programme.qualification_id


async def cohort_grid(session: AsyncSession, p: Principal, programme_id: uuid.UUID) -> schemas.CohortGrid:
    """Learners × criteria for one programme in one request: five statements whatever the cohort size
    (programme+qualification, learners, briefs, decisions with their current versions, exam results)."""
    programme, q = await _programme_and_qualification(session, p, programme_id)
    learners = (
        await session.execute(
            select(Learner.id, Learner.given_name, Learner.family_name)
            .join(Enrolment, Enrolment.learner_id == Learner.id)
            .where(
                Enrolment.programme_id == programme.id,
                Enrolment.status.in_(("enrolled", "registered", "completed")),
            )
            .order_by(Learner.family_name, Learner.given_name, Learner.id)
        )
    ).all()
    briefs = {
        b.id: b
        for b in (
            await session.scalars(select(AssignmentBrief).where(AssignmentBrief.programme_id == programme.id))
        ).all()
    }
    decisions_by: dict[uuid.UUID, list] = defaultdict(list)
    for d in await _decisions(session, p, [programme.id]):
        decisions_by[d.learner_id].append(d)
    exams_by: dict[uuid.UUID, list] = defaultdict(list)
    for e in (
        await session.scalars(
            select(ExamResult).where(
                ExamResult.centre_id == p.centre_id,
                ExamResult.qualification_id == programme.qualification_id,
                ExamResult.learner_id.in_(
                    select(Enrolment.learner_id).where(Enrolment.programme_id == programme.id)
                ),
            )
        )
    ).all():
        exams_by[e.learner_id].append(e)
    columns = [schemas.GridColumn(unit_number=u.number, code=c.code) for u in q.units for c in u.criteria]
    rows = []
    for learner in learners:
        learned = _learn(q, briefs, decisions_by.get(learner.id, ()), exams_by.get(learner.id, ()), False)
        outcomes, overall = _outcomes(q, learned)
        statuses = [(learned.criteria.get((c.unit_number, c.code)) or _NOT).status for c in columns]
        rows.append(
            schemas.GridRow(
                learner_id=learner.id,
                given_name=learner.given_name,
                family_name=learner.family_name,
                statuses=statuses,
                unit_grades={
                    str(u.number): (outcomes[u.number].grade.value if u.number in outcomes else None)
                    for u in q.units
                },
                qualification_grade=overall.grade.value,
            )
        )
    return schemas.CohortGrid(
        programme_id=programme.id, qualification_id=programme.qualification_id, columns=columns, rows=rows
    )


_NOT = schemas.RecordCriterion(unit_number=0, code="-", status=S.not_targeted)
