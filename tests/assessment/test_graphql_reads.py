"""The assessment reads over GraphQL (issue 11): submissions, evidence, decision versions, resubmissions,
the learner record and the grid, through the same services and visibility as REST. Each is read by a
role that may see it, and refused as not found to one that may not (the object, never a 403)."""

from __future__ import annotations

import pytest

from app.assessment import iv_gate, resubmissions, schemas
from tests.assessment.fixtures import LIV, as_staff, issued_brief, registered_learner
from tests.assessment.test_decisions import IN_AUTUMN_TERM, decide, handed_in, released
from tests.programmes.fixtures import gql, make_staff

pytestmark = pytest.mark.usefixtures("centres")
ASSESSOR = {"subject": "staff-assessor"}


@pytest.fixture
def iv_done(monkeypatch):
    async def complete(session, brief, decision_ids=None):
        return iv_gate.IvGate(True)

    monkeypatch.setattr(iv_gate, "iv_complete_for_brief", complete)


@pytest.fixture
async def path(session, world, iv_done, clock):
    """Two learners' handed-in work; the first's decision released with B.P4 not achieved and a
    resubmission authorised (R-30)."""
    clock.set(IN_AUTUMN_TERM)
    brief = await issued_brief(session, world, completion=clock.today())
    learner = await registered_learner(session, world)
    other = await registered_learner(session, world, n=1)
    s = await handed_in(session, world, brief, learner)
    s_other = await handed_in(session, world, brief, other)
    d = await released(session, await decide(session, brief, s, achieved=lambda c: c != "B.P4"))
    r = await resubmissions.authorise(
        session,
        as_staff(*LIV),
        d.id,
        schemas.ResubmissionCreate(result_received_on=clock.today(), reason="B.P4 can be met"),
    )
    await make_staff(session, world.centre, "outsider", "assessor")
    await session.commit()
    return {"brief": brief, "learner": learner, "other": other, "s": s, "s_other": s_other, "d": d, "r": r}


def data(body: dict) -> dict:
    assert "errors" not in body, body
    return body["data"]


