"""Assessment decisions (R-24..R-26): only for a learner registered on the qualification (R-10), by an
assessor of the programme; versioned — an amendment is a new version with a reason, nothing assessed
is overwritten (house rule 6); released only once IV of the brief's decisions is complete (R-25).
Only the decision's own assessor amends it, and every version records who made it (R-26). An
amendment of a released decision waits in `amended` for IV of that version (the R-25 gate reads it)
and the learner keeps seeing the released version (`released_version`) until it is released.

The write path is Core `insert()` statements (house rule 12): it carries the load of a whole cohort's
marking, and the benchmark (bench/assessment_bench.py) measures it.
"""

from __future__ import annotations

import functools
import uuid
from typing import Any, Protocol, cast

from sqlalchemy import Row, Select, Table, and_, bindparam, false, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.assessment import events, iv_gate, schemas
from app.assessment import repository as repo
from app.assessment.models import (
    RELEASED_STATUSES,
    AssessmentDecision,
    DecisionVersion,
    ExamResult,
    Submission,
)
from app.assignments.models import AssignmentBrief
from app.assignments.service import known_qualification, qualification_of
from app.auth import statements
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.core import clock
from app.core.concurrency import IfMatch, check_version
from app.core.errors import (
    Conflict,
    FieldProblem,
    Forbidden,
    NotFound,
    PreconditionFailed,
    RuleViolation,
    ValidationFailed,
    field_problem,
)
from app.core.ids import uuid7
from app.core.pagination import paginate
from app.core.visibility import get_visible
from app.events.write import Change, recorded, recorded_all
from app.programmes.access import access_columns, access_of, programme_access, require_on_programme
from app.programmes.enrolments import (
    ensure_registered,
    learner_in_centre,
    registered_clause,
    require_registered,
)
from app.programmes.errors import InvalidTransition
from app.programmes.models import Programme
from app.qualifications.grades import AssessmentMode
from app.qualifications.outcomes import GradingError, unit_grade_of
from app.qualifications.structure import Qualification

_DECISION_COLUMNS = [c for c in AssessmentDecision.__table__.c]
_VERSION_COLUMNS = [c for c in DecisionVersion.__table__.c]


def version_out(row: DecisionVersion | Row[Any]) -> schemas.DecisionVersion:
    return schemas.DecisionVersion(
        number=row.number,
        criteria=[schemas.CriterionResult(**c) for c in row.criteria],
        unit_grades={str(k): v for k, v in row.unit_grades.items()},
        feedback=row.feedback,
        authenticity_confirmed=row.authenticity_confirmed,
        can_improve_without_guidance=row.can_improve_without_guidance,
        assessed_on=row.assessed_on,
        reason=row.reason,
        recorded_by=row.recorded_by,
        made_by=row.made_by,
        recorded_at=row.recorded_at,
    )


def learner_view(p: Principal) -> bool:
    """R-25: a learner (no staff read of assessments) sees a decision as it was released to them."""
    return not p.has(Scope.assessments_read)


def decision_out(
    decision: AssessmentDecision | Row[Any],
    version: DecisionVersion | Row[Any],
    released: DecisionVersion | Row[Any] | None = None,
    *,
    for_learner: bool = False,
) -> schemas.Decision:
    """The decision with its current version and, once released, the version the learner was given
    (`released`, the same as `current` unless an amendment awaits IV). For the learner both are the
    released version and the state is `released`: an amendment is theirs once IV has verified it."""
    if released is None and decision.released_version == version.number:
        released = version
    if for_learner:
        assert released is not None  # a learner reads only released decisions (repository.decisions)
        version = released
    return schemas.Decision(
        id=decision.id,
        centre_id=decision.centre_id,
        programme_id=decision.programme_id,
        brief_id=decision.brief_id,
        learner_id=decision.learner_id,
        submission_id=decision.submission_id,
        attempt_kind=decision.attempt_kind,
        assessor_staff_id=decision.assessor_staff_id,
        status="released" if for_learner else decision.status,
        current_version=decision.released_version if for_learner else decision.current_version,
        released_at=decision.released_at,
        released_version=decision.released_version,
        current=version_out(version),
        released=version_out(released) if released is not None else None,
        created_at=decision.created_at,
        updated_at=decision.updated_at,
        version=decision.version,
    )


