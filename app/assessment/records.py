"""The views the SPA needs: one learner's full record, and a programme's cohort tracking grid.

R-14: a record belongs to the learner's *registration* for a qualification, not to one programme: it
counts every enrolment of the learner on a programme of that qualification (both years of a two-year
National, every teaching group), and, after a transfer from another qualification, the results of the
units the two share (same unit reference, else same number and title). The per-programme record and the
cohort grid's rows show this registration-wide status. A member of staff who reaches one programme of
the registration reads the whole registration's results.

Both are set-based: a fixed number of statements whatever the cohort size (house rule 12; the grid's
count is pinned by tests/assessment/test_views.py). Grades come from the grading engine (R-02..R-05):
per unit, the first attempt (first submission and resubmission together: a criterion counts once,
R-02), a retake (capped at Pass where the qualification says so, R-32) and exam sittings; the best
counts (R-05). A learner's own view counts released decisions only (R-25); staff see pending ones too.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, NamedTuple

from sqlalchemy import (
    ARRAY,
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Row,
    Select,
    String,
    Uuid,
    any_,
    bindparam,
    cast,
    literal,
    null,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.dialects.postgresql import JSONB
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
from app.auth import statements
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.core.errors import NotFound
from app.core.visibility import get_visible
from app.learners import repository as learners_repo
from app.learners.models import Learner
from app.programmes.access import reachable_programmes, visible_programmes
from app.programmes.models import ACTIVE_STATUSES, Enrolment, Programme
from app.qualifications.grades import AssessmentMode, AttemptKind
from app.qualifications.grading import grade_cohort, grade_qualification, grade_unit_attempts
from app.qualifications.outcomes import QualificationOutcome, UnitAttempt, UnitOutcome
from app.qualifications.service import parsed_by_id
from app.qualifications.structure import Qualification

S = schemas.CriterionStatus
_RANK = {S.not_targeted: 0, S.targeted: 1, S.not_achieved: 2, S.achieved_pending_iv: 3, S.achieved: 4}


class _Cell(NamedTuple):
    """One criterion of a learner's record: its best status so far and where it comes from. A plain
    tuple, not a RecordCriterion: the grid reads only the status of 300 × 11 of them (issue 18), and
    the learner record makes its RecordCriterion from it (`_criterion`)."""

    status: schemas.CriterionStatus
    brief_id: uuid.UUID | None
    evidence_location: str | None = None
    assessed_on: dt.date | None = None
    attempt_kind: str | None = None


def _criterion(unit_number: int, code: str, cell: _Cell | None) -> schemas.RecordCriterion:
    if cell is None:
        return schemas.RecordCriterion(unit_number=unit_number, code=code, status=S.not_targeted)
    return schemas.RecordCriterion(
        unit_number=unit_number,
        code=code,
        status=cell.status,
        brief_id=cell.brief_id,
        evidence_location=cell.evidence_location,
        assessed_on=cell.assessed_on,
        attempt_kind=cell.attempt_kind,
    )


# A cell's status from its rank: the rank says everything the status does (a released achievement 4,
# one awaiting IV 3, not achieved 2, targeted 1), so the grid reads statuses without making cells.
_STATUS_OF_RANK = {rank: status for status, rank in _RANK.items()}


@dataclass
class _Learned:
    """What one learner has on the programme, gathered from the set-based reads: for each criterion its
    best rank (`_RANK`) and the decision and criterion entry that gave it, the cell made only when a
    record asks for it (`cell`); the grid reads only `status` of 300 × 11 of them (issue 18)."""

    targeted: dict[tuple[int, str], _Cell] = field(default_factory=dict)
    ranks: dict[tuple[int, str], int] = field(default_factory=dict)
    judged: dict[tuple[int, str], tuple[Any, dict[str, Any]]] = field(default_factory=dict)
    first: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    retake: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    graded: dict[int, list[UnitAttempt]] = field(default_factory=lambda: defaultdict(list))
    assessed_units: set[int] = field(default_factory=set)

    def status(self, key: tuple[int, str]) -> schemas.CriterionStatus:
        return _STATUS_OF_RANK[self.ranks.get(key, 0)]

    def cell(self, key: tuple[int, str]) -> _Cell | None:
        if key in self.judged:
            d, c = self.judged[key]
            return _Cell(
                self.status(key), d.brief_id, c.get("evidence_location"), d.assessed_on, d.attempt_kind
            )
        return self.targeted.get(key)


def _targeted(briefs: dict[uuid.UUID, _Brief]) -> dict[tuple[int, str], _Cell]:
    """Each criterion the issued (or closed) briefs target, with the first brief that targets it."""
    out: dict[tuple[int, str], _Cell] = {}
    for b in briefs.values():
        if b.status in ("issued", "closed"):
            for c in b.criteria:
                key = (c["unit_number"], c["code"])
                if key not in out:
                    out[key] = _Cell(S.targeted, b.id)
    return out


def _learn(
    q: Qualification,
    briefs: dict[uuid.UUID, _Brief],
    decisions: Iterable[Row[Any]],
    exams,  # ExamResult rows: their grade is text, where UnitAttempt declares a UnitGrade
    released_only: bool,
    targeted: dict[tuple[int, str], _Cell] | None = None,  # _targeted(briefs), when the caller has it
) -> _Learned:
    out = _Learned(targeted=_targeted(briefs) if targeted is None else targeted)
    ranks = out.ranks = dict.fromkeys(out.targeted, _RANK[S.targeted])
    judged = out.judged
    for d in decisions:
        status = d.status
        if released_only and status != "released":
            continue
        achieved_rank = 4 if status == "released" else 3
        kind = d.attempt_kind
        achieved_by = out.retake if kind == "retake" else out.first
        for c in d.criteria:
            key = (c["unit_number"], c["code"])
            achieved = c["achieved"]
            rank = achieved_rank if achieved else 2
            if rank > ranks.get(key, 0):
                ranks[key] = rank
                judged[key] = (d, c)
            out.assessed_units.add(key[0])
            if achieved:
                achieved_by[key[0]].add(key[1])
        for unit, grade in d.unit_grades.items():
            out.graded[int(unit)].append(UnitAttempt(kind=AttemptKind(kind), grade=grade))
            out.assessed_units.add(int(unit))
    for e in exams:
        out.graded[e.unit_number].append(
            UnitAttempt(kind=AttemptKind.first if e.sitting == 1 else AttemptKind.resit, grade=e.grade)
        )
    return out


# A unit's outcome for given attempts at it, shared by every learner with the same attempts: a cohort
# is mostly a few patterns (issue 18: grading each learner's units afresh was a third of the grid).
_UnitMemo = dict[tuple[int, tuple[UnitAttempt, ...]], UnitOutcome]


def _unit_outcomes(
    q: Qualification, learned: _Learned, memo: _UnitMemo | None = None
) -> dict[int, UnitOutcome]:
    """R-02, R-05, R-32: each unit's best attempt. The first attempt is every criterion achieved on a
    first submission or its resubmission; a retake counts with what the other assignments achieved."""
    memo = {} if memo is None else memo
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
            key = (unit.number, tuple(attempts))
            outcome = memo.get(key)
            if outcome is None:
                outcome = memo[key] = grade_unit_attempts(q, unit, attempts)
            results[unit.number] = outcome
    return results


def _outcomes(q: Qualification, learned: _Learned) -> tuple[dict[int, UnitOutcome], QualificationOutcome]:
    results = _unit_outcomes(q, learned)
    return results, grade_qualification(q, results)


def _ids(name: str) -> BindParameter[Any]:
    """A list of ids as one array parameter: the statement's text (and its compiled form) is the same
    whatever the list's length, where `IN (...)` is re-expanded for every execution."""
    return bindparam(name, type_=ARRAY(Uuid()))


