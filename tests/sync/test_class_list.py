"""CSV class lists: the same checks and the same all-or-nothing answer as the MIS sync."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.learners.models import Learner
from app.programmes.models import Enrolment
from tests.conftest import CENTRE_A

pytestmark = pytest.mark.usefixtures("centres")

CSV = (
    "\ufeffmis_id,given_name,family_name,date_of_birth,candidate_number\r\n"
    "ADM-001,Amara,Bello,2008-03-14,1001\r\n"
    "ADM-002,Ben,Carter,2008-07-02,\r\n"
    "\r\n"
    'ADM-003,Chloe,"Dunn, Jr",2007-11-23,1003\r\n'
)


async def upload(
    client, auth, text, role="programme_leader", params=None, content_type="text/csv; charset=utf-8", key=None
):
    headers = {**auth(role), "Content-Type": content_type, **({"Idempotency-Key": key} if key else {})}
    return await client.post(
        "/v1/class-list-imports", content=text.encode(), params=params or {}, headers=headers
    )


async def learners_in(session) -> int:
    return await session.scalar(
        select(func.count()).select_from(Learner).where(Learner.centre_id == CENTRE_A)
    )


async def test_import_a_class_list_and_enrol_it(client, auth, world, session):
    params = {
        "programme_id": str(world.programme_id),
        "enrolled_on": "2025-09-08",
        "identity_checked": "true",
    }
    r = await upload(client, auth, CSV, params=params)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [x["result"] for x in body["learners"]] == ["created"] * 3
    assert [x["result"] for x in body["enrolments"]] == ["created"] * 3
    rows = {
        row.mis_id: row
        for row in (await session.scalars(select(Learner).where(Learner.centre_id == CENTRE_A))).all()
    }
    assert rows["ADM-003"].family_name == "Dunn, Jr" and rows["ADM-002"].candidate_number is None
    on_programme = (
        await session.scalars(select(Enrolment).where(Enrolment.programme_id == world.programme_id))
    ).all()
    assert len(on_programme) == 3 and {e.mis_id for e in on_programme} == {None}
    # The same list again changes nothing.
    again = await upload(client, auth, CSV, params=params)
    assert {x["result"] for x in again.json()["learners"] + again.json()["enrolments"]} == {"unchanged"}


async def test_bad_rows_refuse_the_whole_list(client, auth, world, session):
    text = (
        "mis_id,given_name,family_name,date_of_birth,uln\n"
        "ADM-001,Amara,Bello,2008-03-14,\n"
        "ADM-002,Ben,Carter,14/03/2008,\n"
        "ADM-003,,Dunn,2007-11-23,123\n"
        "ADM-004,Dev,Patel,2008-01-01\n"
    )
    r = await upload(client, auth, text)
    assert r.status_code == 422
    assert {(e["field"], e["code"]) for e in r.json()["errors"]} >= {
        ("body.learners.1.date_of_birth", "value_error"),
        ("body.learners.2.given_name", "string_too_short"),
        ("body.learners.2.uln", "string_pattern_mismatch"),
        ("body.learners.3", "wrong_number_of_fields"),
    }
    assert await learners_in(session) == 0


async def test_the_header_and_the_request_are_checked(client, auth, world):
    r = await upload(client, auth, "mis_id,given_name,surname\nA,B,C\n")
    assert {(e["code"], e["field"]) for e in r.json()["errors"]} == {
        ("unknown_column", "body"),
        ("missing_column", "body"),
    }
    assert (await upload(client, auth, "")).json()["errors"][0]["code"] == "empty"
    r = await upload(client, auth, CSV, content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "header.content-type"
    r = await client.post(
        "/v1/class-list-imports", content=b"\xff\xfe", headers={**auth("hoc"), "Content-Type": "text/csv"}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "not_utf8"
    r = await upload(
        client, auth, CSV, params={"programme_id": str(world.programme_id), "enrolled_on": "2025-09-08"}
    )
    assert r.status_code == 422 and r.json()["errors"][0] == {
        "field": "query.identity_checked",
        "code": "R-12",
        "message": "identity is checked at enrolment",
    }
    too_big = "mis_id,given_name,family_name,date_of_birth\n" + "A,B,C,2008-01-01\n" * 400_000
    assert (await upload(client, auth, too_big)).json()["errors"][0]["code"] == "too_large"
    assert (await upload(client, auth, CSV, role="assessor")).status_code == 403
    assert (await upload(client, auth, CSV, role="qn")).status_code == 403


async def test_idempotency_key(client, auth, world):
    first = await upload(client, auth, CSV, key="class-list-1")
    replay = await upload(client, auth, CSV, key="class-list-1")
    assert replay.headers["idempotent-replayed"] == "true" and replay.json() == first.json()
    other = await upload(client, auth, CSV.replace("Amara", "Amy"), key="class-list-1")
    assert other.status_code == 422 and other.json()["type"] == "/problems/idempotency-key-reused"
