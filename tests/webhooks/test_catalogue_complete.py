"""Every event type a service writes to the outbox is in the webhook catalogue, and its `data` is what the
catalogue documents.

An event type missing from the catalogue is never delivered and cannot be subscribed to, so the first test
reads app/ with `ast` and collects every event type that can reach the outbox:

- `emit(session, centre_id, event_type, payload)` (app.events.outbox) calls;
- `Change(action, ...)` of the bulk writer (app.sync.bulk): `action` is the event type it writes;
- through the helpers that pass the name along (app.audit.changes.create_recorded/update_recorded emit
  f"{subject_type}.created"/".updated"; a domain's `_transition(..., action)` emits f"enrolment.{action}"):
  a name that is a parameter of the function calling emit() is resolved at every call of that function,
  however many helpers deep, so a new action passed to one of them is checked with no change here.

What cannot be read from the source (an f-string over a runtime value, such as a status) must be listed in
NOT_STATIC below; a new such site fails the test until it is listed, and a listed site that disappears
fails it too.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path

import pytest
from pydantic import BaseModel
from sqlalchemy import select

from app.core import clock as service_clock
from app.events.models import OutboxEvent
from app.webhooks.catalogue import CATALOGUE, PING

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"

# Sites whose event type depends on a runtime value: (file, function, the expression) -> what it can be.
NOT_STATIC: dict[tuple[str, str, str], frozenset[str]] = {
    # the HoC's outcome, SpecialConsiderationOutcome (applied -> authorised | refused).
    (
        "app/programmes/support.py",
        "decide_special_consideration",
        "f'special_consideration.{application.status}'",
    ): frozenset({"special_consideration.authorised", "special_consideration.refused"}),
    # The bulk sync's plan outcome; `unchanged` plans write nothing (write_learners skips them).
    ("app/sync/service.py", "write_learners", "f'learner.{plan.outcome}'"): frozenset(
        {"learner.created", "learner.updated"}
    ),
}
# The only code that may write outbox rows: emit() and the bulk writer whose names come from Change(...).
OUTBOX_WRITERS = {"app/events/outbox.py", "app/sync/bulk.py"}


# ---- reading app/ ---------------------------------------------------------------------------------------

Function = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass
class Module:
    path: str  # app/x/y.py
    dotted: str  # app.x.y
    tree: ast.Module
    source: str
    parents: dict[ast.AST, ast.AST] = field(default_factory=dict)
    imports: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # local name -> (module, name)

    def enclosing(self, node: ast.AST) -> Function | None:
        while (node := self.parents.get(node)) is not None:
            if isinstance(node, Function):
                return node
        return None

    def where(self, node: ast.AST) -> str:
        return f"{self.path}:{node.lineno}"


def _load() -> dict[str, Module]:
    modules = {}
    for file in sorted(APP.rglob("*.py")):
        path = file.relative_to(ROOT).as_posix()
        source = file.read_text()
        m = Module(
            path, path[:-3].replace("/", ".").removesuffix(".__init__"), ast.parse(source, path), source
        )
        for parent in ast.walk(m.tree):
            for child in ast.iter_child_nodes(parent):
                m.parents[child] = parent
            if isinstance(parent, ast.ImportFrom) and parent.module and parent.level == 0:
                for alias in parent.names:
                    m.imports[alias.asname or alias.name] = (parent.module, alias.name)
            elif isinstance(parent, ast.Import):
                for alias in parent.names:
                    m.imports[alias.asname or alias.name.split(".")[0]] = (
                        (alias.asname and alias.name) or alias.name.split(".")[0],
                        None,
                    )
        modules[m.dotted] = m
    return modules


def _refers_to(m: Module, func: ast.expr, module: str, name: str) -> bool:
    """Whether `func` (the callee of a call in m) is `module.name`, by import or by definition in m."""
    if isinstance(func, ast.Name):
        return m.imports.get(func.id) == (module, name) or (
            m.dotted == module and func.id == name and func.id not in m.imports
        )
    if isinstance(func, ast.Attribute) and func.attr == name and isinstance(func.value, ast.Name):
        imported = m.imports.get(func.value.id)
        return (
            imported is not None
            and (imported[0] if imported[1] is None else f"{imported[0]}.{imported[1]}") == module
        )
    return False


def _argument(call: ast.Call, index: int, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
        return None
    return call.args[index] if index < len(call.args) else None


class Unresolved(Exception):
    def __init__(self, key: tuple[str, str, str], where: str):
        super().__init__(f"{where}: cannot tell the event type of {key[2]!r} in {key[1]}()")
        self.key, self.where = key, where


@dataclass
class Scanner:
    modules: dict[str, Module]
    used: set[tuple[str, str, str]] = field(default_factory=set)
    _active: set[tuple[str, int, str]] = field(default_factory=set)

    def resolve(self, m: Module, expr: ast.expr) -> dict[str, str]:
        """The event types `expr` can be, each with where its name is written."""
        func = m.enclosing(expr)
        key = (m.path, func.name if func else "<module>", ast.unparse(expr))
        try:
            return self._resolve(m, expr, func)
        except Unresolved as exc:
            if key in NOT_STATIC:
                self.used.add(key)
                return {name: m.where(expr) for name in NOT_STATIC[key]}
            if isinstance(expr, ast.JoinedStr):  # name the whole f-string, not the value inside it
                raise Unresolved(key, m.where(expr)) from exc
            raise

    def _resolve(self, m: Module, expr: ast.expr, func: Function | None) -> dict[str, str]:
        fail = Unresolved((m.path, func.name if func else "<module>", ast.unparse(expr)), m.where(expr))
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return {expr.value: m.where(expr)}
        if isinstance(expr, ast.JoinedStr):
            parts: list[dict[str, str]] = []
            for part in expr.values:
                if isinstance(part, ast.Constant):
                    parts.append({str(part.value): ""})
                elif (
                    isinstance(part, ast.FormattedValue)
                    and part.format_spec is None
                    and part.conversion == -1
                ):
                    parts.append(self.resolve(m, part.value))
                else:
                    raise fail
            out = {}
            for combo in product(*(p.items() for p in parts)):
                origins = [o for _, o in combo if o and o != m.where(expr)]
                out["".join(v for v, _ in combo)] = " <- ".join([m.where(expr), *origins])
            return out
        if isinstance(expr, ast.IfExp):
            return {**self.resolve(m, expr.body), **self.resolve(m, expr.orelse)}
        if isinstance(expr, ast.Name) and func is not None:
            if expr.id in _parameters(func):
                return self._from_callers(m, func, expr.id)
            assigned = [
                node.value
                for node in _own_nodes(func)
                if isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == expr.id for t in node.targets)
            ]
            if assigned:
                return {k: v for value in assigned for k, v in self.resolve(m, value).items()}
            outer = m.enclosing(func)
            if outer is not None:  # a closure's free variable
                return self._resolve(m, expr, outer)
        raise fail

    def _from_callers(self, m: Module, func: Function, param: str) -> dict[str, str]:
        """`param` of `func` at every call of `func` anywhere in app/."""
        positional = [a.arg for a in (*func.args.posonlyargs, *func.args.args)]
        defaults = dict(zip(positional[len(positional) - len(func.args.defaults) :], func.args.defaults))
        defaults.update(
            {a.arg: d for a, d in zip(func.args.kwonlyargs, func.args.kw_defaults) if d is not None}
        )
        marker = (m.path, func.lineno, param)
        if marker in self._active:
            return {}
        self._active.add(marker)
        try:
            out: dict[str, str] = {}
            for caller in self.modules.values():
                for call in ast.walk(caller.tree):
                    if isinstance(call, ast.Call) and _refers_to(caller, call.func, m.dotted, func.name):
                        index = positional.index(param) if param in positional else 10_000
                        arg = _argument(call, index, param)
                        if arg is not None:
                            out.update(self.resolve(caller, arg))
                        elif param in defaults:
                            out.update(self.resolve(m, defaults[param]))
                        else:
                            raise Unresolved(
                                (
                                    caller.path,
                                    getattr(caller.enclosing(call), "name", "<module>"),
                                    ast.unparse(call),
                                ),
                                caller.where(call),
                            )
            return out
        finally:
            self._active.discard(marker)


def _parameters(func: Function) -> set[str]:
    a = func.args
    return {x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs)}


def _own_nodes(func: Function):
    """The nodes of func's body, not of functions nested in it."""
    stack = list(func.body)
    while stack:
        node = stack.pop()
        yield node
        stack.extend(
            c for c in ast.iter_child_nodes(node) if not isinstance(c, (*Function.__args__, ast.Lambda))
        )