class _Brief(NamedTuple):
    """What the records read of an assignment brief."""

    id: uuid.UUID
    programme_id: uuid.UUID
    status: str
    criteria: list[dict[str, Any]]
    title: str
    completion_date: dt.date


def _text(column: Any) -> Any:
    # A status or kind as the text stored (not its enum): the two halves of a UNION share one type.
    return type_coerce(column, String())


def _no(type_: Any) -> Any:
    return cast(null(), type_)


@statements.per_shape
def _briefs_and_decisions_statement(p: Principal, released_only: bool) -> CompoundSelect:
    """The briefs of the programmes `programme_ids` (rows whose `learner_id` is null; a brief's title
    and completion date in the `attempt_kind` and `assessed_on` columns) and the decisions of the
    learners `learner_ids` on them with their versions, in one round trip.

    Each decision with its current version; for a learner's own view (`released_only`) the version
    released to them, counted as released even while an amendment of it awaits IV (R-25). Staff read a
    registration's decisions on every programme of it (R-14), the caller's reach having been checked on
    the record asked for; a learner only their own released ones (repo.decisions)."""
    shown = AssessmentDecision.released_version if released_only else AssessmentDecision.current_version
    decisions = (
        select(
            AssessmentDecision.learner_id,
            AssessmentDecision.programme_id,
            AssessmentDecision.brief_id,
            (literal("released") if released_only else _text(AssessmentDecision.status)).label("status"),
            _text(AssessmentDecision.attempt_kind).label("attempt_kind"),
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
            AssessmentDecision.centre_id == p.centre_id,
            AssessmentDecision.programme_id == any_(_ids("programme_ids")),
            AssessmentDecision.learner_id == any_(_ids("learner_ids")),
        )
    )
    if not p.has(Scope.assessments_read):
        decisions = decisions.where(
            AssessmentDecision.id.in_(repo.decisions(p).with_only_columns(AssessmentDecision.id))
        )
    briefs = select(
        _no(Uuid()),
        AssignmentBrief.programme_id,
        AssignmentBrief.id,
        _text(AssignmentBrief.status),
        AssignmentBrief.title,
        _no(Uuid()),
        _no(Uuid()),
        AssignmentBrief.criteria,
        _no(JSONB()),
        AssignmentBrief.completion_date,
    ).where(AssignmentBrief.programme_id == any_(_ids("programme_ids")))
    return union_all(decisions, briefs)


