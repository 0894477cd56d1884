"""The assignments slice (shares tests/assessment)'s database and app (see tests/assessment/fixtures.py)."""
from __future__ import annotations

import pytest

from tests.assessment.fixtures import assessment_database, build_app
from tests.programmes.fixtures import make_world


@pytest.fixture(scope="session")
async def database_url(server_url: str, worker_id_name: str) -> str:
    return await assessment_database(server_url, worker_id_name)


@pytest.fixture
def app(test_settings, sessionmaker):
    return build_app(test_settings, sessionmaker)


@pytest.fixture
async def world(session, centres):
    return await make_world(session)
