"""R-97: the real run deletes every kind with all its rows (submissions, IV samples and plans with the
records they belong to) and the copies of their payloads in the outbox and webhook deliveries; what is
held stays, copies included. Dates from the injectable clock."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.audit.service import verify
from app.core.ids import uuid7
from app.records import people, retention
from app.records.schemas import LegalHoldIn, RecordKind
from tests.programmes.fixtures import principal
from tests.records.test_retention import CERTIFIED, _appeals_closed, _at, _of
from tests.records.test_retention_purge import _count, _payloads

DUE = retention.Period(years=3).after(CERTIFIED)  # assessment records: 3 years after certification
WORK_DUE = retention.Period(weeks=12).after(CERTIFIED)  # learner work: 12 weeks after certificates
QN = principal("qn")


async def _iv_plan(session, programme) -> object:
    """The programme's IV plan (the object world puts one), with a sign-off of it."""
    plan = (
        await session.execute(text("SELECT id FROM iv_plans WHERE programme_id = :p"), {"p": programme})
    ).scalar_one()
    await session.execute(
        text(
            "INSERT INTO iv_plan_sign_offs (id, centre_id, iv_plan_id, plan_version, signed_on, liv_staff_id, "
            "signed_by) SELECT :id, p.centre_id, p.id, 99, '2025-09-01', "
            "(SELECT s.id FROM staff s WHERE s.centre_id = p.centre_id LIMIT 1), 'test' "
            "FROM iv_plans p WHERE p.id = :p"
        ),
        {"id": uuid7(), "p": plan},
    )
    return plan


async def _delivered_copies(session, o) -> list:
    """Two webhook endpoints and, for each of the learner's submission and decision, a message as the
    fan-out writes it (its body names the subject) delivered to one and pending for the other."""
    centre = (
        await session.execute(text("SELECT centre_id FROM programmes WHERE id = :p"), {"p": o.programme})
    ).scalar_one()
    endpoints = {"succeeded": uuid7(), "pending": uuid7()}
    for endpoint in endpoints.values():
        await session.execute(
            text(
                "INSERT INTO webhook_endpoints (id, centre_id, url, description, event_types, enabled, "
                "secret, version) VALUES (:id, :c, 'https://mis.example/hook', 'MIS', '{}', true, 'x', 1)"
            ),
            {"id": endpoint, "c": centre},
        )
    messages = []
    for subject in (o.submission, o.decision):
        message = uuid7()
        body = json.dumps({"type": "assessment.test", "data": {"id": str(subject), "feedback": "Good"}})
        await session.execute(
            text(
                "INSERT INTO webhook_messages (id, centre_id, event_type, occurred_at, body) "
                "VALUES (:id, :c, 'assessment.test', now(), :b)"
            ),
            {"id": message, "c": centre, "b": body.encode()},
        )
        for status, endpoint in endpoints.items():
            await session.execute(
                text(
                    "INSERT INTO webhook_deliveries (id, centre_id, endpoint_id, message_id, event_type, "
                    "status, attempt_count, retry_count, window_started_at) "
                    "VALUES (:id, :c, :e, :m, 'assessment.test', :s, 1, 0, now())"
                ),
                {"id": uuid7(), "c": centre, "e": endpoint, "m": message, "s": status},
            )
        messages.append(message)
    return messages


async def _outbox_naming(session, subject) -> int:
    return await _count(session, "outbox", "strpos(payload::text, :s) > 0", s=str(subject))


async def test_r97_learner_work_goes_and_its_submission_stays_while_a_decision_refers_to_it(
    session, world, certified, clock
):
    mine, other, _ = world
    await _appeals_closed(session, mine, other)
    clock.set(_at(WORK_DUE))
    verdicts = await retention.assess(session)
    assert _of(verdicts, RecordKind.learner_work, mine.evidence_file).goes
    assert not _of(verdicts, RecordKind.assessment_records, mine.decision).goes
    await retention.purge(session, verdicts)
    assert await _count(session, "evidence_items", "submission_id = :s", s=mine.submission) == 0
    # The decision (kept 3 years) refers to the submission: the row stays with it.
    assert await _count(session, "submissions", "id = :s", s=mine.submission) == 1

    clock.set(_at(DUE))
    purges = await retention.purge(session, await retention.assess(session))
    assert await _count(session, "submissions", "id = :s", s=mine.submission) == 0
    rows = await _payloads(session, "submission", mine.submission)
    assert rows and all(b is None and a is None for b, a in rows)
    assert await _count(session, "submissions", "id = :s", s=other.submission) == 1
    assert (await verify(session, purges[0].centre_id)).ok