async def _briefs_and_decisions(
    session: AsyncSession,
    p: Principal,
    programme_ids: Sequence[uuid.UUID],
    learner_ids: Sequence[uuid.UUID],
    released_only: bool,
) -> tuple[list[_Brief], list[Row[Any]]]:
    conn = await session.connection()
    values = {**statements.params(p), "programme_ids": list(programme_ids), "learner_ids": list(learner_ids)}
    briefs: list[_Brief] = []
    decisions: list[Row[Any]] = []
    for row in await conn.execute(_briefs_and_decisions_statement(p, released_only), values):
        if row.learner_id is None:
            briefs.append(
                _Brief(
                    row.brief_id,
                    row.programme_id,
                    row.status,
                    row.criteria,
                    row.attempt_kind,
                    row.assessed_on,
                )
            )
        else:
            decisions.append(row)
    return briefs, decisions


# ---- the registration ----------------------------------------------------------------------------


class _Enrolment(NamedTuple):
    """What the records read of an enrolment (a row, not a model object: issue 18)."""

    id: uuid.UUID
    learner_id: uuid.UUID
    status: str
    transferred_from_id: uuid.UUID | None
    registration_number: str | None
    enrolled_on: dt.date
    ended_on: dt.date | None


class _ProgrammeRef(NamedTuple):
    id: uuid.UUID
    qualification_id: uuid.UUID
    name: str


@dataclass
class _Place:
    """One enrolment of a learner, with its programme and whether the caller reaches that programme."""

    enrolment: _Enrolment
    programme: _ProgrammeRef
    q: Qualification
    reachable: bool
    given_name: str
    family_name: str


@dataclass
class _Registration:
    """R-14: a learner's registration for one qualification: every enrolment of theirs on a programme of
    it (oldest first), and the enrolments on qualifications they were transferred from, each with the
    map of the units the two share (old unit number -> new unit number)."""

    learner_id: uuid.UUID
    qualification_id: uuid.UUID
    q: Qualification
    own: list[_Place]
    carried: list[tuple[_Place, dict[int, int]]]

    @property
    def programme_ids(self) -> set[uuid.UUID]:
        return {pl.programme.id for pl in self.own} | {pl.programme.id for pl, _ in self.carried}

    @property
    def current(self) -> _Place:
        """The learner's live place on the qualification, else the latest one."""
        live = [pl for pl in self.own if pl.enrolment.status in ACTIVE_STATUSES]
        return (live or self.own)[-1]