def codes(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


SUBMISSIONS = """query($first: Int!, $after: String, $learnerId: UUID) {
  submissions(first: $first, after: $after, learnerId: $learnerId) {
    nodes { id learnerId status attemptKind late }
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""
SUBMISSION = "query($id: UUID!) { submission(id: $id) { id status learnerId declarationSignedOn version } }"
EVIDENCE = """query($id: UUID!) { submissionEvidence(submissionId: $id) { nodes {
  id submissionId kind description reference sha256 } } }"""
VERSIONS = """query($id: UUID!) { assessmentDecisionVersions(id: $id) { nodes {
  number feedback assessedOn criteria { code achieved } unitGrades { unitNumber grade } } } }"""
RESUBMISSIONS = """query($id: UUID!) { resubmissions(decisionId: $id) { nodes {
  id decisionId learnerId number deadline withinTermTime reason } } }"""
RECORD = """query($learner: UUID!, $programme: UUID!) {
  learnerAssessmentRecord(learnerId: $learner, programmeId: $programme) {
    learnerId qualificationGrade releasedOnly
    units { unitNumber grade criteria { code status } examResults { grade sitting } }
    attempts { briefId decisionId decisionStatus resubmissionDeadline } } }"""
GRID = """query($programme: UUID!) { cohortTrackingGrid(programmeId: $programme) {
  rows { learnerId unitGrades { unitNumber grade } } } }"""
DECISIONS = """query($status: DecisionStatus) { assessmentDecisions(status: $status) {
  nodes { id status } pageInfo { hasNextPage hasPreviousPage } } }"""


async def test_graphql_submissions_list_like_rest_with_complete_page_info(client, auth, path):
    staff = auth("hoc")
    page = data(await gql(client, staff, SUBMISSIONS, first=1))["submissions"]
    assert len(page["nodes"]) == 1 and page["pageInfo"]["hasNextPage"] is True
    assert page["pageInfo"]["hasPreviousPage"] is False
    assert page["pageInfo"]["startCursor"] == page["edges"][0]["cursor"]
    nxt = data(await gql(client, staff, SUBMISSIONS, first=1, after=page["pageInfo"]["endCursor"]))
    second = nxt["submissions"]
    assert second["pageInfo"]["hasPreviousPage"] is True and second["pageInfo"]["hasNextPage"] is False
    listed = {page["nodes"][0]["id"], second["nodes"][0]["id"]}
    assert listed == {str(path["s"].id), str(path["s_other"].id)}
    rest = (await client.get("/v1/submissions", headers=staff)).json()
    assert {i["id"] for i in rest["items"]} == listed

    # The same filter as REST's ?learner_id=.
    only = data(await gql(client, staff, SUBMISSIONS, first=50, learnerId=str(path["other"].id)))
    assert [n["id"] for n in only["submissions"]["nodes"]] == [str(path["s_other"].id)]


async def test_r98_graphql_submissions_a_learner_reads_only_their_own(client, auth, path):
    me = auth("learner", subject=path["learner"].idp_subject)
    nodes = data(await gql(client, me, SUBMISSIONS, first=50))["submissions"]["nodes"]
    assert [n["id"] for n in nodes] == [str(path["s"].id)]
    mine = data(await gql(client, me, SUBMISSION, id=str(path["s"].id)))["submission"]
    assert mine["status"] == "submitted" and mine["learnerId"] == str(path["learner"].id)
    theirs = await gql(client, me, SUBMISSION, id=str(path["s_other"].id))
    assert theirs["data"]["submission"] is None and codes(theirs) == ["not-found"]


async def test_r98_graphql_submission_of_another_programme_is_not_found(client, auth, path):
    outsider = auth("assessor", subject="staff-outsider")
    body = await gql(client, outsider, SUBMISSION, id=str(path["s"].id))
    assert codes(body) == ["not-found"]
    assert data(await gql(client, outsider, SUBMISSIONS, first=50))["submissions"]["nodes"] == []


async def test_graphql_submission_evidence_like_rest(client, auth, path):
    assessor = auth("assessor", **ASSESSOR)
    items = data(await gql(client, assessor, EVIDENCE, id=str(path["s"].id)))["submissionEvidence"]["nodes"]
    rest = (await client.get(f"/v1/submissions/{path['s'].id}/evidence", headers=assessor)).json()
    assert [i["id"] for i in items] == [i["id"] for i in rest] and len(items) == 1
    assert items[0]["kind"] == "reference" and items[0]["reference"] == "Portfolio p.1-12"


async def test_r98_graphql_evidence_of_another_learners_submission_is_not_found(client, auth, path):
    me = auth("learner", subject=path["learner"].idp_subject)
    assert codes(await gql(client, me, EVIDENCE, id=str(path["s_other"].id))) == ["not-found"]
    outsider = auth("assessor", subject="staff-outsider")
    assert codes(await gql(client, outsider, EVIDENCE, id=str(path["s"].id))) == ["not-found"]


async def test_r26_graphql_decision_versions_typed_like_rest(client, auth, path):
    assessor = auth("assessor", **ASSESSOR)
    versions = data(await gql(client, assessor, VERSIONS, id=str(path["d"].id)))[
        "assessmentDecisionVersions"
    ]["nodes"]
    rest = (await client.get(f"/v1/assessment-decisions/{path['d'].id}/versions", headers=assessor)).json()
    assert [v["number"] for v in versions] == [v["number"] for v in rest] == [1]
    assert {(c["code"], c["achieved"]) for c in versions[0]["criteria"]} == {
        (c["code"], c["achieved"]) for c in rest[0]["criteria"]
    }
    assert versions[0]["unitGrades"] == [
        {"unitNumber": int(n), "grade": g} for n, g in sorted(rest[0]["unit_grades"].items())
    ]


async def test_r98_graphql_decision_versions_hidden_outside_the_programme_and_from_learners(
    client, auth, path
):
    outsider = auth("assessor", subject="staff-outsider")
    assert codes(await gql(client, outsider, VERSIONS, id=str(path["d"].id))) == ["not-found"]
    # Staff only, as REST (assessments:read): the learner reads the released decision, not its history.
    me = auth("learner", subject=path["learner"].idp_subject)
    assert codes(await gql(client, me, VERSIONS, id=str(path["d"].id))) == ["forbidden"]


async def test_r30_graphql_resubmissions_read_by_the_learner_of_a_released_decision(client, auth, path):
    me = auth("learner", subject=path["learner"].idp_subject)
    rows = data(await gql(client, me, RESUBMISSIONS, id=str(path["d"].id)))["resubmissions"]["nodes"]
    assert [r["id"] for r in rows] == [str(path["r"].id)]
    assert rows[0]["number"] == 1 and rows[0]["deadline"] == path["r"].deadline.isoformat()
    assert rows[0]["withinTermTime"] is True


async def test_r98_graphql_resubmissions_of_another_learner_are_not_found(client, auth, path):
    other = auth("learner", subject=path["other"].idp_subject)
    assert codes(await gql(client, other, RESUBMISSIONS, id=str(path["d"].id))) == ["not-found"]
    outsider = auth("assessor", subject="staff-outsider")
    assert codes(await gql(client, outsider, RESUBMISSIONS, id=str(path["d"].id))) == ["not-found"]


async def test_graphql_learner_record_is_typed_like_rest(client, auth, path, world):
    me = auth("learner", subject=path["learner"].idp_subject)
    ids = {"learner": str(path["learner"].id), "programme": str(world.programme_id)}
    record = data(await gql(client, me, RECORD, **ids))["learnerAssessmentRecord"]
    rest = (
        await client.get(
            f"/v1/learners/{ids['learner']}/assessment-record",
            params={"programme_id": ids["programme"]},
            headers=me,
        )
    ).json()
    assert record["releasedOnly"] is True and record["qualificationGrade"] == rest["qualification_grade"]
    assert [(u["unitNumber"], u["grade"]) for u in record["units"]] == [
        (u["unit_number"], u["grade"]) for u in rest["units"]
    ]
    statuses = {c["code"]: c["status"] for u in record["units"] for c in u["criteria"]}
    assert statuses["B.P4"] == "not_achieved" and statuses["A.P1"] == "achieved"
    assert [a["decisionId"] for a in record["attempts"]] == [a["decision_id"] for a in rest["attempts"]]


async def test_r98_graphql_learner_record_of_another_learner_is_not_found(client, auth, path, world):
    me = auth("learner", subject=path["learner"].idp_subject)
    body = await gql(client, me, RECORD, learner=str(path["other"].id), programme=str(world.programme_id))
    assert codes(body) == ["not-found"]


async def test_graphql_grid_unit_grades_are_typed(client, auth, path, world):
    staff = auth("hoc")
    rows = data(await gql(client, staff, GRID, programme=str(world.programme_id)))["cohortTrackingGrid"][
        "rows"
    ]
    rest = (await client.get(f"/v1/programmes/{world.programme_id}/tracking-grid", headers=staff)).json()
    assert {r["learnerId"]: r["unitGrades"] for r in rows} == {
        r["learner_id"]: [{"unitNumber": int(n), "grade": g} for n, g in sorted(r["unit_grades"].items())]
        for r in rest["rows"]
    }


async def test_graphql_decisions_take_the_rest_status_filter(client, auth, path):
    staff = auth("hoc")
    released_ = data(await gql(client, staff, DECISIONS, status="released"))["assessmentDecisions"]
    assert [n["id"] for n in released_["nodes"]] == [str(path["d"].id)]
    assert data(await gql(client, staff, DECISIONS, status="draft"))["assessmentDecisions"]["nodes"] == []
