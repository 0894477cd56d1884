"""R-50..R-52 over GraphQL: the same services as REST, from the allocation to the grant."""

from __future__ import annotations

import datetime as dt

from app.core import clock
from tests.programmes.fixtures import gql
from tests.standards_verification.fixtures import PLAN, released


async def test_r50_r51_r52_a_visit_over_graphql(client, auth, session, world):
    from tests.conftest import CENTRE_A
    from tests.programmes.fixtures import make_staff

    owner = await make_staff(session, CENTRE_A, "qn", "qn")
    await released(session, world, PLAN[:4])
    await session.commit()
    qn, liv = auth("qn", subject="staff-qn"), auth("liv", subject="staff-liv")
    today = clock.today().isoformat()

    async def ok(h, query, **variables):
        body = await gql(client, h, query, **variables)
        assert body.get("errors") is None, body
        return body["data"]

    a = await ok(
        qn,
        """mutation($input: SvAllocationInput!) { createSvAllocation(input: $input) {
             id measure requiredSampleSize unitsRequired } }""",
        input={
            "programmeId": str(world.programme_id),
            "measure": "enhanced",
            "verifierName": "Sam",
            "allocatedOn": today,
        },
    )
    allocation = a["createSvAllocation"]
    assert allocation["unitsRequired"] == 2 and allocation["requiredSampleSize"] == 4  # 4 learners: all
    s = (
        await ok(
            qn,
            "mutation($input: SvSampleInput!) { requestSvSample(input: $input) { id itemCount late } }",
            input={
                "allocationId": allocation["id"],
                "source": "verifier",
                "requestedOn": today,
                "dueOn": today,
            },
        )
    )["requestSvSample"]
    items = (
        await ok(qn, "query($id: UUID!) { svSampleItems(sampleId: $id) { nodes { id grade } } }", id=s["id"])
    )["svSampleItems"]["nodes"]
    assert len(items) == s["itemCount"] == 4
    for i in items:
        await ok(
            liv,
            "mutation($id: UUID!) { declareSvSampleItemAuthentic(id: $id) { authenticityDeclaredOn } }",
            id=i["id"],
        )
    done = (await ok(qn, "mutation($id: UUID!) { submitSvSample(id: $id) { status } }", id=s["id"]))[
        "submitSvSample"
    ]
    assert done["status"] == "submitted"
    out = (
        await ok(
            qn,
            """mutation($id: UUID!, $input: SvOutcomeInput!) { recordSvOutcome(sampleId: $id, input: $input) {
                 accepted actions { id status } } }""",
            id=s["id"],
            input={
                "accepted": False,
                "reportedOn": today,
                "summary": "Not accepted.",
                "actions": [{"description": "Restandardise", "ownerStaffId": str(owner.id), "dueOn": today}],
            },
        )
    )["recordSvOutcome"]
    closed = await ok(
        qn,
        'mutation($id: UUID!) { closeSvAction(id: $id, note: "Done") { status closedNote } }',
        id=out["actions"][0]["id"],
    )
    assert closed["closeSvAction"] == {"status": "closed", "closedNote": "Done"}
    status = await ok(
        qn,
        "query($id: UUID!) { svCertificationStatus(programmeId: $id) { status } }",
        id=str(world.programme_id),
    )
    assert status["svCertificationStatus"]["status"] == "certification_pending"
    expires = (clock.now() + dt.timedelta(days=3)).isoformat()
    grant = await ok(
        qn,
        """mutation($id: UUID!, $input: SvGrantInput!) { grantSvAccess(sampleId: $id, input: $input) {
             id token live } }""",
        id=s["id"],
        input={"verifierName": "Sam", "expiresAt": expires, "issueToken": True},
    )
    token = grant["grantSvAccess"]["token"]
    seen = await ok({"Authorization": f"Bearer {token}"}, "{ verifierSamples { nodes { id } } }")
    assert seen["verifierSamples"]["nodes"] == [{"id": s["id"]}]
    await ok(qn, "mutation($id: UUID!) { revokeSvGrant(id: $id) { live } }", id=grant["grantSvAccess"]["id"])