def shared_units(old: Qualification, new: Qualification) -> dict[int, int]:
    """R-14: the units a transfer carries: the same unit reference where both give one, else the same
    number and title. Old unit number -> new unit number."""
    out: dict[int, int] = {}
    for u in new.units:
        for o in old.units:
            same = (
                u.reference == o.reference
                if u.reference and o.reference
                else (u.number, u.title) == (o.number, o.title)
            )
            if same and o.number not in out:
                out[o.number] = u.number
                break
    return out


_ENROLMENT = [getattr(Enrolment, f) for f in _Enrolment._fields]
_PROGRAMME = [getattr(Programme, f).label(f"programme_{f}") for f in _ProgrammeRef._fields]


def _places_of(p: Principal, learners: ColumnElement[bool]) -> Select:
    """The enrolments `learners` picks with their programmes, whether the caller reaches each of them,
    and the learners' names, in enrolment order."""
    reach = reachable_programmes(p, Scope.assessments_read) if p.has(Scope.assessments_read) else None
    reachable = literal(True) if reach is None else Programme.id.in_(reach)
    return (
        select(
            *_ENROLMENT, *_PROGRAMME, reachable.label("reachable"), Learner.given_name, Learner.family_name
        )
        .join(Programme, Programme.id == Enrolment.programme_id)
        .join(Learner, Learner.id == Enrolment.learner_id)
        .where(Enrolment.centre_id == p.centre_id, learners)
        .order_by(Enrolment.enrolled_on, Enrolment.id)
    )


@statements.per_shape
def _places_statement(p: Principal) -> Select:
    """Every enrolment of the learners `learner_ids`."""
    return _places_of(p, Enrolment.learner_id == any_(_ids("learner_ids")))


@statements.per_shape
def _grid_statement(p: Principal) -> Select:
    """The programme `programme_id` if the caller reads its assessment records (no row: 404), with every
    enrolment of the learners on its grid (none: one row of nulls), in one round trip. A learner reaches
    a programme through their own enrolment, checked by the caller."""
    if p.has(Scope.assessments_read):
        visible = visible_programmes(p, Scope.assessments_read)
    else:
        visible = select(Programme).where(Programme.centre_id == p.centre_id)
    programme = (
        visible.with_only_columns(Programme.id.label("grid_id"), Programme.qualification_id.label("grid_q"))
        .where(Programme.id == bindparam("programme_id"))
        .subquery("programme")
    )
    on_grid = select(Enrolment.learner_id).where(
        Enrolment.centre_id == p.centre_id,
        Enrolment.programme_id == bindparam("programme_id"),
        Enrolment.status.in_(GRID_STATUSES),
    )
    places = _places_of(p, Enrolment.learner_id.in_(on_grid)).subquery("places")
    return (
        select(programme, places)
        .select_from(programme.outerjoin(places, literal(True)))
        .order_by(places.c.enrolled_on, places.c.id)
    )


_N_ENROLMENT = len(_Enrolment._fields)
_N_PLACE = _N_ENROLMENT + len(_ProgrammeRef._fields)


async def _placed(
    session: AsyncSession, rows: Sequence[Row[Any]], at: int = 0
) -> dict[uuid.UUID, list[_Place]]:
    """The places of `_places_of`'s rows (its columns from the `at`-th on), by learner, each with its
    parsed qualification: the specifications once per qualification, not once per enrolment (decoding
    one for each of a cohort's 300 enrolments was half of the grid's time)."""
    qualifications = await parsed_by_id(session, {row.programme_qualification_id for row in rows})
    out: dict[uuid.UUID, list[_Place]] = defaultdict(list)
    for row in rows:
        e = _Enrolment._make(row[at : at + _N_ENROLMENT])
        programme = _ProgrammeRef._make(row[at + _N_ENROLMENT : at + _N_PLACE])
        q = qualifications[programme.qualification_id]
        out[e.learner_id].append(
            _Place(e, programme, q, bool(row.reachable), row.given_name, row.family_name)
        )
    return out


async def _places(
    session: AsyncSession, p: Principal, learner_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[_Place]]:
    """Every enrolment of `learner_ids` with its programme and qualification: one statement, and one
    more for specifications this process has not parsed yet."""
    conn = await session.connection()
    values = {**statements.params(p), "learner_ids": list(learner_ids)}
    return await _placed(session, (await conn.execute(_places_statement(p), values)).all())


