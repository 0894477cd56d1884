"""R-96: signed checkpoints anchor each centre's chain; the owner's two attacks on it are caught."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Actor, record, verify
from app.records import checkpoints, signing
from app.records.service import verify_centres

REHASH_FROM = text("""
DO $$ DECLARE r record; v_prev text;
BEGIN
  SELECT hash INTO v_prev FROM audit_events WHERE centre_id = '{c}' AND seq = {s} - 1;
  FOR r IN SELECT * FROM audit_events WHERE centre_id = '{c}' AND seq >= {s} ORDER BY seq LOOP
    UPDATE audit_events SET prev_hash = v_prev, before_digest = audit_payload_digest(r.before),
      after_digest = audit_payload_digest(r.after),
      hash = audit_event_hash(r.centre_id, r.seq, r.occurred_at, r.actor, r.actor_role, r.action,
        r.subject_type, r.subject_id, r.before, r.after, r.request_id, v_prev)
      WHERE id = r.id RETURNING hash INTO v_prev;
  END LOOP;
END $$""")


@pytest.fixture
async def owner(owner_engine):
    """A session as the database owner, rolled back at the end."""
    async with owner_engine.connect() as conn:
        trans = await conn.begin()
        try:
            yield AsyncSession(bind=conn, expire_on_commit=False)
        finally:
            await trans.rollback()


async def _events(session, centre, n):
    actor = Actor(subject="tester", audit_role="system", centre_id=centre)
    for i in range(n):
        await record(session, actor, "thing.updated", "thing", uuid.uuid4(), after={"n": i, "name": "Zoë"})


async def _anchored_chain(owner, test_settings, tmp_path):
    """A chain of 3 events, checkpointed (seq 3), 3 more, checkpointed again (seq 7), published."""
    signer = signing.load_signer(test_settings)
    centre = uuid.uuid4()
    await _events(owner, centre, 3)
    first = await checkpoints.checkpoint(owner, signer, centre)
    await _events(owner, centre, 3)
    second = await checkpoints.checkpoint(owner, signer, centre)
    assert first and second and (first.seq, second.seq) == (3, 7)
    for cp in (first, second):
        checkpoints.publish_file(tmp_path, cp)
    return centre, first, second


async def _verdict(owner, test_settings, tmp_path, centre):
    settings = test_settings.model_copy(update={"audit_checkpoint_dir": tmp_path})
    [verdict] = await verify_centres(owner, settings, centre)
    return verdict


async def test_r96_an_untouched_chain_matches_its_checkpoints(owner, test_settings, tmp_path):
    centre, _, _ = await _anchored_chain(owner, test_settings, tmp_path)
    verdict = await _verdict(owner, test_settings, tmp_path, centre)
    assert verdict.ok and verdict.anchors.checked == 2
    # The second checkpoint's own audit row is the head: nothing new to checkpoint.
    assert await checkpoints.checkpoint(owner, signing.load_signer(test_settings), centre) is None


async def test_r96_a_chain_rewritten_consistently_by_the_owner_is_caught(owner, test_settings, tmp_path):
    centre, first, _ = await _anchored_chain(owner, test_settings, tmp_path)
    await owner.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete"))
    await owner.execute(
        text(
            'UPDATE audit_events SET after = \'{"n": 1, "name": "Forged"}\' WHERE centre_id = :c AND seq = 2'
        ),
        {"c": centre},
    )
    await owner.execute(text(REHASH_FROM.text.format(c=centre, s=2)))
    assert (await verify(owner, centre)).ok, "the chain alone cannot see a consistent rewrite"
    verdict = await _verdict(owner, test_settings, tmp_path, centre)
    assert not verdict.ok
    assert verdict.anchors.first_failed_seq == first.seq and verdict.anchors.reason == "rewritten"


async def test_r96_a_truncated_tail_is_caught_even_with_the_stored_checkpoints_gone(
    owner, test_settings, tmp_path
):
    centre, _first, second = await _anchored_chain(owner, test_settings, tmp_path)
    await owner.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete"))
    await owner.execute(text("DELETE FROM audit_events WHERE centre_id = :c AND seq > 4"), {"c": centre})
    await owner.execute(text("DELETE FROM audit_checkpoints WHERE centre_id = :c AND seq > 4"), {"c": centre})
    assert (await verify(owner, centre)).ok, "the chain alone cannot see a cut tail"
    verdict = await _verdict(owner, test_settings, tmp_path, centre)
    assert not verdict.ok and verdict.chain.ok
    assert verdict.anchors.first_failed_seq == second.seq and verdict.anchors.reason == "truncated"


async def test_r96_a_forged_checkpoint_is_refused(owner, test_settings, tmp_path):
    centre, first, _ = await _anchored_chain(owner, test_settings, tmp_path)
    forged = first.model_copy(update={"seq": 2})
    (tmp_path / str(centre) / "forged.json").write_text(forged.model_dump_json())
    verdict = await _verdict(owner, test_settings, tmp_path, centre)
    assert not verdict.ok and (verdict.anchors.first_failed_seq, verdict.anchors.reason) == (
        2,
        "bad_signature",
    )


async def test_r96_checkpoint_is_published_as_a_webhook_event(owner, test_settings, tmp_path):
    centre, first, _second = await _anchored_chain(owner, test_settings, tmp_path)
    payloads = (
        (
            await owner.execute(
                text(
                    "SELECT payload FROM outbox WHERE centre_id = :c AND event_type = 'audit.checkpointed' "
                    "ORDER BY (payload->>'seq')::bigint"
                ),
                {"c": centre},
            )
        )
        .scalars()
        .all()
    )
    assert [p["seq"] for p in payloads] == [3, 7]
    assert payloads[0]["signature"] == first.signature
