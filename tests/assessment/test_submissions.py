"""Submissions and evidence: R-22 (declaration; nothing added, changed or removed after submission —
in the service and in the database), R-23 (late recorded, never capped), extensions, storage."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.assessment import schemas, submissions
from app.assessment.storage import LocalEvidenceStore, sigv4_headers
from app.core import clock as service_clock
from app.core.errors import Forbidden, RuleViolation
from tests.assessment.fixtures import ASSESSOR, as_staff, issued_brief, registered_learner
from tests.programmes.fixtures import principal


def learner_p(learner):
    return principal("learner", subject=learner.idp_subject)


async def open_submission(session, world, brief, learner):
    s = await submissions.create_submission(
        session, learner_p(learner), schemas.SubmissionCreate(brief_id=brief.id)
    )
    await submissions.add_evidence_reference(
        session,
        learner_p(learner),
        s.id,
        schemas.EvidenceReferenceCreate(
            kind="witness_statement", description="Presentation to the class", reference="Witness: J. Smith"
        ),
    )
    return s


async def test_hand_in_needs_the_declaration_and_freezes(session, world, test_settings, tmp_path):
    brief = await issued_brief(session, world)
    learner = await registered_learner(session, world)
    s = await open_submission(session, world, brief, learner)
    store = LocalEvidenceStore(tmp_path)
    item = await submissions.add_evidence_file(
        session,
        learner_p(learner),
        test_settings,
        store,
        s.id,
        "report.pdf",
        "application/pdf",
        b"%PDF-1.7 my report",
    )
    assert item.sha256 == hashlib.sha256(b"%PDF-1.7 my report").hexdigest()
    assert await store.get(item.storage_key) == b"%PDF-1.7 my report"
    with pytest.raises(RuleViolation) as exc:
        await submissions.hand_in(
            session,
            learner_p(learner),
            s.id,
            schemas.HandIn(
                declaration_signed=False, ai_used=False, declaration_signed_on=service_clock.today()
            ),
        )
    assert exc.value.errors[0].code == "R-22"
    done = await submissions.hand_in(
        session,
        learner_p(learner),
        s.id,
        schemas.HandIn(declaration_signed=True, ai_used=False, declaration_signed_on=service_clock.today()),
    )
    assert done.status == "submitted" and done.late is True  # the brief's deadline (2025-11-14) has passed
    # R-22 in the service...
    with pytest.raises(RuleViolation):
        await submissions.add_evidence_reference(
            session,
            learner_p(learner),
            s.id,
            schemas.EvidenceReferenceCreate(kind="reference", description="More", reference="x"),
        )
    with pytest.raises(RuleViolation):
        await submissions.remove_evidence(session, learner_p(learner), s.id, item.id)
    await session.commit()
    # ... and in the database, even for a statement written by hand as the application role.
    for statement in (
        f"DELETE FROM evidence_items WHERE id = '{item.id}'",
        f"UPDATE evidence_items SET description = 'x' WHERE id = '{item.id}'",
        f"UPDATE submissions SET late = false WHERE id = '{s.id}'",
        f"INSERT INTO evidence_items (id, centre_id, submission_id, kind, description, reference, "
        f"added_by) VALUES (gen_random_uuid(), '{s.centre_id}', '{s.id}', 'reference', 'x', 'y', 'z')",
    ):
        with pytest.raises(DBAPIError, match=r"R-22|permission denied"):
            async with session.begin_nested():
                await session.execute(text(statement))
    with pytest.raises(DBAPIError, match="permission denied"):
        async with session.begin_nested():
            await session.execute(text(f"DELETE FROM submissions WHERE id = '{s.id}'"))


async def test_file_limits(session, world, test_settings, tmp_path):
    brief = await issued_brief(session, world)
    learner = await registered_learner(session, world)
    s = await open_submission(session, world, brief, learner)
    small = test_settings.model_copy(update={"evidence_max_bytes": 4})
    from app.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        await submissions.add_evidence_file(
            session,
            learner_p(learner),
            small,
            LocalEvidenceStore(tmp_path),
            s.id,
            "x.exe",
            "application/x-msdownload",
            b"MZ....",
        )
    assert {p.code for p in exc.value.errors} == {"media_type_not_allowed", "file_too_large"}


async def test_extension_makes_work_on_time_r23(session, world, clock):
    clock.set(dt.datetime(2025, 11, 20, 10, 0, tzinfo=dt.UTC))  # after the brief's deadline
    brief = await issued_brief(session, world, completion=dt.date(2025, 11, 14))
    learner = await registered_learner(session, world)
    await submissions.create_extension(
        session,
        as_staff(*ASSESSOR),
        schemas.ExtensionCreate(
            brief_id=brief.id,
            learner_id=learner.id,
            new_deadline=dt.date(2025, 11, 27),
            reason="Doctor's certificate",
        ),
    )
    s = await open_submission(session, world, brief, learner)
    done = await submissions.hand_in(
        session,
        learner_p(learner),
        s.id,
        schemas.HandIn(declaration_signed=True, ai_used=False, declaration_signed_on=service_clock.today()),
    )
    assert done.late is False and done.extension_id is not None


async def test_r23_lateness_is_judged_on_the_centres_date(session, world, clock):
    """Handed in at 00:30 in London on the day after the deadline (23:30 UTC in summer): late."""
    brief = await issued_brief(session, world, start=dt.date(2026, 5, 1), completion=dt.date(2026, 6, 10))
    learner = await registered_learner(session, world)
    s = await open_submission(session, world, brief, learner)
    clock.set(dt.datetime(2026, 6, 10, 23, 30, tzinfo=dt.UTC))
    done = await submissions.hand_in(
        session,
        learner_p(learner),
        s.id,
        schemas.HandIn(declaration_signed=True, ai_used=False, declaration_signed_on=dt.date(2026, 6, 11)),
    )
    assert done.late is True


async def test_learner_submits_only_own_and_only_on_issued(session, world):
    brief = await issued_brief(session, world)
    a = await registered_learner(session, world, n=1)
    b = await registered_learner(session, world, n=2)
    with pytest.raises(Forbidden):
        await submissions.create_submission(
            session, learner_p(a), schemas.SubmissionCreate(brief_id=brief.id, learner_id=b.id)
        )


async def test_rest_upload_and_hand_in(client, auth, session, world):
    brief = await issued_brief(session, world)
    learner = await registered_learner(session, world)
    await session.commit()
    h = auth("learner", subject=learner.idp_subject)
    r = await client.post("/v1/submissions", json={"brief_id": str(brief.id)}, headers=h)
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    r = await client.post(
        f"/v1/submissions/{sid}/evidence-files?filename=essay.txt",
        content=b"my essay",
        headers={**h, "Content-Type": "text/plain"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["sha256"] == hashlib.sha256(b"my essay").hexdigest()
    r = await client.post(
        f"/v1/submissions/{sid}/hand-in",
        json={
            "declaration_signed": True,
            "ai_used": False,
            "declaration_signed_on": str(service_clock.today()),
        },
        headers=h,
    )
    assert r.status_code == 200 and r.json()["late"] is True
    r = await client.post(
        f"/v1/submissions/{sid}/evidence-files?filename=more.txt",
        content=b"more",
        headers={**h, "Content-Type": "text/plain"},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "R-22"


def test_sigv4_matches_aws_reference():
    """The AWS documentation's GET Object example (s3 SigV4 'Example: GET Object')."""
    import datetime as dt_

    headers = sigv4_headers(
        "GET",
        "https://examplebucket.s3.amazonaws.com/test.txt",
        "us-east-1",
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        b"",
        {"range": "bytes=0-9"},
        now=dt_.datetime(2013, 5, 24, tzinfo=dt_.UTC),
    )
    assert headers["authorization"].endswith(
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    )
