"""Every typed event is in the webhook catalogue and documented, and what is sent is what is published.

The event types are the Event classes the domains define (app/<domain>/events.py); the write path
(app.events.write, app.events.bulk) takes only those, so an event type cannot be emitted without a
class (tests/events/test_one_write_path.py keeps every domain on that path). Here:

- every Event class in app/ is gathered into the catalogue (a new domain's events module that
  app/webhooks/catalogue.py does not list fails), and documented in docs/webhooks.md;
- each class lives in its domain's events.py and imports only app.events and its own domain;
- every class is used outside its module (the catalogue lists nothing that is never emitted);
- the payloads a few real flows write validate against their class's JSON schema, the one published in
  the OpenAPI `webhooks` section.
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import re
import uuid
from pathlib import Path

import jsonschema
import pytest
from pydantic import BaseModel
from sqlalchemy import select

from app.core import clock as service_clock
from app.events.event import Event, event_types
from app.events.models import OutboxEvent
from app.webhooks.catalogue import CATALOGUE, PING

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"
# The only code that may write outbox rows: emit() and the set-based writer of the bulk sync.
OUTBOX_WRITERS = {"app/events/outbox.py", "app/events/bulk.py"}


def _events_modules() -> list[str]:
    return sorted(
        f.relative_to(ROOT).with_suffix("").as_posix().replace("/", ".") for f in APP.glob("*/events.py")
    )


@pytest.fixture(scope="module")
def every_class() -> dict[str, type[Event]]:
    """Every event class app/ defines: import every domain's events module, then read the registry."""
    for name in _events_modules():
        importlib.import_module(name)
    return event_types()


# ---- the catalogue is complete --------------------------------------------------------------------------


def test_every_event_class_is_in_the_catalogue(every_class):
    missing = sorted(set(every_class) - set(CATALOGUE))
    assert not missing, f"event classes not gathered by app/webhooks/catalogue.py (DOMAINS): {missing}"
    for name, cls in every_class.items():
        assert CATALOGUE[name].data is cls and CATALOGUE[name].description == cls.event_description()
    assert set(CATALOGUE) - set(every_class) == {PING}


def test_event_classes_live_in_their_domain_and_import_only_events_and_it(every_class):
    for cls in every_class.values():
        module = cls.__module__
        assert re.fullmatch(r"app\.[a-z_]+\.events", module), (cls, module)
        domain = module.rsplit(".", 1)[0]
        tree = ast.parse(Path(importlib.import_module(module).__file__).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("app"):
                assert node.module == "app.events.event" or node.module.startswith(domain), (
                    module,
                    node.module,
                )
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("app") for a in node.names), (module, ast.unparse(node))


def test_every_event_class_is_used_outside_its_module(every_class):
    """A class only its module names is never emitted: the catalogue would list a type nobody sends. A
    class named only in a mapping of its module (BRIEF_TRANSITIONS) is used when the mapping is."""
    names: dict[str, set[str]] = {}
    for file in APP.rglob("*.py"):
        path = file.relative_to(ROOT).as_posix()
        if path == "app/webhooks/catalogue.py":
            continue
        dotted = path[:-3].replace("/", ".")
        tree = ast.parse(file.read_text())
        used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        used |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        used |= {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
        names[dotted] = used
    unused = []
    for cls in every_class.values():
        elsewhere = set().union(*(u for m, u in names.items() if m != cls.__module__))
        tree = ast.parse(Path(importlib.import_module(cls.__module__).__file__).read_text())
        mappings = {
            t.id
            for node in tree.body
            if isinstance(node, (ast.Assign, ast.AnnAssign))
            and node.value is not None
            and cls.__name__ in {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)}
            for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(t, ast.Name)
        }
        if cls.__name__ not in elsewhere and not mappings & elsewhere:
            unused.append(cls.type)
    assert not unused, f"in the catalogue but emitted nowhere in app/: {sorted(unused)}"


def test_nothing_else_writes_the_outbox():
    writers = set()
    for file in APP.rglob("*.py"):
        text = file.read_text()
        if re.search(r"insert\(\s*OutboxEvent|INSERT\s+INTO\s+outbox\b", text, re.IGNORECASE):
            writers.add(file.relative_to(ROOT).as_posix())
    assert writers <= OUTBOX_WRITERS, writers - OUTBOX_WRITERS


def test_the_integrators_guide_lists_the_catalogue():
    text = (ROOT / "docs" / "webhooks.md").read_text()
    listed = set(re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \|", text, re.MULTILINE))
    assert listed == set(CATALOGUE), {
        "not in docs/webhooks.md": sorted(set(CATALOGUE) - listed),
        "not in the catalogue": sorted(listed - set(CATALOGUE)),
    }


def test_one_class_per_event_type():
    """Two classes for one type would give it two shapes: defining the second one is refused."""
    from typing import ClassVar

    with pytest.raises(TypeError, match="two classes"):

        class AnotherRelease(Event):
            """A second shape of the release event."""

            type: ClassVar[str] = "assessment_decision.released"


# ---- what is sent is what is documented -----------------------------------------------------------------


def _documented(event_type: str, payload: dict) -> BaseModel:
    """The payload validates against its class's JSON schema (the one the OpenAPI `webhooks` section
    publishes) and against the class itself, and the class accounts for every key of it: the class's own
    JSON of the payload is the payload (nothing ignored, nothing added)."""
    model = CATALOGUE[event_type].data
    jsonschema.validate(payload, model.model_json_schema())
    parsed = model.model_validate(payload)
    assert parsed.model_dump(mode="json") == payload
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

    async def complete(session, brief, decision_ids=None):
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
        schemas.HandIn(declaration_signed=True, ai_used=False, declaration_signed_on=service_clock.today()),
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

    await decisions.release(session, as_staff(*ASSESSOR), alone.id)
    await decisions.release_brief(session, as_staff(*ASSESSOR), brief.id)
    released = await _sent(session, "assessment_decision.released", world.centre)
    # One shape whether released alone or with the batch: the learner and the brief always.
    assert len({frozenset(p) for p in released}) == 1
    sent = [_documented("assessment_decision.released", p) for p in released]
    assert (sent[0].id, sent[0].status, sent[0].learner_id, sent[0].brief_id) == (
        alone.id,
        "released",
        alone.learner_id,
        brief.id,
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


async def test_bulk_sync_payloads(client, auth, session, world):
    """The MIS bulk sync writes its events from JSON snapshots, not event instances (app.events.bulk): its
    payloads too are what the classes publish, for a creation and an update."""
    from tests.sync.test_mis_sync import enrolment, learner, sync

    body = {"learners": [learner(1)], "enrolments": [enrolment(1, world.programme_id)]}
    assert (await sync(client, auth, body)).status_code == 200
    body["learners"] = [learner(1, family_name="Renamed")]
    body["enrolments"] = [enrolment(1, world.programme_id, enrolled_on="2025-09-09")]
    assert (await sync(client, auth, body)).status_code == 200
    for event_type in ("learner.created", "enrolment.created", "learner.updated", "enrolment.updated"):
        [payload] = await _sent(session, event_type, world.centre)
        _documented(event_type, payload)
    [updated] = await _sent(session, "learner.updated", world.centre)
    assert _documented("learner.updated", updated).after.family_name == "Renamed"
