"""R-52: the verifier reads exactly the granted sample, over REST and GraphQL, and nothing else: every
other id 404, an expired or revoked grant 401, every write 403 with nothing changed; every read is on
the access log the QN lists. Walked with a Verity token and with a token of the configured issuer."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import func, select

from app.core import clock as service_clock
from app.standards_verification.models import Grant, SampleItem
from tests.programmes.fixtures import gql
from tests.standards_verification.fixtures import PLAN, declared_and_submitted, released, sample

QN_SUBJECT = "staff-qn"


async def _granted(session, world, client, auth, **body):
    await released(session, world, PLAN[:6])
    _, s = await sample(session, world)
    await declared_and_submitted(session, s.id)
    await session.commit()
    expires = (service_clock.now() + dt.timedelta(days=7)).isoformat()
    r = await client.post(
        f"/v1/sv-samples/{s.id}/grants",
        json={"verifier_name": "Sam Verifier", "expires_at": expires, **body},
        headers=auth("qn", subject=QN_SUBJECT),
    )
    assert r.status_code == 201, r.text
    return s, r.json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _walk_inside(client, session, s, h) -> list[str]:
    """Every read operation of the verifier API on the granted sample; returns the item ids."""
    r = await client.get("/v1/verifier/samples", headers=h)
    assert r.status_code == 200 and [x["id"] for x in r.json()] == [str(s.id)], r.text
    assert (await client.get(f"/v1/verifier/samples/{s.id}", headers=h)).status_code == 200
    r = await client.get(f"/v1/verifier/samples/{s.id}/items", headers=h)
    assert r.status_code == 200 and r.json(), r.text
    ids = [i["id"] for i in r.json()]
    r = await client.get(f"/v1/verifier/items/{ids[0]}", headers=h)
    assert r.status_code == 200, r.text
    detail = r.json()
    assert detail["brief"]["title"] and detail["decision_versions"] and detail["evidence"]
    assert detail["iv_records"] is not None
    # a reference to evidence kept elsewhere has no file
    ref = detail["evidence"][0]["id"]
    assert (
        await client.get(f"/v1/verifier/items/{ids[0]}/evidence/{ref}/content", headers=h)
    ).status_code == 404
    body = await gql(
        client, h, "query($id: UUID!) { verifierSample(id: $id) { id itemCount } }", id=str(s.id)
    )
    assert body.get("errors") is None and body["data"]["verifierSample"]["id"] == str(s.id)
    body = await gql(
        client,
        h,
        "query($id: UUID!) { verifierSampleItem(id: $id) { learnerName brief { title } } }",
        id=ids[0],
    )
    assert body.get("errors") is None, body
    return ids


async def _walk_outside(client, s, h, other_sample) -> None:
    for url in (
        f"/v1/verifier/samples/{uuid.uuid4()}",
        f"/v1/verifier/samples/{other_sample}",
        f"/v1/verifier/samples/{other_sample}/items",
        f"/v1/verifier/items/{uuid.uuid4()}",
    ):
        assert (await client.get(url, headers=h)).status_code == 404, url
    body = await gql(client, h, "query($id: UUID!) { verifierSample(id: $id) { id } }", id=str(other_sample))
    assert [e["extensions"]["code"] for e in body["errors"]] == ["not-found"]


async def _walk_writes(client, session, s, h, item_id) -> None:
    """Every write, and every staff read, is 403 with nothing changed."""
    before = await session.scalar(select(func.count()).select_from(SampleItem))
    for method, url, body in (
        ("POST", f"/v1/sv-samples/{s.id}/submission", None),
        (
            "POST",
            f"/v1/sv-samples/{s.id}/items",
            {"learner_id": str(uuid.uuid4()), "brief_id": str(uuid.uuid4()), "reason": "x"},
        ),
        ("POST", f"/v1/sv-sample-items/{item_id}/authenticity", None),
        (
            "POST",
            f"/v1/sv-samples/{s.id}/outcome",
            {"accepted": True, "reported_on": "2025-12-01", "summary": "ok"},
        ),
        ("POST", f"/v1/sv-samples/{s.id}/grants", {}),
        ("GET", f"/v1/sv-samples/{s.id}", None),
        ("GET", "/v1/learners", None),
        ("GET", f"/v1/sv-samples/{s.id}/access-log", None),
    ):
        r = await client.request(method, url, json=body, headers=h)
        assert r.status_code == 403, (method, url, r.status_code)
    body = await gql(client, h, "mutation($id: UUID!) { submitSvSample(id: $id) { id } }", id=str(s.id))
    assert [e["extensions"]["code"] for e in body["errors"]] == ["forbidden"]
    assert await session.scalar(select(func.count()).select_from(SampleItem)) == before


async def _other_sample(session, world):
    """A sample of another programme (no grant for it)."""
    from app.standards_verification import schemas, service
    from tests.standards_verification.fixtures import QN

    a = await service.create_allocation(
        session,
        QN,
        schemas.AllocationCreate(
            programme_id=world.flexible_programme_id,
            measure="standard",
            verifier_name="X",
            allocated_on=service_clock.today(),
        ),
    )
    s = await service.request_sample(
        session,
        QN,
        schemas.SampleCreate(
            allocation_id=a.id, source="qn", requested_on=service_clock.today(), due_on=service_clock.today()
        ),
    )
    await session.commit()
    return s.id


async def test_r52_a_verity_token_reads_exactly_its_grant_until_revoked(client, auth, session, world):
    s, grant = await _granted(session, world, client, auth, issue_token=True)
    token = grant["token"]
    assert token.startswith("svt_") and grant["has_token"] and grant["live"]
    stored = await session.scalar(select(Grant).where(Grant.id == uuid.UUID(grant["id"])))
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()  # only the hash is kept
    other = await _other_sample(session, world)
    h = bearer(token)
    ids = await _walk_inside(client, session, s, h)
    await _walk_outside(client, s, h, other)
    await _walk_writes(client, session, s, h, ids[0])
    # the QN lists every read: who, what, when
    log = (
        await client.get(f"/v1/sv-samples/{s.id}/access-log", headers=auth("qn", subject=QN_SUBJECT))
    ).json()
    assert {e["verifier"] for e in log} == {"Sam Verifier"}
    assert {"sample", "sample_items", "sample_item"} <= {e["action"] for e in log}
    body = await gql(
        client,
        auth("qn"),
        "query($id: UUID!) { svAccessLog(sampleId: $id) { nodes { verifier action } } }",
        id=str(s.id),
    )
    assert len(body["data"]["svAccessLog"]["nodes"]) == len(log)
    # revoked: 401 at once, over REST and GraphQL
    r = await client.post(f"/v1/sv-grants/{grant['id']}/revocation", headers=auth("qn", subject=QN_SUBJECT))
    assert r.status_code == 200 and r.json()["live"] is False
    assert (await client.get(f"/v1/verifier/samples/{s.id}", headers=h)).status_code == 401
    r = await client.post("/graphql", json={"query": "{ verifierSamples { nodes { id } } }"}, headers=h)
    assert r.json()["errors"][0]["extensions"]["code"] == "unauthenticated"


async def test_r52_an_expired_grant_answers_401(client, auth, session, world):
    s, grant = await _granted(session, world, client, auth, issue_token=True)
    h = bearer(grant["token"])
    assert (await client.get(f"/v1/verifier/samples/{s.id}", headers=h)).status_code == 200
    with service_clock.using(service_clock.FixedClock(service_clock.now() + dt.timedelta(days=8))):
        assert (await client.get(f"/v1/verifier/samples/{s.id}", headers=h)).status_code == 401
        assert (await client.get(f"/v1/verifier/items/{uuid.uuid4()}", headers=h)).status_code == 401
    assert (await client.get("/v1/verifier/samples", headers=bearer("svt_made-up"))).status_code == 401


async def test_r52_a_staff_member_cannot_use_the_verifier_api(client, auth, session, world):
    for role in ("qn", "hoc", "liv"):
        assert (await client.get("/v1/verifier/samples", headers=auth(role))).status_code == 403
    # the centre's own standards_verifier role with no grant reads nothing
    r = await client.get("/v1/verifier/samples", headers=auth("standards_verifier"))
    assert r.status_code == 200 and r.json() == []


@pytest.fixture
def issuer_app(test_settings, sessionmaker, tmp_path):
    from app.main import create_app

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (tmp_path / "sv.pem").write_bytes(pem)
    settings = test_settings.model_copy(
        update={
            "sv_jwt_issuer": "https://idp.awarding-body.test",
            "sv_jwt_public_key_file": tmp_path / "sv.pem",
        }
    )
    return create_app(settings, sessionmaker=sessionmaker), key


def _issuer_token(key, subject: str, **over) -> str:
    now = int(time.time())
    claims = {
        "iss": "https://idp.awarding-body.test",
        "aud": "verity-standards-verification",
        "sub": subject,
        "iat": now,
        "exp": now + 600,
        **over,
    }
    return jwt.encode(claims, key, algorithm="RS256")


async def test_r52_a_configured_issuers_token_acts_through_a_live_grant(issuer_app, session, world, auth):
    import httpx

    app, key = issuer_app
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://verity.test") as client:
        s, grant = await _granted(
            session, world, client, auth, issuer="https://idp.awarding-body.test", subject="sv-4711"
        )
        assert grant["token"] is None
        other = await _other_sample(session, world)
        h = bearer(_issuer_token(key, "sv-4711"))
        ids = await _walk_inside(client, session, s, h)
        await _walk_outside(client, s, h, other)
        await _walk_writes(client, session, s, h, ids[0])
        # another subject of the issuer has no grant; a forged or wrong-audience token is refused
        assert (
            await client.get("/v1/verifier/samples", headers=bearer(_issuer_token(key, "sv-9")))
        ).status_code == 401
        forged = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        assert (
            await client.get("/v1/verifier/samples", headers=bearer(_issuer_token(forged, "sv-4711")))
        ).status_code == 401
        wrong = _issuer_token(key, "sv-4711", aud="verity")
        assert (await client.get("/v1/verifier/samples", headers=bearer(wrong))).status_code == 401
        r = await client.post(
            f"/v1/sv-grants/{grant['id']}/revocation", headers=auth("qn", subject=QN_SUBJECT)
        )
        assert r.status_code == 200
        assert (await client.get(f"/v1/verifier/samples/{s.id}", headers=h)).status_code == 401


async def test_r52_a_verifier_of_the_centres_own_identity_provider_reads_through_its_grant(
    client, auth, session, world, test_settings
):
    s, grant = await _granted(
        session, world, client, auth, issuer=test_settings.jwt_issuer, subject="sv-local"
    )
    other = await _other_sample(session, world)
    h = auth("standards_verifier", subject="sv-local")
    ids = await _walk_inside(client, session, s, h)
    await _walk_outside(client, s, h, other)
    await _walk_writes(client, session, s, h, ids[0])
    r = await client.post(f"/v1/sv-grants/{grant['id']}/revocation", headers=auth("qn", subject=QN_SUBJECT))
    assert r.status_code == 200
    assert (await client.get(f"/v1/verifier/samples/{s.id}", headers=h)).status_code == 401
    # an issuer that is neither the centre's nor the configured one is refused
    r = await client.post(
        f"/v1/sv-samples/{s.id}/grants",
        json={
            "verifier_name": "X",
            "expires_at": "2999-01-01T00:00:00Z",
            "issuer": "https://evil.test",
            "subject": "x",
        },
        headers=auth("qn"),
    )
    assert r.status_code == 422


async def test_r52_the_verifier_downloads_a_granted_evidence_file_and_the_download_is_logged(
    client, auth, session, world
):
    from app.assessment import decisions, submissions
    from app.assessment import schemas as aschemas
    from app.verification import draws, records
    from app.verification import schemas as vschemas
    from tests.assessment.fixtures import content, issued_brief, registered_learner
    from tests.verification.fixtures import ASSESSOR, GRADES, IV, as_staff, lp

    brief = await issued_brief(session, world)
    learner = await registered_learner(session, world)
    await session.commit()
    h = auth("learner", subject=learner.idp_subject)
    sid = (await client.post("/v1/submissions", json={"brief_id": str(brief.id)}, headers=h)).json()["id"]
    r = await client.post(
        f"/v1/submissions/{sid}/evidence-files?filename=essay.txt",
        content=b"my essay on customer communications",
        headers={**h, "Content-Type": "text/plain"},
    )
    assert r.status_code == 201, r.text
    await submissions.hand_in(
        session,
        lp(learner),
        uuid.UUID(sid),
        aschemas.HandIn(declaration_signed=True, ai_used=False, declaration_signed_on=service_clock.today()),
    )
    d = await decisions.record_decision(
        session,
        as_staff(*ASSESSOR),
        aschemas.DecisionCreate(submission_id=sid, **content(brief, GRADES["M"])),
    )
    await decisions.submit_for_iv(session, as_staff(*ASSESSOR), d.id)
    drawn = await draws.draw_sample(
        session, as_staff(*IV), brief.id, vschemas.SampleCreate(), seed_source=lambda: 7
    )
    for i in drawn.items:
        await records.record_iv(
            session,
            as_staff(*IV),
            vschemas.IvRecordCreate(
                decision_id=i.decision_id,
                outcome="agree",
                verified_on=dt.date(2025, 12, 1),
                feedback_to_assessor="Ok.",
            ),
        )
    await decisions.release_brief(session, as_staff(*ASSESSOR), brief.id)
    _, s = await sample(session, world)
    await declared_and_submitted(session, s.id)
    await session.commit()
    expires = (service_clock.now() + dt.timedelta(days=7)).isoformat()
    grant = (
        await client.post(
            f"/v1/sv-samples/{s.id}/grants",
            json={"verifier_name": "Sam Verifier", "expires_at": expires, "issue_token": True},
            headers=auth("qn"),
        )
    ).json()
    v = bearer(grant["token"])
    [item] = (await client.get(f"/v1/verifier/samples/{s.id}/items", headers=v)).json()
    detail = (await client.get(f"/v1/verifier/items/{item['id']}", headers=v)).json()
    [file] = [e for e in detail["evidence"] if e["sha256"]]
    r = await client.get(f"/v1/verifier/items/{item['id']}/evidence/{file['id']}/content", headers=v)
    assert r.status_code == 200 and r.content == b"my essay on customer communications"
    assert r.headers["content-disposition"].startswith("attachment")
    log = (await client.get(f"/v1/sv-samples/{s.id}/access-log", headers=auth("qn"))).json()
    assert any(e["action"] == "evidence_file" and e["subject_id"] == file["id"] for e in log)
    # the pack carries the file too
    pack = await client.get(f"/v1/sv-samples/{s.id}/pack", headers=auth("qn"))
    import io
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(pack.content)).namelist()
    assert f"evidence/{item['id']}/essay.txt" in names