@dataclass
class Emitted:
    names: dict[str, str]  # event type -> where it is named
    problems: list[str]
    sites: int
    scanner: Scanner


def emitted() -> Emitted:
    modules = _load()
    scanner = Scanner(modules)
    names: dict[str, str] = {}
    problems: list[str] = []
    sites = 0
    for m in modules.values():
        for call in ast.walk(m.tree):
            if not isinstance(call, ast.Call):
                continue
            if _refers_to(m, call.func, "app.events.outbox", "emit"):
                arg = _argument(call, 2, "event_type")
            elif _refers_to(m, call.func, "app.sync.bulk", "Change"):
                arg = _argument(call, 0, "action")
            else:
                continue
            sites += 1
            if arg is None:
                problems.append(f"{m.where(call)}: no event type argument")
                continue
            try:
                for name, where in scanner.resolve(m, arg).items():
                    names.setdefault(name, where)
            except Unresolved as exc:
                problems.append(str(exc) + ": list it in NOT_STATIC with the event types it can be")
    return Emitted(names, problems, sites, scanner)


@pytest.fixture(scope="module")
def scan() -> Emitted:
    return emitted()


# ---- the catalogue is complete --------------------------------------------------------------------------


def test_every_emitted_event_type_is_in_the_catalogue(scan: Emitted):
    assert not scan.problems, "\n".join(scan.problems)
    missing = {name: where for name, where in scan.names.items() if name not in CATALOGUE}
    assert not missing, (
        "emitted to the outbox but not in the webhook catalogue (app/webhooks/catalogue_*.py), so "
        "never delivered:\n" + "\n".join(f"  {n}  ({w})" for n, w in sorted(missing.items()))
    )


