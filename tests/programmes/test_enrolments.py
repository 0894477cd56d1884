"""Learners on programmes: enrolment, registration, transfer, withdrawal, completion (R-10..R-12), each a
transition with a reason, audited and emitted; invalid transitions answer a problem naming the rule."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.audit.service import verify
from app.core.errors import RuleViolation
from app.events.models import OutboxEvent
from app.programmes.enrolments import ensure_registered
from tests.conftest import CENTRE_A, CENTRE_B
from tests.programmes.fixtures import make_learner

pytestmark = pytest.mark.usefixtures("centres")


async def enrol(client, auth, learner_id, programme_id, enrolled_on="2025-09-08", **over):
    r = await client.post(
        "/v1/enrolments",
        json={
            "learner_id": str(learner_id),
            "programme_id": str(programme_id),
            "enrolled_on": enrolled_on,
            "identity_checked": True,
            **over,
        },
        headers=auth("exams_officer"),
    )
    assert r.status_code == 201, r.text
    return r.json()


async def post(client, auth, enrolment, transition, role="exams_officer", **payload):
    return await client.post(
        f"/v1/enrolments/{enrolment['id']}/{transition}", json=payload, headers=auth(role)
    )


async def test_enrol_register_complete_with_audit_and_events(client, auth, world, session):
    learner = await make_learner(session)
    e = await enrol(client, auth, learner.id, world.programme_id)
    assert e["status"] == "enrolled" and e["registration_deadline"] == "2025-11-30"
    assert e["qualification_id"] == str(world.award_id) and e["identity_checked_by"] == "test-exams_officer"
    registered = await post(
        client,
        auth,
        e,
        "registration",
        registration_number="PX1234",
        registered_on="2025-10-20",
        reason="October registration window",
    )
    assert registered.status_code == 200, registered.text
    assert registered.json()["status"] == "registered" and registered.json()["registration_issue"] is None
    await ensure_registered(session, CENTRE_A, learner.id, world.award_id)  # R-10 satisfied: no exception
    done = await post(client, auth, e, "completion", completed_on="2026-06-30")
    assert (
        done.status_code == 200
        and done.json()["status"] == "completed"
        and done.json()["ended_on"] == "2026-06-30"
    )

    actions = (
        await session.scalars(
            select(AuditEvent.action).where(AuditEvent.subject_id == e["id"]).order_by(AuditEvent.seq)
        )
    ).all()
    assert actions == ["enrolment.created", "enrolment.registered", "enrolment.completed"]
    audited = (
        await session.scalars(
            select(AuditEvent).where(
                AuditEvent.centre_id == CENTRE_A, AuditEvent.action == "enrolment.registered"
            )
        )
    ).one()
    assert audited.before["status"] == "enrolled" and audited.after["registration_number"] == "PX1234"
    assert audited.actor_role == "exams_officer"
    events = (
        await session.scalars(
            select(OutboxEvent.event_type).where(
                OutboxEvent.centre_id == CENTRE_A, OutboxEvent.event_type.like("enrolment.%")
            )
        )
    ).all()
    assert sorted(events) == ["enrolment.completed", "enrolment.created", "enrolment.registered"]
    assert (await verify(session, CENTRE_A)).ok


async def test_invalid_transitions_name_the_rule(client, auth, world, session):
    learner = await make_learner(session)
    e = await enrol(client, auth, learner.id, world.programme_id)
    # an unregistered learner cannot complete.
    r = await post(client, auth, e, "completion", completed_on="2026-06-30")
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"] == "/problems/invalid-transition" and r.json()["errors"][0]["code"] == "R-10"
    withdrawn = await post(client, auth, e, "withdrawal", withdrawn_on="2025-10-01", reason="Left the school")
    assert withdrawn.status_code == 200 and withdrawn.json()["status_reason"] == "Left the school"
    for transition, payload in (
        ("registration", {"registration_number": "PX1", "registered_on": "2025-10-02"}),
        ("withdrawal", {"withdrawn_on": "2025-10-03", "reason": "again"}),
        (
            "transfer",
            {"programme_id": str(world.other_programme_id), "transferred_on": "2025-10-03", "reason": "x"},
        ),
        ("completion", {"completed_on": "2026-06-30"}),
    ):
        r = await post(client, auth, e, transition, **payload)
        assert r.status_code == 409, (transition, r.text)
        assert r.json()["errors"][0] == {
            "field": "status",
            "code": "R-12",
            "message": r.json()["errors"][0]["message"],
        }
    # Registering twice is refused too.
    e2 = await enrol(client, auth, learner.id, world.programme_id, enrolled_on="2025-10-05")
    assert (
        await post(client, auth, e2, "registration", registration_number="PX2", registered_on="2025-10-06")
    ).status_code == 200
    again = await post(
        client, auth, e2, "registration", registration_number="PX3", registered_on="2025-10-07"
    )
    assert again.status_code == 409 and again.json()["errors"][0]["code"] == "R-12"


async def test_transition_reasons_dates_and_roles(client, auth, world, session):
    learner = await make_learner(session)
    e = await enrol(client, auth, learner.id, world.programme_id)
    r = await post(client, auth, e, "withdrawal", withdrawn_on="2025-10-01", reason="   ")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.reason"
    r = await post(client, auth, e, "withdrawal", withdrawn_on="2025-09-01", reason="Before enrolment")
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "before_enrolment"
    r = await post(client, auth, e, "withdrawal", withdrawn_on="2099-01-01", reason="Future")
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "date_in_future"
    # Registration, transfer and withdrawal are the exams officer's (and HoC's), not a programme leader's.
    r = await post(
        client,
        auth,
        e,
        "registration",
        role="programme_leader",
        registration_number="P1",
        registered_on="2025-10-01",
    )
    assert r.status_code == 403
    r = await client.post(
        "/v1/enrolments",
        json={
            "learner_id": str(learner.id),
            "programme_id": str(world.programme_id),
            "enrolled_on": "2025-09-08",
            "identity_checked": False,
        },
        headers=auth("programme_leader"),
    )
    assert r.status_code == 422 and r.json()["errors"][0] == {
        "field": "body.identity_checked",
        "code": "R-12",
        "message": r.json()["errors"][0]["message"],
    }
    dup = await client.post(
        "/v1/enrolments",
        json={
            "learner_id": str(learner.id),
            "programme_id": str(world.programme_id),
            "enrolled_on": "2025-09-09",
            "identity_checked": True,
        },
        headers=auth("programme_leader"),
    )
    assert dup.status_code == 409 and dup.json()["errors"][0]["field"] == "body.programme_id"


async def test_transfer_moves_the_registration_to_the_new_programme(client, auth, world, session):
    learner = await make_learner(session)
    e = await enrol(client, auth, learner.id, world.programme_id)
    await post(client, auth, e, "registration", registration_number="PX77", registered_on="2025-10-01")
    same = await post(
        client,
        auth,
        e,
        "transfer",
        programme_id=str(world.programme_id),
        transferred_on="2026-01-10",
        reason="x",
    )
    assert same.status_code == 422 and same.json()["errors"][0]["code"] == "same_programme"
    r = await post(
        client,
        auth,
        e,
        "transfer",
        programme_id=str(world.other_programme_id),
        transferred_on="2026-01-10",
        reason="Moved to the Cambridge Technical pathway",
    )
    assert r.status_code == 200, r.text
    ended, started = r.json()["transferred_from"], r.json()["transferred_to"]
    assert ended["status"] == "transferred" and ended["transferred_to_id"] == started["id"]
    assert started["status"] == "registered" and started["registration_number"] == "PX77"
    assert started["qualification_id"] == str(world.diploma_id) and started["transferred_from_id"] == e["id"]
    assert started["registration_deadline"] == e["registration_deadline"]
    assert started["registration_issue"] is None
    # R-10 follows the registration: registered for the diploma now, no longer for the award.
    await ensure_registered(session, CENTRE_A, learner.id, world.diploma_id)
    with pytest.raises(RuleViolation) as raised:
        await ensure_registered(session, CENTRE_A, learner.id, world.award_id)
    assert raised.value.errors[0].code == "R-10" and raised.value.status == 422
    payload = (
        await session.scalars(
            select(OutboxEvent.payload).where(
                OutboxEvent.centre_id == CENTRE_A, OutboxEvent.event_type == "enrolment.transferred"
            )
        )
    ).one()
    assert payload["transferred_from"]["id"] == e["id"] and payload["transferred_to"]["id"] == started["id"]
    audit = (
        await session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.subject_id.in_([e["id"], started["id"]]))
            .order_by(AuditEvent.seq)
        )
    ).all()
    assert audit == [
        "enrolment.created",
        "enrolment.registered",
        "enrolment.transferred",
        "enrolment.created",
    ]


async def test_ensure_registered_r10(session, world, client, auth):
    learner = await make_learner(session)
    with pytest.raises(RuleViolation) as raised:
        await ensure_registered(session, CENTRE_A, learner.id, world.award_id)  # not even enrolled
    assert raised.value.errors[0].code == "R-10" and "R-10" in raised.value.detail
    e = await enrol(client, auth, learner.id, world.programme_id)
    with pytest.raises(RuleViolation):
        await ensure_registered(session, CENTRE_A, learner.id, world.award_id)  # enrolled, not registered
    await post(client, auth, e, "registration", registration_number="PX9", registered_on="2025-10-01")
    await ensure_registered(session, CENTRE_A, learner.id, world.award_id)
    with pytest.raises(RuleViolation):
        await ensure_registered(session, CENTRE_B, learner.id, world.award_id)  # another centre's view
    with pytest.raises(RuleViolation):
        await ensure_registered(session, CENTRE_A, learner.id, world.diploma_id)  # another qualification
    await post(client, auth, e, "withdrawal", withdrawn_on="2025-11-01", reason="Left")
    with pytest.raises(RuleViolation):
        await ensure_registered(session, CENTRE_A, learner.id, world.award_id)  # withdrawn


async def test_a_learner_sees_only_their_own_enrolments_and_registration_number(client, auth, world, session):
    mine = await make_learner(session, idp_subject="learner-amara", mis_id="M1")
    theirs = await make_learner(session, given_name="Ben", idp_subject="learner-ben", mis_id="M2")
    e_mine = await enrol(client, auth, mine.id, world.programme_id)
    e_theirs = await enrol(client, auth, theirs.id, world.programme_id)
    await post(client, auth, e_mine, "registration", registration_number="PX42", registered_on="2025-10-01")
    me = auth("learner", subject="learner-amara")
    listed = (await client.get("/v1/enrolments", headers=me)).json()["items"]
    assert [(i["id"], i["status"], i["registration_number"]) for i in listed] == [
        (e_mine["id"], "registered", "PX42")
    ]
    assert (await client.get(f"/v1/enrolments/{e_theirs['id']}", headers=me)).status_code == 404
    assert (await client.get("/v1/enrolments", params={"learner_id": str(theirs.id)}, headers=me)).json()[
        "items"
    ] == []
    assert (
        await post(client, auth, e_mine, "withdrawal", role="learner", withdrawn_on="2025-10-02", reason="x")
    ).status_code == 403
    staff = (
        await client.get(
            "/v1/enrolments", params={"programme_id": str(world.programme_id)}, headers=auth("assessor")
        )
    ).json()["items"]
    assert len(staff) == 2
    assert (
        await client.get(f"/v1/enrolments/{e_mine['id']}", headers=auth("hoc", centre=CENTRE_B))
    ).status_code == 404


async def test_unknown_references_in_the_body_are_named(client, auth, world, session):
    # An id in a body that names nothing in the centre answers 404, with the field named.
    learner = await make_learner(session)
    r = await client.post(
        "/v1/enrolments",
        json={
            "learner_id": str(uuid.uuid4()),
            "programme_id": str(world.programme_id),
            "enrolled_on": "2025-09-08",
            "identity_checked": True,
        },
        headers=auth("hoc"),
    )
    assert r.status_code == 404 and r.json()["errors"][0]["field"] == "body.learner_id"
    r = await client.post(
        "/v1/enrolments",
        json={
            "learner_id": str(learner.id),
            "programme_id": str(uuid.uuid4()),
            "enrolled_on": "2025-09-08",
            "identity_checked": True,
        },
        headers=auth("hoc"),
    )
    assert r.status_code == 404 and r.json()["errors"][0]["field"] == "body.programme_id"
    r = await client.post(
        f"/v1/enrolments/{uuid.uuid4()}/withdrawal",
        json={"withdrawn_on": "2025-10-01", "reason": "x"},
        headers=auth("hoc"),
    )
    assert r.status_code == 404
