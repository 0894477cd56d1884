"""The slice's fixtures: a centre ready for programmes (tests/programmes/fixtures.py) with a HoC."""

from __future__ import annotations

import pytest

from tests.programmes.fixtures import make_staff, make_world


@pytest.fixture
async def world(session, centres):
    w = await make_world(session)
    await make_staff(session, w.centre, "head", "hoc")
    await session.commit()
    return w
