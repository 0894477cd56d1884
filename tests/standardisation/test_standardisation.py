"""R-45 internal standardisation per unit and year, recorded by the programme's LIV and kept insert-only;
the report of the units with no standardisation record for the year."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.assignments.service import qualification_of
from app.core.errors import Forbidden, RuleViolation
from app.events.models import OutboxEvent
from app.programmes.models import Programme
from app.qualifications.grades import AssessmentMode
from app.standardisation import schemas, service
from tests.programmes.fixtures import make_staff
from tests.verification.fixtures import ASSESSOR, LIV, as_staff, batch

HELD = dt.date(2025, 10, 8)  # before the frozen clock's today (2025-10-15), inside 2025/26


def _create(world, programme_id, unit, **kw) -> schemas.StandardisationCreate:
    return schemas.StandardisationCreate(
        programme_id=programme_id,
        unit_number=unit,
        held_on=kw.pop("held_on", HELD),
        attendee_ids=kw.pop("attendee_ids", [world.assessor, world.iv]),
        outcomes="Agreed how A.P1 is evidenced; the team standardised on two learners' work.",
        **kw,
    )


async def _internal_units(session, programme_id):
    programme = await session.get(Programme, programme_id)
    q = await qualification_of(session, programme.qualification_id)
    return [u.number for u in q.units if u.assessment is not AssessmentMode.external], [
        u.number for u in q.units if u.assessment is AssessmentMode.external
    ]


async def test_r45_the_gap_report_lists_the_internal_units_without_a_record_for_the_year(
    session, world, clock
):
    liv = as_staff(*LIV)
    internal, external = await _internal_units(session, world.other_programme_id)
    assert internal and external  # the OCR diploma has examined units, which are not standardised here
    gaps = await service.standardisation_gaps(session, liv, world.other_programme_id)
    assert gaps.missing_unit_numbers == internal
    assert {u.unit_number for u in gaps.units} == set(internal)

    first = await service.record_standardisation(
        session,
        liv,
        _create(
            world, world.other_programme_id, internal[0], arbitrations="The LIV upheld M1 for learner 2."
        ),
    )
    gaps = await service.standardisation_gaps(session, liv, world.other_programme_id)
    assert gaps.missing_unit_numbers == internal[1:]
    (done,) = [u for u in gaps.units if u.unit_number == internal[0]]
    assert done.standardised and done.record_ids == [first.id] and done.last_held_on == HELD

    # Another year of the centre's has nothing for that unit yet.
    from app.calendars import schemas as cal
    from app.calendars import service as calendars
    from tests.programmes.fixtures import principal

    later = await calendars.create_academic_year(
        session,
        principal("hoc"),
        cal.AcademicYearCreate(
            label="2026/27", start_date=dt.date(2026, 9, 1), end_date=dt.date(2027, 8, 31), terms=[]
        ),
    )
    next_year = await service.standardisation_gaps(session, liv, world.other_programme_id, later.id)
    assert next_year.missing_unit_numbers == internal

    with pytest.raises(RuleViolation) as refused:
        await service.record_standardisation(
            session, liv, _create(world, world.other_programme_id, external[0])
        )
    assert [e.field for e in refused.value.errors] == ["body.unit_number"]


async def test_r45_only_the_programmes_liv_records_its_standardisation(session, world, clock):
    await make_staff(session, world.centre, "liv2", "liv")
    for who in (as_staff("liv2", "liv"), as_staff(*ASSESSOR)):
        with pytest.raises(Forbidden):
            await service.record_standardisation(session, who, _create(world, world.programme_id, 1))


async def test_r45_held_in_the_year_not_in_the_future_with_known_attendees(session, world, clock):
    liv = as_staff(*LIV)
    for bad, field in (
        ({"held_on": dt.date(2025, 8, 31)}, "body.held_on"),  # the year before
        ({"held_on": dt.date(2025, 10, 16)}, "body.held_on"),  # tomorrow
        ({"attendee_ids": [world.assessor, world.assessor]}, "body.attendee_ids"),
    ):
        with pytest.raises(RuleViolation) as refused:
            await service.record_standardisation(session, liv, _create(world, world.programme_id, 1, **bad))
        assert field in [e.field for e in refused.value.errors], bad


async def test_r45_sampled_work_is_the_programmes_assessed_work_on_the_unit(session, world, clock):
    liv = as_staff(*LIV)
    _, made = await batch(session, world, [(ASSESSOR, "P"), (ASSESSOR, "M")])
    ids = [d.id for d in made]
    record = await service.record_standardisation(
        session, liv, _create(world, world.programme_id, 1, sampled_decision_ids=ids)
    )
    assert record.sampled_decision_ids == ids
    internal, _ = await _internal_units(session, world.other_programme_id)
    with pytest.raises(RuleViolation) as refused:  # not work of the other programme's unit
        await service.record_standardisation(
            session, liv, _create(world, world.other_programme_id, internal[0], sampled_decision_ids=ids[:1])
        )
    assert [e.field for e in refused.value.errors] == ["body.sampled_decision_ids.0"]


async def test_r45_records_are_audited_kept_and_never_changed(session, world, clock):
    liv = as_staff(*LIV)
    record = await service.record_standardisation(session, liv, _create(world, world.programme_id, 1))
    payload = await session.scalar(
        select(OutboxEvent.payload).where(OutboxEvent.event_type == "standardisation_record.created")
    )
    assert payload["id"] == str(record.id) and payload["liv_staff_id"] == str(world.liv)
    for statement in (
        f"UPDATE standardisation_records SET outcomes = 'x' WHERE id = '{record.id}'",
        f"DELETE FROM standardisation_records WHERE id = '{record.id}'",
    ):
        with pytest.raises(DBAPIError, match="permission denied"):
            async with session.begin_nested():
                await session.execute(text(statement))


async def test_r45_rest_and_graphql_record_and_report(client, auth, world, clock):
    body = {
        "programme_id": str(world.programme_id),
        "unit_number": 1,
        "held_on": HELD.isoformat(),
        "attendee_ids": [str(world.assessor)],
        "outcomes": "Standardised on A.P1.",
    }
    liv = auth("liv", subject="staff-liv")
    r = await client.post("/v1/standardisation-records", json=body, headers=liv)
    assert r.status_code == 201, r.text
    assert r.json()["academic_year_id"] == str(world.year_id)
    r = await client.get(f"/v1/programmes/{world.programme_id}/standardisation-gaps", headers=liv)
    assert r.status_code == 200 and r.json()["missing_unit_numbers"] == []
    # The programme's IV reads it; the learner and the exams officer do not.
    assert (await client.get("/v1/standardisation-records", headers=auth("iv", subject="staff-iv"))).json()
    assert (await client.get("/v1/standardisation-records", headers=auth("exams_officer"))).status_code == 403
    query = (
        f'query {{ standardisationGaps(programmeId: "{world.other_programme_id}") '
        "{ missingUnitNumbers units { unitNumber standardised } } }"
    )
    got = (await client.post("/graphql", json={"query": query}, headers=liv)).json()
    assert got.get("errors") is None, got
    assert got["data"]["standardisationGaps"]["missingUnitNumbers"]
    mutation = (
        "mutation { recordStandardisation(input: {"
        f'programmeId: "{world.programme_id}", unitNumber: 1, heldOn: "{HELD}", '
        f'attendeeIds: ["{world.iv}"], outcomes: "Again", arbitrations: "None needed"'
        "}) { id unitNumber arbitrations } }"
    )
    got = (await client.post("/graphql", json={"query": mutation}, headers=liv)).json()
    assert got.get("errors") is None, got
    assert got["data"]["recordStandardisation"]["arbitrations"] == "None needed"