def test_the_scan_sees_every_kind_of_site(scan: Emitted):
    """Guards the scanner itself: literal emits, helpers' parameters, audit changes, the bulk writer."""
    assert scan.sites >= 20
    for name, through in {
        "closure.deleted": "app/calendars/service.py",  # a literal
        "enrolment.registered": "app/programmes/enrolments.py",  # f"enrolment.{action}"
        "assignment_brief.verified": "app/assignments/service.py",  # f-string with **extra
        "deadline_extension.created": "app/assessment/submissions.py",  # _audit(action)
        "assessment_plan_entry.updated": "app/audit/changes.py",  # update_recorded
        "enrolment.updated": "app/sync/service.py",
    }.items():  # Change(...)
        assert through in scan.names.get(name, ""), (name, scan.names.get(name))


def test_not_static_lists_only_live_sites(scan: Emitted):
    stale = set(NOT_STATIC) - scan.scanner.used
    assert not stale, f"NOT_STATIC names sites that no longer exist: {sorted(stale)}"


def test_nothing_else_writes_the_outbox():
    """A new bulk writer must name its event types where this test can read them (Change(...))."""
    writers = set()
    for file in APP.rglob("*.py"):
        text = file.read_text()
        if re.search(r"insert\(\s*OutboxEvent|INSERT\s+INTO\s+outbox\b", text, re.IGNORECASE):
            writers.add(file.relative_to(ROOT).as_posix())
    assert writers <= OUTBOX_WRITERS, writers - OUTBOX_WRITERS


def test_the_catalogue_lists_nothing_that_is_never_emitted(scan: Emitted):
    unsent = set(CATALOGUE) - set(scan.names) - {PING}
    assert not unsent, f"in the catalogue but emitted nowhere in app/: {sorted(unsent)}"


