"""A transaction that a database error aborted is never committed: PostgreSQL would answer COMMIT
with a silent ROLLBACK, and the client would be told that writes it lost were made."""

from __future__ import annotations

import datetime as dt
import types

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from app.core.db import FailedTransaction, get_session
from app.learners.models import Learner
from tests.api.conftest import Committed


def _request(committed: Committed):
    return types.SimpleNamespace(
        app=types.SimpleNamespace(state=types.SimpleNamespace(sessionmaker=committed.sessionmaker))
    )


async def _learners(committed: Committed) -> int:
    async with committed.sessionmaker() as session:
        stmt = select(func.count()).select_from(Learner).where(Learner.centre_id == committed.centre)
        return await session.scalar(stmt)


async def _write_a_learner(session, committed: Committed) -> None:
    session.add(
        Learner(
            centre_id=committed.centre,
            given_name="A",
            family_name="B",
            date_of_birth=dt.date(2008, 1, 1),
            version=1,
        )
    )
    await session.flush()


async def test_a_caught_database_error_makes_the_request_fail_not_commit(committed: Committed):
    sessions = get_session(_request(committed))
    session = await sessions.__anext__()
    await _write_a_learner(session, committed)
    with pytest.raises(DBAPIError):  # the code under test catches what a careless resolver would swallow
        await session.execute(text("SELECT CAST(:x AS text)"), {"x": "a\x00"})
    with pytest.raises(FailedTransaction):
        await sessions.__anext__()
    assert await _learners(committed) == 0


async def test_an_error_undone_by_its_savepoint_still_commits_the_rest(committed: Committed):
    from app.core.db import savepoint

    sessions = get_session(_request(committed))
    session = await sessions.__anext__()
    await _write_a_learner(session, committed)
    with pytest.raises(DBAPIError):
        async with savepoint(session):
            await session.execute(text("SELECT CAST(:x AS text)"), {"x": "a\x00"})
    with pytest.raises(StopAsyncIteration):
        await sessions.__anext__()
    assert await _learners(committed) == 1
