"""Briefs: R-06 criteria grouping, R-21 verification before issue, R-44 never one's own, R-32 retake
briefs, plans (R-20) — through the service and REST."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.assignments import rules, schemas, service
from app.core.errors import NotFound, RuleViolation, ValidationFailed
from app.programmes.errors import InvalidTransition
from app.qualifications.specification import shipped_specifications
from tests.assessment.fixtures import (
    ALL_CRITERIA,
    ASSESSOR,
    GROUP_AB,
    GROUP_C,
    IV,
    LIV,
    as_staff,
    checklist,
    make_brief,
    plan_entry,
    sign_off,
)
from tests.programmes.fixtures import BTEC_AWARD


def award():
    specs = shipped_specifications()
    return next(q for q in specs.values() if q.key == BTEC_AWARD)


# ---- R-06, pure ---------------------------------------------------------------------------------------


@given(st.sets(st.sampled_from(ALL_CRITERIA), min_size=1))
def test_r06_a_brief_lies_within_one_group(chosen):
    """Property: a brief's criteria are accepted iff they all lie in one group of the unit."""
    problems = rules.check_brief(award(), [1], sorted(chosen), [])
    within_one = set(chosen) <= set(GROUP_AB) or set(chosen) <= set(GROUP_C)
    assert (problems == []) == within_one, problems
    if not within_one:
        assert [p.code for p in problems] == ["R-06"]


def test_r06_at_most_two_summative_assignments_and_one_per_group():
    q = award()
    ab = rules.OtherBrief(1, False, tuple(GROUP_AB))
    c = rules.OtherBrief(2, False, tuple(GROUP_C))
    assert rules.check_brief(q, [1], GROUP_C, [ab]) == []
    assert [p.code for p in rules.check_brief(q, [1], GROUP_AB[:2], [ab])] == ["R-06"]  # same group again
    assert [p.code for p in rules.check_brief(q, [1], GROUP_C, [ab, c])] == ["R-06"]  # a third assignment
    # A retake is not a further summative assignment, but must cover the same outcomes.
    assert rules.check_brief(q, [1], GROUP_AB, [ab, c], retake_of=ab, retake_units=[1]) == []
    bad = rules.check_brief(q, [1], [(1, "A.P1")], [ab, c], retake_of=ab, retake_units=[1])
    assert [p.code for p in bad] == ["R-32"]


def test_unknown_units_and_criteria_are_named():
    problems = rules.check_brief(award(), [1, 9], [(1, "Z.P9"), (2, "A.P1"), (1, "A.P1"), (1, "A.P1")], [])
    assert {p.code for p in problems} == {
        "unknown_unit",
        "unknown_criterion",
        "unit_not_targeted",
        "duplicate_criterion",
    }


# ---- lifecycle, with the database --------------------------------------------------------------------


async def test_lifecycle_and_r21_r44(session, world):
    brief = await make_brief(session, world)
    assert (brief.status, brief.brief_version) == ("draft", 1)
    with pytest.raises(InvalidTransition):  # not issued before it is verified
        await service.issue_brief(session, as_staff(*ASSESSOR), brief.id)
    await service.submit_for_iv(session, as_staff(*ASSESSOR), brief.id)
    # the author cannot verify even holding the IV role on the programme.
    from app.programmes import schemas as ps
    from app.programmes import service as programmes
    from tests.programmes.fixtures import make_staff

    both = await make_staff(session, world.centre, "both", "assessor", "iv")
    other = await programmes.create_programme(
        session,
        as_staff("hoc", "hoc"),
        ps.ProgrammeCreate(
            name="Another",
            code="X1",
            qualification_id=world.award_id,
            academic_year_id=world.year_id,
            delivery_model="academic_year",
            subject_area="Business",
            site_ids=[world.site_ids[0]],
            programme_leader_id=world.leader,
            lead_internal_verifier_id=world.liv,
            assessor_ids=[both.id],
            internal_verifier_ids=[both.id],
        ),
    )
    own = await make_brief(session, world, programme_id=other.id, author=("both", "assessor"))
    await service.submit_for_iv(session, as_staff("both", "assessor"), own.id)
    with pytest.raises(RuleViolation) as r44:
        await service.verify_brief(
            session, as_staff("both", "iv"), own.id, schemas.BriefVerificationCreate(checklist=checklist())
        )
    assert r44.value.errors[0].code == "R-44"
    # An IV who is not on the programme may not verify it: to them its briefs do not exist.
    with pytest.raises(NotFound):
        await service.verify_brief(
            session, as_staff("both", "iv"), brief.id, schemas.BriefVerificationCreate(checklist=checklist())
        )
    # A "no" answer cannot verify: return it with comments; it comes back as version 2.
    with pytest.raises(RuleViolation) as no:
        await service.verify_brief(
            session,
            as_staff(*IV),
            brief.id,
            schemas.BriefVerificationCreate(checklist=checklist(allows_all_grades=False)),
        )
    assert no.value.errors[0].code == "R-21"
    await service.return_brief(
        session,
        as_staff(*IV),
        brief.id,
        schemas.BriefReturn(
            checklist=checklist(allows_all_grades=False), comments="D criteria cannot be reached."
        ),
    )
    again = await service.submit_for_iv(session, as_staff(*ASSESSOR), brief.id)
    assert (again.status, again.brief_version) == ("submitted_for_iv", 2)
    await service.verify_brief(
        session, as_staff(*LIV), brief.id, schemas.BriefVerificationCreate(checklist=checklist())
    )
    await sign_off(session, world.programme_id)
    issued = await service.issue_brief(session, as_staff(*ASSESSOR), brief.id)
    assert issued.status == "issued" and issued.issued_at is not None
    records = await service.list_verifications(session, as_staff(*IV), brief.id)
    assert [(v.brief_version, v.outcome) for v in records] == [(1, "returned"), (2, "verified")]
    assert records[1].checklist == {q: True for q in rules.BRIEF_CHECKLIST}
    with pytest.raises(InvalidTransition):  # what IV verified is what learners get
        await service.update_brief(
            session, as_staff(*ASSESSOR), brief.id, schemas.BriefUpdate(title="New"), issued.version
        )
    closed = await service.close_brief(session, as_staff(*ASSESSOR), brief.id)
    assert closed.status == "closed"


