"""R-31 resubmission deadlines, pure (app.assessment.resubmissions.r31_deadline over the centre calendar):
at most N working days after the learner received the result, counted from the next day in term days
(pausing over the holidays between terms), and inside the academic year of the result."""

from __future__ import annotations

import datetime as dt

from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.assessment import resubmissions
from app.core import calendar as cal
from tests.core.calendars import calendar_and_day

TERMS = cal.AcademicYear(
    "2025/26",
    dt.date(2025, 9, 1),
    dt.date(2026, 8, 31),
    (
        cal.Term(dt.date(2025, 9, 3), dt.date(2025, 12, 19), "Autumn"),
        cal.Term(dt.date(2026, 1, 5), dt.date(2026, 3, 27), "Spring"),
        cal.Term(dt.date(2026, 4, 13), dt.date(2026, 7, 17), "Summer"),
    ),
)
NEXT = cal.AcademicYear(
    "2026/27",
    dt.date(2026, 9, 1),
    dt.date(2027, 8, 31),
    (cal.Term(dt.date(2026, 9, 2), dt.date(2026, 12, 18), "A"),),
)
CALENDAR = cal.CentreCalendar(cal.Nation.england_wales, (TERMS, NEXT), frozenset({dt.date(2025, 11, 3)}))


@given(st.dates(dt.date(2025, 8, 1), dt.date(2026, 8, 31)), st.integers(1, 15))
@example(dt.date(2025, 12, 19), 10)
@example(dt.date(2026, 7, 20), 10)
@settings(max_examples=300)
def test_r31_deadline_property(received, window):
    """R-31: the latest deadline is a working day of the result's academic year, exactly `window`
    working days after it unless the year runs out first; none is possible, with a problem naming
    R-31, when no term day of that year is left or the result is outside every year."""
    deadline, ok, problems = resubmissions.r31_deadline(CALENDAR, received, window, None)
    year = cal.academic_year_of(CALENDAR, received)
    if deadline is None:
        assert not ok and [p.field for p in problems] == ["body.result_received_on"]
        code = "R-31.no_academic_year" if year is None else "R-31.no_working_day_left"
        assert [p.code for p in problems] == [code]
        if year is not None:
            assert cal.working_days_between(CALENDAR, received, year.end) == 0
        return
    assert ok and not problems and year is TERMS
    assert cal.is_working_day(CALENDAR, deadline) and cal.in_term_time(CALENDAR, deadline, "2025/26")
    assert deadline <= TERMS.end
    left = cal.working_days_between(CALENDAR, received, TERMS.end)
    assert cal.working_days_between(CALENDAR, received, deadline) == min(window, left)
    # An earlier date inside term time is always acceptable; a later one never.
    for earlier in (deadline - dt.timedelta(days=i) for i in range(1, 5)):
        if received <= earlier and cal.in_term_time(CALENDAR, earlier, "2025/26"):
            assert resubmissions.r31_deadline(CALENDAR, received, window, earlier)[1]
    later = resubmissions.r31_deadline(CALENDAR, received, window, deadline + dt.timedelta(days=1))
    assert not later[1] and "R-31.window" in {p.code for p in later[2]}


def test_r31_christmas_the_last_friday_of_term_leaves_its_10_days_in_january():
    # Fri 19 Dec 2025 is the last day of the autumn term: Mon 5 Jan 2026 is day 1, Fri 16 Jan day 10.
    deadline, ok, _ = resubmissions.r31_deadline(CALENDAR, dt.date(2025, 12, 19), 10, None)
    assert (deadline, ok) == (dt.date(2026, 1, 16), True)
    # A date in the holiday may not be chosen: it is not term time.
    _, ok, problems = resubmissions.r31_deadline(CALENDAR, dt.date(2025, 12, 19), 10, dt.date(2025, 12, 30))
    assert not ok and [p.code for p in problems] == ["R-31.outside_term_time"]


def test_r31_never_into_the_next_academic_year():
    # Wed 15 Jul 2026: two term days left (16, 17 Jul), so the window is two days, not ten into 2026/27.
    deadline, ok, _ = resubmissions.r31_deadline(CALENDAR, dt.date(2026, 7, 15), 10, None)
    assert (deadline, ok) == (dt.date(2026, 7, 17), True)
    _, ok, problems = resubmissions.r31_deadline(CALENDAR, dt.date(2026, 7, 15), None, dt.date(2026, 9, 3))
    assert not ok and [p.code for p in problems] == ["R-31.different_academic_year"]
    deadline, ok, problems = resubmissions.r31_deadline(CALENDAR, dt.date(2026, 7, 20), 10, None)
    assert deadline is None and not ok
    assert [(p.field, p.code) for p in problems] == [("body.result_received_on", "R-31.no_working_day_left")]
    assert "no deadline is possible" in problems[0].message


@settings(max_examples=200, deadline=None)
@given(calendar_and_day(), st.integers(1, 15))
def test_r31_deadline_on_any_calendar_is_a_term_day_of_the_same_year(cal_d, window):
    calendar, received = cal_d
    deadline, ok, problems = resubmissions.r31_deadline(calendar, received, window, None)
    year = cal.academic_year_of(calendar, received)
    assert ok == (deadline is not None) and ok == (not problems)
    if deadline is not None:
        assert year is not None and year.start <= deadline <= year.end
        assert cal.is_working_day(calendar, deadline)
        assert 1 <= cal.working_days_between(calendar, received, deadline) <= window
    else:
        assert all(p.code.startswith("R-31.") for p in problems)
