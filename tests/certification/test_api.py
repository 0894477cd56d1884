"""REST and GraphQL over the same certification and employer-involvement services."""

from __future__ import annotations

from tests.certification.fixtures import accredited_liv, released


async def test_r90_r91_a_claim_over_rest_and_its_export(client, auth, session, world):
    await accredited_liv(session, world)
    (learner,) = await released(session, world, ["M"])
    eo, qn = auth("exams_officer", subject="staff-eo"), auth("qn", subject="staff-qn")
    pre = await client.get(
        f"/v1/learners/{learner.id}/registrations/{world.award_id}/certification-eligibility", headers=eo
    )
    assert pre.status_code == 200 and pre.json()["full_claimable"] is True, pre.text
    r = await client.post(
        "/v1/certification-claims",
        json={
            "programme_id": str(world.programme_id),
            "claim_type": "full",
            "learner_ids": [str(learner.id)],
        },
        headers=eo,
    )
    assert r.status_code == 201, r.text
    claim = r.json()["id"]
    for path, who in (
        ("confirm-records", auth("liv", subject="staff-liv")),
        ("leader-check", auth("programme_leader", subject="staff-leader")),
        ("prepare", eo),
    ):
        step = await client.post(f"/v1/certification-claims/{claim}/{path}", headers=who)
        assert step.status_code == 200, (path, step.text)
    same = await client.post(f"/v1/certification-claims/{claim}/second-check", headers=eo)
    assert same.status_code == 403  # never the preparer
    assert (
        await client.post(f"/v1/certification-claims/{claim}/second-check", headers=qn)
    ).status_code == 200
    done = await client.post(f"/v1/certification-claims/{claim}/submit", headers=eo)
    assert done.status_code == 200 and done.json()["status"] == "submitted"
    csv = await client.get(f"/v1/certification-claims/{claim}/export.csv", headers=eo)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("registration_number,learner_name")
    query = (
        f'query {{ certificationEligibility(learnerId: "{learner.id}", qualificationId: "{world.award_id}") '
        f'{{ fullClaimable overallGrade reasons {{ code rule }} }} certificationClaim(id: "{claim}") '
        "{ status entries { status units { unitNumber grade } } } }"
    )
    body = (await client.post("/graphql", json={"query": query}, headers=eo)).json()
    assert body.get("errors") is None, body
    assert body["data"]["certificationEligibility"] == {
        "fullClaimable": True,
        "overallGrade": "M",
        "reasons": [],
    }
    assert body["data"]["certificationClaim"]["status"] == "submitted"


async def test_r90_an_ineligible_learner_is_refused_over_graphql_with_the_rule(client, auth, session, world):
    # No accredited LIV, standards verification not released.
    (learner,) = await released(session, world, ["M"], sv_release=False)
    mutation = (
        "mutation { createCertificationClaim(input: {programmeId: "
        f'"{world.programme_id}", claimType: full, learnerIds: ["{learner.id}"]}}) {{ id }} }}'
    )
    body = (await client.post("/graphql", json={"query": mutation}, headers=auth("exams_officer"))).json()
    assert body["data"]["createCertificationClaim"] is None
    assert body["errors"][0]["extensions"]["code"] == "rule-violation", body


async def test_r95_a_careers_talk_is_refused_over_rest(client, auth, session, world):
    hoc = auth("hoc")
    employer = await client.post(
        "/v1/employers", json={"name": "CallCo", "sector": "Customer service"}, headers=hoc
    )
    assert employer.status_code == 201, employer.text
    plan = await client.post(
        "/v1/employer-involvement-plans",
        json={
            "programme_id": str(world.programme_id),
            "planned_on": "2025-09-10",
            "summary": "Every learner meets CallCo.",
        },
        headers=hoc,
    )
    assert plan.status_code == 201, plan.text
    talk = await client.post(
        "/v1/employer-activities",
        json={
            "plan_id": plan.json()["id"],
            "employer_id": employer.json()["id"],
            "activity_type": "careers_talk",
            "title": "Careers in customer service",
            "planned_on": "2025-11-05",
        },
        headers=hoc,
    )
    assert talk.status_code == 422 and talk.json()["errors"][0]["code"] == "R-95", talk.text
