"""R-46 staff competence: the expertise the unit needs (subject areas, units) and a record of annual CPD,
read by the member of staff themselves and by the HoC, QN and LIV; the programme team's report."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.core.errors import Forbidden, NotFound, PreconditionFailed, ValidationFailed
from app.standardisation import competence, schemas
from tests.programmes.fixtures import principal
from tests.verification.fixtures import ASSESSOR, IV, LIV, as_staff


def _cpd(staff_id, on=dt.date(2025, 10, 1), hours="2.5") -> schemas.CpdCreate:
    return schemas.CpdCreate(
        staff_id=staff_id, undertaken_on=on, activity="Pearson assessor training", hours=float(hours)
    )


async def test_r46_cpd_is_ones_own_and_the_hoc_qn_and_liv_read_and_record_everyones(session, world, clock):
    assessor, iv = as_staff(*ASSESSOR), as_staff(*IV)
    own = await competence.record_cpd(session, assessor, _cpd(world.assessor))
    with pytest.raises(Forbidden):
        await competence.record_cpd(session, assessor, _cpd(world.iv))
    by_liv = await competence.record_cpd(session, as_staff(*LIV), _cpd(world.iv, hours="1"))
    assert [r.id for r in await competence.list_cpd(session, assessor)] == [own.id]
    assert [r.id for r in await competence.list_cpd(session, iv)] == [by_liv.id]
    with pytest.raises(NotFound):  # another's record is not found, never confirmed
        await competence.get_cpd(session, iv, own.id)
    for wide in (principal("hoc"), principal("qn"), as_staff(*LIV)):
        assert {r.id for r in await competence.list_cpd(session, wide)} == {own.id, by_liv.id}
    assert [r.id for r in await competence.list_cpd(session, principal("hoc"), world.iv)] == [by_liv.id]
    with pytest.raises(ValidationFailed):
        await competence.record_cpd(session, assessor, _cpd(world.assessor, on=dt.date(2025, 10, 16)))
    with pytest.raises(DBAPIError, match="permission denied"):
        async with session.begin_nested():
            await session.execute(text(f"UPDATE cpd_records SET hours = 9 WHERE id = '{own.id}'"))


async def test_r46_competence_names_real_units_and_changes_with_its_version(session, world):
    qn = principal("qn")
    with pytest.raises(NotFound):
        await competence.get_competence(session, qn, world.assessor)
    with pytest.raises(ValidationFailed) as refused:
        await competence.put_competence(
            session,
            qn,
            world.assessor,
            schemas.CompetenceWrite(
                units=[schemas.CompetentUnit(qualification_id=world.award_id, unit_number=99)]
            ),
            None,
        )
    assert [e.field for e in refused.value.errors] == ["body.units.0.unit_number"]
    first = await competence.put_competence(
        session,
        qn,
        world.assessor,
        schemas.CompetenceWrite(
            units=[schemas.CompetentUnit(qualification_id=world.award_id, unit_number=1)]
        ),
        None,
    )
    assert first.version == 1 and first.units[0].unit_number == 1
    with pytest.raises(PreconditionFailed):
        await competence.put_competence(
            session, qn, world.assessor, schemas.CompetenceWrite(subject_areas=["Business"]), 7
        )
    second = await competence.put_competence(
        session, qn, world.assessor, schemas.CompetenceWrite(subject_areas=["Business"]), 1
    )
    assert second.version == 2 and second.units == [] and second.subject_areas == ["Business"]


async def test_r46_the_team_report_shows_missing_expertise_and_cpd_in_the_year(session, world, clock):
    qn = principal("qn")
    await competence.put_competence(
        session,
        qn,
        world.assessor,
        schemas.CompetenceWrite(
            units=[schemas.CompetentUnit(qualification_id=world.award_id, unit_number=1)]
        ),
        None,
    )
    # The LIV's expertise is the programme's subject area, so every unit.
    await competence.put_competence(
        session, qn, world.liv, schemas.CompetenceWrite(subject_areas=["Business"]), None
    )
    await competence.record_cpd(session, as_staff(*ASSESSOR), _cpd(world.assessor, hours="2.5"))
    await competence.record_cpd(
        session, as_staff(*ASSESSOR), _cpd(world.assessor, on=dt.date(2025, 9, 2), hours="1")
    )
    await competence.record_cpd(session, as_staff(*IV), _cpd(world.iv, on=dt.date(2025, 8, 1)))  # last year
    report = await competence.competence_report(session, as_staff(*LIV), world.programme_id)
    by_staff = {s.staff_id: s for s in report.staff}
    assert set(by_staff) == {world.assessor, world.iv, world.liv, world.leader}
    assert by_staff[world.assessor].units_without_expertise == []
    assert by_staff[world.assessor].cpd_hours == 3.5 and by_staff[world.assessor].has_cpd
    assert by_staff[world.iv].units_without_expertise == [1] and not by_staff[world.iv].has_cpd
    assert (
        by_staff[world.liv].units_without_expertise == []
        and "lead_internal_verifier" in by_staff[world.liv].roles
    )


async def test_r46_rest_and_graphql(client, auth, world, clock):
    mine = auth("assessor", subject="staff-assessor")
    r = await client.post(
        "/v1/cpd-records",
        json={
            "staff_id": str(world.assessor),
            "undertaken_on": "2025-10-01",
            "activity": "Training",
            "hours": 2,
        },
        headers=mine,
    )
    assert r.status_code == 201, r.text
    other = await client.post(
        "/v1/cpd-records",
        json={"staff_id": str(world.iv), "undertaken_on": "2025-10-01", "activity": "Training", "hours": 2},
        headers=mine,
    )
    assert other.status_code == 403 and other.json()["errors"][0]["field"] == "body.staff_id"
    put = await client.put(
        f"/v1/staff/{world.iv}/competence", json={"subject_areas": ["Business"]}, headers=auth("hoc")
    )
    assert put.status_code == 200 and put.headers["ETag"] == '"1"', put.text
    again = await client.put(
        f"/v1/staff/{world.iv}/competence", json={"subject_areas": []}, headers=auth("hoc")
    )
    assert again.status_code == 428
    got = await client.get(f"/v1/staff/{world.iv}/competence", headers=mine)
    assert got.status_code == 200 and got.json()["subject_areas"] == ["Business"]
    query = (
        f'query {{ programmeStaffCompetence(programmeId: "{world.programme_id}") '
        "{ staff { staffId cpdHours hasCpd unitsWithoutExpertise } } cpdRecords { nodes { id hours } } }"
    )
    body = (
        await client.post("/graphql", json={"query": query}, headers=auth("liv", subject="staff-liv"))
    ).json()
    assert body.get("errors") is None, body
    assert len(body["data"]["cpdRecords"]["nodes"]) == 1
    staff = {s["staffId"]: s for s in body["data"]["programmeStaffCompetence"]["staff"]}
    assert staff[str(world.assessor)]["hasCpd"] and staff[str(world.iv)]["unitsWithoutExpertise"] == []