class BriefCriteria(Protocol):
    """What check_content reads of a brief (the brief itself, or the facts record_decision gathers)."""

    @property
    def criteria(self) -> list[dict]: ...
    @property
    def unit_numbers(self) -> list[int]: ...


def check_content(
    q: Qualification, brief: BriefCriteria, data: schemas.DecisionContent
) -> list[FieldProblem]:
    """R-24: every criterion the brief targets, judged exactly once, with where the evidence is when
    achieved; units graded by a recorded grade (criteria not listed) get one grade of their scheme."""
    problems: list[FieldProblem] = []
    targeted = {(c["unit_number"], c["code"]) for c in brief.criteria}
    seen: set[tuple[int, str]] = set()
    for i, c in enumerate(data.criteria):
        key = (c.unit_number, c.code)
        if key in seen:
            problems.append(field_problem(f"body.criteria.{i}", "duplicate_criterion", "judged twice"))
        elif key not in targeted:
            problems.append(
                field_problem(
                    f"body.criteria.{i}",
                    "not_targeted",
                    f"the brief does not target {c.code} of unit {c.unit_number}",
                )
            )
        elif c.achieved and not c.evidence_location:
            problems.append(
                field_problem(
                    f"body.criteria.{i}.evidence_location",
                    "R-24",
                    "say where the evidence for an achieved criterion is",
                )
            )
        seen.add(key)
    problems += [
        field_problem("body.criteria", "R-24", f"{code} of unit {n} is targeted but not judged")
        for n, code in sorted(targeted - seen)
    ]
    graded_units = {n for n in brief.unit_numbers if not q.unit(n).criteria_listed}
    given = {}
    for i, g in enumerate(data.unit_grades):
        if g.unit_number not in graded_units:
            problems.append(
                field_problem(
                    f"body.unit_grades.{i}", "not_graded_unit", "this unit is judged on its criteria"
                )
            )
            continue
        try:
            unit_grade_of(q.unit(g.unit_number), g.grade)
        except GradingError as exc:
            problems.append(field_problem(f"body.unit_grades.{i}.grade", "grade_not_in_scheme", str(exc)))
        given[g.unit_number] = g.grade
    problems += [
        field_problem("body.unit_grades", "R-24", f"unit {n} needs a grade")
        for n in sorted(graded_units - set(given))
    ]
    return problems


def _version_values(
    decision_id: uuid.UUID,
    number: int,
    centre_id: uuid.UUID,
    data: schemas.DecisionContent,
    p: Principal,
    reason: str | None,
    made_by: uuid.UUID,
) -> dict[str, Any]:
    return {
        "decision_id": decision_id,
        "number": number,
        "centre_id": centre_id,
        "criteria": [
            {
                "unit_number": c.unit_number,
                "code": c.code,
                "achieved": c.achieved,
                "evidence_location": c.evidence_location,
            }
            for c in data.criteria
        ],
        "unit_grades": {str(g.unit_number): g.grade for g in data.unit_grades},
        "feedback": data.feedback,
        "authenticity_confirmed": data.authenticity_confirmed,
        "can_improve_without_guidance": data.can_improve_without_guidance,
        "assessed_on": data.assessed_on,
        "reason": reason,
        "recorded_by": p.subject,
        "made_by": made_by,
    }


async def _assessor_on(session: AsyncSession, p: Principal, programme_id: uuid.UUID) -> uuid.UUID:
    programme = await session.get_one(Programme, programme_id)
    return require_on_programme(
        await programme_access(session, p, programme), "assessor", what="record its assessment decisions"
    )


# ---- recording a decision: the hot write path (issue 18) -----------------------------------------------
#
# A whole cohort's marking goes through here, so the request is four round trips besides BEGIN and
# COMMIT's: one statement gathers every fact the rules need, one writes the decision and its first
# version, and the write path's one statement (app/events/write.py) its audit row and outbox event at
# commit (the specification is read only the first time a process meets the qualification). Both
# statements are built once (per kind of caller for the first) and executed with bound values, so
# SQLAlchemy neither rebuilds nor recompiles them per request (app/auth/statements.py).