async def _grid_places(
    session: AsyncSession, p: Principal, programme_id: uuid.UUID
) -> tuple[uuid.UUID, Qualification, dict[uuid.UUID, list[_Place]]]:
    """The programme's qualification (404 unless the caller reads its records) and every enrolment of
    the learners on its grid: one statement (and one for a specification not parsed yet)."""
    conn = await session.connection()
    values = {**statements.params(p), "programme_id": programme_id}
    rows = (await conn.execute(_grid_statement(p), values)).all()
    if not rows:
        raise NotFound(f"No programme with id {programme_id}.")
    qualification_id = rows[0].grid_q
    q = (await parsed_by_id(session, [qualification_id]))[qualification_id]
    return qualification_id, q, await _placed(session, [r for r in rows if r.id is not None], at=2)


def _registration(places: Sequence[_Place], qualification_id: uuid.UUID) -> _Registration | None:
    own = [pl for pl in places if pl.programme.qualification_id == qualification_id]
    if not own:
        return None
    by_id = {pl.enrolment.id: pl for pl in places}
    carried_from: list[uuid.UUID] = []
    frontier = list(own)
    seen = {qualification_id}
    while frontier:  # follow transfers back to the qualifications they came from
        pl = frontier.pop()
        source = by_id.get(pl.enrolment.transferred_from_id) if pl.enrolment.transferred_from_id else None
        if source is None:
            continue
        qid = source.programme.qualification_id
        if qid not in seen:
            seen.add(qid)
            carried_from.append(qid)
            frontier += [o for o in places if o.programme.qualification_id == qid]
    q = own[0].q
    carried = [
        (pl, shared_units(pl.q, q)) for pl in places if pl.programme.qualification_id in set(carried_from)
    ]
    return _Registration(own[0].enrolment.learner_id, qualification_id, q, own, carried)


# The exam results of a set of registrations: built once, the id lists bound as arrays.
_EXAMS = select(*(getattr(ExamResult, f) for f in schemas.ExamResult.model_fields)).where(
    ExamResult.centre_id == bindparam("centre_id"),
    ExamResult.learner_id == any_(_ids("learner_ids")),
    ExamResult.qualification_id == any_(_ids("qualification_ids")),
)


@dataclass
class _Gathered:
    briefs: dict[uuid.UUID, dict[uuid.UUID, _Brief]]
    decisions: dict[tuple[uuid.UUID, uuid.UUID], list]
    exams: dict[tuple[uuid.UUID, uuid.UUID], list[schemas.ExamResult]]
    submissions: dict[uuid.UUID, list]
    resubs: dict[uuid.UUID, dict[uuid.UUID, ResubmissionAuthorisation]]


async def _gather(
    session: AsyncSession, p: Principal, regs: Sequence[_Registration], released_only: bool, attempts: bool
) -> _Gathered:
    """Briefs, decisions and exam results of the registrations (and, with `attempts`, submissions and
    resubmission authorisations), whatever the number of registrations: briefs and decisions in one
    statement, each of the others in one (exam results only where a unit is externally assessed)."""
    learner_ids = sorted({r.learner_id for r in regs})
    programme_ids = sorted(set().union(*(r.programme_ids for r in regs)))
    qualification_ids = sorted(
        {r.qualification_id for r in regs}
        | {pl.programme.qualification_id for r in regs for pl, _ in r.carried}
    )
    g = _Gathered(
        defaultdict(dict), defaultdict(list), defaultdict(list), defaultdict(list), defaultdict(dict)
    )
    conn = await session.connection()
    briefs, decisions = await _briefs_and_decisions(session, p, programme_ids, learner_ids, released_only)
    for b in briefs:
        g.briefs[b.programme_id][b.id] = b
    for d in decisions:
        g.decisions[(d.learner_id, d.programme_id)].append(d)
    # Exam results exist only for externally assessed units (decisions.record_exam_result refuses any
    # other): none to read, no round trip, where no qualification of the registrations has one.
    qualifications = [r.q for r in regs] + [pl.q for r in regs for pl, _ in r.carried]
    if any(u.assessment is AssessmentMode.external for q in qualifications for u in q.units):
        exams = {"centre_id": p.centre_id, "learner_ids": learner_ids, "qualification_ids": qualification_ids}
        for e in (await conn.execute(_EXAMS, exams)).all():
            g.exams[(e.learner_id, e.qualification_id)].append(schemas.ExamResult.model_validate(e))
    if not attempts:
        return g
    all_briefs = [b for briefs in g.briefs.values() for b in briefs]
    for s in (
        await session.scalars(
            select(Submission).where(
                Submission.learner_id.in_(learner_ids),
                Submission.brief_id.in_(all_briefs or [uuid.UUID(int=0)]),
            )
        )
    ).all():
        g.submissions[s.learner_id].append(s)
    for r in (
        await session.scalars(
            select(ResubmissionAuthorisation).where(ResubmissionAuthorisation.learner_id.in_(learner_ids))
        )
    ).all():
        g.resubs[r.learner_id][r.brief_id] = r
    return g


