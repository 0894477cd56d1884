"""The assessment writes over GraphQL: one learner's path through the same services as REST (submission,
evidence, hand-in, decision, amendment), the role check and the validation errors naming `input.<field>`."""

from __future__ import annotations

import pytest

from app.assignments import service
from app.assignments.rules import BRIEF_CHECKLIST
from app.core import clock as service_clock
from tests.assessment.fixtures import as_staff, issued_brief, make_brief, registered_learner
from tests.programmes.fixtures import gql

pytestmark = pytest.mark.usefixtures("centres")

CREATE = """mutation($input: SubmissionCreateInput!) { createSubmission(input: $input) {
  id status attemptKind learnerId version } }"""
ADD_REFERENCE = """mutation($id: UUID!, $input: EvidenceReferenceInput!) {
  addEvidenceReference(submissionId: $id, input: $input) { id kind description reference submissionId } }"""
HAND_IN = """mutation($id: UUID!, $input: HandInInput!) { handInSubmission(id: $id, input: $input) {
  id status late declarationSignedOn submittedAt } }"""
RECORD = """mutation($input: AssessmentDecisionInput!) { recordAssessmentDecision(input: $input) {
  id status currentVersion version feedback criteria { code achieved evidenceLocation } } }"""
AMEND = """mutation($id: UUID!, $version: Int!, $input: AssessmentDecisionAmendmentInput!) {
  amendAssessmentDecision(id: $id, version: $version, input: $input) {
  id status currentVersion version feedback criteria { code achieved } } }"""
VERSIONS = "query($id: UUID!) { assessmentDecision(id: $id) { currentVersion version } }"
ASSESSOR = {"subject": "staff-assessor"}


def judgements(brief, achieved=lambda code: True) -> list[dict]:
    return [
        {
            "unitNumber": c["unit_number"],
            "code": c["code"],
            "achieved": achieved(c["code"]),
            "evidenceLocation": "p.3" if achieved(c["code"]) else None,
        }
        for c in brief.criteria
    ]


def decision_input(brief, **over) -> dict:
    return {
        "criteria": judgements(brief),
        "feedback": "A.P1 met on p.3: types of segmentation explained.",
        "authenticityConfirmed": True,
        "canImproveWithoutGuidance": True,
        "assessedOn": "2025-11-20",
        **over,
    }


def data(body: dict) -> dict:
    assert "errors" not in body, body
    return body["data"]


async def test_a_learners_path_through_graphql(client, auth, session, world):
    brief = await issued_brief(session, world)
    learner = await registered_learner(session, world)
    await session.commit()
    me = auth("learner", subject=learner.idp_subject)
    assessor = auth("assessor", **ASSESSOR)

    s = data(await gql(client, me, CREATE, input={"briefId": str(brief.id)}))["createSubmission"]
    assert s["status"] == "open" and s["attemptKind"] == "first" and s["learnerId"] == str(learner.id)

    item = data(
        await gql(
            client,
            me,
            ADD_REFERENCE,
            id=s["id"],
            input={
                "kind": "witness_statement",
                "description": "Presentation to the class",
                "reference": "Witness: J. Smith",
            },
        )
    )["addEvidenceReference"]
    assert item["kind"] == "witness_statement" and item["submissionId"] == s["id"]

    # Removed while open, then added again (R-22 allows changes until hand-in).
    removed = await gql(
        client,
        me,
        "mutation($s: UUID!, $i: UUID!) { removeEvidence(submissionId: $s, itemId: $i) }",
        s=s["id"],
        i=item["id"],
    )
    assert data(removed)["removeEvidence"] is True
    data(
        await gql(
            client,
            me,
            ADD_REFERENCE,
            id=s["id"],
            input={"kind": "reference", "description": "Report", "reference": "Portfolio p.1-12"},
        )
    )

    # no declaration, no hand-in; the rule's slug and code come through as on REST.
    refused = await gql(
        client,
        me,
        HAND_IN,
        id=s["id"],
        input={
            "declarationSigned": False,
            "aiUsed": False,
            "declarationSignedOn": service_clock.today().isoformat(),
        },
    )
    assert refused["errors"][0]["extensions"]["errors"][0]["code"] == "R-22"
    handed = data(
        await gql(
            client,
            me,
            HAND_IN,
            id=s["id"],
            input={
                "declarationSigned": True,
                "aiUsed": False,
                "declarationSignedOn": service_clock.today().isoformat(),
            },
        )
    )["handInSubmission"]
    assert handed["status"] == "submitted" and handed["late"] is True  # the deadline (2025-11-14) has passed
    frozen = await gql(
        client,
        me,
        ADD_REFERENCE,
        id=s["id"],
        input={"kind": "reference", "description": "More", "reference": "x"},
    )
    assert frozen["errors"][0]["extensions"]["errors"][0]["code"] == "R-22"

    decision = data(await gql(client, assessor, RECORD, input=decision_input(brief, submissionId=s["id"])))[
        "recordAssessmentDecision"
    ]
    assert decision["status"] == "draft" and decision["currentVersion"] == 1
    assert {c["code"] for c in decision["criteria"]} == {c["code"] for c in brief.criteria}

    # a new version with a reason, against the version last read.
    stale = await gql(
        client,
        assessor,
        AMEND,
        id=decision["id"],
        version=decision["version"] + 5,
        input=decision_input(brief, reason="Second marking"),
    )
    assert stale["errors"][0]["extensions"]["code"] == "precondition-failed"
    amendment = decision_input(
        brief,
        criteria=judgements(brief, lambda code: code != "AB.D1"),
        reason="D1 not evidenced on review",
        feedback="D1 is not shown: the evaluation is descriptive.",
    )
    amended = data(
        await gql(client, assessor, AMEND, id=decision["id"], version=decision["version"], input=amendment)
    )["amendAssessmentDecision"]
    assert amended["currentVersion"] == 2 and amended["status"] == "draft"
    assert amended["version"] > decision["version"]
    assert {c["code"]: c["achieved"] for c in amended["criteria"]}["AB.D1"] is False
    again = data(await gql(client, assessor, VERSIONS, id=decision["id"]))["assessmentDecision"]
    assert again == {"currentVersion": 2, "version": amended["version"]}
    # Release needs internal verification: the IV slice's own tests walk on from here.


