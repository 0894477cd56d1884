"""Authorization as a table (house rule 4) over every REST operation and GraphQL root field of the
verification slice, for every role; and the GraphQL path of IV through the same services."""

from __future__ import annotations

import uuid

import pytest

from app.auth.scopes import ROLE_SCOPES, Role, Scope
from app.verification.router import router
from tests.programmes.fixtures import gql
from tests.verification.fixtures import ASSESSOR, batch

X = uuid.uuid4()
REST = {  # operation id -> (method, path, scope)
    "drawIvSample": ("POST", f"/v1/assignment-briefs/{X}/iv-samples", Scope.verification_write),
    "getLatestIvSample": ("GET", f"/v1/assignment-briefs/{X}/iv-samples/latest", Scope.verification_read),
    "listBriefIvSamples": ("GET", f"/v1/assignment-briefs/{X}/iv-samples", Scope.verification_read),
    "getIvSample": ("GET", f"/v1/iv-samples/{X}", Scope.verification_read),
    "getBriefIvStatus": ("GET", f"/v1/assignment-briefs/{X}/iv-status", Scope.verification_read),
    "listBriefIvRecords": ("GET", f"/v1/assignment-briefs/{X}/iv-records", Scope.verification_read),
    "releaseBriefDecisions": (
        "POST",
        f"/v1/assignment-briefs/{X}/release-decisions",
        Scope.decisions_release,
    ),
    "createIvRecord": ("POST", "/v1/iv-records", Scope.verification_write),
    "getIvRecord": ("GET", f"/v1/iv-records/{X}", Scope.verification_read),
    "amendIvRecord": ("POST", f"/v1/iv-records/{X}/amendment", Scope.verification_write),
    "listIvRecordVersions": ("GET", f"/v1/iv-records/{X}/versions", Scope.verification_read),
    "listIvRemedialActions": ("GET", "/v1/iv-remedial-actions", Scope.verification_read),
    "closeIvRemedialAction": ("POST", f"/v1/iv-remedial-actions/{X}/closure", Scope.verification_write),
    "arbitrateIvDisagreement": ("POST", f"/v1/iv-records/{X}/arbitrations", Scope.verification_write),
    "listIvArbitrations": ("GET", f"/v1/iv-records/{X}/arbitrations", Scope.verification_read),
    "listLivGaps": ("GET", f"/v1/academic-years/{X}/liv-gaps", Scope.verification_read),
    "getIvCoverage": ("GET", f"/v1/programmes/{X}/iv-coverage", Scope.verification_read),
    "getLivDashboard": ("GET", "/v1/iv-dashboard", Scope.verification_read),
    "appointLiv": ("POST", "/v1/liv-appointments", Scope.livs_manage),
    "listLivAppointments": ("GET", "/v1/liv-appointments", Scope.verification_read),
    "createLivAnnualRecord": ("POST", f"/v1/liv-appointments/{X}/annual-records", Scope.livs_manage),
    "listLivAnnualRecords": ("GET", f"/v1/liv-appointments/{X}/annual-records", Scope.verification_read),
    "getIvPlan": ("GET", f"/v1/programmes/{X}/iv-plan", Scope.verification_read),
    "putIvPlan": ("PUT", f"/v1/programmes/{X}/iv-plan", Scope.iv_plans_manage),
    "getIvSchedule": ("GET", f"/v1/programmes/{X}/iv-schedule", Scope.verification_read),
    "assignIvScheduleEntry": ("POST", f"/v1/programmes/{X}/iv-schedule/entries", Scope.iv_plans_manage),
    "signOffIvPlan": ("POST", f"/v1/programmes/{X}/iv-plan/sign-offs", Scope.iv_plans_manage),
}


def test_the_table_names_every_operation():
    assert {r.operation_id for r in router.routes} == set(REST)


@pytest.mark.parametrize("role", list(Role))
async def test_rest_roles(client, auth, centres, role):
    for op, (method, path, scope) in REST.items():
        r = await client.request(method, path, headers=auth(role.value), json={})
        allowed = scope in ROLE_SCOPES[role]
        assert (r.status_code == 403) != allowed, (op, role, r.status_code, r.text)
        assert r.status_code != 500, (op, role, r.text)


IV_CONTENT = 'outcome: agree, feedbackToAssessor: "ok", verifiedOn: "2025-12-01"'


def _content(decision_id: str) -> dict:
    return {
        "decisionId": decision_id,
        "outcome": "agree",
        "verifiedOn": "2025-12-01",
        "feedbackToAssessor": "ok",
    }


