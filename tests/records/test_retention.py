"""R-97: retention as data, every rule driven by the injectable clock."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from app.audit.service import verify
from app.records import retention
from app.records.schemas import RecordKind
from tests.api.object_world import two_programmes
from tests.programmes.fixtures import make_world

CERTIFIED = dt.date(2026, 1, 5)


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


@pytest.fixture
async def world(session, centres, app):
    from app.assessment.storage import evidence_store

    store = app.state.__dict__.setdefault("evidence_store", evidence_store(app.state.settings))
    mine, other = await two_programmes(session, await make_world(session), store, app.state.settings)
    return mine, other, store


@pytest.fixture
def certified(world):
    """What certification registers at merge: here the world's learner had certificates issued (and was
    certified) on CERTIFIED; the other learner not yet."""
    mine, _, _ = world

    async def on(session, record):
        return CERTIFIED if record.learner_id == mine.learner else None

    saved = dict(retention.REGISTRY.clocks)
    retention.register_clock("certificates_issued", on)
    retention.register_clock("certification", on)
    yield
    retention.REGISTRY.clocks.clear()
    retention.REGISTRY.clocks.update(saved)


async def _appeals_closed(session, *objects):
    """The object world lodges an open appeal for each programme's learner (R-62 keeps their work):
    close them, as a withdrawal would, where a test is about the other clocks and holds."""
    from app.appeals.models import Appeal
    from app.appeals.schemas import AppealStatus

    for o in objects:
        appeal = await session.get_one(Appeal, o.appeal)
        appeal.status = AppealStatus.withdrawn
        appeal.closed_on = dt.date(2025, 12, 20)
    await session.flush()


def _of(verdicts, kind, record_id):
    [v] = [v for v in verdicts if v.rule.kind == kind and v.record.id == record_id]
    return v


def test_r97_the_rules_are_data():
    by_kind = {r.kind: r for r in retention.RULES}
    assert by_kind[RecordKind.learner_work].period.after(CERTIFIED) == CERTIFIED + dt.timedelta(weeks=12)
    assert by_kind[RecordKind.assessment_records].period.after(dt.date(2024, 2, 29)) == dt.date(2027, 2, 28)
    assert by_kind[RecordKind.appeal_records].period.after(dt.date(2026, 1, 31)) == dt.date(2027, 7, 31)
    assert "open_appeal" in by_kind[RecordKind.learner_work].holds
    assert set(by_kind) == set(RecordKind)


async def test_r97_learner_work_goes_12_weeks_after_certificates_and_not_before(
    session, world, certified, clock
):
    mine, other, _ = world
    await _appeals_closed(session, mine, other)
    clock.set(_at(CERTIFIED + dt.timedelta(weeks=12, days=-1)))
    v = _of(await retention.assess(session), RecordKind.learner_work, mine.evidence_file)
    assert not v.goes and "kept until" in v.why
    clock.set(_at(CERTIFIED + dt.timedelta(weeks=12)))
    verdicts = await retention.assess(session)
    assert _of(verdicts, RecordKind.learner_work, mine.evidence_file).goes
    other_v = _of(verdicts, RecordKind.learner_work, other.evidence_file)
    assert not other_v.goes and "has not started" in other_v.why


async def test_r97_an_open_appeal_or_a_legal_hold_stops_the_clock(
    session, world, certified, clock, client, auth
):
    mine, _, _ = world
    clock.set(_at(CERTIFIED + dt.timedelta(weeks=20)))

    # the learner's open appeal (app/appeals/holds.units_on_hold) keeps their work.
    v = _of(await retention.assess(session), RecordKind.learner_work, mine.evidence_file)
    assert not v.goes and v.why == f"held: open appeal {mine.appeal}"
    await _appeals_closed(session, mine)
    assert _of(await retention.assess(session), RecordKind.learner_work, mine.evidence_file).goes
    r = await client.post(
        "/v1/legal-holds", json={"learner_id": str(mine.learner), "reason": "Claim"}, headers=auth("qn")
    )
    assert r.status_code == 201
    v = _of(await retention.assess(session), RecordKind.learner_work, mine.evidence_file)
    assert not v.goes and v.why == "held: legal hold: Claim"
    await client.post(f"/v1/legal-holds/{r.json()['id']}/release", headers=auth("qn"))
    assert _of(await retention.assess(session), RecordKind.learner_work, mine.evidence_file).goes


async def test_r97_the_purge_deletes_rows_and_files_erases_payloads_and_records_counts(
    session, world, certified, clock
):
    mine, other, store = world
    await _appeals_closed(session, mine, other)
    key = (
        await session.execute(
            text("SELECT storage_key FROM evidence_items WHERE id = :i"), {"i": mine.evidence_file}
        )
    ).scalar_one()
    assert await store.get(key)
    clock.set(_at(CERTIFIED + dt.timedelta(weeks=12)))
    purges = await retention.purge(session, await retention.assess(session))
    [p] = [p for p in purges if p.counts.kind == RecordKind.learner_work]
    assert p.counts.rows >= 1 and p.counts.audit_events_erased >= 1
    await retention.delete_files(store, purges)
    gone = (
        await session.execute(
            text("SELECT count(*) FROM evidence_items WHERE id = :i"), {"i": mine.evidence_file}
        )
    ).scalar_one()
    assert gone == 0
    assert (
        await session.execute(
            text("SELECT count(*) FROM evidence_items WHERE id = :i"), {"i": other.evidence_file}
        )
    ).scalar_one() == 1
    other_key = (
        await session.execute(
            text("SELECT storage_key FROM evidence_items WHERE id = :i"), {"i": other.evidence_file}
        )
    ).scalar_one()
    if other_key == key:  # content-addressed: the other learner's identical file keeps the bytes
        assert p.counts.files == 0 and await store.get(key)
        await session.execute(
            text("SELECT retention_purge('learner_work', :c, ARRAY[CAST(:i AS uuid)])"),
            {"c": p.centre_id, "i": other.evidence_file},
        )
        await retention.delete_files(store, [retention.Purge(p.centre_id, p.counts, (key,))])
    with pytest.raises(FileNotFoundError):
        await store.get(key)
    rows = (
        await session.execute(
            text(
                "SELECT before, after, erased_at FROM audit_events WHERE subject_type = 'evidence_item' "
                "AND subject_id = :s"
            ),
            {"s": str(mine.evidence_file)},
        )
    ).all()
    assert rows and all(r.before is None and r.after is None and r.erased_at for r in rows)
    [event] = (
        (
            await session.execute(
                text("SELECT after FROM audit_events WHERE action = 'records.purged' AND centre_id = :c"),
                {"c": p.centre_id},
            )
        )
        .scalars()
        .all()
    )
    assert event == {
        "kind": "learner_work",
        "rows": p.counts.rows,
        "files": p.counts.files,
        "audit_events_erased": p.counts.audit_events_erased,
    }
    assert (await verify(session, p.centre_id)).ok


async def test_r97_standardisation_records_go_3_years_after_they_were_held(session, world, clock):
    mine, _, _ = world
    held_on = (
        await session.execute(
            text("SELECT held_on FROM standardisation_records WHERE id = :i"), {"i": mine.standardisation}
        )
    ).scalar_one()
    clock.set(_at(retention.Period(years=3).after(held_on) - dt.timedelta(days=1)))
    assert not _of(
        await retention.assess(session), RecordKind.standardisation_records, mine.standardisation
    ).goes
    clock.set(_at(retention.Period(years=3).after(held_on)))
    verdicts = await retention.assess(session)
    assert _of(verdicts, RecordKind.standardisation_records, mine.standardisation).goes
    await retention.purge(session, verdicts)
    assert (
        await session.execute(
            text("SELECT count(*) FROM standardisation_records WHERE id = :i"), {"i": mine.standardisation}
        )
    ).scalar_one() == 0


async def test_r97_only_the_purge_function_deletes_handed_in_evidence(session, world):
    """R-22's freeze still holds for the application role, even if it sets the purge's flag itself."""
    from sqlalchemy.exc import DBAPIError

    mine, _, _ = world
    await session.execute(text("SELECT set_config('verity.retention_purge', 'on', true)"))
    with pytest.raises(DBAPIError, match="handed in"):
        async with session.begin_nested():
            await session.execute(text("DELETE FROM evidence_items WHERE id = :i"), {"i": mine.evidence_file})
    with pytest.raises(DBAPIError, match="cannot purge"):
        async with session.begin_nested():
            await session.execute(
                text("SELECT retention_purge('not_a_kind', :c, ARRAY[CAST(:i AS uuid)])"),
                {"c": mine.programme, "i": mine.decision},
            )
