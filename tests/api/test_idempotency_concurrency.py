"""Two concurrent requests with one Idempotency-Key, with real commits: the second waits for the first
and replays it; exactly one learner (or endpoint) is written."""

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
    centre = uuid.uuid4()
    sessionmaker = make_sessionmaker(app_engine)
    async with sessionmaker() as session:
        await centres.create_centre(
            session,
            system_actor(centre),
            CentreCreate(centre_number=f"I{centre.hex[:12]}", name="Idempotency", nation="england_wales"),
        )
        await session.commit()
    app = create_app(test_settings, sessionmaker=sessionmaker)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://verity.test") as c:
        yield centre, c, sessionmaker


async def test_concurrent_same_key_creates_one_learner(committed, token):
    centre, client, sessionmaker = committed
    headers = {"Authorization": f"Bearer {token('exams_officer', centre=centre)}", "Idempotency-Key": "race"}
    body = {"given_name": "A", "family_name": "B", "date_of_birth": "2008-01-01"}
    answers = await asyncio.gather(
        *(client.post("/v1/learners", json=body, headers=headers) for _ in range(4))
    )
    assert [r.status_code for r in answers] == [201] * 4, [r.text for r in answers]
    assert len({r.json()["id"] for r in answers}) == 1
    assert sorted(r.headers.get("idempotent-replayed", "false") for r in answers) == ["false"] + ["true"] * 3
    async with sessionmaker() as session:
        n = await session.scalar(select(func.count()).select_from(Learner).where(Learner.centre_id == centre))
    assert n == 1