GQL = {  # root field -> (query, scope)
    "briefIvStatus": (f'query {{ briefIvStatus(briefId: "{X}") {{ complete }} }}', Scope.verification_read),
    "briefIvRecords": (
        f'query {{ briefIvRecords(briefId: "{X}") {{ nodes {{ id }} }} }}',
        Scope.verification_read,
    ),
    "ivRecord": (f'query {{ ivRecord(id: "{X}") {{ id }} }}', Scope.verification_read),
    "ivRecordVersions": (
        f'query {{ ivRecordVersions(id: "{X}") {{ nodes {{ number }} }} }}',
        Scope.verification_read,
    ),
    "ivRemedialActions": ("query { ivRemedialActions { nodes { id } } }", Scope.verification_read),
    "latestIvSample": (f'query {{ latestIvSample(briefId: "{X}") {{ id }} }}', Scope.verification_read),
    "ivCoverage": (
        f'query {{ ivCoverage(programmeId: "{X}") {{ untouched {{ kind keys }} }} }}',
        Scope.verification_read,
    ),
    "livDashboard": ("query { livDashboard { openActions { id } } }", Scope.verification_read),
    "ivSchedule": (
        f'query {{ ivSchedule(programmeId: "{X}") {{ entries {{ title }} }} }}',
        Scope.verification_read,
    ),
    "livAppointments": ("query { livAppointments { nodes { id } } }", Scope.verification_read),
    "ivSample": (f'query {{ ivSample(id: "{X}") {{ id }} }}', Scope.verification_read),
    "ivSamples": (f'query {{ ivSamples(briefId: "{X}") {{ nodes {{ id }} }} }}', Scope.verification_read),
    "livAnnualRecords": (
        f'query {{ livAnnualRecords(appointmentId: "{X}") {{ nodes {{ id }} }} }}',
        Scope.verification_read,
    ),
    "ivPlan": (f'query {{ ivPlan(programmeId: "{X}") {{ id }} }}', Scope.verification_read),
    "ivArbitrations": (
        f'query {{ ivArbitrations(id: "{X}") {{ nodes {{ id }} }} }}',
        Scope.verification_read,
    ),
    "livGaps": (
        f'query {{ livGaps(academicYearId: "{X}") {{ nodes {{ subjectArea }} }} }}',
        Scope.verification_read,
    ),
    "arbitrateIvDisagreement": (
        f'mutation {{ arbitrateIvDisagreement(id: "{X}", input: {{ ruling: assessor, reasoning: "r", '
        f'arbitratedOn: "2025-12-01" }}) {{ id }} }}',
        Scope.verification_write,
    ),
    "drawIvSample": (f'mutation {{ drawIvSample(briefId: "{X}") {{ id }} }}', Scope.verification_write),
    "createIvRecord": (
        f'mutation {{ createIvRecord(input: {{ decisionId: "{X}", {IV_CONTENT} }}) {{ id }} }}',
        Scope.verification_write,
    ),
    "amendIvRecord": (
        f'mutation {{ amendIvRecord(id: "{X}", version: 1, input: {{ reason: "r", {IV_CONTENT} }}) {{ id }} }}',
        Scope.verification_write,
    ),
    "closeIvRemedialAction": (
        f'mutation {{ closeIvRemedialAction(id: "{X}", closureNote: "x") {{ id }} }}',
        Scope.verification_write,
    ),
    "releaseBriefDecisions": (
        f'mutation {{ releaseBriefDecisions(briefId: "{X}") {{ released }} }}',
        Scope.decisions_release,
    ),
    "putIvPlan": (
        f'mutation {{ putIvPlan(programmeId: "{X}", input: {{}}) {{ id }} }}',
        Scope.iv_plans_manage,
    ),
    "assignIvScheduleEntry": (
        f'mutation {{ assignIvScheduleEntry(programmeId: "{X}", input: {{ planEntryId: "{X}", verifierStaffId: "{X}" }}) {{ entries {{ title }} }} }}',
        Scope.iv_plans_manage,
    ),
    "signOffIvPlan": (
        f'mutation {{ signOffIvPlan(programmeId: "{X}", signedOn: "2025-12-01") {{ id }} }}',
        Scope.iv_plans_manage,
    ),
    "appointLiv": (
        f'mutation {{ appointLiv(input: {{ subjectArea: "IT", staffId: "{X}", appointedOn: "2025-09-01" }}) {{ id }} }}',
        Scope.livs_manage,
    ),
    "createLivAnnualRecord": (
        f'mutation {{ createLivAnnualRecord(appointmentId: "{X}", input: {{ academicYearId: "{X}", '
        f'awardingBody: "Pearson", registrationReference: "R1", registeredOn: "2025-09-01" }}) {{ id }} }}',
        Scope.livs_manage,
    ),
}


