"""R-22 (the declaration of AI use with copies of the interactions; paper hand-ins recorded by staff with
the date received and a reason, all frozen after submission) and R-23 (lateness on the centre's date)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.assessment import schemas, submissions
from app.assessment.storage import LocalEvidenceStore
from app.core.errors import Forbidden, RuleViolation
from tests.assessment.fixtures import ASSESSOR, as_staff, issued_brief, registered_learner
from tests.assessment.test_submissions import learner_p, open_submission

TRANSCRIPT = b"Me: outline a marketing plan\nAI: 1. Objectives ..."


def hand_in(**fields) -> schemas.HandIn:
    values = {"declaration_signed": True, "declaration_signed_on": dt.date(2026, 6, 10), "ai_used": False}
    return schemas.HandIn(**{**values, **fields})


@pytest.fixture
def june(clock):
    clock.set(dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC))
    return clock


async def _open(session, world):
    brief = await issued_brief(session, world, start=dt.date(2026, 5, 1), completion=dt.date(2026, 6, 10))
    learner = await registered_learner(session, world)
    return learner, await open_submission(session, world, brief, learner)


async def _add_transcript(session, learner, s, test_settings, tmp_path):
    return await submissions.add_evidence_file(
        session,
        learner_p(learner),
        test_settings,
        LocalEvidenceStore(tmp_path),
        s.id,
        "chat.txt",
        "text/plain",
        TRANSCRIPT,
        kind=schemas.FileEvidenceKind.ai_interaction,
    )


async def test_r22_ai_use_needs_tools_how_and_a_copy_of_the_interactions(session, world, june):
    learner, s = await _open(session, world)
    with pytest.raises(RuleViolation) as exc:
        await submissions.hand_in(session, learner_p(learner), s.id, hand_in(ai_used=True))
    assert {(e.field, e.code) for e in exc.value.errors} == {
        ("body.ai_tools", "R-22"),
        ("body.ai_use", "R-22"),
        ("evidence", "R-22"),
    }


async def test_r22_ai_use_is_recorded_with_its_interactions(session, world, june, test_settings, tmp_path):
    learner, s = await _open(session, world)
    item = await _add_transcript(session, learner, s, test_settings, tmp_path)
    assert item.kind == "ai_interaction" and item.sha256 is not None
    done = await submissions.hand_in(
        session,
        learner_p(learner),
        s.id,
        hand_in(ai_used=True, ai_tools="ChatGPT", ai_use="To plan the report's structure; all text is mine."),
    )
    out = submissions.out(done)
    assert (out.ai_used, out.ai_tools) == (True, "ChatGPT") and out.paper_received_on is None
    await session.commit()
    # Frozen with the rest: neither the account of AI use nor its copies change afterwards.
    for statement in (
        f"UPDATE submissions SET ai_used = false, ai_tools = NULL, ai_use = NULL WHERE id = '{s.id}'",
        f"DELETE FROM evidence_items WHERE id = '{item.id}'",
    ):
        with pytest.raises(DBAPIError, match=r"R-22|permission denied"):
            async with session.begin_nested():
                await session.execute(text(statement))


async def test_r22_no_ai_declared_with_ai_interactions_in_the_evidence_is_refused(
    session, world, june, test_settings, tmp_path
):
    learner, s = await _open(session, world)
    await _add_transcript(session, learner, s, test_settings, tmp_path)
    with pytest.raises(RuleViolation) as exc:
        await submissions.hand_in(session, learner_p(learner), s.id, hand_in(ai_tools="ChatGPT"))
    assert {(e.field, e.code) for e in exc.value.errors} == {
        ("body.ai_used", "R-22"),
        ("body.ai_tools", "ai_not_used"),
    }


async def test_r22_the_database_refuses_a_hand_in_declaring_ai_without_interactions(session, world, june):
    _learner, s = await _open(session, world)
    await session.commit()
    with pytest.raises(DBAPIError, match="R-22"):
        async with session.begin_nested():
            await session.execute(
                text(
                    "UPDATE submissions SET status = 'submitted', submitted_at = now(), late = false, "
                    "declaration_signed_on = current_date, ai_used = true, ai_tools = 'x', ai_use = 'y' "
                    f"WHERE id = '{s.id}'"
                )
            )
    with pytest.raises(DBAPIError, match="R-22"):  # saying nothing about AI is refused too
        async with session.begin_nested():
            await session.execute(
                text(
                    "UPDATE submissions SET status = 'submitted', submitted_at = now(), late = false, "
                    f"declaration_signed_on = current_date WHERE id = '{s.id}'"
                )
            )


async def test_r22_paper_hand_in_is_recorded_by_staff_with_date_and_reason(session, world, june):
    learner, s = await _open(session, world)
    paper = hand_in(paper_received_on=dt.date(2026, 6, 9), paper_reason="No computer access at home")
    with pytest.raises(Forbidden) as exc:
        await submissions.hand_in(session, learner_p(learner), s.id, paper)
    assert exc.value.errors[0].field == "body.paper_received_on"
    done = await submissions.hand_in(session, as_staff(*ASSESSOR), s.id, paper)
    out = submissions.out(done)
    assert out.paper_received_on == dt.date(2026, 6, 9) and out.paper_reason == "No computer access at home"
    assert out.paper_recorded_by == out.handed_in_by == "staff-assessor"
    assert out.late is False


async def test_r22_paper_hand_in_needs_a_reason_and_a_date_not_in_the_future(session, world, june):
    _learner, s = await _open(session, world)
    with pytest.raises(RuleViolation) as exc:
        await submissions.hand_in(
            session, as_staff(*ASSESSOR), s.id, hand_in(paper_received_on=dt.date(2026, 6, 11))
        )
    assert {(e.field, e.code) for e in exc.value.errors} == {
        ("body.paper_reason", "required"),
        ("body.paper_received_on", "date_in_future"),
    }
    with pytest.raises(RuleViolation) as exc:
        await submissions.hand_in(session, as_staff(*ASSESSOR), s.id, hand_in(paper_reason="On paper"))
    assert [(e.field, e.code) for e in exc.value.errors] == [("body.paper_received_on", "required")]


async def test_r23_paper_received_after_the_deadline_is_late_whenever_it_is_recorded(session, world, clock):
    _learner, s = await _open(session, world)
    clock.set(dt.datetime(2026, 6, 15, 9, 0, tzinfo=dt.UTC))
    done = await submissions.hand_in(
        session,
        as_staff(*ASSESSOR),
        s.id,
        hand_in(
            declaration_signed_on=dt.date(2026, 6, 11),
            paper_received_on=dt.date(2026, 6, 11),
            paper_reason="Handed to reception",
        ),
    )
    assert done.late is True


@pytest.mark.parametrize(
    ("utc", "late"),
    [
        (dt.datetime(2026, 6, 10, 22, 59, tzinfo=dt.UTC), False),  # 23:59 in London (BST)
        (dt.datetime(2026, 6, 10, 23, 30, tzinfo=dt.UTC), True),  # 00:30 on the 11th in London
        (dt.datetime(2026, 12, 10, 23, 30, tzinfo=dt.UTC), False),  # GMT: still the 10th in London
    ],
)
async def test_r23_online_lateness_is_judged_on_the_london_date_of_receipt(session, world, clock, utc, late):
    brief = await issued_brief(
        session, world, start=dt.date(2026, 5, 1), completion=dt.date(utc.year, utc.month, 10)
    )
    learner = await registered_learner(session, world)
    s = await open_submission(session, world, brief, learner)
    clock.set(utc)
    london_today = utc.astimezone(dt.timezone(dt.timedelta(hours=1 if utc.month == 6 else 0))).date()
    done = await submissions.hand_in(
        session, learner_p(learner), s.id, hand_in(declaration_signed_on=london_today)
    )
    assert done.late is late


# ---- downloading evidence (R-22 evidence as handed in; R-96 every download audited) -------------------


async def test_r22_evidence_downloads_stream_the_file_to_those_who_see_the_submission_and_are_audited(
    client, auth, session, world
):
    from sqlalchemy import func, select

    from app.audit.models import AuditEvent
    from app.events.models import OutboxEvent

    brief = await issued_brief(session, world)
    learner = await registered_learner(session, world, n=1)
    other = await registered_learner(session, world, n=2)
    await session.commit()
    h = auth("learner", subject=learner.idp_subject)
    sid = (await client.post("/v1/submissions", json={"brief_id": str(brief.id)}, headers=h)).json()["id"]
    name = "Ünïcode “report” ☃.txt"
    r = await client.post(
        f"/v1/submissions/{sid}/evidence-files",
        params={"filename": name, "kind": "ai_interaction"},
        content=TRANSCRIPT,
        headers={**h, "Content-Type": "text/plain"},
    )
    assert r.status_code == 201, r.text
    item = r.json()
    assert item["kind"] == "ai_interaction"
    url = f"/v1/submissions/{sid}/evidence/{item['id']}/content"
    outbox_before = await session.scalar(select(func.count()).select_from(OutboxEvent))

    for headers in (h, auth("assessor", subject="staff-assessor"), auth("iv", subject="staff-iv")):
        r = await client.get(url, headers=headers)
        assert r.status_code == 200, r.text
        assert r.content == TRANSCRIPT
        assert r.headers["content-type"] == "text/plain; charset=utf-8"
        assert r.headers["content-disposition"] == (
            'attachment; filename="_n_code _report_ _.txt"; '
            "filename*=UTF-8''%C3%9Cn%C3%AFcode%20%E2%80%9Creport%E2%80%9D%20%E2%98%83.txt"
        )
        assert r.headers["x-content-type-options"] == "nosniff"
    # Another learner, or staff not on the programme, find nothing.
    for headers in (auth("learner", subject=other.idp_subject), auth("assessor", subject="staff-nobody")):
        assert (await client.get(url, headers=headers)).status_code == 404
    missing = f"/v1/submissions/{sid}/evidence/{uuid.uuid4()}/content"
    assert (await client.get(missing, headers=h)).status_code == 404

    rows = (
        await session.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject_id == item["id"], AuditEvent.action == "evidence.downloaded")
            .order_by(AuditEvent.seq)
        )
    ).all()
    assert [row.actor for row in rows] == [learner.idp_subject, "staff-assessor", "staff-iv"]
    assert rows[0].after["sha256"] == item["sha256"] and rows[0].after["submission_id"] == sid
    # Audit only: a download is no webhook.
    assert await session.scalar(select(func.count()).select_from(OutboxEvent)) == outbox_before
