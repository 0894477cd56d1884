"""R-31 through the service: the resubmission deadline counts the centre's term days and stays in the
academic year of the result; when no deadline is possible the refusal names R-31."""

from __future__ import annotations

import datetime as dt

import pytest

from app.assessment import resubmissions, schemas
from app.core.errors import RuleViolation
from tests.assessment.fixtures import LIV, as_staff, issued_brief, registered_learner
from tests.assessment.test_decisions import decide, handed_in, iv_done, released

__all__ = ["iv_done"]  # the fixture, used by name below


async def _released_result(session, world, clock, at: dt.datetime):
    clock.set(at)
    brief = await issued_brief(session, world, completion=clock.today() + dt.timedelta(days=1))
    learner = await registered_learner(session, world)
    s = await handed_in(session, world, brief, learner)
    return await released(session, await decide(session, brief, s, achieved=lambda c: c not in ("B.P4",)))


@pytest.mark.usefixtures("iv_done")
async def test_r31_result_on_the_last_day_of_autumn_term_leaves_its_10_days_in_january(session, world, clock):
    # Fri 19 Dec 2025 ends the world's autumn term; spring starts Mon 5 Jan 2026: 5-9, 12-16.
    d = await _released_result(session, world, clock, dt.datetime(2025, 12, 19, 12, 0, tzinfo=dt.UTC))
    auth = await resubmissions.authorise(
        session,
        as_staff(*LIV),
        d.id,
        schemas.ResubmissionCreate(result_received_on=dt.date(2025, 12, 19), reason="B.P4 can be met"),
    )
    assert auth.deadline == dt.date(2026, 1, 16) and auth.within_term_time


@pytest.mark.usefixtures("iv_done")
async def test_r31_no_deadline_after_the_last_term_day_of_the_year(session, world, clock):
    # Mon 20 Jul 2026: the world's 2025/26 summer term ended on Fri 17 Jul; a resubmission may not run
    # into the next academic year, so none can be authorised.
    d = await _released_result(session, world, clock, dt.datetime(2026, 7, 20, 12, 0, tzinfo=dt.UTC))
    with pytest.raises(RuleViolation) as refused:
        await resubmissions.authorise(
            session,
            as_staff(*LIV),
            d.id,
            schemas.ResubmissionCreate(result_received_on=dt.date(2026, 7, 20), reason="B.P4 can be met"),
        )
    assert [(e.field, e.code) for e in refused.value.errors] == [
        ("body.result_received_on", "R-31.no_working_day_left")
    ]