async def test_checklist_must_be_complete(session, world):
    brief = await make_brief(session, world)
    await service.submit_for_iv(session, as_staff(*ASSESSOR), brief.id)
    with pytest.raises(ValidationFailed) as exc:
        await service.verify_brief(
            session,
            as_staff(*IV),
            brief.id,
            schemas.BriefVerificationCreate(
                checklist=[
                    schemas.ChecklistAnswer(question="dates_stated", answer=True),
                    schemas.ChecklistAnswer(question="made_up", answer=True),
                ]
            ),
        )
    codes = {p.code for p in exc.value.errors}
    assert {"unknown_question", "unanswered"} <= codes


async def test_r06_in_the_service_and_retake_brief(session, world):
    await make_brief(session, world, GROUP_AB)
    with pytest.raises(RuleViolation) as exc:
        await make_brief(session, world, GROUP_AB[:3])
    assert exc.value.errors[0].code == "R-06"
    c = await make_brief(session, world, GROUP_C)
    with pytest.raises(RuleViolation):
        await make_brief(session, world, GROUP_C)
    retake = await make_brief(session, world, GROUP_C, retake_of_id=c.id, scenario="A different case study.")
    assert retake.retake_of_id == c.id
    with pytest.raises(ValidationFailed):  # spanning units not targeted
        await make_brief(session, world, [(2, "A.P1")])


async def test_rest_brief_flow_and_roles(client, auth, session, world):
    entry = await plan_entry(session, world.programme_id)
    await sign_off(session, world.programme_id)
    body = {
        "programme_id": str(world.programme_id),
        "plan_entry_id": str(entry.id),
        "title": "Segments",
        "unit_numbers": [1],
        "criteria": [{"unit_number": 1, "code": c} for _, c in GROUP_AB],
        "scenario": "Retail",
        "start_date": "2025-10-01",
        "completion_date": "2025-11-14",
    }
    r = await client.post("/v1/assignment-briefs", json=body, headers=auth("iv", subject="staff-iv"))
    assert r.status_code == 403
    r = await client.post(
        "/v1/assignment-briefs", json=body, headers=auth("assessor", subject="staff-assessor")
    )
    assert r.status_code == 201, r.text
    brief = r.json()
    assert r.headers["ETag"] == '"1"'
    bad = await client.post(
        "/v1/assignment-briefs",
        json={**body, "criteria": [{"unit_number": 1, "code": "A.P1"}, {"unit_number": 1, "code": "C.P5"}]},
        headers=auth("assessor", subject="staff-assessor"),
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["code"] == "R-06"
    backwards = await client.post(
        "/v1/assignment-briefs",
        json={**body, "completion_date": "2025-09-01"},
        headers=auth("assessor", subject="staff-assessor"),
    )
    assert backwards.status_code == 422
    assert [(e["field"], e["code"]) for e in backwards.json()["errors"]] == [
        ("body.completion_date", "before_start")
    ]
    url = f"/v1/assignment-briefs/{brief['id']}"
    assert (
        await client.post(f"{url}/issue", headers=auth("assessor", subject="staff-assessor"))
    ).status_code == 409
    assert (
        await client.post(f"{url}/submission-for-iv", headers=auth("assessor", subject="staff-assessor"))
    ).status_code == 200
    answers = [{"question": q, "answer": True} for q in rules.BRIEF_CHECKLIST]
    r = await client.post(
        f"{url}/verification", json={"checklist": answers}, headers=auth("iv", subject="staff-iv")
    )
    assert r.status_code == 200 and r.json()["status"] == "verified", r.text
    r = await client.post(f"{url}/issue", headers=auth("assessor", subject="staff-assessor"))
    assert r.status_code == 200 and r.json()["status"] == "issued"
    # Another centre's staff do not see it.
    from tests.conftest import CENTRE_B

    assert (await client.get(url, headers=auth("iv", centre=CENTRE_B))).status_code == 404


async def test_assessment_plan(client, auth, session, world):
    body = {
        "programme_id": str(world.programme_id),
        "title": "Assignment 1",
        "unit_numbers": [1],
        "hand_out_date": "2025-10-01",
        "deadline": "2025-11-14",
        "planned_iv_date": "2025-09-24",
    }
    r = await client.post("/v1/assessment-plan-entries", json=body, headers=auth("liv", subject="staff-liv"))
    assert r.status_code == 201, r.text
    r = await client.post(
        "/v1/assessment-plan-entries",
        json={**body, "deadline": "2025-09-01"},
        headers=auth("liv", subject="staff-liv"),
    )
    # The rule's own code, not Pydantic's `value_error`: the contract cannot state a date order, so a
    # shape code here told clients the published schema was wrong (found by schemathesis).
    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("body.deadline", "before_hand_out")]
    plan = (
        await client.get(f"/v1/programmes/{world.programme_id}/assessment-plan", headers=auth("qn"))
    ).json()
    assert [e["title"] for e in plan["entries"]] == ["Assignment 1"]
    assert (
        await client.get(f"/v1/programmes/{world.programme_id}/assessment-plan", headers=auth("learner"))
    ).status_code == 403
