"""R-96: the audit log is append-only, hash-chained per centre, and the database itself enforces it."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.audit.service import record, verify
from tests.conftest import CENTRE_A, CENTRE_B, system_actor


async def _append(session, centre=CENTRE_A, n=3):
    for i in range(n):
        await record(
            session,
            system_actor(centre),
            "thing.updated",
            "thing",
            uuid.uuid4(),
            before={"n": i},
            after={"n": i + 1, "name": "Zoë"},
        )


async def test_events_chain_per_centre_and_verify(session):
    await _append(session, CENTRE_A, 3)
    await _append(session, CENTRE_B, 2)
    rows = (
        await session.execute(
            text("SELECT centre_id, seq, prev_hash, hash FROM audit_events ORDER BY centre_id, seq")
        )
    ).all()
    a = [r for r in rows if r.centre_id == CENTRE_A]
    assert [r.seq for r in a] == [1, 2, 3]
    assert a[0].prev_hash == "0" * 64
    assert a[1].prev_hash == a[0].hash and a[2].prev_hash == a[1].hash
    report = await verify(session, CENTRE_A)
    assert report.ok and report.events == 3
    assert (await verify(session, CENTRE_B)).events == 2


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET action = 'forged'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
        "INSERT INTO audit_events (centre_id, seq, occurred_at, actor, actor_role, action, subject_type, subject_id,"
        " prev_hash, hash) VALUES (gen_random_uuid(), 1, now(), 'x', 'x', 'x', 'x', 'x', 'x', 'x')",
    ],
)
async def test_application_role_cannot_change_the_log(session, statement):
    await _append(session)
    await session.commit()  # releases the test's savepoint; the outer transaction still rolls back
    with pytest.raises(DBAPIError, match=r"permission denied|append-only"):
        async with session.begin_nested():
            await session.execute(text(statement))


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET action = 'forged'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
    ],
)
async def test_triggers_refuse_even_the_owner_in_replica_mode(owner_engine, statement):
    """Privileges stop the application role; ENABLE ALWAYS triggers stop everyone else, even with
    session_replication_role = replica (which silences ordinary triggers)."""
    async with owner_engine.connect() as conn:
        trans = await conn.begin()
        try:
            await record_as_owner(conn)
            await conn.execute(text("SET LOCAL session_replication_role = replica"))
            with pytest.raises(DBAPIError, match="append-only"):
                async with conn.begin_nested():
                    await conn.execute(text(statement))
        finally:
            await trans.rollback()


async def record_as_owner(conn):
    await conn.execute(
        text("SELECT audit_append(:c, 'owner', 'system', 'x.created', 'x', '1', NULL, '{}'::jsonb, NULL)"),
        {"c": CENTRE_A},
    )


async def test_tampering_as_owner_is_reported_at_the_first_broken_link(owner_engine):
    async with owner_engine.connect() as conn:
        trans = await conn.begin()
        try:
            for _ in range(4):
                await record_as_owner(conn)
            assert (await verify(conn, CENTRE_A)).ok
            # Only the owner can do this, and only by switching the guard off first.
            await conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete"))
            await conn.execute(
                text("UPDATE audit_events SET after = '{\"forged\": true}' WHERE centre_id = :c AND seq = 3"),
                {"c": CENTRE_A},
            )
            # The chain hashes the payload's digest; a payload that no longer matches it is caught.
            report = await verify(conn, CENTRE_A)
            assert not report.ok and report.first_broken_seq == 3 and report.reason == "payload_mismatch"
            await conn.execute(
                text("UPDATE audit_events SET action = 'forged' WHERE centre_id = :c AND seq = 2"),
                {"c": CENTRE_A},
            )
            report = await verify(conn, CENTRE_A)
            assert not report.ok and report.first_broken_seq == 2 and report.reason == "hash_mismatch"
            await conn.execute(
                text("DELETE FROM audit_events WHERE centre_id = :c AND seq = 1"), {"c": CENTRE_A}
            )
            report = await verify(conn, CENTRE_A)
            assert not report.ok and report.first_broken_seq == 2 and report.reason == "sequence_gap"
        finally:
            await trans.rollback()


async def test_hash_does_not_depend_on_the_session_time_zone(session):
    await _append(session, n=2)
    await session.execute(text("SET LOCAL TIME ZONE 'Pacific/Auckland'"))
    assert (await verify(session, CENTRE_A)).ok


async def test_r96_the_batch_append_links_the_chain_as_single_appends_would(session):
    """audit_append_many (the write path's and the bulk sync's writer, via record_changes) continues the
    chain that audit_append left, in the order given, and audit_append continues after it."""
    from app.events.write import send_changes

    await _append(session, CENTRE_A, 2)
    n = 5
    await send_changes(
        session,
        system_actor(CENTRE_A),
        ["thing.updated"] * n,
        ["thing"] * n,
        [f"t{i}" for i in range(n)],
        [None] * n,
        [f'{{"n": {i}, "name": "Zoë"}}' for i in range(n)],
        [uuid.uuid4() if i % 2 else None for i in range(n)],
        ["thing.updated" if i % 2 else None for i in range(n)],
        ['{"n": 1}' if i % 2 else None for i in range(n)],
    )
    await _append(session, CENTRE_A, 1)
    rows = (
        await session.execute(
            text(
                "SELECT seq, subject_id, prev_hash, hash FROM audit_events WHERE centre_id = :c ORDER BY seq"
            ),
            {"c": CENTRE_A},
        )
    ).all()
    assert [r.seq for r in rows] == list(range(1, 9))
    assert [r.subject_id for r in rows[2:7]] == [f"t{i}" for i in range(n)]
    assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:]))
    report = await verify(session, CENTRE_A)
    assert report.ok and report.events == 8
    outbox = await session.execute(text("SELECT count(*) FROM outbox WHERE centre_id = :c"), {"c": CENTRE_A})
    assert outbox.scalar_one() == 2  # only the changes that carry an event


async def test_r96_windows_of_the_chain_check_every_link_once_across_their_boundaries(owner_engine):
    """The API checks the chain a window at a time (issue 18: a whole 500,000-link chain per request
    was 0.17 of a small centre's rate). Each window's first link is held against the stored row before
    it, so a link cut at a window's edge is still found, in the window that holds it."""
    from app.audit.service import verify_window

    async with owner_engine.connect() as conn:
        trans = await conn.begin()
        try:
            for _ in range(6):
                await record_as_owner(conn)

            async def walk() -> list[tuple[int, int, bool, int | None, str | None]]:
                seen, cursor = [], None
                while True:
                    w = await verify_window(conn, CENTRE_A, 2, cursor)
                    seen.append((w.checked_from, w.checked_to, w.ok, w.first_broken_seq, w.reason))
                    assert w.events == 6
                    if w.next_cursor is None:
                        return seen
                    cursor = w.next_cursor

            assert await walk() == [
                (1, 2, True, None, None),
                (3, 4, True, None, None),
                (5, 6, True, None, None),
            ]
            await conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete"))
            # A forged hash on the last link of a window: that link fails in its window, and the next
            # window's first link, which names the true hash, fails against the stored one.
            await conn.execute(
                text("UPDATE audit_events SET hash = repeat('f', 64) WHERE centre_id = :c AND seq = 4"),
                {"c": CENTRE_A},
            )
            assert await walk() == [
                (1, 2, True, None, None),
                (3, 4, False, 4, "hash_mismatch"),
                (5, 6, False, 5, "prev_hash_mismatch"),
            ]
            whole = await verify(conn, CENTRE_A)
            assert (whole.first_broken_seq, whole.checked_to, whole.next_after) == (4, 6, None)
        finally:
            await trans.rollback()


async def test_r96_the_batch_append_links_awkward_text_as_single_appends_would(session):
    """audit_append_many renders each link from one template of the batch (alembic 0025): quotes,
    backslashes, control characters and other scripts in every text field, and no request id, still
    give the links that verify() recomputes by the one definition (audit_event_hash)."""
    from app.audit.service import Actor
    from app.events.write import send_changes

    odd = 'Zoë "q" \\ \t\n 日本 \u2028 "prev_hash": null'
    actor = Actor(f"actor {odd}", f"role {odd}", CENTRE_A)
    n = 4
    await send_changes(
        session,
        actor,
        [f"thing.{odd}"] * n,
        [f"type {odd}"] * n,
        [f"{odd} {i}" for i in range(n)],
        [None, '{"a": 1}', None, '{"k": "\\"q\\""}'],
        ['{"z": "\\u0001x"}', None, '{"b": [1, 2.50, "é"]}', "{}"],
        [None] * n,
        [None] * n,
        [None] * n,
    )
    await _append(session, CENTRE_A, 1)
    report = await verify(session, CENTRE_A)
    assert report.ok and report.events == n + 1


async def test_r96_a_setting_of_its_own_does_not_let_anyone_else_supply_digests(session):
    """The digest trigger keeps supplied digests only for audit_append_many's own insert (alembic
    0025): the application role setting the same flag and appending through audit_append still gets
    the digests the database computes, and the chain verifies."""
    await session.execute(
        text("SELECT set_config('verity.audit_digests', 'supplied:' || txid_current(), true)")
    )
    await _append(session, CENTRE_A, 2)
    rows = (
        await session.execute(
            text(
                "SELECT before_digest IS NOT DISTINCT FROM audit_payload_digest(before) AND "
                "after_digest IS NOT DISTINCT FROM audit_payload_digest(after) AND after_digest IS NOT NULL "
                "FROM audit_events WHERE centre_id = :c"
            ),
            {"c": CENTRE_A},
        )
    ).scalars()
    assert list(rows) == [True, True]
    assert (await verify(session, CENTRE_A)).ok


async def test_r96_the_skipped_digest_trigger_still_refuses_a_row_marked_erased(owner_engine):
    """Since alembic 0026 the digest trigger is skipped (its WHEN clause) for a supplied insert by the
    table's owner; a row inserted under the flag with `erased_at` set, or a payload without its digest,
    still goes through the function: erased_at cleared (a new row is never born erased), the missing
    digest computed by the database. (The owner's supplied digests are kept, as in 0025.)"""
    async with owner_engine.connect() as conn:
        trans = await conn.begin()
        try:
            await conn.execute(
                text("SELECT set_config('verity.audit_digests', 'supplied:' || txid_current(), true)")
            )
            for erased_at, after_digest in (("now()", "repeat('a', 64)"), ("NULL", "NULL")):
                await conn.execute(
                    text(
                        "INSERT INTO audit_events (centre_id, seq, occurred_at, actor, actor_role, action,"
                        " subject_type, subject_id, after, after_digest, erased_at, prev_hash, hash)"
                        " SELECT :c, coalesce(max(seq), 0) + 1, now(), 'a', 'r', 'x.y', 't', '1',"
                        f" '{{\"k\": 1}}', {after_digest}, {erased_at}, repeat('0', 64), repeat('0', 64)"
                        " FROM audit_events WHERE centre_id = :c"
                    ),
                    {"c": CENTRE_A},
                )
            rows = await conn.execute(
                text(
                    "SELECT erased_at IS NULL, after_digest IS NOT NULL FROM audit_events"
                    " WHERE centre_id = :c ORDER BY seq"
                ),
                {"c": CENTRE_A},
            )
            assert [tuple(r) for r in rows] == [(True, True), (True, True)]
        finally:
            await trans.rollback()
