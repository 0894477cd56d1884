"""R-70..R-72 over REST and GraphQL: the same service, the same confidentiality (a case another caller
may not see is answered exactly as a case that does not exist), the report's PDF."""

from __future__ import annotations

import uuid

from app.assessment.models import AssessmentDecision
from tests.assessment.fixtures import ASSESSOR, as_staff
from tests.verification.fixtures import batch

ASSESSOR_SUBJECT = "staff-assessor"


async def test_r70_rest_and_graphql_answer_an_unseen_case_as_a_missing_one(
    client, auth, session, world, clock
):
    _, made = await batch(session, world, [(ASSESSOR, "P")])
    d = await session.get(AssessmentDecision, made[0].id)
    assessor = auth("assessor", subject=ASSESSOR_SUBJECT)
    raised = await client.post(
        f"/v1/submissions/{d.submission_id}/authenticity-concerns",
        json={"concern": "Two paragraphs match a published blog word for word."},
        headers=assessor,
    )
    assert raised.status_code == 201, raised.text
    case_id = raised.json()["case_id"]
    hoc = auth("hoc")
    got = await client.get(f"/v1/malpractice-cases/{case_id}", headers=hoc)
    assert got.status_code == 200 and got.json()["status"] == "draft" and got.headers["ETag"] == '"1"'
    assert "published blog" in got.json()["allegation"]

    unseen = await client.get(f"/v1/malpractice-cases/{case_id}", headers=assessor)
    missing = await client.get(f"/v1/malpractice-cases/{uuid.uuid4()}", headers=assessor)
    assert unseen.status_code == missing.status_code == 404
    assert unseen.json()["detail"].replace(case_id, "?") == missing.json()["detail"].replace(
        missing.request.url.path.rsplit("/", 1)[1], "?"
    )
    listed = await client.get("/v1/malpractice-cases", headers=assessor)
    assert listed.status_code == 200 and listed.json() == []

    query = "query($id: UUID!) { malpracticeCase(id: $id) { id allegation } }"
    seen = await client.post(
        "/graphql", json={"query": query, "variables": {"id": case_id}}, headers=assessor
    )
    other_id = uuid.uuid4()
    other = await client.post(
        "/graphql", json={"query": query, "variables": {"id": str(other_id)}}, headers=assessor
    )
    assert seen.json()["data"]["malpracticeCase"] is None
    (e1,), (e2,) = seen.json()["errors"], other.json()["errors"]
    assert e1["message"].replace(case_id, "?") == e2["message"].replace(str(other_id), "?")
    assert e1.get("extensions") == e2.get("extensions")
    by_hoc = await client.post("/graphql", json={"query": query, "variables": {"id": case_id}}, headers=hoc)
    assert by_hoc.json()["data"]["malpracticeCase"]["id"] == case_id

    pdf = await client.get(f"/v1/malpractice-cases/{case_id}/report.pdf", headers=hoc)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-1.4") and b"JCQ M1" in pdf.content
    refused = await client.get(f"/v1/malpractice-cases/{case_id}/report.pdf", headers=assessor)
    assert refused.status_code == 403


def test_r70_r73_the_built_app_registers_the_case_opener_and_the_withholding(
    monkeypatch, test_settings, sessionmaker
):
    from app.assessment import authenticity, iv_gate
    from app.main import create_app
    from app.malpractice import holds, hooks

    monkeypatch.setattr(authenticity, "case_openers", [])
    monkeypatch.setattr(iv_gate, "decision_holds", [])
    create_app(test_settings, sessionmaker=sessionmaker)
    assert authenticity.case_openers == [hooks.open_draft_case]
    assert holds.release_holds in iv_gate.decision_holds


async def test_r70_no_case_opener_refuses_the_signal_rather_than_lose_it(monkeypatch, session, world, clock):
    import pytest

    from app.assessment import authenticity
    from app.assessment import schemas as aschemas

    _, made = await batch(session, world, [(ASSESSOR, "P")])
    d = await session.get(AssessmentDecision, made[0].id)
    monkeypatch.setattr(authenticity, "case_openers", [])
    with pytest.raises(authenticity.NoCaseOpener):
        await authenticity.raise_concern(
            session,
            as_staff(*ASSESSOR),
            d.submission_id,
            aschemas.AuthenticityConcern(concern="Not the learner's own."),
        )