async def test_r97_the_real_run_deletes_submissions_iv_samples_and_plans_and_the_copies(
    session, world, certified, clock
):
    mine, other, _ = world
    await _appeals_closed(session, mine, other)
    plan, other_plan = await _iv_plan(session, mine.programme), await _iv_plan(session, other.programme)
    messages = await _delivered_copies(session, mine)
    await _delivered_copies(session, other)
    assert await _outbox_naming(session, mine.submission) >= 1
    assert await _outbox_naming(session, mine.decision) >= 1
    clock.set(_at(DUE))
    verdicts = await retention.assess(session)
    assert _of(verdicts, RecordKind.learner_work, mine.evidence_file).goes
    assert _of(verdicts, RecordKind.assessment_records, mine.decision).goes

    purges = await retention.purge(session, verdicts)
    # Every row: the work, the submission, the decision, its IV sample and the programme's IV plan.
    for table, where, value in (
        ("evidence_items", "submission_id = :v", mine.submission),
        ("submissions", "id = :v", mine.submission),
        ("assessment_decisions", "id = :v", mine.decision),
        ("iv_sample_items", "sample_id = :v", mine.sample),
        ("iv_samples", "id = :v", mine.sample),
        ("iv_plans", "id = :v", plan),
        ("iv_plan_sign_offs", "iv_plan_id = :v", plan),
        ("iv_schedule_entries", "iv_plan_id = :v", plan),
    ):
        assert await _count(session, table, where, v=value) == 0, table
    # The other learner's are not due: all of theirs stays.
    for table, where, value in (
        ("submissions", "id = :v", other.submission),
        ("iv_samples", "id = :v", other.sample),
        ("iv_plans", "id = :v", other_plan),
    ):
        assert await _count(session, table, where, v=value) == 1, table
    # The erased payloads cannot be read back.
    for subject_type, subject_id in (
        ("submission", mine.submission),
        ("iv_sample", mine.sample),
        ("iv_plan", plan),
        ("evidence_item", mine.evidence_file),
        ("assessment_decision", mine.decision),
    ):
        rows = await _payloads(session, subject_type, subject_id)
        assert rows, subject_type
        assert all(b is None and a is None for b, a in rows), subject_type
    # The copies are gone: outbox events and webhook messages naming them, delivered or pending.
    assert await _outbox_naming(session, mine.submission) == 0
    assert await _outbox_naming(session, mine.decision) == 0
    assert await _outbox_naming(session, other.submission) >= 1
    for m in messages:
        assert await _count(session, "webhook_messages", "id = :m", m=m) == 0
        assert await _count(session, "webhook_deliveries", "message_id = :m", m=m) == 0
    assert (
        await _count(
            session, "webhook_messages", "strpos(convert_from(body, 'UTF8'), :s) > 0", s=str(other.decision)
        )
        == 1
    )
    # The chain verifies; one purge event per kind, counts only.
    centre = purges[0].centre_id
    assert (await verify(session, centre)).ok
    events = (
        (
            await session.execute(
                text("SELECT after FROM audit_events WHERE action = 'records.purged' AND centre_id = :c"),
                {"c": centre},
            )
        )
        .scalars()
        .all()
    )
    kinds = sorted(e["kind"] for e in events)
    assert kinds.count("assessment_records") == 1 and kinds.count("learner_work") == 1
    assert all(set(e) == {"kind", "rows", "files", "audit_events_erased"} for e in events)


async def test_r97_a_legal_hold_keeps_the_submission_sample_plan_and_copies(session, world, certified, clock):
    mine, other, _ = world
    await _appeals_closed(session, mine, other)
    plan = await _iv_plan(session, mine.programme)
    messages = await _delivered_copies(session, mine)
    await people.set_legal_hold(session, QN, LegalHoldIn(learner_id=mine.learner, reason="Claim"))
    clock.set(_at(DUE))
    await retention.purge(session, await retention.assess(session))
    assert await _count(session, "evidence_items", "id = :v", v=mine.evidence_file) == 1
    assert await _count(session, "submissions", "id = :v", v=mine.submission) == 1
    assert await _count(session, "iv_samples", "id = :v", v=mine.sample) == 1
    assert await _count(session, "iv_plans", "id = :v", v=plan) == 1
    assert await _outbox_naming(session, mine.submission) >= 1
    for m in messages:
        assert await _count(session, "webhook_deliveries", "message_id = :m", m=m) == 2
    assert all(
        b is not None or a is not None for b, a in await _payloads(session, "submission", mine.submission)
    )


async def test_r97_an_open_appeal_keeps_the_submission_and_its_work(session, world, certified, clock):
    mine, _, _ = world  # the object world's appeal on the decision is open
    clock.set(_at(DUE))
    await retention.purge(session, await retention.assess(session))
    assert await _count(session, "evidence_items", "id = :v", v=mine.evidence_file) == 1
    assert await _count(session, "submissions", "id = :v", v=mine.submission) == 1
    assert await _count(session, "iv_samples", "id = :v", v=mine.sample) == 1


