"""MIS bulk sync: idempotent, all-or-nothing upserts of learners and enrolments keyed by MIS ids, one audit
row and one outbox event per changed record, per-record results."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.audit.service import verify
from app.events.models import OutboxEvent
from app.learners.models import Learner
from app.programmes.models import Enrolment
from tests.conftest import CENTRE_A, CENTRE_B
from tests.programmes.fixtures import gql

pytestmark = pytest.mark.usefixtures("centres")


def learner(i: int, **over):
    return {
        "mis_id": f"MIS-{i:05d}",
        "given_name": f"Given{i}",
        "family_name": f"Family{i}",
        "date_of_birth": "2008-03-14",
        **over,
    }


def enrolment(i: int, programme_id, **over):
    return {
        "mis_id": f"ENR-{i:05d}",
        "learner_mis_id": f"MIS-{i:05d}",
        "programme_id": str(programme_id),
        "enrolled_on": "2025-09-08",
        "identity_checked": True,
        **over,
    }


async def sync(client, auth, body, role="exams_officer", key=None, centre=CENTRE_A):
    headers = {**auth(role, centre=centre), **({"Idempotency-Key": key} if key else {})}
    return await client.post("/v1/sync/mis", json=body, headers=headers)


async def count(session, model, centre=CENTRE_A) -> int:
    return await session.scalar(select(func.count()).select_from(model).where(model.centre_id == centre))


async def audit_rows(session, centre=CENTRE_A) -> int:
    return await session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.centre_id == centre)
    )


async def test_creates_then_reports_unchanged_then_updates(client, auth, world, session):
    body = {
        "learners": [learner(i, candidate_number=f"C{i}") for i in range(3)],
        "enrolments": [enrolment(i, world.programme_id) for i in range(3)],
    }
    audit_before = await audit_rows(session)
    r = await sync(client, auth, body)
    assert r.status_code == 200, r.text
    result = r.json()
    assert [x["result"] for x in result["learners"] + result["enrolments"]] == ["created"] * 6
    assert (result["created"], result["updated"], result["unchanged"]) == (6, 0, 0)
    assert [x["index"] for x in result["learners"]] == [0, 1, 2]
    assert await audit_rows(session) - audit_before == 6  # one audit row per record
    outbox = (
        await session.scalars(
            select(OutboxEvent.event_type).where(
                OutboxEvent.centre_id == CENTRE_A,
                OutboxEvent.event_type.in_(["learner.created", "enrolment.created"]),
            )
        )
    ).all()
    assert sorted(outbox) == ["enrolment.created"] * 3 + ["learner.created"] * 3
    enrolments = (await session.scalars(select(Enrolment).where(Enrolment.mis_id.like("ENR-%")))).all()
    assert {e.registration_deadline.isoformat() for e in enrolments} == {"2025-11-30"}
    assert {e.status for e in enrolments} == {"enrolled"} and {e.identity_checked_by for e in enrolments} == {
        "test-exams_officer"
    }

    again = await sync(client, auth, body)
    assert [x["result"] for x in again.json()["learners"] + again.json()["enrolments"]] == ["unchanged"] * 6
    assert [x["id"] for x in again.json()["learners"]] == [x["id"] for x in result["learners"]]
    assert await audit_rows(session) - audit_before == 6  # nothing changed: nothing audited

    # A changed name updates; a field left out is left alone; null clears it.
    changed = {
        "learners": [
            learner(0, family_name="Renamed", candidate_number="C0"),
            learner(1),
            learner(2, candidate_number=None),
        ]
    }
    r = await sync(client, auth, changed)
    assert [x["result"] for x in r.json()["learners"]] == ["updated", "unchanged", "updated"]
    rows = {
        row.mis_id: row
        for row in (await session.scalars(select(Learner).where(Learner.mis_id.like("MIS-%")))).all()
    }
    assert rows["MIS-00000"].family_name == "Renamed" and rows["MIS-00000"].version == 2
    assert rows["MIS-00001"].candidate_number == "C1" and rows["MIS-00001"].version == 1
    assert rows["MIS-00002"].candidate_number is None
    updated = (
        await session.scalars(
            select(AuditEvent)
            .where(AuditEvent.centre_id == CENTRE_A, AuditEvent.action == "learner.updated")
            .order_by(AuditEvent.seq)
        )
    ).all()
    # Rows are written in id order (the service's one lock order), not the request's: compare as a set.
    assert sorted((u.before["family_name"], u.after["family_name"]) for u in updated) == [
        ("Family0", "Renamed"),
        ("Family2", "Family2"),
    ]
    renamed = next(u for u in updated if u.after["family_name"] == "Renamed")
    assert renamed.after["version"] == 2 and renamed.actor_role == "exams_officer"
    # The events carry what app.events.changes would emit: before/after for an update, the record for a creation.
    payloads = (
        await session.scalars(
            select(OutboxEvent.payload).where(
                OutboxEvent.centre_id == CENTRE_A, OutboxEvent.event_type == "learner.updated"
            )
        )
    ).all()
    assert sorted((e["before"]["family_name"], e["after"]["family_name"]) for e in payloads) == [
        ("Family0", "Renamed"),
        ("Family2", "Family2"),
    ]
    created = (
        await session.scalars(
            select(OutboxEvent.payload).where(
                OutboxEvent.centre_id == CENTRE_A, OutboxEvent.event_type == "learner.created"
            )
        )
    ).all()
    assert sorted(e["mis_id"] for e in created) == ["MIS-00000", "MIS-00001", "MIS-00002"]
    assert (
        created[0]
        == (
            await session.scalars(
                select(AuditEvent.after).where(
                    AuditEvent.action == "learner.created", AuditEvent.subject_id == created[0]["id"]
                )
            )
        ).one()
    )
    assert (await verify(session, CENTRE_A)).ok


async def test_one_bad_record_refuses_the_batch_and_every_bad_record_is_named(client, auth, world, session):
    learners = [learner(i) for i in range(20)]
    learners[17]["date_of_birth"] = "2008-02-30"
    learners[3]["uln"] = "12"
    r = await sync(client, auth, {"learners": learners})
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {
        "body.learners.17.date_of_birth",
        "body.learners.3.uln",
    }

    learners = [learner(i) for i in range(20)]
    learners[5]["date_of_birth"] = "1850-01-01"  # well formed, refused by the learners' rule
    learners[9]["mis_id"] = "MIS-00008"  # twice in the request
    enrolments = [
        enrolment(0, world.programme_id),
        enrolment(1, uuid.uuid4()),
        enrolment(2, world.programme_id, learner_mis_id="NOBODY"),
        enrolment(3, world.programme_id, identity_checked=False),
    ]
    before = (await count(session, Learner), await count(session, Enrolment), await audit_rows(session))
    r = await sync(client, auth, {"learners": learners, "enrolments": enrolments})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    got = {(e["field"], e["code"]) for e in r.json()["errors"]}
    assert got == {
        ("body.learners.5.date_of_birth", "date_of_birth_out_of_range"),
        ("body.learners.8.mis_id", "duplicate_in_request"),
        ("body.learners.9.mis_id", "duplicate_in_request"),
        ("body.enrolments.1.programme_id", "not_found"),
        ("body.enrolments.2.learner_mis_id", "not_found"),
        ("body.enrolments.3.identity_checked", "R-12"),
    }
    assert "nothing was written" in r.json()["detail"]
    # Nothing half-written: not one of the 16 good learners, no enrolment, no audit row, no event.
    after = (await count(session, Learner), await count(session, Enrolment), await audit_rows(session))
    assert after == before


async def test_candidate_numbers_must_stay_unique(client, auth, world, session):
    await sync(client, auth, {"learners": [learner(1, candidate_number="C1")]})
    r = await sync(
        client,
        auth,
        {
            "learners": [
                learner(2, candidate_number="C1"),
                learner(3, candidate_number="C3"),
                learner(4, candidate_number="C3"),
            ]
        },
    )
    assert r.status_code == 422
    assert {(e["field"], e["code"]) for e in r.json()["errors"]} == {
        ("body.learners.0.candidate_number", "duplicate"),
        ("body.learners.1.candidate_number", "duplicate_in_request"),
        ("body.learners.2.candidate_number", "duplicate_in_request"),
    }
    # Moving a number between learners of the same request is allowed: the holder gives it up.
    r = await sync(
        client, auth, {"learners": [learner(1, candidate_number="C9"), learner(2, candidate_number="C1")]}
    )
    assert r.status_code == 200, r.text


async def test_idempotency_key_replays_and_refuses_a_different_body(client, auth, world, session):
    body = {"learners": [learner(i) for i in range(3)]}
    first = await sync(client, auth, body, key="batch-2025-09-08")
    assert first.status_code == 200 and "idempotent-replayed" not in first.headers
    audited = await audit_rows(session)
    # Meanwhile someone renames a learner: a replay still answers what the first request did.
    await sync(client, auth, {"learners": [learner(0, family_name="Changed")]})
    replay = await sync(client, auth, body, key="batch-2025-09-08")
    assert replay.status_code == 200 and replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == first.json()
    assert await audit_rows(session) == audited + 1  # only the rename
    other = await sync(client, auth, {"learners": [learner(9)]}, key="batch-2025-09-08")
    assert other.status_code == 422 and other.json()["type"] == "/problems/idempotency-key-reused"
    assert other.json()["errors"][0]["field"] == "header.idempotency-key"
    # Keys belong to a centre: another centre's same key is a different request.
    theirs = await sync(
        client, auth, {"learners": [learner(9)]}, key="batch-2025-09-08", role="hoc", centre=CENTRE_B
    )
    assert theirs.status_code == 200 and theirs.json()["created"] == 1
    # A refused request stores no key: fixing the batch and retrying with the same key works.
    bad = await sync(client, auth, {"learners": [learner(5, date_of_birth="1800-01-01")]}, key="fix-me")
    assert bad.status_code == 422
    fixed = await sync(client, auth, {"learners": [learner(5)]}, key="fix-me")
    assert fixed.status_code == 200 and fixed.json()["created"] == 1
    assert (await sync(client, auth, body, key="bad key!")).status_code == 422


async def test_enrolment_updates_transfers_and_adoption(client, auth, world, session):
    body = {
        "learners": [learner(1)],
        "enrolments": [enrolment(1, world.flexible_programme_id, enrolled_on="2025-09-08")],
    }
    created = (await sync(client, auth, body)).json()["enrolments"][0]
    moved = {**body, "enrolments": [enrolment(1, world.flexible_programme_id, enrolled_on="2025-10-31")]}
    r = await sync(client, auth, moved)
    assert r.json()["enrolments"][0]["result"] == "updated"
    e = await session.get(Enrolment, uuid.UUID(created["id"]))
    await session.refresh(e)
    assert (
        e.registration_deadline.isoformat() == "2025-11-30" and e.version == 2
    )  # one month after 31 October
    # Another programme under the same MIS id is a transfer, not an update.
    r = await sync(client, auth, {**body, "enrolments": [enrolment(1, world.other_programme_id)]})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "use_transfer"
    # Registered: the date no longer changes through the sync.
    await client.post(
        f"/v1/enrolments/{created['id']}/registration",
        json={"registration_number": "P1", "registered_on": "2025-11-01"},
        headers=auth("hoc"),
    )
    r = await sync(client, auth, body)
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "registered_enrolment"
    # A transfer made in Verity: the MIS names the new enrolment with its own id, which is adopted.
    t = await client.post(
        f"/v1/enrolments/{created['id']}/transfer",
        json={
            "programme_id": str(world.other_programme_id),
            "transferred_on": "2026-01-12",
            "reason": "Pathway change",
        },
        headers=auth("hoc"),
    )
    started = t.json()["transferred_to"]
    r = await sync(
        client,
        auth,
        {
            "enrolments": [
                enrolment(7, world.other_programme_id, learner_mis_id="MIS-00001", enrolled_on="2026-01-12")
            ]
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["enrolments"][0] == {
        "index": 0,
        "mis_id": "ENR-00007",
        "id": started["id"],
        "result": "updated",
    }


async def test_ten_thousand_records_in_one_request(client, auth, world, session):
    body = {"learners": [learner(i) for i in range(10_000)]}
    r = await sync(client, auth, body)
    assert r.status_code == 200, r.text[:500]
    assert r.json()["created"] == 10_000 and await count(session, Learner) == 10_000
    too_many = await sync(client, auth, {"learners": [learner(i) for i in range(10_001)]})
    assert too_many.status_code == 422 and too_many.json()["errors"][0]["field"] == "body.learners"
    mixed = await sync(
        client,
        auth,
        {
            "learners": [learner(i) for i in range(6_000)],
            "enrolments": [enrolment(i, world.programme_id) for i in range(4_001)],
        },
    )
    assert mixed.status_code == 422 and mixed.json()["errors"][0]["field"] == "body"


async def test_roles(client, auth, world):
    for role in ("programme_leader", "qn", "assessor", "learner", "standards_verifier"):
        assert (await sync(client, auth, {"learners": [learner(1)]}, role=role)).status_code == 403, role
    assert (await sync(client, auth, {"learners": [learner(1)]}, role="hoc")).status_code == 200


SYNC = """mutation($input: MisSyncInput!, $key: String) { syncMis(input: $input, idempotencyKey: $key) {
  created updated unchanged learners { index misId id result } } }"""


async def test_graphql_sync(client, auth, world):
    variables = {
        "input": {
            "learners": [{"misId": "G1", "givenName": "Gia", "familyName": "Ng", "dateOfBirth": "2008-05-01"}]
        },
        "key": "gql-1",
    }
    first = await gql(client, auth("exams_officer"), SYNC, **variables)
    assert "errors" not in first, first
    assert first["data"]["syncMis"]["created"] == 1
    replay = await gql(client, auth("exams_officer"), SYNC, **variables)
    assert replay["data"] == first["data"]
    bad = await gql(
        client,
        auth("exams_officer"),
        SYNC,
        input={
            "learners": [{"misId": "G2", "givenName": "A", "familyName": "B", "dateOfBirth": "1800-01-01"}]
        },
    )
    ext = bad["errors"][0]["extensions"]
    assert (
        ext["code"] == "validation-failed" and ext["errors"][0]["field"] == "input.learners.0.date_of_birth"
    )
    forbidden = await gql(client, auth("assessor"), SYNC, **variables)
    assert forbidden["errors"][0]["extensions"]["code"] == "forbidden"


async def test_a_learner_created_by_someone_else_since_the_plan_refuses_the_batch(session):
    """New learners are written by a plain INSERT (no conflict check, issue 18): one that someone else
    created under the same MIS id between the plan and the write is never overwritten or audited as
    ours; the batch fails and upsert() answers it as a conflict (IntegrityError -> 409)."""
    from sqlalchemy.exc import IntegrityError

    from app.learners.models import Learner as LearnerRow
    from app.sync import schemas, service

    records = [schemas.SyncLearner.model_validate(learner(i)) for i in range(3)]
    plans, problems = await service.plan_learners(session, CENTRE_A, records, "body.learners")
    assert not problems and {p.outcome for p in plans} == {"created"}
    session.add(
        LearnerRow(
            centre_id=CENTRE_A,
            mis_id="MIS-00001",
            given_name="Other",
            family_name="Writer",
            date_of_birth=plans[0].values["date_of_birth"],
            version=1,
        )
    )
    await session.flush()
    with pytest.raises(IntegrityError, match="uq_learners_centre_id_mis_id"):
        await service.write_learners(session, CENTRE_A, plans)
    await session.rollback()
