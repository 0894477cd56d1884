"""R-11: a registration whose name or date of birth differs from the MIS record is flagged inaccurate;
the QN escalates an issue to the HoC, recorded with its date and the day it was due (2 working days
after the issue arose), and the HoC records the outcome."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.programmes import rules
from tests.programmes.fixtures import gql, make_learner
from tests.programmes.test_enrolments import enrol, post

pytestmark = pytest.mark.usefixtures("centres")


@pytest.fixture(autouse=True)
def december(clock):
    clock.set(dt.datetime(2025, 12, 8, 10, 0, tzinfo=dt.UTC))


names = st.text(alphabet="abcdefghij", min_size=1, max_size=8)


@given(names, names, st.dates(dt.date(1990, 1, 1), dt.date(2010, 12, 31)))
def test_r11_a_registration_differing_from_the_mis_record_is_inaccurate(given_name, family, born):
    mis = (given_name, family, born)
    assert not rules.registration_inaccurate(mis, mis)
    assert not rules.registration_inaccurate((f" {given_name.upper()} ", None, None), mis)
    assert rules.registration_inaccurate((given_name + "x", family, born), mis)
    assert rules.registration_inaccurate((None, None, born + dt.timedelta(days=1)), mis)


async def test_r11_mis_mismatch_flags_the_registration_inaccurate(client, auth, world, session):
    learner = await make_learner(session, mis_id="L1")  # Amara Bello, born 2008-03-14
    e = await enrol(client, auth, learner.id, world.programme_id)
    r = await post(
        client,
        auth,
        e,
        "registration",
        registration_number="P1",
        registered_on="2025-10-01",
        given_name="Amara",
        family_name="Belo",
        date_of_birth="2008-03-14",
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["registration_inaccurate"] is True and body["registration_issue"] == "inaccurate"
    issues = (await client.get("/v1/registration-issues", headers=auth("qn"))).json()["items"]
    assert [(i["enrolment_id"], i["issue"]) for i in issues] == [(e["id"], "inaccurate")]
    accurate = await enrol(client, auth, (await make_learner(session, mis_id="L2")).id, world.programme_id)
    r = await post(
        client,
        auth,
        accurate,
        "registration",
        registration_number="P2",
        registered_on="2025-10-01",
        given_name="amara",
        family_name="Bello",
        date_of_birth="2008-03-14",
    )
    assert r.json()["registration_inaccurate"] is False and r.json()["registration_issue"] is None


async def test_r11_the_qn_escalates_with_a_due_date_and_the_hoc_records_the_outcome(
    client, auth, world, session, clock
):
    late = await enrol(client, auth, (await make_learner(session, mis_id="L1")).id, world.programme_id)
    # Registered Friday 5 December 2025, after the end-of-November deadline: late.
    await post(client, auth, late, "registration", registration_number="P2", registered_on="2025-12-05")
    fine = await enrol(client, auth, (await make_learner(session, mis_id="L2")).id, world.programme_id)
    await post(client, auth, fine, "registration", registration_number="P3", registered_on="2025-10-01")

    body = {"enrolment_id": late["id"], "note": "Registered a week late."}
    assert (
        await client.post("/v1/registration-escalations", json=body, headers=auth("hoc"))
    ).status_code == 403  # the QN escalates
    nothing = await client.post(
        "/v1/registration-escalations", json={"enrolment_id": fine["id"]}, headers=auth("qn")
    )
    assert nothing.status_code == 422 and nothing.json()["errors"][0]["code"] == "R-11"
    r = await client.post("/v1/registration-escalations", json=body, headers=auth("qn"))
    assert r.status_code == 201, r.text
    esc = r.json()
    # Flagged Friday 5 December + 2 working days = Tuesday 9 December; escalated Monday 8th: on time.
    assert (esc["issue"], esc["flagged_on"], esc["due_by"], esc["escalated_on"]) == (
        "late",
        "2025-12-05",
        "2025-12-09",
        "2025-12-08",
    )
    assert esc["on_time"] is True and esc["status"] == "open" and esc["escalated_by"] == "test-qn"
    again = await client.post("/v1/registration-escalations", json=body, headers=auth("qn"))
    assert again.status_code == 409  # one open escalation per registration

    url = f"/v1/registration-escalations/{esc['id']}/outcome"
    outcome = {"outcome": "Late fee accepted; the awarding body was told."}
    assert (await client.post(url, json=outcome, headers=auth("qn"))).status_code == 403  # the HoC decides
    clock.set(dt.datetime(2025, 12, 10, 10, 0, tzinfo=dt.UTC))
    r = await client.post(url, json=outcome, headers=auth("hoc"))
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["outcome_recorded_on"], r.json()["outcome_recorded_by"]) == (
        "resolved",
        "2025-12-10",
        "test-hoc",
    )
    assert (await client.post(url, json=outcome, headers=auth("hoc"))).status_code == 409
    listed = (await client.get("/v1/registration-escalations", headers=auth("hoc"))).json()["items"]
    assert [x["id"] for x in listed] == [esc["id"]]
    data = await gql(
        client,
        auth("qn"),
        "query($id: UUID!) { registrationEscalation(id: $id) { status dueBy onTime outcome } }",
        id=esc["id"],
    )
    assert data["data"]["registrationEscalation"] == {
        "status": "resolved",
        "dueBy": "2025-12-09",
        "onTime": True,
        "outcome": outcome["outcome"],
    }


async def test_r11_an_escalation_after_its_due_date_is_not_on_time(client, auth, world, session, clock):
    late = await enrol(client, auth, (await make_learner(session, mis_id="L1")).id, world.programme_id)
    await post(client, auth, late, "registration", registration_number="P2", registered_on="2025-12-01")
    # Flagged Monday 1 December, due Wednesday 3rd; escalated Monday 8th.
    r = await client.post(
        "/v1/registration-escalations", json={"enrolment_id": late["id"]}, headers=auth("qn")
    )
    assert r.status_code == 201 and r.json()["due_by"] == "2025-12-03" and r.json()["on_time"] is False