def test_the_integrators_guide_lists_the_catalogue():
    text = (ROOT / "docs" / "webhooks.md").read_text()
    listed = set(re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \|", text, re.MULTILINE))
    assert listed == set(CATALOGUE), {
        "not in docs/webhooks.md": sorted(set(CATALOGUE) - listed),
        "not in the catalogue": sorted(listed - set(CATALOGUE)),
    }


# ---- what is sent is what is documented -----------------------------------------------------------------


def _documented(event_type: str, payload: dict) -> BaseModel:
    """The payload validates against the catalogue's model, and the model accounts for every key of it: the
    model's own JSON of the payload is the payload (nothing ignored, nothing added)."""
    model = CATALOGUE[event_type].data
    parsed = model.model_validate(payload)
    assert parsed.model_dump(mode="json", exclude_unset=True) == payload
    return parsed


async def _sent(session, event_type: str, centre: uuid.UUID) -> list[dict]:
    return list(
        (
            await session.scalars(
                select(OutboxEvent.payload)
                .where(OutboxEvent.centre_id == centre, OutboxEvent.event_type == event_type)
                .order_by(OutboxEvent.id)
            )
        ).all()
    )


@pytest.fixture
async def world(session, centres):
    from tests.programmes.fixtures import make_world

    return await make_world(session)


@pytest.fixture
def iv_done(monkeypatch):
    """IV itself is not under test here: the release gate (R-25) says IV is complete."""
    from app.assessment import iv_gate

    async def complete(session, brief):
        return iv_gate.IvGate(True)

    monkeypatch.setattr(iv_gate, "iv_complete_for_brief", complete)


async def test_enrolment_registered_payload(session, world):
    from tests.assessment.fixtures import registered_learner

    learner = await registered_learner(session, world)
    [payload] = await _sent(session, "enrolment.registered", world.centre)
    data = _documented("enrolment.registered", payload)
    assert data.before.status == "enrolled" and data.after.status == "registered"
    assert data.after.learner_id == learner.id
    [created] = await _sent(session, "enrolment.created", world.centre)
    assert _documented("enrolment.created", created).id == data.after.id


async def _decided(session, world, brief, n: int, achieved=lambda code: True):
    from app.assessment import decisions, schemas, submissions
    from tests.assessment.fixtures import ASSESSOR, as_staff, registered_learner
    from tests.programmes.fixtures import principal

    learner = await registered_learner(session, world, n=n)
    me = principal("learner", subject=learner.idp_subject)
    s = await submissions.create_submission(session, me, schemas.SubmissionCreate(brief_id=brief.id))
    await submissions.add_evidence_reference(
        session,
        me,
        s.id,
        schemas.EvidenceReferenceCreate(kind="reference", description="Report", reference="Portfolio p.1-12"),
    )
    await submissions.hand_in(
        session,
        me,
        s.id,
        schemas.HandIn(declaration_signed=True, declaration_signed_on=service_clock.today()),
    )
    d = await decisions.record_decision(
        session,
        as_staff(*ASSESSOR),
        schemas.DecisionCreate(
            submission_id=s.id,
            feedback="A.P1 met on p.3.",
            authenticity_confirmed=True,
            can_improve_without_guidance=True,
            assessed_on=service_clock.today(),
            criteria=[
                schemas.CriterionJudgement(
                    unit_number=c["unit_number"],
                    code=c["code"],
                    achieved=achieved(c["code"]),
                    evidence_location="p.3" if achieved(c["code"]) else None,
                )
                for c in brief.criteria
            ],
        ),
    )
    await decisions.submit_for_iv(session, as_staff(*ASSESSOR), d.id)
    return d


async def test_decision_released_and_resubmission_authorised_payloads(session, world, iv_done, clock):
    from app.assessment import decisions, resubmissions, schemas
    from tests.assessment.fixtures import ASSESSOR, LIV, as_staff, issued_brief

    # In the world's autumn term, so R-31's resubmission deadline falls in term time.
    clock.set(dt.datetime(2025, 11, 12, 10, 0, tzinfo=dt.UTC))
    brief = await issued_brief(session, world, completion=service_clock.today() + dt.timedelta(days=1))
    alone = await _decided(session, world, brief, 1, achieved=lambda code: code != "B.P4")
    batch = [await _decided(session, world, brief, n) for n in (2, 3)]

    await decisions.release(
        session, as_staff(*ASSESSOR), alone.id
    )  # one decision: id, status, current_version
    await decisions.release_brief(session, as_staff(*ASSESSOR), brief.id)  # the batch: learner and brief too
    sent = [
        _documented("assessment_decision.released", p)
        for p in await _sent(session, "assessment_decision.released", world.centre)
    ]
    assert (sent[0].id, sent[0].status, sent[0].learner_id, sent[0].brief_id) == (
        alone.id,
        "released",
        None,
        None,
    )
    assert sorted((d.id, d.status, d.learner_id) for d in sent[1:]) == sorted(
        (d.id, "released", d.learner_id) for d in batch
    )
    assert all(d.brief_id == brief.id for d in sent[1:])

    auth = await resubmissions.authorise(
        session,
        as_staff(*LIV),
        alone.id,
        schemas.ResubmissionCreate(result_received_on=service_clock.today(), reason="B.P4 can be met"),
    )
    [payload] = await _sent(session, "resubmission.authorised", world.centre)
    data = _documented("resubmission.authorised", payload)
    assert (data.id, data.decision_id, data.deadline) == (auth.id, alone.id, auth.deadline)
    for event_type in (
        "assessment_decision.recorded",
        "assessment_decision.submitted_for_iv",
        "submission.handed_in",
        "evidence_item.added",
        "assignment_brief.verified",
        "assignment_brief.issued",
    ):
        for p in await _sent(session, event_type, world.centre):
            _documented(event_type, p)


async def test_iv_plan_payloads(session, world):
    """app.verification.plans audits the IV plan with a snapshot model of its own, which the catalogue mirrors
    (IvPlanSnapshot): what it sends is what is documented."""
    from app.verification import plans
    from app.verification import schemas as vs
    from tests.assessment.fixtures import LIV, as_staff

    liv = as_staff(*LIV)
    plan = await plans.put_plan(session, liv, world.programme_id, vs.IvPlanWrite(), None)
    await plans.put_plan(
        session,
        liv,
        world.programme_id,
        vs.IvPlanWrite(
            default_rate_percent=25,
            new_assessor_ids=[world.assessor],
            assessor_rates=[vs.AssessorRateInput(assessor_staff_id=world.assessor, rate_percent=40)],
        ),
        plan.version,
    )
    [created] = await _sent(session, "iv_plan.created", world.centre)
    assert _documented("iv_plan.created", created).default_rate == 0.2
    [changed] = await _sent(session, "iv_plan.updated", world.centre)
    assert _documented("iv_plan.updated", changed).after.assessor_rates == {str(world.assessor): "0.40"}