def test_the_graphql_table_names_every_root_field():
    from strawberry.types.base import get_object_definition

    from app.verification.gql import VerificationMutation, VerificationQuery

    names = {
        f.name for t in (VerificationQuery, VerificationMutation) for f in get_object_definition(t).fields
    }
    camel = {n.split("_")[0] + "".join(w.title() for w in n.split("_")[1:]) for n in names}
    assert camel == set(GQL)


@pytest.mark.parametrize("role", list(Role))
async def test_graphql_roles(client, auth, centres, role):
    for field, (query, scope) in GQL.items():
        body = await gql(client, auth(role.value), query)
        codes = {e.get("extensions", {}).get("code") for e in body.get("errors") or []}
        allowed = scope in ROLE_SCOPES[role]
        assert ("forbidden" in codes) != allowed, (field, role, body)
        assert "internal-error" not in codes, (field, role, body)


async def test_iv_over_graphql(client, auth, session, world):
    brief, _made = await batch(session, world, [(ASSESSOR, "P"), (ASSESSOR, "D")])
    await session.commit()
    iv = auth("iv", subject="staff-iv")
    body = await gql(
        client,
        iv,
        f'mutation {{ drawIvSample(briefId: "{brief.id}") {{ items {{ decisionId grade }} }} }}',
    )
    items = body["data"]["drawIvSample"]["items"]
    assert {i["grade"] for i in items} == {"P", "D"}
    rec = await gql(
        client,
        iv,
        "mutation($input: IvRecordCreateInput!) { createIvRecord(input: $input) { id outcome "
        "current { number feedbackToAssessor } } }",
        input={
            "decisionId": items[0]["decisionId"],
            "outcome": "disagree",
            "verifiedOn": "2025-12-01",
            "feedbackToAssessor": "D.1 not met",
            "reassessBatch": False,
        },
    )
    assert rec["data"]["createIvRecord"]["outcome"] == "disagree", rec
    bad = await gql(
        client,
        iv,
        "mutation($input: IvRecordCreateInput!) { createIvRecord(input: $input) { id } }",
        input={**_content(items[1]["decisionId"]), "feedbackToAssessor": " "},
    )
    assert bad["errors"][0]["extensions"]["code"] == "validation-failed"
    status = await gql(
        client,
        auth("assessor", subject="staff-assessor"),
        f'query {{ briefIvStatus(briefId: "{brief.id}") {{ complete reasons }} }}',
    )
    assert status["data"]["briefIvStatus"]["complete"] is False
    refused = await gql(
        client,
        auth("assessor", subject="staff-assessor"),
        f'mutation {{ releaseBriefDecisions(briefId: "{brief.id}") {{ released }} }}',
    )
    assert refused["errors"][0]["extensions"]["code"] == "rule-violation"


async def test_iv_views_are_typed_over_graphql(client, auth, session, world):
    brief, _made = await batch(session, world, [(ASSESSOR, "P")])
    await session.commit()
    iv = auth("iv", subject="staff-iv")
    drawn = await gql(
        client,
        iv,
        f'mutation {{ drawIvSample(briefId: "{brief.id}") '
        "{ id populationSize assessorRates { rate why } items { decisionId grade ivOutcome } } }",
    )
    sample = drawn["data"]["drawIvSample"]
    assert sample["populationSize"] == 1 and sample["items"][0]["ivOutcome"] is None, drawn
    made = await gql(
        client,
        iv,
        "mutation($input: IvRecordCreateInput!) { createIvRecord(input: $input) { id } }",
        input=_content(sample["items"][0]["decisionId"]),
    )
    assert made["data"]["createIvRecord"]["id"], made
    latest = await gql(
        client,
        iv,
        f'query {{ latestIvSample(briefId: "{brief.id}") {{ id items {{ ivOutcome }} }} }}',
    )
    assert latest["data"]["latestIvSample"] == {
        "id": sample["id"],
        "items": [{"ivOutcome": "agree"}],
    }, latest
    shown = await gql(
        client,
        iv,
        f'query {{ briefIvRecords(briefId: "{brief.id}") {{ nodes {{ subjectKind '
        "current { criteriaComments { code agree } checklist { item ticked } } } } }",
    )
    by_kind = {r["subjectKind"]: r["current"] for r in shown["data"]["briefIvRecords"]["nodes"]}
    assert by_kind["assessment_decision"]["criteriaComments"] == [], shown
    if "assignment_brief" in by_kind:
        assert all(set(c) == {"item", "ticked"} for c in by_kind["assignment_brief"]["checklist"] or [])
