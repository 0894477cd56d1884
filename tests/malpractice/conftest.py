"""The slice's fixtures: the suite's database and app (tests/conftest.py), a centre ready for programmes."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.programmes.fixtures import make_world


@pytest.fixture
async def world(session, centres):
    return await make_world(session)


@pytest.fixture
def june(clock):
    """A day on which a brief of the summer term is handed in (tests.assessment.test_declaration's)."""
    clock.set(dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC))
    return clock
