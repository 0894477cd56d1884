"""The slice's fixtures: the suite's database and app (tests/conftest.py), a centre ready for programmes."""

from __future__ import annotations

import pytest

from tests.programmes.fixtures import make_world


@pytest.fixture
async def world(session, centres):
    return await make_world(session)
