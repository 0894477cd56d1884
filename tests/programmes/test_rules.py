"""The pure date rules of registration (R-11) and special consideration (R-81), with hypothesis."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.calendar import (
    CentreCalendar,
    Nation,
    NoWorkingDays,
    add_working_days,
    is_working_day,
    working_days_between,
)
from app.programmes import rules
from tests.core.calendars import uk_year

dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31))
# English-style terms for 2023/24 to 2027/28 (R-31: working days are term days), closures anywhere.
calendars = st.builds(
    CentreCalendar,
    nation=st.sampled_from(list(Nation)),
    academic_years=st.just(tuple(uk_year(y) for y in range(2023, 2028))),
    closures=st.frozensets(
        st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2027, 12, 31)), max_size=30
    ),
)
near = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2027, 6, 30))


@given(dates)
def test_one_month_after_is_the_same_day_or_the_months_last(d):
    after = rules.one_month_after(d)
    assert after > d and (after - d).days <= 31
    assert (after.year * 12 + after.month) - (d.year * 12 + d.month) == 1
    assert after.day == d.day or ((after + dt.timedelta(days=1)).day == 1 and after.day < d.day)


@given(dates)
def test_end_of_november_is_the_first_30_november_of_the_academic_year(start):
    deadline = rules.end_of_november(start)
    assert (deadline.month, deadline.day) == (11, 30)
    assert start <= deadline < dt.date(start.year + 1, start.month, 1) + dt.timedelta(days=366)
    assert rules.end_of_november(deadline) == deadline  # no earlier 30 November on or after the start


@given(dates, dates)
def test_the_deadline_depends_on_the_delivery_model(start, enrolled):
    assert rules.registration_deadline("academic_year", start, enrolled) == rules.end_of_november(start)
    assert rules.registration_deadline("flexible", start, enrolled) == rules.one_month_after(enrolled)


@given(dates, dates, st.one_of(st.none(), dates), dates, st.booleans())
def test_registration_issue(enrolled, deadline, registered, today, transferred):
    issue = rules.registration_issue(
        status="registered" if registered else "enrolled",
        enrolled_on=enrolled,
        registration_deadline=deadline,
        registered_on=registered,
        transferred=transferred,
        today=today,
    )
    if registered is None:
        assert issue == ("overdue" if today > deadline else None)
    elif registered > deadline:
        assert issue == "late"
    else:
        assert issue == ("early" if registered < enrolled and not transferred else None)
    assert (
        rules.registration_issue(
            status="transferred",
            enrolled_on=enrolled,
            registration_deadline=deadline,
            registered_on=registered,
            transferred=transferred,
            today=today,
        )
        is None
    )


@given(calendars, near)
def test_escalation_is_two_working_days_later(cal, flagged):
    due = rules.escalate_by(cal, flagged)
    assert due == add_working_days(cal, flagged, rules.ESCALATION_WORKING_DAYS)  # R-31's one clock
    assert is_working_day(cal, due) and due > flagged
    assert working_days_between(cal, flagged, due) == rules.ESCALATION_WORKING_DAYS


def test_r31_escalation_pauses_over_the_holidays_and_is_none_past_the_calendar():
    cal = CentreCalendar(Nation.england_wales, (uk_year(2025),))
    # Flagged on the last day of the autumn term (Fri 19 Dec 2025): spring starts Mon 5 Jan 2026.
    assert rules.escalate_by(cal, dt.date(2025, 12, 19)) == dt.date(2026, 1, 6)
    assert rules.escalate_by(cal, dt.date(2026, 7, 20)) is None  # no term of 2026/27 entered yet
    assert rules.escalate_by(CentreCalendar(Nation.scotland), dt.date(2025, 12, 1)) is None
    with pytest.raises(NoWorkingDays):
        rules.special_consideration_last_day(cal, dt.date(2026, 7, 15))


@given(calendars, near)
def test_special_consideration_window_is_five_working_days(cal, assessed):
    last = rules.special_consideration_last_day(cal, assessed)
    assert is_working_day(cal, last) and last > assessed
    assert working_days_between(cal, assessed, last) == rules.SPECIAL_CONSIDERATION_WORKING_DAYS
    # A closure inside the window moves its end a working day later.
    inside = next(
        d
        for d in (assessed + dt.timedelta(days=i) for i in range(1, (last - assessed).days))
        if is_working_day(cal, d) and d < last
    )
    widened = CentreCalendar(cal.nation, cal.academic_years, cal.closures | {inside})
    assert rules.special_consideration_last_day(widened, assessed) > last