@statements.per_shape
def _decision_facts(p: Principal) -> Select:
    """For one submission the caller sees (repository.submissions: not seen is 404): its state, its
    brief's criteria, the caller's access to the brief's programme (R-98) and R-10's registration, as
    the separate reads of get_visible, programme_access and ensure_registered would find them."""
    visible = repo.submissions(p).where(Submission.id == bindparam("submission_id")).subquery("s")
    return (
        select(
            visible.c.id,
            visible.c.status,
            visible.c.learner_id,
            visible.c.attempt_kind,
            AssignmentBrief.id.label("brief_id"),
            AssignmentBrief.programme_id,
            AssignmentBrief.qualification_id,
            AssignmentBrief.criteria,
            AssignmentBrief.unit_numbers,
            Programme.programme_leader_id,
            *access_columns(p),
            registered_clause(p.centre_id, visible.c.learner_id, AssignmentBrief.qualification_id).label(
                "registered"
            ),
        )
        .select_from(visible)
        .join(AssignmentBrief, AssignmentBrief.id == visible.c.brief_id)
        .join(Programme, Programme.id == AssignmentBrief.programme_id)
    )


_DECISION = cast(Table, AssessmentDecision.__table__)
_VERSION = cast(Table, DecisionVersion.__table__)
_INSERTED_DECISION = [
    "id", "centre_id", "programme_id", "brief_id", "learner_id", "submission_id", "attempt_kind",
    "assessor_staff_id", "status", "current_version", "created_at", "updated_at", "version",
]  # fmt: skip
_INSERTED_VERSION = [
    "number", "centre_id", "criteria", "unit_grades", "feedback", "authenticity_confirmed",
    "can_improve_without_guidance", "assessed_on", "reason", "recorded_by", "made_by", "recorded_at",
]  # fmt: skip


@functools.cache
def _insert_decision() -> Select:
    """The decision and its first version in one statement: ON CONFLICT on the one-decision-per-
    submission key (a second decision inserts neither row and returns nothing: the 409), the version
    inserted from the decision the first CTE returned. Bound values `d_<column>` and `v_<column>`."""
    decision = (
        pg_insert(_DECISION)
        .values({c: bindparam(f"d_{c}", type_=_DECISION.c[c].type) for c in _INSERTED_DECISION})
        .on_conflict_do_nothing(index_elements=[_DECISION.c.submission_id])
        .returning(_DECISION.c.id)
        .cte("decision")
    )
    version = (
        insert(_VERSION)
        .from_select(
            ["decision_id", *_INSERTED_VERSION],
            select(
                decision.c.id,
                *(bindparam(f"v_{c}", type_=_VERSION.c[c].type) for c in _INSERTED_VERSION),
            ),
        )
        .returning(_VERSION.c.decision_id)
        .cte("version")
    )
    return select(version.c.decision_id)


async def record_decision(
    session: AsyncSession, p: Principal, data: schemas.DecisionCreate
) -> schemas.Decision:
    conn = await session.connection()
    facts = (
        await conn.execute(_decision_facts(p), {**statements.params(p), "submission_id": data.submission_id})
    ).one_or_none()
    if facts is None:
        raise NotFound(f"No submission with id {data.submission_id}.")
    if facts.status != "submitted":
        raise InvalidTransition(
            "R-22",
            "Work is assessed once it is handed in with the learner's declaration.",
            field="body.submission_id",
        )
    assessor = require_on_programme(
        access_of(facts.access_staff_id, facts.access_roles, facts.access_liv_id, facts.programme_leader_id),
        "assessor",
        what="record its assessment decisions",
    )
    require_registered(facts.registered)
    q = await known_qualification(session, facts.qualification_id)
    if problems := check_content(q, facts, data):
        raise ValidationFailed("The decision does not match the brief's criteria.", errors=problems)
    now = clock.now()
    decision = AssessmentDecision(
        id=uuid7(),
        centre_id=p.centre_id,
        programme_id=facts.programme_id,
        brief_id=facts.brief_id,
        learner_id=facts.learner_id,
        submission_id=facts.id,
        attempt_kind=facts.attempt_kind,
        assessor_staff_id=assessor,
        status="draft",
        current_version=1,
        released_at=None,
        released_version=None,
        created_at=now,
        updated_at=now,
        version=1,
    )
    version = DecisionVersion(
        **_version_values(decision.id, 1, p.centre_id, data, p, None, assessor), recorded_at=now
    )
    # ON CONFLICT on the one-decision-per-submission key instead of a savepoint around the insert: the
    # same Conflict for a second decision, no savepoint's round trips (issue 18).
    inserted = (
        await conn.execute(
            _insert_decision(),
            {
                **{f"d_{c}": getattr(decision, c) for c in _INSERTED_DECISION},
                **{f"v_{c}": getattr(version, c) for c in _INSERTED_VERSION},
            },
        )
    ).first()
    if inserted is None:
        raise Conflict(
            "This submission already has a decision: amend it (a new version with a reason).",
            errors=[field_problem("body.submission_id", "decision_exists", "amend instead")],
        )
    out = decision_out(decision, version)
    await recorded(
        session, p, Change.created(events.DecisionRecorded.of(out), "assessment_decision", decision.id)
    )
    return out


