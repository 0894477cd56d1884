"""R-40: the programme's LIV is the LIV appointed for its subject area and year, and a subject area with
programmes in a year and no accredited LIV is reported; R-43/R-45: the LIV's arbitration of a
disagreement is recorded through the write path, and a ruling for the assessor resolves it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.core.errors import Forbidden, NotFound, RuleViolation
from app.events.models import OutboxEvent
from app.programmes.access import programme_access
from app.programmes.errors import InvalidTransition
from app.programmes.models import Programme
from app.verification import arbitration, draws, livs, plans, records, schemas
from tests.programmes.fixtures import make_staff, principal
from tests.verification.fixtures import ASSESSOR, IV, LIV, as_staff, batch

ON = dt.date(2025, 12, 1)


async def _appoint(session, world, staff_id=None, on=dt.date(2025, 9, 1), area="Business"):
    return await plans.appoint_liv(
        session,
        principal("hoc"),
        schemas.LivAppointmentCreate(subject_area=area, staff_id=staff_id or world.liv, appointed_on=on),
    )


async def _annual(session, world, appointment, standardised=True):
    return await plans.add_annual_record(
        session,
        principal("qn"),
        appointment.id,
        schemas.LivAnnualRecordCreate(
            academic_year_id=world.year_id,
            awarding_body="Pearson",
            registration_reference="LIV-1",
            registered_on=dt.date(2025, 9, 10),
            **(
                {"standardised_on": dt.date(2025, 10, 1), "standardisation_evidence": "OSCA passed"}
                if standardised
                else {}
            ),
        ),
    )


async def test_r40_liv_gaps_report_each_reason_until_the_liv_is_accredited(session, world):
    gaps = await livs.liv_gaps(session, principal("qn"), world.year_id)
    assert [(g.subject_area, g.reason, len(g.programme_ids)) for g in gaps] == [
        ("Business", "no_appointment", 3)
    ]
    appointment = await _appoint(session, world)
    (gap,) = await livs.liv_gaps(session, principal("qn"), world.year_id)
    assert (gap.reason, gap.appointment_id, gap.liv_staff_id) == ("not_registered", appointment.id, world.liv)
    await _annual(session, world, appointment, standardised=False)
    assert [g.reason for g in await livs.liv_gaps(session, principal("qn"), world.year_id)] == [
        "not_standardised"
    ]
    await _annual(session, world, appointment)
    assert await livs.liv_gaps(session, principal("qn"), world.year_id) == []


async def test_r40_an_appointment_outside_the_year_does_not_count(session, world):
    await _appoint(session, world, on=dt.date(2026, 9, 1))  # appointed after the year ends
    (gap,) = await livs.liv_gaps(session, principal("qn"), world.year_id)
    assert gap.reason == "no_appointment"


async def test_r40_liv_gaps_over_rest_and_graphql(client, auth, session, world):
    await session.commit()
    r = await client.get(f"/v1/academic-years/{world.year_id}/liv-gaps", headers=auth("qn"))
    assert r.status_code == 200, r.text
    assert [(g["subject_area"], g["reason"]) for g in r.json()] == [("Business", "no_appointment")]
    q = f'query {{ livGaps(academicYearId: "{world.year_id}") {{ nodes {{ subjectArea reason programmeIds }} }} }}'
    r = await client.post("/graphql", json={"query": q}, headers=auth("qn"))
    assert r.json()["data"]["livGaps"]["nodes"][0]["reason"] == "no_appointment", r.text


async def _disagreement(session, world):
    brief, _made = await batch(session, world, [(ASSESSOR, g) for g in "PMD"])
    sample = await draws.draw_sample(
        session, as_staff(*IV), brief.id, schemas.SampleCreate(), seed_source=lambda: 7
    )
    first, *rest = [i.decision_id for i in sample.items]
    disagreed = await records.record_iv(
        session,
        as_staff(*IV),
        schemas.IvRecordCreate(
            decision_id=first, outcome="disagree", verified_on=ON, feedback_to_assessor="A.P1 not met."
        ),
    )
    for d in rest:
        await records.record_iv(
            session,
            as_staff(*IV),
            schemas.IvRecordCreate(decision_id=d, outcome="agree", verified_on=ON, feedback_to_assessor="ok"),
        )
    return brief, disagreed


RULING = schemas.ArbitrationCreate(
    ruling="assessor", reasoning="The evidence on p.4 meets A.P1.", arbitrated_on=dt.date(2025, 12, 3)
)


async def test_r43_the_livs_arbitration_for_the_assessor_resolves_the_disagreement(session, world):
    brief, disagreed = await _disagreement(session, world)
    status = await records.iv_status(session, as_staff(*IV), brief.id)
    assert any("disagrees" in r for r in status.reasons)
    with pytest.raises(RuleViolation) as exc:  # no LIV appointed for the subject area and year
        await arbitration.arbitrate(session, as_staff(*LIV), disagreed.id, RULING)
    assert [e.code for e in exc.value.errors] == ["R-40"]
    await _appoint(session, world)
    with pytest.raises(Forbidden):  # the IV is not the programme's LIV
        await arbitration.arbitrate(session, as_staff(*IV), disagreed.id, RULING)
    out = await arbitration.arbitrate(session, as_staff(*LIV), disagreed.id, RULING)
    assert (out.ruling, out.record_version, out.liv_staff_id) == ("assessor", 1, world.liv)
    assert (await records.iv_status(session, as_staff(*IV), brief.id)).complete
    with pytest.raises(InvalidTransition):  # once per disagreement (IV record version)
        await arbitration.arbitrate(session, as_staff(*LIV), disagreed.id, RULING)
    assert [a.id for a in await arbitration.arbitrations(session, as_staff(*IV), disagreed.id)] == [out.id]
    (event,) = (
        await session.scalars(select(OutboxEvent).where(OutboxEvent.event_type == "iv_arbitration.recorded"))
    ).all()
    assert event.payload["ruling"] == "assessor" and event.payload["iv_record_id"] == str(disagreed.id)


async def test_r43_a_ruling_for_the_iv_leaves_the_decision_to_reassess(session, world):
    brief, disagreed = await _disagreement(session, world)
    await _appoint(session, world)
    ruling = schemas.ArbitrationCreate(ruling="iv", reasoning="A.P1 is not met.", arbitrated_on=ON)
    await arbitration.arbitrate(session, as_staff(*LIV), disagreed.id, ruling)
    assert not (await records.iv_status(session, as_staff(*IV), brief.id)).complete


async def test_r43_the_programmes_liv_is_the_appointed_one(session, world):
    """The LIV named on the programme is not enough: the appointment for the subject area decides. The
    named one, no longer the programme's LIV, does not even see the record (404, R-98)."""
    _brief, disagreed = await _disagreement(session, world)
    other = await make_staff(session, world.centre, "otherliv", "liv")
    await _appoint(session, world, staff_id=other.id)
    with pytest.raises(NotFound):
        await arbitration.arbitrate(session, as_staff(*LIV), disagreed.id, RULING)
    assert (
        await arbitration.arbitrate(session, as_staff("otherliv", "liv"), disagreed.id, RULING)
    ).liv_staff_id == other.id


