"""R-98: subject access as one archive, identity corrections on the record, a learner's own record.
R-97: legal holds set and released by the QN."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import text

from tests.api.object_world import two_programmes
from tests.programmes.fixtures import make_world


@pytest.fixture
async def objects(session, centres, app):
    from app.assessment.storage import evidence_store

    settings = app.state.settings
    store = app.state.__dict__.setdefault("evidence_store", evidence_store(settings))
    return await two_programmes(session, await make_world(session), store, settings)


async def test_r98_subject_access_archive_holds_everything_about_the_learner_and_nothing_else(
    client, auth, objects, session
):
    mine, other = objects
    r = await client.post(f"/v1/learners/{mine.learner}/subject-access-requests", headers=auth("qn"))
    assert r.status_code == 200, r.text
    z = zipfile.ZipFile(io.BytesIO(r.content))
    names = set(z.namelist())
    manifest = json.loads(z.read("manifest.json"))
    assert manifest["learner_id"] == str(mine.learner)
    for table in (
        "learners",
        "submissions",
        "assessment_decisions",
        "assessment_decision_versions",
        "evidence_items",
        "reasonable_adjustments",
        "special_considerations",
        "enrolments",
    ):
        assert f"records/{table}.json" in names, table
    decisions = json.loads(z.read("records/assessment_decisions.json"))
    assert [d["id"] for d in decisions] == [str(mine.decision)]
    assert any(n.startswith(f"files/{mine.evidence_file}") for n in names)
    everything = b"".join(z.read(n) for n in names)
    assert str(mine.learner).encode() in everything
    assert str(other.learner).encode() not in everything and str(other.decision).encode() not in everything
    audit = json.loads(z.read("audit_events.json"))
    assert {e["subject_id"] for e in audit} >= {str(mine.learner), str(mine.decision)}
    # The request and its fulfilment are recorded, with the archive's digest.
    listed = (
        await client.get(f"/v1/subject-access-requests?learner_id={mine.learner}", headers=auth("qn"))
    ).json()
    assert len(listed) == 1 and listed[0]["fulfilled_at"] and listed[0]["files"] >= 1
    import hashlib

    assert listed[0]["archive_sha256"] == hashlib.sha256(r.content).hexdigest()
    assert r.headers["location"] == f"/v1/subject-access-requests/{listed[0]['id']}"


async def test_r98_only_the_qn_produces_subject_access(client, auth, objects):
    mine, _ = objects
    for role in ("hoc", "assessor", "learner"):
        r = await client.post(f"/v1/learners/{mine.learner}/subject-access-requests", headers=auth(role))
        assert r.status_code == 403, role


async def test_r98_identity_correction_keeps_the_old_value_and_the_reason(client, auth, objects, session):
    mine, _ = objects
    old = (await client.get(f"/v1/learners/{mine.learner}", headers=auth("qn"))).json()
    r = await client.post(
        f"/v1/learners/{mine.learner}/identity-corrections",
        json={"family_name": "Corrected", "reason": "Birth certificate seen"},
        headers=auth("qn"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["family_name"] == "Corrected"
    row = (
        await session.execute(
            text(
                "SELECT before, after FROM audit_events WHERE action = 'learner.identity_corrected' "
                "AND subject_id = :s"
            ),
            {"s": str(mine.learner)},
        )
    ).one()
    assert row.before["family_name"] == old["family_name"]
    assert (
        row.after["family_name"] == "Corrected" and row.after["correction_reason"] == "Birth certificate seen"
    )
    bad = await client.post(
        f"/v1/learners/{mine.learner}/identity-corrections", json={"reason": "nothing"}, headers=auth("qn")
    )
    assert bad.status_code == 422


async def test_r98_a_learner_reads_their_own_full_record_and_nothing_else(client, auth, objects):
    mine, other = objects
    r = await client.get("/v1/me/record", headers=auth("learner", subject=mine.learner_subject))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["learner_id"] == str(mine.learner)
    assert str(mine.ra) in {s["id"] for s in body["support"]}
    assert (
        str(other.learner) not in r.text and str(other.ra) not in r.text and str(other.decision) not in r.text
    )
    # Only released decisions, at their released version.
    assert all(d["version"] >= 1 for d in body["decisions"])
    gql = await client.post(
        "/graphql",
        json={"query": "{ ownRecord { learnerId support { id kind } } }"},
        headers=auth("learner", subject=mine.learner_subject),
    )
    assert gql.json()["data"]["ownRecord"]["learnerId"] == str(mine.learner)


async def test_r97_legal_hold_is_set_and_released_by_the_qn(client, auth, objects):
    mine, _ = objects
    r = await client.post(
        "/v1/legal-holds", json={"learner_id": str(mine.learner), "reason": "Litigation"}, headers=auth("qn")
    )
    assert r.status_code == 201, r.text
    hold = r.json()
    released = await client.post(f"/v1/legal-holds/{hold['id']}/release", headers=auth("qn"))
    assert released.status_code == 200 and released.json()["released_at"]
    again = await client.post(f"/v1/legal-holds/{hold['id']}/release", headers=auth("qn"))
    assert again.status_code == 422
