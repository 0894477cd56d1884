"""R-11: late, early and overdue registrations are flagged and listed for the QN (and HoC), each with the
day by which the QN escalates it: 2 of the centre's working days, through the centre's calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import CENTRE_B
from tests.programmes.fixtures import make_learner
from tests.programmes.test_enrolments import enrol, post

pytestmark = pytest.mark.usefixtures("centres")


@pytest.fixture(autouse=True)
def spring_2026(clock):
    """After every date these tests record (the last is 2 March 2026), so none is in the future, and
    after the end-of-November deadline, so an unregistered enrolment is overdue."""
    clock.set(dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC))


async def issues(client, auth, role="qn", **params):
    r = await client.get("/v1/registration-issues", params=params, headers=auth(role))
    assert r.status_code == 200, r.text
    return {i["enrolment_id"]: i for i in r.json()["items"]}


async def test_late_early_and_overdue_registrations_are_listed(client, auth, world, session):
    on_time = await enrol(client, auth, (await make_learner(session, mis_id="L1")).id, world.programme_id)
    late = await enrol(client, auth, (await make_learner(session, mis_id="L2")).id, world.programme_id)
    early = await enrol(client, auth, (await make_learner(session, mis_id="L3")).id, world.programme_id)
    overdue = await enrol(client, auth, (await make_learner(session, mis_id="L4")).id, world.programme_id)
    flexible = await enrol(
        client,
        auth,
        (await make_learner(session, mis_id="L5")).id,
        world.flexible_programme_id,
        enrolled_on="2026-01-31",
    )
    assert flexible["registration_deadline"] == "2026-02-28"  # one month after enrolment, in a short month
    assert (
        await post(
            client, auth, on_time, "registration", registration_number="P1", registered_on="2025-11-28"
        )
    ).json()["registration_issue"] is None
    r = await post(client, auth, late, "registration", registration_number="P2", registered_on="2025-12-05")
    assert r.status_code == 200 and r.json()["registration_issue"] == "late"  # recorded, and flagged
    await post(client, auth, early, "registration", registration_number="P3", registered_on="2025-09-01")
    await post(client, auth, flexible, "registration", registration_number="P5", registered_on="2026-03-02")

    found = await issues(client, auth)
    assert {k: v["issue"] for k, v in found.items()} == {
        late["id"]: "late",
        early["id"]: "early",
        overdue["id"]: "overdue",
        flexible["id"]: "late",
    }
    # Friday 5 December 2025 + 2 working days = Tuesday 9 December.
    assert (
        found[late["id"]]["flagged_on"] == "2025-12-05" and found[late["id"]]["escalate_by"] == "2025-12-09"
    )
    # Overdue from the day after the deadline (Monday 1 December) + 2 working days.
    assert (
        found[overdue["id"]]["flagged_on"] == "2025-12-01"
        and found[overdue["id"]]["escalate_by"] == "2025-12-03"
    )
    # Flagged Monday 1 September, before the autumn term starts on Wednesday 3 September: working days
    # are term days, so 3 and 4 September.
    assert found[early["id"]]["escalate_by"] == "2025-09-04"
    only_late = await issues(client, auth, role="hoc", issue="late")
    assert set(only_late) == {late["id"], flexible["id"]}
    by_programme = await issues(client, auth, programme_id=str(world.flexible_programme_id))
    assert set(by_programme) == {flexible["id"]}


async def test_r11_unregistered_is_overdue_from_the_day_after_the_deadline(
    client, auth, world, session, clock
):
    e = await enrol(client, auth, (await make_learner(session)).id, world.programme_id)
    assert e["registration_deadline"] == "2025-11-30"
    clock.set(dt.datetime(2025, 11, 30, 23, 0, tzinfo=dt.UTC))
    assert e["id"] not in await issues(client, auth)
    clock.set(dt.datetime(2025, 12, 1, 0, 30, tzinfo=dt.UTC))
    assert (await issues(client, auth))[e["id"]]["issue"] == "overdue"


async def test_escalation_counts_the_centres_closures(client, auth, world, session):
    late = await enrol(client, auth, (await make_learner(session)).id, world.programme_id)
    await post(client, auth, late, "registration", registration_number="P2", registered_on="2025-12-05")
    r = await client.post(
        "/v1/closures", json={"date": "2025-12-08", "reason": "Snow day"}, headers=auth("exams_officer")
    )
    assert r.status_code == 201, r.text
    assert (await issues(client, auth))[late["id"]]["escalate_by"] == "2025-12-10"


async def test_who_sees_the_list(client, auth, world, session):
    await enrol(client, auth, (await make_learner(session)).id, world.programme_id)
    for role in ("assessor", "exams_officer", "programme_leader", "learner", "standards_verifier"):
        assert (await client.get("/v1/registration-issues", headers=auth(role))).status_code == 403, role
    assert await issues(client, auth) != {}
    assert (await client.get("/v1/registration-issues", headers=auth("qn", centre=CENTRE_B))).json()[
        "items"
    ] == []