async def test_r97_a_handed_in_submission_is_deleted_only_by_the_purge_function(session, world):
    """R-22's freeze still refuses a DELETE, even with the setting on, outside the function."""
    mine, _, _ = world
    with pytest.raises(DBAPIError):
        async with session.begin_nested():
            await session.execute(text("SELECT set_config('verity.retention_purge', 'on', true)"))
            await session.execute(text("DELETE FROM submissions WHERE id = :s"), {"s": mine.submission})
    assert await _count(session, "submissions", "id = :s", s=mine.submission) == 1


# FKs into a purged table from a table the function does not delete from, each with why it is safe.
# Empty today: every referring table is deleted from (children first) or cascades.
_KEPT_REFERRERS: dict[tuple[str, str], str] = {}


async def test_r97_every_foreign_key_into_a_purged_table_is_handled(session):
    """Walks pg_constraint: a table with a foreign key into a table `retention_purge` deletes from must
    itself be deleted from by the function, or cascade / set null, or be listed above with its reason.
    A new table referring to a purged one fails here until the purge handles it."""
    source = (
        await session.execute(text("SELECT prosrc FROM pg_proc WHERE proname = 'retention_purge'"))
    ).scalar_one()
    purged = set(re.findall(r"DELETE FROM (\w+)", source))
    assert {"submissions", "iv_samples", "iv_plans", "webhook_deliveries", "outbox"} <= purged
    fks = (
        await session.execute(
            text(
                "SELECT conrelid::regclass::text, confrelid::regclass::text, confdeltype::text, conname "
                "FROM pg_constraint WHERE contype = 'f'"
            )
        )
    ).all()
    unhandled = [
        f"{child}.{name} -> {parent}"
        for child, parent, on_delete, name in fks
        if parent in purged
        and child not in purged
        and on_delete not in ("c", "n", "d")
        and (child, parent) not in _KEPT_REFERRERS
    ]
    assert unhandled == []


@pytest.fixture
async def owner(owner_engine):
    """A session as the database owner, rolled back at the end."""
    from sqlalchemy.ext.asyncio import AsyncSession

    async with owner_engine.connect() as conn:
        trans = await conn.begin()
        try:
            yield AsyncSession(bind=conn, expire_on_commit=False)
        finally:
            await trans.rollback()


async def test_r97_r22_the_owner_cannot_delete_a_handed_in_submission_outside_the_purge(owner, test_settings):
    """The freeze's sanctioned path needs the purge's setting: without it even the owner is refused."""
    from app.assessment.storage import evidence_store
    from app.centres import service
    from app.centres.schemas import CentreCreate, Nation
    from tests.api.object_world import two_programmes
    from tests.conftest import CENTRE_A, CENTRE_B, system_actor
    from tests.programmes.fixtures import make_world

    for centre_id, number in ((CENTRE_A, "11111"), (CENTRE_B, "22222")):
        create = CentreCreate(centre_number=number, name=f"Centre {number}", nation=Nation.england_wales)
        await service.create_centre(owner, system_actor(centre_id), create)
    store = evidence_store(test_settings)
    mine, _ = await two_programmes(owner, await make_world(owner), store, test_settings)
    with pytest.raises(DBAPIError, match="handed in"):
        async with owner.begin_nested():
            await owner.execute(text("DELETE FROM submissions WHERE id = :s"), {"s": mine.submission})
    assert await _count(owner, "submissions", "id = :s", s=mine.submission) == 1


async def test_r97_an_iv_sample_a_kept_sample_supersedes_is_kept(session, world, certified, clock):
    """A re-draw that still stands (here one the purge did not empty) keeps the sample it supersedes,
    so the chain of draws stays whole; the decisions' items go all the same."""
    mine, other, _ = world
    await _appeals_closed(session, mine, other)
    redraw = uuid7()
    await session.execute(
        text(
            "INSERT INTO iv_samples (id, centre_id, programme_id, brief_id, seed, inputs_digest, policy, "
            "population, drawn_by, created_at, number, kind, reason, supersedes_id) "
            "SELECT :id, centre_id, programme_id, brief_id, seed + 1, inputs_digest, policy, population, "
            "drawn_by, created_at, (SELECT max(number) + 1 FROM iv_samples m WHERE m.brief_id = s.brief_id), "
            "'redraw', 'Verifier changed', s.id FROM iv_samples s WHERE s.id = :s"
        ),
        {"id": redraw, "s": mine.sample},
    )
    clock.set(_at(DUE))
    await retention.purge(session, await retention.assess(session))
    assert await _count(session, "assessment_decisions", "id = :d", d=mine.decision) == 0
    assert await _count(session, "iv_sample_items", "sample_id = :s", s=mine.sample) == 0
    assert await _count(session, "iv_samples", "id = ANY (CAST(:s AS uuid[]))", s=[mine.sample, redraw]) == 2
