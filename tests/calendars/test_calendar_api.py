"""The centre calendar in the database and over the API: academic years with terms, closures, and the one
service function that builds the pure CentreCalendar every deadline uses."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.calendars.service import centre_calendar
from app.core import calendar as cal
from tests.conftest import CENTRE_A, CENTRE_B

pytestmark = pytest.mark.usefixtures("centres")

YEAR = {
    "label": "2026/27",
    "start_date": "2026-09-01",
    "end_date": "2027-08-31",
    "terms": [
        {"name": "Autumn", "start_date": "2026-09-02", "end_date": "2026-12-18"},
        {"name": "Spring", "start_date": "2027-01-04", "end_date": "2027-03-26"},
        {"name": "Summer", "start_date": "2027-04-12", "end_date": "2027-07-16"},
    ],
}


async def test_academic_year_with_terms_round_trip(client, auth, session):
    r = await client.post("/v1/academic-years", json=YEAR, headers=auth("exams_officer"))
    assert r.status_code == 201, r.text
    year = r.json()
    assert [t["name"] for t in year["terms"]] == ["Autumn", "Spring", "Summer"] and r.headers["etag"] == '"1"'
    url = f"/v1/academic-years/{year['id']}"
    assert (await client.get(url, headers=auth("assessor"))).json() == year
    terms = [
        {"name": "Autumn", "start_date": "2026-09-02", "end_date": "2026-12-18"},
        {"name": "Spring", "start_date": "2027-01-04", "end_date": "2027-07-16"},
    ]
    patched = await client.patch(url, json={"terms": terms}, headers={**auth("hoc"), "If-Match": '"1"'})
    assert patched.status_code == 200, patched.text
    assert [t["name"] for t in patched.json()["terms"]] == ["Autumn", "Spring"] and patched.headers[
        "etag"
    ] == '"2"'
    stale = await client.patch(url, json={"label": "x"}, headers={**auth("hoc"), "If-Match": '"1"'})
    assert stale.status_code == 412
    assert (await client.patch(url, json={"label": "x"}, headers=auth("hoc"))).status_code == 428
    audit = (
        await session.scalars(
            select(AuditEvent).where(AuditEvent.subject_id == year["id"]).order_by(AuditEvent.seq)
        )
    ).all()
    assert [a.action for a in audit] == ["academic_year.created", "academic_year.updated"]
    assert len(audit[1].before["terms"]) == 3 and len(audit[1].after["terms"]) == 2
    assert (await client.get(url, headers=auth("hoc", centre=CENTRE_B))).status_code == 404
    assert (await client.post("/v1/academic-years", json=YEAR, headers=auth("assessor"))).status_code == 403


async def test_years_and_terms_are_checked_by_the_calendar_rules(client, auth):
    bad_term = {**YEAR, "terms": [{"name": "Autumn", "start_date": "2026-12-18", "end_date": "2026-09-02"}]}
    r = await client.post("/v1/academic-years", json=bad_term, headers=auth("hoc"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.terms.0"
    outside = {**YEAR, "terms": [{"name": "Autumn", "start_date": "2026-08-20", "end_date": "2026-12-18"}]}
    r = await client.post("/v1/academic-years", json=outside, headers=auth("hoc"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.terms"
    overlapping_terms = {
        **YEAR,
        "terms": [
            {"name": "A", "start_date": "2026-09-02", "end_date": "2026-12-18"},
            {"name": "B", "start_date": "2026-12-01", "end_date": "2027-03-26"},
        ],
    }
    assert (
        await client.post("/v1/academic-years", json=overlapping_terms, headers=auth("hoc"))
    ).status_code == 422
    backwards = {**YEAR, "start_date": "2027-09-01"}
    r = await client.post("/v1/academic-years", json=backwards, headers=auth("hoc"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.end_date"
    assert (await client.post("/v1/academic-years", json=YEAR, headers=auth("hoc"))).status_code == 201
    clash = {**YEAR, "label": "2027/28", "start_date": "2027-08-01", "end_date": "2028-07-31", "terms": []}
    r = await client.post("/v1/academic-years", json=clash, headers=auth("hoc"))
    assert r.status_code == 409 and r.json()["errors"][0]["code"] == "overlapping_academic_year"
    same_label = {**YEAR, "start_date": "2030-09-01", "end_date": "2031-08-31", "terms": []}
    r = await client.post("/v1/academic-years", json=same_label, headers=auth("hoc"))
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "body.label"
    far = {**YEAR, "label": "far", "start_date": "1999-09-01", "end_date": "2000-08-31", "terms": []}
    r = await client.post("/v1/academic-years", json=far, headers=auth("hoc"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.start_date"


async def test_closures(client, auth, session):
    r = await client.post(
        "/v1/closures", json={"date": "2026-10-23", "reason": "INSET day"}, headers=auth("hoc")
    )
    assert r.status_code == 201, r.text
    dup = await client.post(
        "/v1/closures", json={"date": "2026-10-23", "reason": "Again"}, headers=auth("hoc")
    )
    assert dup.status_code == 409 and dup.json()["errors"][0]["field"] == "body.date"
    await client.post("/v1/closures", json={"date": "2027-02-01", "reason": "Snow"}, headers=auth("hoc"))
    listed = (
        await client.get(
            "/v1/closures", params={"from_date": "2026-10-01", "to_date": "2026-12-31"}, headers=auth("iv")
        )
    ).json()["items"]
    assert [c["date"] for c in listed] == ["2026-10-23"]
    gone = await client.delete(f"/v1/closures/{r.json()['id']}", headers=auth("exams_officer"))
    assert gone.status_code == 204
    assert (
        await client.delete(f"/v1/closures/{r.json()['id']}", headers=auth("exams_officer"))
    ).status_code == 404
    assert (await client.delete(f"/v1/closures/{uuid.uuid4()}", headers=auth("assessor"))).status_code == 403
    deleted = (
        await session.scalars(
            select(AuditEvent).where(AuditEvent.centre_id == CENTRE_A, AuditEvent.action == "closure.deleted")
        )
    ).one()
    assert deleted.before["reason"] == "INSET day" and deleted.after is None


async def test_the_service_builds_the_pure_calendar_and_working_days_use_it(client, auth, session):
    await client.post("/v1/academic-years", json=YEAR, headers=auth("hoc"))
    # Friday 23 October 2026 is a closure; Monday 26 October is a working day.
    await client.post("/v1/closures", json={"date": "2026-10-23", "reason": "INSET day"}, headers=auth("hoc"))
    built = await centre_calendar(session, CENTRE_A)
    assert built == cal.CentreCalendar(
        nation=cal.Nation.england_wales,
        closures=frozenset({dt.date(2026, 10, 23)}),
        academic_years=(
            cal.AcademicYear(
                "2026/27",
                dt.date(2026, 9, 1),
                dt.date(2027, 8, 31),
                (
                    cal.Term(dt.date(2026, 9, 2), dt.date(2026, 12, 18), "Autumn"),
                    cal.Term(dt.date(2027, 1, 4), dt.date(2027, 3, 26), "Spring"),
                    cal.Term(dt.date(2027, 4, 12), dt.date(2027, 7, 16), "Summer"),
                ),
            ),
        ),
    )
    r = await client.get(
        "/v1/working-days", params={"start": "2026-10-22", "days": 1}, headers=auth("assessor")
    )
    assert r.status_code == 200, r.text
    assert r.json() == {
        "start": "2026-10-22",
        "days": 1,
        "date": "2026-10-26",
        "in_term_time": True,
        "academic_year": "2026/27",
    }
    # R-31 over Christmas: the autumn term ends Fri 18 Dec, so the count pauses over the holiday and
    # resumes with the spring term on Mon 4 Jan 2027: 4, 5, 6. The same function as every deadline.
    r = await client.get("/v1/working-days", params={"start": "2026-12-18", "days": 3}, headers=auth("hoc"))
    assert r.json()["date"] == "2027-01-06" and r.json()["in_term_time"] is True
    assert r.json()["date"] == cal.add_working_days(built, dt.date(2026, 12, 18), 3).isoformat()
    r = await client.get("/v1/working-days", params={"start": "2027-01-04", "days": -1}, headers=auth("hoc"))
    assert r.json()["date"] == "2026-12-18"
    # The nation comes from the centre: in Scotland 2 January is a bank holiday too (Saturday 2 January
    # 2027 is substituted by Monday 4 January), in England it is not.
    assert cal.add_working_days(built, dt.date(2026, 12, 31), 1) == dt.date(2027, 1, 4)
    # Counting past the centre's last term is refused, naming the rule: terms not entered are not guessed.
    r = await client.get("/v1/working-days", params={"start": "2027-07-14", "days": 5}, headers=auth("hoc"))
    assert r.status_code == 422, r.text
    assert r.json()["type"] == "/problems/rule-violation"
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("query.days", "R-31")]
    r = await client.patch(
        f"/v1/centres/{CENTRE_B}",
        json={"nation": "scotland"},
        headers={**auth("hoc", centre=CENTRE_B), "If-Match": '"1"'},
    )
    assert r.status_code == 200, r.text
    scottish = await centre_calendar(session, CENTRE_B)
    assert (
        scottish.nation == cal.Nation.scotland
        and scottish.academic_years == ()
        and scottish.closures == frozenset()
    )
    assert cal.add_working_days(
        cal.CentreCalendar(cal.Nation.scotland, built.academic_years), dt.date(2026, 12, 31), 1
    ) == dt.date(2027, 1, 5)
    # A centre without terms has no working days: every count is refused, never guessed.
    with pytest.raises(cal.NoWorkingDays):
        cal.add_working_days(scottish, dt.date(2026, 12, 31), 1)
    r = await client.get(
        "/v1/working-days", params={"start": "2026-12-31", "days": 1}, headers=auth("hoc", centre=CENTRE_B)
    )
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "R-31"
    r = await client.get("/v1/working-days", params={"start": "1999-01-01", "days": 1}, headers=auth("hoc"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.start"


def test_the_contracts_date_pattern_is_exactly_the_valid_dates_of_the_range():
    import re

    from app.calendars.schemas import DATE_PATTERN, EARLIEST_DATE, LATEST_DATE

    day, valid = EARLIEST_DATE, set()
    while day <= LATEST_DATE:
        valid.add(day.isoformat())
        day += dt.timedelta(days=1)
    assert all(re.match(DATE_PATTERN, d) for d in valid)
    candidates = {
        f"{y}-{m:02d}-{d:02d}"
        for y in (1999, 2000, 2001, 2024, 2099, 2100)
        for m in range(0, 14)
        for d in range(0, 33)
    }
    assert {c for c in candidates if re.match(DATE_PATTERN, c)} == candidates & valid