async def _current(session: AsyncSession, decision: AssessmentDecision) -> Row[Any]:
    return (
        await session.execute(
            select(*_VERSION_COLUMNS).where(
                DecisionVersion.decision_id == decision.id, DecisionVersion.number == decision.current_version
            )
        )
    ).one()


async def _out(
    session: AsyncSession, p: Principal, decision: AssessmentDecision | Row[Any]
) -> schemas.Decision:
    """The decision as the caller sees it: staff the current and the released version, a learner the
    released one (R-25); both read in one statement."""
    numbers = {decision.current_version, decision.released_version} - {None}
    rows = {
        r.number: r
        for r in (
            await session.execute(
                select(*_VERSION_COLUMNS).where(
                    DecisionVersion.decision_id == decision.id, DecisionVersion.number.in_(numbers)
                )
            )
        ).all()
    }
    released = rows.get(decision.released_version) if decision.released_version else None
    return decision_out(decision, rows[decision.current_version], released, for_learner=learner_view(p))


async def get_decision_row(session: AsyncSession, p: Principal, decision_id: uuid.UUID) -> AssessmentDecision:
    return await get_visible(
        session, repo.decisions(p), AssessmentDecision, decision_id, "assessment decision"
    )


async def get_decision(session: AsyncSession, p: Principal, decision_id: uuid.UUID) -> schemas.Decision:
    decision = await get_decision_row(session, p, decision_id)
    return await _out(session, p, decision)


async def list_versions(
    session: AsyncSession, p: Principal, decision_id: uuid.UUID
) -> list[schemas.DecisionVersion]:
    """R-26: every version, oldest first: who assessed what, when, the feedback, and why it changed. A
    learner sees the versions up to the one released to them (R-25), not an amendment awaiting IV."""
    decision = await get_decision_row(session, p, decision_id)
    stmt = select(*_VERSION_COLUMNS).where(DecisionVersion.decision_id == decision.id)
    if learner_view(p):
        stmt = stmt.where(DecisionVersion.number <= decision.released_version)
    rows = (await session.execute(stmt.order_by(DecisionVersion.number))).all()
    return [version_out(r) for r in rows]


