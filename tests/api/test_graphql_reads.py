"""The GraphQL reads added for issue 11 outside assessment: IV samples, LIV annual records, brief
verifications and checklist, centres. Each is read by a role REST lets read it, and what REST hides
(another team's object, another centre, a role without the scope) is hidden the same way."""

from __future__ import annotations

import datetime as dt

import pytest

from app.verification import plans, schemas
from tests.api.object_world import two_programmes
from tests.programmes.fixtures import gql, make_world, principal

SAMPLE = """query($id: UUID!) { ivSample(id: $id) { id briefId programmeId seed populationSize
  items { decisionId } assessorRates { __typename } } }"""
VERIFICATIONS = """query($id: UUID!) { assignmentBriefVerifications(briefId: $id) { nodes {
  id briefId outcome checklist { question answer } } } }"""
CHECKLIST = "{ briefChecklist { question text } }"
CENTRES = "{ centres { nodes { id } pageInfo { hasNextPage hasPreviousPage } } }"
ANNUAL = """query($id: UUID!) { livAnnualRecords(appointmentId: $id) { nodes {
  id appointmentId awardingBody registrationReference standardisedOn } } }"""


@pytest.fixture
async def objects(session, centres, test_settings):
    from app.assessment.storage import evidence_store

    return await two_programmes(
        session, await make_world(session), evidence_store(test_settings), test_settings
    )


def data(body: dict) -> dict:
    assert "errors" not in body, body
    return body["data"]


def codes(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


async def test_graphql_iv_sample_read_like_rest(client, auth, objects):
    mine, _ = objects
    iv = auth("iv", subject="staff-iv")
    sample = data(await gql(client, iv, SAMPLE, id=str(mine.sample)))["ivSample"]
    rest = (await client.get(f"/v1/iv-samples/{mine.sample}", headers=iv)).json()
    assert sample["id"] == rest["id"] and sample["seed"] == rest["seed"] == 1
    assert [i["decisionId"] for i in sample["items"]] == [i["decision_id"] for i in rest["items"]]
    assert sample["briefId"] == str(mine.brief)


async def test_r98_graphql_iv_sample_of_another_team_is_not_found(client, auth, objects):
    _, other = objects
    assert codes(await gql(client, auth("iv", subject="staff-iv"), SAMPLE, id=str(other.sample))) == [
        "not-found"
    ]
    # The exams officer reads no IV at all (docs/access.md), as over REST.
    assert codes(await gql(client, auth("exams_officer"), SAMPLE, id=str(other.sample))) == ["forbidden"]


async def test_graphql_brief_verifications_typed_like_rest(client, auth, objects):
    mine, _ = objects
    assessor = auth("assessor", subject="staff-assessor")
    rows = data(await gql(client, assessor, VERIFICATIONS, id=str(mine.brief)))[
        "assignmentBriefVerifications"
    ]["nodes"]
    rest = (await client.get(f"/v1/assignment-briefs/{mine.brief}/verifications", headers=assessor)).json()
    assert [r["id"] for r in rows] == [r["id"] for r in rest] and rows
    assert {c["question"]: c["answer"] for c in rows[0]["checklist"]} == rest[0]["checklist"]


async def test_r98_graphql_brief_verifications_of_another_team_are_not_found(client, auth, objects):
    _, other = objects
    assessor = auth("assessor", subject="staff-assessor")
    assert codes(await gql(client, assessor, VERIFICATIONS, id=str(other.brief))) == ["not-found"]


async def test_graphql_brief_checklist_for_staff_only(client, auth, centres):
    rest = (await client.get("/v1/brief-checklist", headers=auth("iv"))).json()
    questions = data(await gql(client, auth("iv"), CHECKLIST))["briefChecklist"]
    assert questions == [{"question": q["question"], "text": q["text"]} for q in rest] and questions
    assert codes(await gql(client, auth("learner"), CHECKLIST)) == ["forbidden"]


async def test_graphql_centres_lists_only_the_callers_centre(client, auth, centres):
    page = data(await gql(client, auth("hoc"), CENTRES))["centres"]
    assert [n["id"] for n in page["nodes"]] == [str(centres["a"])]
    assert page["pageInfo"] == {"hasNextPage": False, "hasPreviousPage": False}
    other = data(await gql(client, auth("hoc", centre=centres["b"]), CENTRES))["centres"]
    assert [n["id"] for n in other["nodes"]] == [str(centres["b"])]
    assert codes(await gql(client, auth("standards_verifier"), CENTRES)) == ["forbidden"]


async def test_graphql_liv_annual_records_read_like_rest(client, auth, session, centres):
    world = await make_world(session)
    appointment = await plans.appoint_liv(
        session,
        principal("hoc", centre=world.centre),
        schemas.LivAppointmentCreate(
            subject_area="Business", staff_id=world.liv, appointed_on=dt.date(2024, 9, 1)
        ),
    )
    record = await plans.add_annual_record(
        session,
        principal("qn", centre=world.centre),
        appointment.id,
        schemas.LivAnnualRecordCreate(
            academic_year_id=world.year_id,
            awarding_body="Pearson",
            registration_reference="LIV-123",
            registered_on=dt.date(2025, 9, 10),
        ),
    )
    await session.commit()
    rows = data(await gql(client, auth("iv"), ANNUAL, id=str(appointment.id)))["livAnnualRecords"]["nodes"]
    rest = (
        await client.get(f"/v1/liv-appointments/{appointment.id}/annual-records", headers=auth("iv"))
    ).json()
    assert [r["id"] for r in rows] == [r["id"] for r in rest] == [str(record.id)]
    assert rows[0]["registrationReference"] == "LIV-123" and rows[0]["standardisedOn"] is None
    # Another centre does not see the appointment: not found, as over REST.
    other_centre = auth("hoc", centre=centres["b"])
    assert codes(await gql(client, other_centre, ANNUAL, id=str(appointment.id))) == ["not-found"]
    assert (
        await client.get(f"/v1/liv-appointments/{appointment.id}/annual-records", headers=other_centre)
    ).status_code == 404
