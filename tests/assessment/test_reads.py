"""The reads that had only a write: deadline extensions (R-23) and exam results over REST and GraphQL,
a programme's IV plan (R-42) and a plan entry (R-20); and the hand-in's AI declaration over GraphQL
(R-22). Who sees which is walked in tests/api/test_object_table.py."""

from __future__ import annotations

import datetime as dt

import pytest

from app.assessment import decisions, schemas, submissions
from tests.assessment.fixtures import ASSESSOR, as_staff, issued_brief, registered_learner
from tests.programmes.fixtures import gql, principal

pytestmark = pytest.mark.usefixtures("centres")


async def test_r23_extensions_are_listed_per_learner_and_brief(client, auth, session, world):
    brief = await issued_brief(session, world)
    a = await registered_learner(session, world, n=1)
    b = await registered_learner(session, world, n=2)
    for learner, reason in ((a, "Doctor's note"), (a, "Longer: hospital"), (b, "Bereavement")):
        await submissions.create_extension(
            session,
            as_staff(*ASSESSOR),
            schemas.ExtensionCreate(
                brief_id=brief.id, learner_id=learner.id, new_deadline=dt.date(2025, 12, 1), reason=reason
            ),
        )
    await session.commit()
    staff = auth("assessor", subject="staff-assessor")
    r = await client.get("/v1/deadline-extensions", params={"learner_id": str(a.id)}, headers=staff)
    assert r.status_code == 200, r.text
    assert [e["reason"] for e in r.json()["items"]] == ["Doctor's note", "Longer: hospital"]
    r = await client.get("/v1/deadline-extensions", params={"brief_id": str(brief.id)}, headers=staff)
    assert len(r.json()["items"]) == 3
    # A learner reads their own only, whatever they filter on.
    mine = auth("learner", subject=b.idp_subject)
    r = await client.get("/v1/deadline-extensions", params={"learner_id": str(a.id)}, headers=mine)
    assert r.json()["items"] == []
    body = await gql(
        client,
        mine,
        "query($b: UUID) { deadlineExtensions(briefId: $b) { edges { node { reason learnerId } } } }",
        b=str(brief.id),
    )
    assert [e["node"] for e in body["data"]["deadlineExtensions"]["edges"]] == [
        {"reason": "Bereavement", "learnerId": str(b.id)}
    ]


async def test_exam_results_are_listed_with_every_sitting(client, auth, session, world):
    learner = await registered_learner(session, world, programme_id=world.other_programme_id)
    eo = principal("exams_officer")
    for series, grade in (("January 2026", "U"), ("June 2026", "P")):
        await decisions.record_exam_result(
            session,
            eo,
            schemas.ExamResultCreate(
                learner_id=learner.id,
                qualification_id=world.diploma_id,
                unit_number=2,
                series=series,
                grade=grade,
            ),
        )
    await session.commit()
    r = await client.get(
        "/v1/exam-results", params={"learner_id": str(learner.id), "unit_number": 2}, headers=auth("qn")
    )
    assert r.status_code == 200, r.text
    assert [(x["sitting"], x["grade"]) for x in r.json()["items"]] == [(1, "U"), (2, "P")]
    body = await gql(
        client,
        auth("learner", subject=learner.idp_subject),
        "{ examResults { edges { node { sitting series grade } } } }",
    )
    assert [e["node"]["grade"] for e in body["data"]["examResults"]["edges"]] == ["U", "P"]


async def test_r42_the_iv_plan_is_read_once_written(client, auth, session, world):
    from app.verification import plans
    from app.verification import schemas as vschemas

    url = f"/v1/programmes/{world.programme_id}/iv-plan"
    await session.commit()
    liv = auth("liv", subject="staff-liv")
    assert (await client.get(url, headers=liv)).status_code == 404
    await plans.put_plan(
        session,
        as_staff("liv", "liv"),
        world.programme_id,
        vschemas.IvPlanWrite(default_rate_percent=25),
        None,
    )
    await session.commit()
    r = await client.get(url, headers=liv)
    assert r.status_code == 200, r.text
    assert r.json()["default_rate_percent"] == 25 and r.json()["signed_off"] is False
    assert r.headers["etag"] == f'"{r.json()["version"]}"'
    body = await gql(
        client,
        liv,
        "query($p: UUID!) { ivPlan(programmeId: $p) { defaultRatePercent } }",
        p=str(world.programme_id),
    )
    assert body["data"]["ivPlan"] == {"defaultRatePercent": 25}


async def test_r20_a_plan_entry_is_read_by_id(client, auth, session, world):
    from app.assignments import schemas as asg
    from app.assignments import service

    entry = await service.create_plan_entry(
        session,
        as_staff(*ASSESSOR),
        asg.PlanEntryCreate(
            programme_id=world.programme_id,
            title="Unit 1: the business report",
            unit_numbers=[1],
            hand_out_date=dt.date(2025, 10, 1),
            deadline=dt.date(2025, 11, 14),
            planned_iv_date=dt.date(2025, 12, 1),
        ),
    )
    await session.commit()
    staff = auth("assessor", subject="staff-assessor")
    r = await client.get(f"/v1/assessment-plan-entries/{entry.id}", headers=staff)
    assert r.status_code == 200, r.text
    assert r.json()["title"] == "Unit 1: the business report" and r.headers["etag"] == '"1"'
    body = await gql(client, staff, "query($id: UUID!) { planEntry(id: $id) { title } }", id=str(entry.id))
    assert body["data"]["planEntry"] == {"title": "Unit 1: the business report"}


async def test_r22_graphql_hand_in_names_the_missing_ai_fields(client, auth, session, world):
    brief = await issued_brief(session, world)
    learner = await registered_learner(session, world)
    await session.commit()
    h = auth("learner", subject=learner.idp_subject)
    sid = (await client.post("/v1/submissions", json={"brief_id": str(brief.id)}, headers=h)).json()["id"]
    await client.post(
        f"/v1/submissions/{sid}/evidence-files?filename=essay.txt",
        content=b"my essay",
        headers={**h, "Content-Type": "text/plain"},
    )
    body = await gql(
        client,
        h,
        """mutation($id: UUID!, $input: HandInInput!) { handInSubmission(id: $id, input: $input) {
          aiUsed aiTools } }""",
        id=sid,
        input={"declarationSigned": True, "declarationSignedOn": "2025-11-20", "aiUsed": True},
    )
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "rule-violation"
    fields = {e["field"] for e in error["extensions"]["errors"]}
    assert fields == {"body.ai_tools", "body.ai_use", "evidence"}  # the service's names, as over REST