async def test_r40_the_appointed_liv_is_the_programmes_liv_for_access(session, world):
    """The LIV appointed for the programme's subject area and year reads its IV records and leads its
    IV, though the programme names another; the one it names, not appointed, no longer does. Without
    an appointment the LIV named on the programme is its LIV (the other tests' world)."""
    brief, disagreed = await _disagreement(session, world)
    programme = await session.get_one(Programme, world.programme_id)
    named = as_staff(*LIV)
    assert (await programme_access(session, named, programme)).has("lead_internal_verifier")
    appointed = await make_staff(session, world.centre, "appointed", "liv")
    await _appoint(session, world, staff_id=appointed.id)
    newcomer = as_staff("appointed", "liv")

    assert (await records.get_iv_record(session, newcomer, disagreed.id)).id == disagreed.id
    assert [r.id for r in await records.brief_iv_records(session, newcomer, brief.id)]
    assert (await programme_access(session, newcomer, programme)).has("lead_internal_verifier")
    plan = await plans.put_plan(session, newcomer, world.programme_id, schemas.IvPlanWrite(), None)
    assert plan.programme_id == world.programme_id

    assert not (await programme_access(session, named, programme)).has("lead_internal_verifier")
    with pytest.raises(NotFound):
        await records.get_iv_record(session, named, disagreed.id)
