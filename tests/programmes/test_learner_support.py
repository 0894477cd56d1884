"""R-13 recognition of prior learning, R-80 reasonable adjustments, R-81 special consideration."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.events.models import OutboxEvent
from tests.conftest import CENTRE_A, CENTRE_B
from tests.programmes.fixtures import make_learner
from tests.programmes.test_enrolments import enrol

pytestmark = pytest.mark.usefixtures("centres")


async def test_rpl_is_evidence_to_assess_never_an_exemption(client, auth, world, session):
    learner = await make_learner(session)
    rpl = {
        "learner_id": str(learner.id),
        "qualification_id": str(world.award_id),
        "unit_number": 1,
        "description": "Customer service module at a previous college, 2024",
        "evidence_reference": "RPL/2025/01",
    }
    not_on_it = await client.post("/v1/prior-learning", json=rpl, headers=auth("programme_leader"))
    assert not_on_it.status_code == 422 and not_on_it.json()["errors"][0]["code"] == "not_enrolled"
    await enrol(client, auth, learner.id, world.programme_id)
    r = await client.post("/v1/prior-learning", json=rpl, headers=auth("programme_leader"))
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "to_be_assessed" and r.json()["recorded_by"] == "test-programme_leader"
    exempt = await client.post("/v1/prior-learning", json={**rpl, "exempt": True}, headers=auth("hoc"))
    assert exempt.status_code == 422 and exempt.json()["errors"][0]["field"] == "body.exempt"
    bad_unit = await client.post("/v1/prior-learning", json={**rpl, "unit_number": 9}, headers=auth("hoc"))
    assert bad_unit.status_code == 422 and bad_unit.json()["errors"][0]["code"] == "unknown_unit"
    listed = (
        await client.get(
            "/v1/prior-learning", params={"learner_id": str(learner.id)}, headers=auth("assessor")
        )
    ).json()["items"]
    assert [i["id"] for i in listed] == [r.json()["id"]]
    audit = (
        await session.scalars(select(AuditEvent.action).where(AuditEvent.subject_id == r.json()["id"]))
    ).all()
    assert audit == ["prior_learning.recorded"]
    assert (
        await client.get(f"/v1/prior-learning/{r.json()['id']}", headers=auth("hoc", centre=CENTRE_B))
    ).status_code == 404


async def test_reasonable_adjustments_are_agreed_before_the_assessment(client, auth, world, session):
    learner = await make_learner(session, idp_subject="learner-amara")
    ra = {
        "learner_id": str(learner.id),
        "adjustment": "25% extra time",
        "standard_unchanged": True,
        "normal_way_of_working": "Has extra time in all class tests (EHCP)",
        "agreed_on": "2025-09-15",
        "applies_from": "2025-10-01",
    }
    r = await client.post("/v1/reasonable-adjustments", json=ra, headers=auth("exams_officer"))
    assert r.status_code == 201, r.text
    assert r.json()["agreed_by"] == "test-exams_officer" and "standard_unchanged" not in r.json()
    after = await client.post(
        "/v1/reasonable-adjustments", json={**ra, "agreed_on": "2025-10-02"}, headers=auth("exams_officer")
    )
    assert after.status_code == 422
    assert after.json()["errors"] == [
        {
            "field": "body.agreed_on",
            "code": "R-80",
            "message": "must be agreed before the assessment it applies to",
        }
    ]
    changes_standard = await client.post(
        "/v1/reasonable-adjustments", json={**ra, "standard_unchanged": False}, headers=auth("exams_officer")
    )
    assert changes_standard.status_code == 422 and changes_standard.json()["errors"][0]["code"] == "R-80"
    mine = (
        await client.get("/v1/reasonable-adjustments", headers=auth("learner", subject="learner-amara"))
    ).json()
    assert [i["adjustment"] for i in mine["items"]] == ["25% extra time"]
    assert (
        await client.post("/v1/reasonable-adjustments", json=ra, headers=auth("assessor"))
    ).status_code == 403


async def test_special_consideration_is_applied_for_at_the_time_and_authorised_by_the_hoc(
    client, auth, world, session
):
    learner = await make_learner(session)
    # Assessment on Monday 2 March 2026: the window ends five working days later, Monday 9 March.
    sc = {
        "learner_id": str(learner.id),
        "qualification_id": str(world.award_id),
        "unit_number": 1,
        "assessment_date": "2026-03-02",
        "applied_on": "2026-03-09",
        "circumstances": "Flu on the day",
    }
    r = await client.post("/v1/special-considerations", json=sc, headers=auth("exams_officer"))
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "applied"
    too_late = await client.post(
        "/v1/special-considerations", json={**sc, "applied_on": "2026-03-10"}, headers=auth("exams_officer")
    )
    assert too_late.status_code == 422 and too_late.json()["errors"][0]["code"] == "R-81"
    before = await client.post(
        "/v1/special-considerations", json={**sc, "applied_on": "2026-03-01"}, headers=auth("exams_officer")
    )
    assert before.status_code == 422 and before.json()["errors"][0]["code"] == "R-81"
    # A closure inside the window gives the centre one more working day (the calendar counts it).
    await client.post("/v1/closures", json={"date": "2026-03-04", "reason": "INSET"}, headers=auth("hoc"))
    assert (
        await client.post(
            "/v1/special-considerations",
            json={**sc, "applied_on": "2026-03-10"},
            headers=auth("exams_officer"),
        )
    ).status_code == 201

    url = f"/v1/special-considerations/{r.json()['id']}/decision"
    decision = {"outcome": "authorised", "reason": "GP letter seen"}
    for role in ("exams_officer", "qn", "programme_leader", "assessor", "learner"):
        assert (await client.post(url, json=decision, headers=auth(role))).status_code == 403, role
    ok = await client.post(url, json=decision, headers=auth("hoc"))
    assert ok.status_code == 200, ok.text
    assert ok.json()["status"] == "authorised" and ok.json()["decided_by"] == "test-hoc"
    again = await client.post(url, json={"outcome": "refused", "reason": "x"}, headers=auth("hoc"))
    assert again.status_code == 409 and again.json()["errors"][0]["code"] == "R-81"
    events = (
        await session.scalars(
            select(OutboxEvent.event_type).where(
                OutboxEvent.centre_id == CENTRE_A, OutboxEvent.event_type.like("special_consideration.%")
            )
        )
    ).all()
    assert sorted(events) == [
        "special_consideration.applied",
        "special_consideration.applied",
        "special_consideration.authorised",
    ]
    listed = (
        await client.get("/v1/special-considerations", params={"status": "authorised"}, headers=auth("hoc"))
    ).json()["items"]
    assert [i["id"] for i in listed] == [r.json()["id"]]


async def test_special_consideration_defaults_to_today_and_refuses_future_assessments(
    client, auth, world, session, clock
):
    # 23:30 UTC in British Summer Time is already tomorrow at the centre: "today" is the centre's date.
    clock.set(dt.datetime(2025, 6, 10, 23, 30, tzinfo=dt.UTC))
    learner = await make_learner(session)
    today = dt.date(2025, 6, 11)
    r = await client.post(
        "/v1/special-considerations",
        json={
            "learner_id": str(learner.id),
            "assessment_date": today.isoformat(),
            "circumstances": "Injured",
        },
        headers=auth("hoc"),
    )
    assert r.status_code == 201 and r.json()["applied_on"] == today.isoformat()
    future = await client.post(
        "/v1/special-considerations",
        json={
            "learner_id": str(learner.id),
            "assessment_date": (today + dt.timedelta(days=3)).isoformat(),
            "circumstances": "Injured",
        },
        headers=auth("hoc"),
    )
    assert future.status_code == 422 and future.json()["errors"][0]["code"] == "date_in_future"


async def test_r31_special_consideration_window_in_term_days_refused_past_the_calendar(
    client, auth, world, session
):
    learner = await make_learner(session)
    sc = {"learner_id": str(learner.id), "circumstances": "Flu on the day"}
    # Fri 19 Dec 2025 ends the autumn term: the five working days are 5-9 January 2026.
    in_january = {**sc, "assessment_date": "2025-12-19", "applied_on": "2026-01-09"}
    r = await client.post("/v1/special-considerations", json=in_january, headers=auth("exams_officer"))
    assert r.status_code == 201, r.text
    # The world's calendar ends with the summer term on Fri 17 Jul 2026: one term day after Thu 16 Jul.
    past = {**sc, "assessment_date": "2026-07-16", "applied_on": "2026-07-17"}
    r = await client.post("/v1/special-considerations", json=past, headers=auth("exams_officer"))
    assert r.status_code == 422, r.text
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("body.assessment_date", "R-31")]
