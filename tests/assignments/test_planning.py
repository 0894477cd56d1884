"""R-20: the LIV signs off the assessment plan, and a brief is issued only against an entry of a signed-off
plan; R-21: a brief reused in a new academic year is verified again before it is issued."""

from __future__ import annotations

import datetime as dt

import pytest

from app.assignments import schemas, service
from app.core.errors import Conflict, Forbidden, RuleViolation
from app.programmes.errors import InvalidTransition
from tests.assessment.fixtures import (
    ASSESSOR,
    GROUP_C,
    IV,
    LIV,
    as_staff,
    checklist,
    issue,
    make_brief,
    plan_entry,
    sign_off,
)


async def _verified(session, brief):
    await service.submit_for_iv(session, as_staff(*ASSESSOR), brief.id)
    await service.verify_brief(
        session, as_staff(*IV), brief.id, schemas.BriefVerificationCreate(checklist=checklist())
    )


async def test_r20_only_the_programmes_liv_signs_off_the_plan(session, world):
    entry = await plan_entry(session, world.programme_id)
    with pytest.raises(Forbidden):  # an assessor is not the LIV of the programme
        await service.sign_off_plan(session, as_staff(*ASSESSOR), world.programme_id)
    plan = await service.sign_off_plan(session, as_staff(*LIV), world.programme_id)
    assert plan.signed_off and plan.sign_off is not None
    assert plan.sign_off.entry_ids == [entry.id] and plan.sign_off.signed_off_by_staff_id == world.liv
    with pytest.raises(Conflict):  # already signed off as it stands
        await service.sign_off_plan(session, as_staff(*LIV), world.programme_id)
    # A change to the plan needs signing off again.
    await service.update_plan_entry(
        session, as_staff(*LIV), entry.id, schemas.PlanEntryUpdate(title="Renamed"), entry.version
    )
    assert not (await service.get_plan(session, as_staff("qn", "qn"), world.programme_id)).signed_off
    assert (await service.sign_off_plan(session, as_staff(*LIV), world.programme_id)).signed_off


async def test_r20_a_brief_is_issued_only_against_an_entry_of_a_signed_off_plan(session, world):
    loose = await make_brief(session, world, plan_entry_id=None)
    await _verified(session, loose)
    with pytest.raises(RuleViolation) as no_entry:
        await service.issue_brief(session, as_staff(*ASSESSOR), loose.id)
    assert [(e.field, e.code) for e in no_entry.value.errors] == [("plan_entry_id", "R-20")]

    planned = await make_brief(session, world, GROUP_C)
    await _verified(session, planned)
    with pytest.raises(RuleViolation) as unsigned:
        await service.issue_brief(session, as_staff(*ASSESSOR), planned.id)
    assert [(e.field, e.code) for e in unsigned.value.errors] == [("assessment_plan", "R-20")]
    await sign_off(session, world.programme_id)
    assert (await service.issue_brief(session, as_staff(*ASSESSOR), planned.id)).status == "issued"


async def test_r20_sign_off_over_rest_and_graphql(client, auth, session, world):
    await plan_entry(session, world.programme_id)
    url = f"/v1/programmes/{world.programme_id}/assessment-plan/sign-off"
    assert (await client.post(url, headers=auth("assessor", subject="staff-assessor"))).status_code == 403
    r = await client.post(url, headers=auth("liv", subject="staff-liv"))
    assert r.status_code == 200 and r.json()["signed_off"] is True, r.text
    again = await client.post(url, headers=auth("liv", subject="staff-liv"))
    assert again.status_code == 409
    plan = (
        await client.get(f"/v1/programmes/{world.programme_id}/assessment-plan", headers=auth("qn"))
    ).json()
    assert plan["signed_off"] is True
    q = "query($p: UUID!) { assessmentPlanStatus(programmeId: $p) { signedOff signOff { entryIds } } }"
    r = await client.post(
        "/graphql", json={"query": q, "variables": {"p": str(world.programme_id)}}, headers=auth("qn")
    )
    assert r.json()["data"]["assessmentPlanStatus"]["signedOff"] is True, r.text


async def _next_year_programme(session, world):
    from app.calendars import schemas as cal
    from app.calendars import service as calendars
    from app.programmes import schemas as ps
    from app.programmes import service as programmes
    from tests.programmes.fixtures import principal

    hoc = principal("hoc")
    year = await calendars.create_academic_year(
        session,
        hoc,
        cal.AcademicYearCreate(
            label="2026/27",
            start_date=dt.date(2026, 9, 1),
            end_date=dt.date(2027, 8, 31),
            terms=[
                cal.TermInput(name="Autumn", start_date=dt.date(2026, 9, 2), end_date=dt.date(2026, 12, 18))
            ],
        ),
    )
    return await programmes.create_programme(
        session,
        hoc,
        ps.ProgrammeCreate(
            name="BTEC Customer Communications Y12 2026/27",
            code="ABC1",
            qualification_id=world.award_id,
            academic_year_id=year.id,
            delivery_model="academic_year",
            subject_area="Business",
            site_ids=[world.site_ids[0]],
            programme_leader_id=world.leader,
            lead_internal_verifier_id=world.liv,
            assessor_ids=[world.assessor],
            internal_verifier_ids=[world.iv],
        ),
    )


async def test_r21_a_brief_reused_in_a_new_year_is_verified_again(session, world):
    old = await issue(session, await make_brief(session, world))
    nxt = await _next_year_programme(session, world)
    entry = await plan_entry(session, nxt.id)
    await sign_off(session, nxt.id)
    reused = await service.reuse_brief(
        session,
        as_staff(*ASSESSOR),
        old.id,
        schemas.BriefReuse(
            programme_id=nxt.id,
            plan_entry_id=entry.id,
            start_date=dt.date(2026, 10, 1),
            completion_date=dt.date(2026, 11, 13),
        ),
    )
    assert (reused.status, reused.brief_version, reused.reused_from_id) == ("draft", 1, old.id)
    assert (reused.criteria, reused.scenario) == (old.criteria, old.scenario)
    # Last year's verification does not carry over: not issued until verified again this year.
    with pytest.raises(InvalidTransition):
        await service.issue_brief(session, as_staff(*ASSESSOR), reused.id)
    await _verified(session, reused)
    assert (await service.issue_brief(session, as_staff(*ASSESSOR), reused.id)).status == "issued"
    records = await service.list_verifications(session, as_staff(*IV), reused.id)
    assert len(records) == 1 and records[0].brief_id == reused.id


async def test_r21_reuse_over_rest(client, auth, session, world):
    old = await make_brief(session, world)
    nxt = await _next_year_programme(session, world)
    r = await client.post(
        f"/v1/assignment-briefs/{old.id}/reuse",
        json={"programme_id": str(nxt.id), "start_date": "2026-10-01", "completion_date": "2026-11-13"},
        headers=auth("assessor", subject="staff-assessor"),
    )
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "draft" and r.json()["reused_from_id"] == str(old.id)