def _carry(decision, units: dict[int, int], q: Qualification):
    """A decision of the old qualification as the new one counts it: the shared units only (R-14)."""
    codes = {u.number: {c.code for c in u.criteria} for u in q.units}
    criteria = [
        {**c, "unit_number": units[c["unit_number"]]}
        for c in decision.criteria
        if c["unit_number"] in units and c["code"] in codes.get(units[c["unit_number"]], ())
    ]
    unit_grades = {str(units[int(n)]): g for n, g in decision.unit_grades.items() if int(n) in units}
    return SimpleNamespace(**{**decision._asdict(), "criteria": criteria, "unit_grades": unit_grades})


def _inputs(reg: _Registration, g: _Gathered):
    """The registration's briefs, decisions and exam results, the carried ones mapped to this
    qualification's units."""
    briefs: dict[uuid.UUID, _Brief] = {}
    decisions: list = []
    for pl in reg.own:
        briefs.update(g.briefs.get(pl.programme.id, {}))
    for programme_id in dict.fromkeys(pl.programme.id for pl in reg.own):
        decisions += g.decisions.get((reg.learner_id, programme_id), [])
    exams = list(g.exams.get((reg.learner_id, reg.qualification_id), []))
    carried_programmes: dict[uuid.UUID, dict[int, int]] = {}
    carried_quals: dict[uuid.UUID, dict[int, int]] = {}
    for pl, units in reg.carried:
        carried_programmes[pl.programme.id] = units
        carried_quals[pl.programme.qualification_id] = units
    for programme_id, units in carried_programmes.items():
        decisions += [_carry(d, units, reg.q) for d in g.decisions.get((reg.learner_id, programme_id), [])]
    for qid, units in carried_quals.items():
        exams += [
            e.model_copy(update={"unit_number": units[e.unit_number]})
            for e in g.exams.get((reg.learner_id, qid), [])
            if e.unit_number in units
        ]
    return briefs, decisions, exams


# ---- the learner's record -----------------------------------------------------------------------------


async def learner_record(
    session: AsyncSession, p: Principal, learner_id: uuid.UUID, programme_id: uuid.UUID
) -> schemas.LearnerRecord:
    """The learner's record as seen from one programme they are or were enrolled on: the
    registration-wide record of that programme's qualification (R-14)."""
    (record,) = await learner_records(session, p, [(learner_id, programme_id)])
    if record is None:
        raise NotFound(f"No record of learner {learner_id} on programme {programme_id}.")
    return record


async def registration_record(
    session: AsyncSession, p: Principal, learner_id: uuid.UUID, qualification_id: uuid.UUID
) -> schemas.LearnerRecord:
    """R-14: the learner's record for their registration on a qualification, over every programme year
    and teaching group. R-98: staff read it when they reach one of its programmes; a learner their own."""
    await get_visible(session, learners_repo.learners(p), Learner, learner_id, "learner")
    places = await _places(session, p, [learner_id])
    reg = _registration(places.get(learner_id, []), qualification_id)
    if reg is None or not any(pl.reachable for pl in reg.own):
        raise NotFound(f"No record of learner {learner_id} for qualification {qualification_id}.")
    released_only = not p.has(Scope.assessments_read)
    g = await _gather(session, p, [reg], released_only, attempts=True)
    return _record_of(reg, reg.current.programme.id, g, released_only)


