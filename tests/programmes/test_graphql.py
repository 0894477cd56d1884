"""Programmes, enrolments and the calendar over GraphQL: the same services, errors with the REST slugs."""

from __future__ import annotations

import pytest

from tests.programmes.fixtures import gql, make_learner

pytestmark = pytest.mark.usefixtures("centres")

ENROL = """mutation($input: EnrolmentCreateInput!) { createEnrolment(input: $input) {
  id status registrationDeadline registrationIssue } }"""
REGISTER = """mutation($id: UUID!, $input: RegistrationInput!) { registerEnrolment(id: $id, input: $input) {
  status registrationNumber registrationIssue } }"""
TRANSFER = """mutation($id: UUID!, $input: TransferInput!) { transferEnrolment(id: $id, input: $input) {
  transferredFrom { status } transferredTo { id status registrationNumber qualificationId } } }"""
COMPLETE = """mutation($id: UUID!, $input: CompletionInput!) { completeEnrolment(id: $id, input: $input) { status } }"""
MINE = "{ enrolments { nodes { id status registrationNumber } } }"
ISSUES = (
    "{ registrationIssues(issue: late) { nodes { enrolmentId issue escalateBy } pageInfo { hasNextPage } } }"
)


async def test_enrolment_lifecycle(client, auth, world, session):
    learner = await make_learner(session, idp_subject="learner-amara")
    created = await gql(
        client,
        auth("programme_leader"),
        ENROL,
        input={
            "learnerId": str(learner.id),
            "programmeId": str(world.programme_id),
            "enrolledOn": "2025-09-08",
            "identityChecked": True,
        },
    )
    e = created["data"]["createEnrolment"]
    assert e["status"] == "enrolled" and e["registrationDeadline"] == "2025-11-30"
    refused = await gql(
        client, auth("exams_officer"), COMPLETE, id=e["id"], input={"completedOn": "2026-06-30"}
    )
    ext = refused["errors"][0]["extensions"]
    assert ext["code"] == "invalid-transition" and ext["status"] == 409 and ext["errors"][0]["code"] == "R-10"
    late = await gql(
        client,
        auth("exams_officer"),
        REGISTER,
        id=e["id"],
        input={"registrationNumber": "PX1", "registeredOn": "2025-12-05"},
    )
    assert late["data"]["registerEnrolment"] == {
        "status": "registered",
        "registrationNumber": "PX1",
        "registrationIssue": "late",
    }
    issues = await gql(client, auth("qn"), ISSUES)
    assert issues["data"]["registrationIssues"]["nodes"] == [
        {"enrolmentId": e["id"], "issue": "late", "escalateBy": "2025-12-09"}
    ]
    assert (await gql(client, auth("assessor"), ISSUES))["errors"][0]["extensions"]["code"] == "forbidden"
    moved = await gql(
        client,
        auth("hoc"),
        TRANSFER,
        id=e["id"],
        input={
            "programmeId": str(world.other_programme_id),
            "transferredOn": "2026-01-12",
            "reason": "Pathway",
        },
    )
    to = moved["data"]["transferEnrolment"]["transferredTo"]
    assert moved["data"]["transferEnrolment"]["transferredFrom"] == {"status": "transferred"}
    assert to["status"] == "registered" and to["registrationNumber"] == "PX1"
    assert to["qualificationId"] == str(world.diploma_id)
    mine = await gql(client, auth("learner", subject="learner-amara"), MINE)
    assert {(n["status"], n["registrationNumber"]) for n in mine["data"]["enrolments"]["nodes"]} == {
        ("transferred", "PX1"),
        ("registered", "PX1"),
    }
    assert (await gql(client, auth("learner", subject="someone-else"), MINE))["data"]["enrolments"][
        "nodes"
    ] == []


async def test_programmes_and_calendar(client, auth, world):
    programmes = await gql(client, auth("iv"), "{ programmes { nodes { name deliveryModel assessorIds } } }")
    names = {n["name"]: n for n in programmes["data"]["programmes"]["nodes"]}
    assert names["Customer Communications short course"]["deliveryModel"] == "flexible"
    update = """mutation($id: UUID!, $input: ProgrammeUpdateInput!) { updateProgramme(id: $id, version: 1, input: $input) {
      version programmeLeaderId } }"""
    bad = await gql(
        client, auth("hoc"), update, id=str(world.programme_id), input={"programmeLeaderId": str(world.iv)}
    )
    assert bad["errors"][0]["extensions"]["errors"][0]["code"] == "staff_role_missing"
    ok = await gql(
        client, auth("hoc"), update, id=str(world.programme_id), input={"siteIds": [str(world.site_ids[1])]}
    )
    assert ok["data"]["updateProgramme"]["version"] == 2
    year = await gql(
        client, auth("assessor"), "{ academicYears { nodes { label terms { name startDate } } } }"
    )
    assert [t["name"] for t in year["data"]["academicYears"]["nodes"][0]["terms"]] == [
        "Autumn",
        "Spring",
        "Summer",
    ]
    closure = await gql(
        client,
        auth("exams_officer"),
        """mutation { createClosure(input: {date: "2025-12-08",
      reason: "Snow"}) { id date } }""",
    )
    assert closure["data"]["createClosure"]["date"] == "2025-12-08"
    days = await gql(client, auth("hoc"), '{ workingDays(start: "2025-12-05", days: 1) { date inTermTime } }')
    assert days["data"]["workingDays"] == {"date": "2025-12-09", "inTermTime": True}
    far = await gql(client, auth("hoc"), '{ workingDays(start: "1990-01-01", days: 1) { date } }')
    assert far["errors"][0]["extensions"]["errors"][0]["field"] == "args.start"
    # working days are term days; the world's calendar ends with the summer term of 2026.
    past = await gql(client, auth("hoc"), '{ workingDays(start: "2026-07-16", days: 3) { date } }')
    assert past["errors"][0]["extensions"]["errors"][0] == {
        "field": "args.days",
        "code": "R-31",
        "message": past["errors"][0]["extensions"]["errors"][0]["message"],
    }
    summer = await gql(client, auth("hoc"), '{ workingDays(start: "2026-07-16", days: 1) { date } }')
    assert summer["data"]["workingDays"] == {"date": "2026-07-17"}
