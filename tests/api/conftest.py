"""The committed world for concurrency tests: real transactions on real connections of their own.

The rolled-back test transaction serves every request on one connection, so it cannot show what two
concurrent requests do to each other. Here each request gets its own pooled connection and commits;
every test gets a fresh centre, so committed rows never meet another test's (the per-run database is
dropped at the end of the run).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.db import make_engine, make_sessionmaker
from tests.conftest import APP_ROLE, system_actor


@dataclass
class Committed:
    centre: uuid.UUID
    client: httpx.AsyncClient
    sessionmaker: async_sessionmaker[AsyncSession]
    engine: AsyncEngine


@pytest.fixture
async def committed(database_url, test_settings) -> AsyncIterator[Committed]:
    from app.centres import service as centres
    from app.centres.schemas import CentreCreate
    from app.main import create_app

    engine = make_engine(database_url, role=APP_ROLE, pool_size=10)
    sessionmaker = make_sessionmaker(engine)
    centre = uuid.uuid4()
    async with sessionmaker() as session:
        await centres.create_centre(
            session,
            system_actor(centre),
            CentreCreate(centre_number=f"T{centre.hex[:12]}", name="Concurrency", nation="england_wales"),
        )
        await session.commit()
    app = create_app(test_settings, sessionmaker=sessionmaker)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://verity.test") as client:
            yield Committed(centre, client, sessionmaker, engine)
    finally:
        await engine.dispose()


# ---- schemathesis (tests/api/fuzzing.py): one app per test module, so each group file has its own ----


@pytest.fixture(scope="module")
def api_client(test_settings, database_url):
    from fastapi.testclient import TestClient

    from app.main import create_app
    from tests.api.fuzzing import ensure_fuzz_centre

    # Committed data, in its own centre: the other tests' centres never see it.
    asyncio.run(ensure_fuzz_centre(database_url))

    app = create_app(test_settings)
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="module")
def api_schema(api_client):
    # A token of every staff role an operation may need (the HoC and exams officer for most, the LIV,
    # IV and assessor for verification's), so one token serves every group.
    from tests.api.fuzzing import fuzzing_schema

    return fuzzing_schema(api_client, ["hoc", "exams_officer", "liv", "iv", "assessor"])