async def learner_records(
    session: AsyncSession, p: Principal, keys: Sequence[tuple[uuid.UUID, uuid.UUID]]
) -> list[schemas.LearnerRecord | None]:
    """`learner_record` for a batch of (learner, programme) keys (a GraphQL DataLoader) in a fixed number
    of statements whatever the batch's size (visible learners, their enrolments with programmes, briefs,
    decisions, exam results, submissions, resubmissions): None where `learner_record` answers 404."""
    if not keys:
        return []
    learner_ids = sorted({k[0] for k in keys})
    visible = set(
        (
            await session.scalars(
                learners_repo.learners(p).with_only_columns(Learner.id).where(Learner.id.in_(learner_ids))
            )
        ).all()
    )
    if not visible:
        return [None for _ in keys]
    places = await _places(session, p, sorted(visible))
    # a learner's record answers only for a programme they are or were enrolled on (a transfer
    # keeps the old record readable, R-14); staff read it only on programmes they reach.
    regs: dict[tuple[uuid.UUID, uuid.UUID], _Registration] = {}
    wanted: dict[tuple[uuid.UUID, uuid.UUID], tuple[uuid.UUID, uuid.UUID]] = {}
    for learner, programme_id in keys:
        place = next((pl for pl in places.get(learner, []) if pl.programme.id == programme_id), None)
        if place is None or not place.reachable:
            continue
        reg_key = (learner, place.programme.qualification_id)
        if reg_key not in regs:
            reg = _registration(places[learner], place.programme.qualification_id)
            assert reg is not None
            regs[reg_key] = reg
        wanted[(learner, programme_id)] = reg_key
    if not wanted:
        return [None for _ in keys]
    released_only = not p.has(Scope.assessments_read)
    g = await _gather(session, p, list(regs.values()), released_only, attempts=True)
    found = {key: _record_of(regs[reg_key], key[1], g, released_only) for key, reg_key in wanted.items()}
    return [found.get(key) for key in keys]


def _record_of(
    reg: _Registration, programme_id: uuid.UUID, g: _Gathered, released_only: bool
) -> schemas.LearnerRecord:
    q = reg.q
    briefs, decisions, exams = _inputs(reg, g)
    learned = _learn(q, briefs, decisions, exams, released_only)
    outcomes, overall = _outcomes(q, learned)
    units = []
    for unit in q.units:
        o = outcomes.get(unit.number)
        criteria = [
            _criterion(unit.number, c.code, learned.cell((unit.number, c.code))) for c in unit.criteria
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
                exam_results=[e for e in exams if e.unit_number == unit.number],
            )
        )
    by_submission = {d.submission_id: d for d in decisions if not released_only or d.status == "released"}
    submissions = [s for s in g.submissions.get(reg.learner_id, []) if s.brief_id in briefs]
    resubs = g.resubs.get(reg.learner_id, {})
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
                programme_id=b.programme_id,
            )
        )
    submitted = {s.brief_id for s in submissions}
    # Deadlines still to meet: on the programmes the learner is on now, not those they have left.
    live = {pl.programme.id for pl in reg.own if pl.enrolment.status in ACTIVE_STATUSES}
    for b in briefs.values():
        if b.status == "issued" and b.id not in submitted and b.programme_id in live:
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
                    programme_id=b.programme_id,
                )
            )
    numbers = [pl.enrolment.registration_number for pl in reg.own if pl.enrolment.registration_number]
    return schemas.LearnerRecord(
        learner_id=reg.learner_id,
        programme_id=programme_id,
        qualification_id=reg.qualification_id,
        registration_number=numbers[-1] if numbers else None,
        programmes=[_programme_of(pl, False) for pl in reg.own]
        + [_programme_of(pl, True) for pl, _ in reg.carried],
        units=units,
        attempts=attempts,
        qualification_grade=overall.grade.value,
        decided_by=overall.decided_by.value,
        total_points=overall.total_points,
        released_only=released_only,
    )


def _programme_of(pl: _Place, carried: bool) -> schemas.RecordProgramme:
    e = pl.enrolment
    return schemas.RecordProgramme(
        enrolment_id=e.id,
        programme_id=pl.programme.id,
        programme_name=pl.programme.name,
        qualification_id=pl.programme.qualification_id,
        enrolment_status=e.status,
        enrolled_on=e.enrolled_on,
        ended_on=e.ended_on,
        carried=carried,
    )


# ---- the cohort grid ----------------------------------------------------------------------------------

# Rows of the grid: learners on the programme now or at its end, and those transferred to another
# group (R-14: they no longer vanish from it); withdrawn learners leave it.
GRID_STATUSES = ("enrolled", "registered", "completed", "transferred")


