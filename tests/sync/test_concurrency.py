"""Concurrent bulk requests of one centre, with real commits: the centre's bulk lock makes the second
wait for the first, so a retried request replays and two overlapping syncs never clash."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from sqlalchemy import func, select

from app.centres import service as centres
from app.centres.schemas import CentreCreate
from app.core.db import make_sessionmaker
from app.learners.models import Learner
from app.main import create_app
from tests.conftest import system_actor


@pytest.fixture
async def committed(app_engine, test_settings):
    """A centre of its own in committed data (the database is recreated for each test session)."""
    centre = uuid.uuid4()
    sessionmaker = make_sessionmaker(app_engine)
    async with sessionmaker() as session:
        await centres.create_centre(
            session,
            system_actor(centre),
            CentreCreate(centre_number=f"T{centre.hex[:12]}", name="Concurrency", nation="england_wales"),
        )
        await session.commit()
    app = create_app(test_settings, sessionmaker=sessionmaker)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://verity.test"
    ) as client:
        yield centre, client, sessionmaker


def batch(n: int) -> dict:
    return {
        "learners": [
            {"mis_id": f"C-{i}", "given_name": "A", "family_name": f"L{i}", "date_of_birth": "2008-01-01"}
            for i in range(n)
        ]
    }


async def test_a_concurrent_retry_waits_and_replays(committed, token):
    centre, client, sessionmaker = committed
    headers = {"Authorization": f"Bearer {token('exams_officer', centre=centre)}", "Idempotency-Key": "same"}
    first, second = await asyncio.gather(
        *(client.post("/v1/sync/mis", json=batch(300), headers=headers) for _ in range(2))
    )
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json() == second.json()
    assert sorted(r.headers.get("idempotent-replayed", "false") for r in (first, second)) == ["false", "true"]
    async with sessionmaker() as session:
        assert (
            await session.scalar(select(func.count()).select_from(Learner).where(Learner.centre_id == centre))
            == 300
        )


async def test_overlapping_syncs_do_not_clash(committed, token):
    centre, client, _ = committed
    headers = {"Authorization": f"Bearer {token('exams_officer', centre=centre)}"}
    first, second = await asyncio.gather(
        *(client.post("/v1/sync/mis", json=batch(200), headers=headers) for _ in range(2))
    )
    assert (first.status_code, second.status_code) == (200, 200), (first.text[:300], second.text[:300])
    assert sorted([first.json()["created"], second.json()["created"]]) == [0, 200]
    assert sorted([first.json()["unchanged"], second.json()["unchanged"]]) == [0, 200]
