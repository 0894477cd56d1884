"""R-97: a payload leaves the audit log and the chain still verifies; nothing else can be erased."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.audit.service import Actor, record, verify
from app.records.erasure import erase_payloads
from tests.conftest import CENTRE_A, CENTRE_B

PERSON = str(uuid.uuid4())


async def _chain(session, centre):
    actor = Actor(subject="tester", audit_role="system", centre_id=centre)
    await record(
        session, actor, "learner.created", "learner", PERSON, after={"given_name": "Zoë", "dob": "2008-01-02"}
    )
    await record(session, actor, "thing.updated", "thing", "other", after={"keep": "me"})
    await record(
        session,
        actor,
        "learner.updated",
        "learner",
        PERSON,
        before={"given_name": "Zoë"},
        after={"given_name": "Zoe"},
    )


async def test_r97_erased_payloads_are_gone_and_the_chain_still_verifies(session):
    await _chain(session, CENTRE_A)
    await _chain(session, CENTRE_B)
    assert await erase_payloads(session, CENTRE_A, "learner", [PERSON], "retention: learner record") == 2
    assert (await verify(session, CENTRE_A)).ok
    rows = (
        await session.execute(
            text(
                "SELECT subject_id, before, after, after_digest, erased_at FROM audit_events "
                "WHERE centre_id = :c ORDER BY seq"
            ),
            {"c": CENTRE_A},
        )
    ).all()
    erased = [r for r in rows if r.subject_id == PERSON]
    assert all(r.before is None and r.after is None and r.erased_at and r.after_digest for r in erased)
    assert "Zo" not in str([tuple(r) for r in rows])  # not in any row of the centre's log
    assert rows[1].after == {"keep": "me"}  # another subject's event is untouched
    # The erasure is itself on the record: counts and reason, never content.
    assert rows[-1].after["events"] == 2 and rows[-1].subject_id == "learner"
    # Another centre's events about the same id are not this centre's to erase.
    b = (
        await session.execute(
            text("SELECT count(*) FROM audit_events WHERE centre_id = :c AND erased_at IS NOT NULL"),
            {"c": CENTRE_B},
        )
    ).scalar_one()
    assert b == 0
    # Erasing again erases nothing and records nothing.
    assert await erase_payloads(session, CENTRE_A, "learner", [PERSON], "again") == 0


async def test_r97_the_erasure_function_cannot_erase_its_own_records(session):
    await _chain(session, CENTRE_A)
    await erase_payloads(session, CENTRE_A, "learner", [PERSON], "retention")
    with pytest.raises(DBAPIError, match="not erasable"):
        async with session.begin_nested():
            await erase_payloads(session, CENTRE_A, "audit", ["learner"], "cover the tracks")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET before = NULL, after = NULL, erased_at = now()",
        "UPDATE audit_events SET after = NULL",
        "DELETE FROM audit_events",
    ],
)
async def test_r97_the_application_role_cannot_erase_directly(session, statement):
    await _chain(session, CENTRE_A)
    await session.commit()
    with pytest.raises(DBAPIError, match="permission denied"):
        async with session.begin_nested():
            await session.execute(text(statement))


@pytest.mark.parametrize(
    "assignment",
    [
        "after = '{\"forged\": 1}', erased_at = now()",  # replacing content is not erasing it
        "before = NULL, after = NULL, erased_at = now(), action = 'x'",  # nor is changing anything else
        "before = NULL, after = NULL, erased_at = now(), after_digest = NULL",
        "before = NULL, after = NULL",  # an erasure is marked
    ],
)
async def test_r97_even_the_owner_can_only_erase_the_payload(owner_engine, assignment):
    async with owner_engine.connect() as conn:
        trans = await conn.begin()
        try:
            await _chain(conn, CENTRE_A)
            with pytest.raises(DBAPIError, match="append-only"):
                async with conn.begin_nested():
                    await conn.execute(
                        text(f"UPDATE audit_events SET {assignment} WHERE centre_id = :c"), {"c": CENTRE_A}
                    )
        finally:
            await trans.rollback()