async def cohort_grid(session: AsyncSession, p: Principal, programme_id: uuid.UUID) -> schemas.CohortGrid:
    """Learners × criteria for one programme in one request: three statements whatever the cohort size
    (the programme with its cohort's enrolments and their programmes, briefs, decisions with their
    current versions; a fourth for exam results where a qualification has externally assessed units).
    Each row is the learner's registration-wide status (R-14).

    Graded as a cohort (issue 18): unit outcomes shared between learners with the same attempts, the
    qualification grades by `grade_cohort` (the same answers as `grade_qualification`, held equal by
    tests/qualifications), and no per-cell object: a row keeps only each criterion's status."""
    qualification_id, q, places = await _grid_places(session, p, programme_id)
    rows_of: list[tuple[_Place, _Registration]] = []
    for learner_places in places.values():
        here = [
            pl
            for pl in learner_places
            if pl.programme.id == programme_id and pl.enrolment.status in GRID_STATUSES
        ]
        if not here:
            continue
        reg = _registration(learner_places, qualification_id)
        assert reg is not None
        rows_of.append((here[-1], reg))
    rows_of.sort(key=lambda r: (r[0].family_name, r[0].given_name, r[0].enrolment.learner_id))
    g = await _gather(session, p, [reg for _, reg in rows_of], False, attempts=False) if rows_of else None
    columns = [schemas.GridColumn(unit_number=u.number, code=c.code) for u in q.units for c in u.criteria]
    keys = [(u.number, c.code) for u in q.units for c in u.criteria]
    memo: _UnitMemo = {}
    # The cohort's learners mostly share one programme's briefs: what they target is worked out once.
    targeted_of: dict[tuple[uuid.UUID, ...], dict[tuple[int, str], _Cell]] = {}
    statuses_of: list[list[schemas.CriterionStatus]] = []
    units_of: list[dict[int, UnitOutcome]] = []
    for _, reg in rows_of:
        assert g is not None
        briefs, decisions, exams = _inputs(reg, g)
        brief_ids = tuple(briefs)
        targeted = targeted_of.get(brief_ids)
        if targeted is None:
            targeted = targeted_of[brief_ids] = _targeted(briefs)
        learned = _learn(q, briefs, decisions, exams, False, targeted)
        statuses_of.append([learned.status(key) for key in keys])
        units_of.append(_unit_outcomes(q, learned, memo))
    overall = grade_cohort(q, {i: {n: o.grade for n, o in units.items()} for i, units in enumerate(units_of)})
    rows = [
        schemas.GridRow(
            learner_id=reg.learner_id,
            given_name=place.given_name,
            family_name=place.family_name,
            statuses=statuses,
            unit_grades={
                str(u.number): (units[u.number].grade if u.number in units else None) for u in q.units
            },
            qualification_grade=overall[i].grade,
            enrolment_status=place.enrolment.status,
        )
        for i, ((place, reg), statuses, units) in enumerate(zip(rows_of, statuses_of, units_of, strict=True))
    ]
    return schemas.CohortGrid(
        programme_id=programme_id, qualification_id=qualification_id, columns=columns, rows=rows
    )


# ---- what a certificate is claimed from ----------------------------------------------------------


@dataclass(frozen=True)
class ReleasedRegistration:
    """The registration's record counting released decisions only (released = internally verified,
    R-25) and exam results, whoever asks; with the grading engine's unit outcomes and its
    rule-of-combination breakdown of the qualification."""

    record: schemas.LearnerRecord
    units: dict[int, UnitOutcome]
    overall: QualificationOutcome


async def released_registration(
    session: AsyncSession, p: Principal, learner_id: uuid.UUID, qualification_id: uuid.UUID
) -> ReleasedRegistration | None:
    """R-90 over R-14: None when the learner has no enrolment on a programme of the qualification."""
    places = await _places(session, p, [learner_id])
    reg = _registration(places.get(learner_id, []), qualification_id)
    if reg is None:
        return None
    g = await _gather(session, p, [reg], True, attempts=False)
    briefs, decisions, exams = _inputs(reg, g)
    outcomes, overall = _outcomes(reg.q, _learn(reg.q, briefs, decisions, exams, True))
    return ReleasedRegistration(_record_of(reg, reg.current.programme.id, g, True), outcomes, overall)