async def list_decisions(
    session: AsyncSession,
    p: Principal,
    limit: int,
    cursor: str | None,
    *,
    brief_id: uuid.UUID | None = None,
    learner_id: uuid.UUID | None = None,
    programme_id: uuid.UUID | None = None,
    status: str | None = None,
) -> tuple[list[schemas.Decision], str | None]:
    stmt = repo.decisions(p)
    for_learner = learner_view(p)
    for column, value in (
        (AssessmentDecision.brief_id, brief_id),
        (AssessmentDecision.learner_id, learner_id),
        (AssessmentDecision.programme_id, programme_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if status is not None and for_learner:
        # to the learner every decision they see is released, an amendment awaiting IV too.
        stmt = stmt.where(
            false() if status != "released" else AssessmentDecision.status.in_(RELEASED_STATUSES)
        )
    elif status is not None:
        stmt = stmt.where(AssessmentDecision.status == status)
    rows, next_cursor = await paginate(session, stmt, AssessmentDecision.id, limit, cursor)
    versions: dict[tuple[uuid.UUID, int], Row[Any]] = {}
    if rows:
        keys = [
            and_(DecisionVersion.decision_id == r.id, DecisionVersion.number == n)
            for r in rows
            for n in {r.current_version, r.released_version} - {None}
        ]
        for v in (await session.execute(select(*_VERSION_COLUMNS).where(or_(*keys)))).all():
            versions[(v.decision_id, v.number)] = v
    return [
        decision_out(
            r,
            versions[(r.id, r.current_version)],
            versions.get((r.id, r.released_version)),
            for_learner=for_learner,
        )
        for r in rows
    ], next_cursor


def _state(d: AssessmentDecision | Row[Any]) -> dict[str, Any]:
    return {
        "status": d.status,
        "current_version": d.current_version,
        "released_version": d.released_version,
    }


async def _change(
    session: AsyncSession,
    p: Principal,
    decision: AssessmentDecision,
    expected: int | IfMatch | None,
    action: str,
    values: dict[str, Any],
    **event_fields: Any,
) -> Row[Any]:
    """One state change of the decision row, checked against the version the caller read; returns the
    row as the UPDATE left it."""
    if expected is not None:
        check_version(decision.version, expected)
    before = _state(decision)
    result = await session.execute(
        update(AssessmentDecision)
        .where(AssessmentDecision.id == decision.id, AssessmentDecision.version == decision.version)
        .values(**values, version=decision.version + 1, updated_at=clock.now())
        .returning(*_DECISION_COLUMNS)
    )
    row = result.one_or_none()
    if row is None:
        raise PreconditionFailed("The decision changed while you were changing it; read it again.")
    await session.refresh(decision)
    after = _state(row)
    event = events.DECISION_CHANGES[action].model_validate({**row._asdict(), **event_fields})
    await recorded(session, p, Change(event, "assessment_decision", decision.id, before, after))
    return row


async def amend_decision(
    session: AsyncSession,
    p: Principal,
    decision_id: uuid.UUID,
    data: schemas.DecisionAmendment,
    expected: int | IfMatch,
) -> schemas.Decision:
    """R-26: a new version with a reason, made by the decision's own assessor; the earlier ones stay.
    A draft, or a decision waiting for IV, goes back to draft: what IV was to verify is not what it
    now says. A released decision becomes `amended`: the new version waits for IV of that version
    (R-25) and the learner keeps the released one until it is released."""
    decision = await get_decision_row(session, p, decision_id)
    staff_id = await _assessor_on(session, p, decision.programme_id)
    if staff_id != decision.assessor_staff_id:
        # R-26 / 003 §8: the record shows who assessed; a colleague's disagreement goes to IV or
        # standardisation, not into another assessor's decision.
        raise Forbidden(
            "R-26: only the decision's assessor amends it.",
            errors=[
                field_problem(
                    "assessor_staff_id", "R-26", "the decision was made by another assessor of the programme"
                )
            ],
        )
    check_version(decision.version, expected)
    brief = await session.get_one(AssignmentBrief, decision.brief_id)
    q = await qualification_of(session, brief.qualification_id)
    if problems := check_content(q, brief, data):
        raise ValidationFailed("The decision does not match the brief's criteria.", errors=problems)
    number = decision.current_version + 1
    await session.execute(
        insert(DecisionVersion).values(
            _version_values(decision.id, number, p.centre_id, data, p, data.reason, staff_id)
        )
    )
    status = "amended" if decision.status in RELEASED_STATUSES else "draft"
    row = await _change(
        session,
        p,
        decision,
        None,
        "amended",
        {"current_version": number, "status": status},
        made_by=staff_id,
    )
    return await _out(session, p, row)


async def submit_for_iv(session: AsyncSession, p: Principal, decision_id: uuid.UUID) -> schemas.Decision:
    decision = await get_decision_row(session, p, decision_id)
    await _assessor_on(session, p, decision.programme_id)
    if decision.status == "amended":
        raise InvalidTransition("R-25", "An amended released decision is already waiting for IV.")
    if decision.status != "draft":
        raise InvalidTransition("R-25", f"A {decision.status} decision cannot be submitted for IV.")
    row = await _change(session, p, decision, None, "submitted_for_iv", {"status": "submitted_for_iv"})
    return await _out(session, p, row)


async def release(session: AsyncSession, p: Principal, decision_id: uuid.UUID) -> schemas.Decision:
    """R-25: only after IV of the brief's decisions is complete — asked of iv_gate, the one place that
    knows, which also reads whether an amendment of a released decision was verified at its new
    version; R-22: only with the assessor's confirmation that the work is authentic."""
    decision = await get_decision_row(session, p, decision_id)
    await _assessor_on(session, p, decision.programme_id)
    if decision.status not in ("submitted_for_iv", "amended"):
        raise InvalidTransition(
            "R-25", f"A {decision.status} decision cannot be released; it goes to IV first."
        )
    current = await _current(session, decision)
    brief = await session.get_one(AssignmentBrief, decision.brief_id)
    # a remedial action holds only the decisions it concerns.
    gate = await iv_gate.iv_complete_for_brief(session, brief, [decision.id])
    problems = [field_problem("internal_verification", "R-25", reason) for reason in gate.reasons]
    if not current.authenticity_confirmed:
        problems.append(
            field_problem(
                "authenticity_confirmed",
                "R-22",
                "the assessor has not confirmed the work is the learner's own",
            )
        )
    if not gate.satisfied or problems:
        raise RuleViolation(
            "R-25: a decision is released only after internal verification of the assignment's "
            "decisions is complete."
            if not gate.satisfied
            else "R-22: the work's authenticity is not confirmed.",
            errors=problems,
        )
    row = await _change(
        session,
        p,
        decision,
        None,
        "released",
        {
            "status": "released",
            "released_at": clock.now(),
            "released_by": p.subject,
            "released_version": decision.current_version,
        },
    )
    return decision_out(row, current)


async def release_brief(session: AsyncSession, p: Principal, brief_id: uuid.UUID) -> list[uuid.UUID]:
    """R-25: release the whole batch of a brief's decisions at once, once IV of them is complete (asked
    of iv_gate, as for one decision), except the decisions an open remedial action holds (R-43); R-22: only decisions whose work the assessor confirmed authentic.
    One statement releases them all; one audit event and one `assessment_decision.released` event per
    learner's decision. By the programme's assessors, its leader or its LIV."""
    from app.assignments.service import get_brief

    brief = await get_brief(session, p, brief_id)
    programme = await session.get_one(Programme, brief.programme_id)
    require_on_programme(
        await programme_access(session, p, programme),
        "assessor",
        "programme_leader",
        "lead_internal_verifier",
        what="release its assessment decisions",
    )
    # The brief-wide reasons refuse the batch; a remedial action's hold keeps back only the decisions it
    # concerns, and the rest are released.
    gate = await iv_gate.iv_complete_for_brief(session, brief, ())
    problems = [field_problem("internal_verification", "R-25", reason) for reason in gate.reasons]
    held = await iv_gate.holds_of(session, brief)
    pending = (
        await session.execute(
            select(
                AssessmentDecision.id,
                AssessmentDecision.status,
                AssessmentDecision.released_version,
                DecisionVersion.authenticity_confirmed,
            )
            .join(
                DecisionVersion,
                and_(
                    DecisionVersion.decision_id == AssessmentDecision.id,
                    DecisionVersion.number == AssessmentDecision.current_version,
                ),
            )
            .where(
                AssessmentDecision.brief_id == brief.id,
                AssessmentDecision.status.in_(("submitted_for_iv", "amended")),
            )
            .order_by(AssessmentDecision.id)
            .with_for_update(of=AssessmentDecision)
        )
    ).all()
    blocked = not gate.satisfied or (bool(pending) and all(d.id in held for d in pending))
    if blocked:
        problems += [
            field_problem("internal_verification", "R-25", reason)
            for reason in dict.fromkeys(r for d in pending for r in held.get(d.id, ()))
            if reason not in gate.reasons
        ]
    pending = [d for d in pending if d.id not in held]
    problems += [
        field_problem(
            f"decisions.{d.id}.authenticity_confirmed",
            "R-22",
            "the assessor has not confirmed the work is the learner's own",
        )
        for d in pending
        if not d.authenticity_confirmed
    ]
    if problems:
        raise RuleViolation(
            "R-25: a decision is released only after internal verification of the assignment's "
            "decisions is complete."
            if blocked
            else "R-22: the work's authenticity is not confirmed.",
            errors=problems,
        )
    if not pending:
        raise InvalidTransition("R-25", "No decision of this brief is waiting for release.", field="brief_id")
    rows = (
        await session.execute(
            update(AssessmentDecision)
            .where(
                AssessmentDecision.id.in_([d.id for d in pending]),
                AssessmentDecision.status.in_(("submitted_for_iv", "amended")),
            )
            .values(
                status="released",
                released_at=clock.now(),
                released_by=p.subject,
                released_version=AssessmentDecision.current_version,
                version=AssessmentDecision.version + 1,
                updated_at=clock.now(),
            )
            .returning(
                AssessmentDecision.id, AssessmentDecision.learner_id, AssessmentDecision.current_version
            )
        )
    ).all()
    # One shape with the single release (_change): the learner and the brief are always there.
    was = {d.id: d for d in pending}
    await recorded_all(
        session,
        p,
        [
            Change(
                events.DecisionReleased(
                    id=row.id,
                    status="released",
                    current_version=row.current_version,
                    released_version=row.current_version,
                    learner_id=row.learner_id,
                    brief_id=brief.id,
                ),
                "assessment_decision",
                row.id,
                before={
                    "status": was[row.id].status,
                    "current_version": row.current_version,
                    "released_version": was[row.id].released_version,
                },
                after={
                    "status": "released",
                    "current_version": row.current_version,
                    "released_version": row.current_version,
                },
            )
            for row in rows
        ],
    )
    return [row.id for row in rows]


# ---- exam results (003 §7) ----------------------------------------------------------------------------


async def record_exam_result(
    session: AsyncSession, p: Principal, data: schemas.ExamResultCreate
) -> ExamResult:
    """An externally assessed unit's result; each further sitting is a resit, at most exam_resits_allowed
    (003 §7); the best counts (R-05). Only for a registered learner (R-10)."""
    from app.programmes.service import visible_qualification

    row = await visible_qualification(session, p, data.qualification_id, "body.qualification_id")
    from app.qualifications.service import parsed

    q = parsed(row)
    try:
        unit = q.unit(data.unit_number)
    except KeyError as exc:
        raise ValidationFailed(
            "No such unit.",
            errors=[
                field_problem("body.unit_number", "unknown_unit", f"{q.key} has no unit {data.unit_number}")
            ],
        ) from exc
    if unit.assessment is not AssessmentMode.external:
        raise ValidationFailed(
            "An internally assessed unit is graded from assessment decisions.",
            errors=[field_problem("body.unit_number", "internal_unit", "not an examined unit")],
        )
    try:
        unit_grade_of(unit, data.grade)
    except GradingError as exc:
        raise ValidationFailed(
            "The grade is not one of the unit's.",
            errors=[field_problem("body.grade", "grade_not_in_scheme", str(exc))],
        ) from exc
    await learner_in_centre(session, p, data.learner_id, "body.learner_id")
    await ensure_registered(session, p.centre_id, data.learner_id, data.qualification_id)
    sittings = (
        await session.execute(
            select(func.count())
            .select_from(ExamResult)
            .where(
                ExamResult.learner_id == data.learner_id,
                ExamResult.qualification_id == data.qualification_id,
                ExamResult.unit_number == data.unit_number,
            )
        )
    ).scalar_one()
    if sittings >= 1 + q.policies.exam_resits_allowed:
        raise RuleViolation(
            f"{q.key} allows {q.policies.exam_resits_allowed} resit(s) of an examined unit.",
            errors=[
                field_problem(
                    "body.unit_number", "resits_exhausted", f"already {sittings} sitting(s) recorded"
                )
            ],
        )
    result = ExamResult(
        id=uuid7(),
        centre_id=p.centre_id,
        learner_id=data.learner_id,
        qualification_id=data.qualification_id,
        unit_number=data.unit_number,
        sitting=sittings + 1,
        series=data.series,
        grade=data.grade,
        recorded_by=p.subject,
    )
    session.add(result)
    try:
        await session.flush()
    except Exception as exc:
        from sqlalchemy.exc import IntegrityError

        if isinstance(exc, IntegrityError):
            raise Conflict(
                "Another result for this sitting was recorded at the same time; read again."
            ) from exc
        raise
    await recorded(session, p, Change.created(events.ExamResultRecorded.of(result), "exam_result", result.id))
    return result
