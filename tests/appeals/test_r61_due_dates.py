"""R-61 against R-31 (Hypothesis): a stage due N working days after it opens is a working day of the
centre's calendar, N working days after the day it opens (counted from the day after), whatever the day
it opens on -- a weekend, a closure, the holidays between terms."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from app.appeals.service import due_after
from app.core import calendar as cal
from tests.programmes.fixtures import TERMS_2025

CALENDAR = cal.CentreCalendar(
    nation=cal.Nation.england_wales,
    academic_years=(
        cal.AcademicYear(
            "2025/26",
            dt.date(2025, 9, 1),
            dt.date(2026, 8, 31),
            tuple(cal.Term(s, e, n) for n, s, e in TERMS_2025),
        ),
    ),
    closures=frozenset({dt.date(2025, 10, 24), dt.date(2026, 2, 16)}),
)


@settings(max_examples=300, deadline=None)
@given(
    opened=st.dates(min_value=dt.date(2025, 9, 1), max_value=dt.date(2026, 6, 1)),
    limit=st.sampled_from([5, 14]) | st.integers(min_value=1, max_value=20),
)
def test_r61_a_stage_is_due_the_limits_working_days_after_the_day_it_opens(opened, limit):
    due = due_after(CALENDAR, opened, limit, "body")
    assert cal.is_working_day(CALENDAR, due)
    assert due > opened
    assert cal.working_days_between(CALENDAR, opened, due) == limit
    # No earlier day would do: the day before the due date leaves one working day short.
    assert cal.working_days_between(CALENDAR, opened, due - dt.timedelta(days=1)) == limit - 1
