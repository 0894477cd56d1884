"""The slice's fixtures. The database and the app are the suite's own (tests/conftest.py): one
database per worker, every router and GraphQL type wired by create_app()."""

from __future__ import annotations

import pytest

from tests.programmes.fixtures import make_world


@pytest.fixture
async def world(session, centres):
    return await make_world(session)