async def test_a_wrong_role_is_forbidden(client, auth, session, world):
    brief = await issued_brief(session, world)
    learner = await registered_learner(session, world)
    await session.commit()
    # A learner cannot record a decision, nor an IV hand in work: the REST scopes, the "forbidden" slug.
    decided = await gql(
        client,
        auth("learner", subject=learner.idp_subject),
        RECORD,
        input=decision_input(brief, submissionId=str(brief.id)),
    )
    assert decided["errors"][0]["extensions"]["code"] == "forbidden"
    created = await gql(
        client,
        auth("iv", subject="staff-iv"),
        CREATE,
        input={"briefId": str(brief.id), "learnerId": str(learner.id)},
    )
    assert created["errors"][0]["extensions"]["code"] == "forbidden"
    assert created["data"] == {"createSubmission": None}  # a failing mutation field nulls only itself


async def test_invalid_input_is_validation_failed(client, auth, session, world):
    brief = await issued_brief(session, world)
    learner = await registered_learner(session, world)
    await session.commit()
    me = auth("learner", subject=learner.idp_subject)
    s = data(await gql(client, me, CREATE, input={"briefId": str(brief.id)}))["createSubmission"]
    bad = await gql(
        client,
        me,
        ADD_REFERENCE,
        id=s["id"],
        input={"kind": "reference", "description": "   ", "reference": "x" * 501},
    )
    ext = bad["errors"][0]["extensions"]
    assert ext["code"] == "validation-failed" and ext["status"] == 422
    assert {e["field"] for e in ext["errors"]} == {"input.description", "input.reference"}

    decision = await gql(
        client,
        auth("assessor", **ASSESSOR),
        RECORD,
        input=decision_input(
            brief, submissionId=s["id"], feedback="", criteria=[{**judgements(brief)[0], "code": "nope"}]
        ),
    )
    ext = decision["errors"][0]["extensions"]
    assert ext["code"] == "validation-failed"
    assert {"input.feedback", "input.criteria.0.code"} <= {e["field"] for e in ext["errors"]}


async def test_verify_brief_with_invalid_comments_is_validation_failed(client, auth, session, world):
    brief = await make_brief(session, world)
    await service.submit_for_iv(session, as_staff("assessor", "assessor"), brief.id)
    await session.commit()
    r = await gql(
        client,
        auth("iv", subject="staff-iv"),
        """mutation($id: UUID!, $c: [ChecklistAnswerInput!]!,
      $comments: String) { verifyAssignmentBrief(id: $id, checklist: $c, comments: $comments) { status } }""",
        id=str(brief.id),
        c=[{"question": q, "answer": True} for q in BRIEF_CHECKLIST],
        comments="bad\x00comment",
    )
    ext = r["errors"][0]["extensions"]
    assert ext["code"] == "validation-failed" and [e["field"] for e in ext["errors"]] == ["input.comments"]


async def test_plan_entry_and_brief_updates(client, auth, session, world):
    brief = await make_brief(session, world)
    await session.commit()
    author = auth("assessor", **ASSESSOR)
    entry = data(
        await gql(
            client,
            author,
            """mutation($input: AssessmentPlanEntryInput!) {
      createAssessmentPlanEntry(input: $input) { id version } }""",
            input={
                "programmeId": str(world.programme_id),
                "title": "Segmentation",
                "unitNumbers": [1],
                "handOutDate": "2025-10-01",
                "deadline": "2025-11-14",
                "plannedIvDate": "2025-11-28",
            },
        )
    )
    entry = entry["createAssessmentPlanEntry"]
    update_entry = """mutation($id: UUID!, $version: Int!, $input: AssessmentPlanEntryUpdateInput!) {
      updateAssessmentPlanEntry(id: $id, version: $version, input: $input) { title deadline version } }"""
    moved = data(
        await gql(
            client,
            author,
            update_entry,
            id=entry["id"],
            version=entry["version"],
            input={"deadline": "2025-11-21"},
        )
    )["updateAssessmentPlanEntry"]
    assert moved == {"title": "Segmentation", "deadline": "2025-11-21", "version": entry["version"] + 1}
    nulled = await gql(
        client, author, update_entry, id=entry["id"], version=moved["version"], input={"title": None}
    )
    assert nulled["errors"][0]["extensions"]["errors"][0]["field"] == "input.title"

    update_brief = """mutation($id: UUID!, $version: Int!, $input: AssignmentBriefUpdateInput!) {
      updateAssignmentBrief(id: $id, version: $version, input: $input) { title criteria { code } version } }"""
    edited = data(
        await gql(
            client,
            author,
            update_brief,
            id=str(brief.id),
            version=brief.version,
            input={"title": "Segmenting customers", "criteria": [{"unitNumber": 1, "code": "A.P1"}]},
        )
    )["updateAssignmentBrief"]
    assert edited["title"] == "Segmenting customers" and edited["criteria"] == [{"code": "A.P1"}]
    stale = await gql(
        client, author, update_brief, id=str(brief.id), version=brief.version, input={"title": "x"}
    )
    assert stale["errors"][0]["extensions"]["code"] == "precondition-failed"
