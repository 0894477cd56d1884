"""app/core/calendar.py: working days (R-31, R-11, R-61), term time and R-31 resubmission deadlines.

The property tests compare against a deliberately naive reference (a day-by-day loop asking the
`holidays` library directly), so the closed-form arithmetic in the module has something independent
to disagree with.
"""

from datetime import date, datetime, timedelta

import holidays
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.core.calendar import (
    AcademicYear,
    CentreCalendar,
    Deadline,
    DeadlineIssue,
    Nation,
    Term,
    academic_year_of,
    add_working_days,
    in_term_time,
    is_working_day,
    public_holidays,
    resubmission_deadline,
    working_days_between,
)

ENG = CentreCalendar(Nation.england_wales)
SCT = CentreCalendar(Nation.scotland)
NIR = CentreCalendar(Nation.northern_ireland)

# --- independent reference -------------------------------------------------------------------------

_REF_HOLIDAYS = {
    Nation.england_wales: holidays.UK(subdiv="ENG"),
    Nation.scotland: holidays.UK(subdiv="SCT"),
    Nation.northern_ireland: holidays.UK(subdiv="NIR"),
}


def ref_is_working(cal: CentreCalendar, d: date) -> bool:
    return d.weekday() < 5 and d not in _REF_HOLIDAYS[cal.nation] and d not in cal.closures


def ref_add(cal: CentreCalendar, d: date, n: int) -> date:
    if n == 0:
        while not ref_is_working(cal, d):
            d += timedelta(days=1)
        return d
    step = timedelta(days=1 if n > 0 else -1)
    for _ in range(abs(n)):
        d += step
        while not ref_is_working(cal, d):
            d += step
    return d


def ref_between(cal: CentreCalendar, start: date, end: date) -> int:
    lo, hi, sign = (start, end, 1) if start <= end else (end, start, -1)
    return sign * sum(ref_is_working(cal, lo + timedelta(days=i)) for i in range(1, (hi - lo).days + 1))


# --- strategies ------------------------------------------------------------------------------------

nations = st.sampled_from(list(Nation))
days = st.dates(date(1995, 1, 1), date(2085, 12, 31))
steps = st.integers(-400, 400)


@st.composite
def calendar_and_day(draw):
    """A calendar whose closures cluster around the drawn day, so they actually get crossed."""
    d = draw(days)
    offsets = draw(st.lists(st.integers(-90, 90), max_size=25))
    return CentreCalendar(draw(nations), closures=frozenset(d + timedelta(days=k) for k in offsets)), d


props = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- known dates -----------------------------------------------------------------------------------


def test_christmas_2026_uk_wide():
    # 25 Dec 2026 is a Friday, Boxing Day a Saturday -> substitute Monday 28 Dec, in all three nations.
    for cal in (ENG, SCT, NIR):
        assert not is_working_day(cal, date(2026, 12, 25))
        assert not is_working_day(cal, date(2026, 12, 26))
        assert not is_working_day(cal, date(2026, 12, 28))
        assert is_working_day(cal, date(2026, 12, 29))
        assert add_working_days(cal, date(2026, 12, 24), 1) == date(2026, 12, 29)
        assert add_working_days(cal, date(2026, 12, 29), -1) == date(2026, 12, 24)


def test_scotland_second_of_january():
    assert not is_working_day(SCT, date(2026, 1, 2))  # Friday
    assert is_working_day(ENG, date(2026, 1, 2))
    assert is_working_day(NIR, date(2026, 1, 2))
    assert add_working_days(SCT, date(2025, 12, 31), 1) == date(2026, 1, 5)
    assert add_working_days(ENG, date(2025, 12, 31), 1) == date(2026, 1, 2)


def test_scotland_has_no_easter_monday_and_an_early_summer_holiday():
    assert is_working_day(SCT, date(2026, 4, 6))
    assert not is_working_day(ENG, date(2026, 4, 6))
    assert not is_working_day(SCT, date(2026, 8, 3))
    assert is_working_day(ENG, date(2026, 8, 3))
    assert not is_working_day(ENG, date(2026, 8, 31))


def test_northern_ireland_st_patrick_and_twelfth():
    assert not is_working_day(NIR, date(2026, 3, 17))  # Tuesday
    assert is_working_day(ENG, date(2026, 3, 17))
    assert not is_working_day(NIR, date(2027, 7, 12))  # Monday
    assert is_working_day(SCT, date(2027, 7, 12))
    # 12 July 2026 is a Sunday: the substitute Monday 13 July is off in NI only.
    assert not is_working_day(NIR, date(2026, 7, 13))
    assert is_working_day(ENG, date(2026, 7, 13))


def test_wales_shares_englands_bank_holidays():
    # Nation.england_wales uses the library's ENG set; this fails the day Wales diverges.
    for year in range(1990, 2091):
        assert holidays.UK(subdiv="WLS", years=year).keys() == holidays.UK(subdiv="ENG", years=year).keys()


def test_public_holidays_cached_and_year_checked():
    assert public_holidays("scotland", 2026) is public_holidays(Nation.scotland, 2026)
    assert date(2026, 11, 30) in public_holidays(Nation.scotland, 2026)  # St Andrew's Day, a Monday
    with pytest.raises(ValueError, match="no public-holiday data"):
        public_holidays(Nation.england_wales, 2150)


def test_weekends_and_closures():
    cal = CentreCalendar(Nation.england_wales, closures=frozenset({date(2026, 10, 28)}))
    assert not is_working_day(cal, date(2026, 10, 24))  # Saturday
    assert not is_working_day(cal, date(2026, 10, 25))  # Sunday
    assert not is_working_day(cal, date(2026, 10, 28))
    assert is_working_day(ENG, date(2026, 10, 28))
    assert add_working_days(cal, date(2026, 10, 23), 3) == date(2026, 10, 29)
    assert add_working_days(ENG, date(2026, 10, 23), 3) == date(2026, 10, 28)


def test_zero_and_non_working_start():
    assert add_working_days(ENG, date(2026, 12, 29), 0) == date(2026, 12, 29)
    assert add_working_days(ENG, date(2026, 12, 25), 0) == date(2026, 12, 29)  # rolls forward
    assert add_working_days(ENG, date(2026, 10, 24), 1) == date(2026, 10, 26)  # Saturday -> Monday
    assert add_working_days(ENG, date(2026, 10, 24), -1) == date(2026, 10, 23)
    assert working_days_between(ENG, date(2026, 10, 24), date(2026, 10, 24)) == 0
    assert working_days_between(ENG, date(2026, 12, 24), date(2026, 12, 29)) == 1
    assert working_days_between(ENG, date(2026, 12, 29), date(2026, 12, 24)) == -1


def test_ten_working_days_r31_example():
    # Received Mon 14 Dec 2026: 15-18, 21-24 (8), 25/28 off, 29, 30 -> Wed 30 Dec.
    assert add_working_days(ENG, date(2026, 12, 14), 10) == date(2026, 12, 30)
    assert working_days_between(ENG, date(2026, 12, 14), date(2026, 12, 30)) == 10


def test_long_spans_across_years():
    for cal in (ENG, SCT, NIR):
        d = date(2019, 3, 4)
        for n in (2500, -2500, 253, -253):
            assert add_working_days(cal, d, n) == ref_add(cal, d, n)
        assert working_days_between(cal, d, date(2030, 1, 1)) == ref_between(cal, d, date(2030, 1, 1))


# --- properties ------------------------------------------------------------------------------------


@props
@given(calendar_and_day(), steps)
def test_add_matches_reference_and_lands_on_a_working_day(cal_d, n):
    cal, d = cal_d
    result = add_working_days(cal, d, n)
    assert result == ref_add(cal, d, n)
    assert result.weekday() < 5
    assert result not in public_holidays(cal.nation, result.year)
    assert result not in cal.closures
    assert is_working_day(cal, result)


@props
@given(calendar_and_day(), steps, steps)
@example((ENG, date(2026, 10, 24)), 0, 1)
@example((ENG, date(2026, 10, 24)), -1, 0)
def test_monotonic_in_n(cal_d, n1, n2):
    cal, d = cal_d
    n1, n2 = sorted((n1, n2))
    assert add_working_days(cal, d, n1) <= add_working_days(cal, d, n2)
    # Strictly increasing, except that from a non-working day "0 days" and "1 day" both give the
    # next working day.
    if n1 != n2 and not ((n1, n2) == (0, 1) and not is_working_day(cal, d)):
        assert add_working_days(cal, d, n1) < add_working_days(cal, d, n2)


@props
@given(calendar_and_day(), st.integers(0, 60), steps)
def test_monotonic_in_d(cal_d, gap, n):
    cal, d1 = cal_d
    d2 = d1 + timedelta(days=gap)
    assert add_working_days(cal, d1, n) <= add_working_days(cal, d2, n)


@props
@given(calendar_and_day(), steps)
def test_counting_back_undoes_counting_forward(cal_d, n):
    cal, d = cal_d
    w = add_working_days(cal, d, 0)  # a working day
    assert add_working_days(cal, add_working_days(cal, w, n), -n) == w


@props
@given(calendar_and_day(), steps)
def test_between_inverts_add(cal_d, n):
    cal, d = cal_d
    if n >= 1 or is_working_day(cal, d):
        assert working_days_between(cal, d, add_working_days(cal, d, n)) == n


@props
@given(calendar_and_day(), st.integers(-200, 200), st.integers(-200, 200))
def test_between_matches_reference_antisymmetric_additive(cal_d, k1, k2):
    cal, a = cal_d
    b, c = a + timedelta(days=k1), a + timedelta(days=k2)
    ab = working_days_between(cal, a, b)
    assert ab == ref_between(cal, a, b)
    assert working_days_between(cal, b, a) == -ab
    assert ab + working_days_between(cal, b, c) == working_days_between(cal, a, c)


# --- academic years, term time, R-31 deadlines -----------------------------------------------------

Y2026 = AcademicYear(
    "2026/27",
    date(2026, 9, 1),
    date(2027, 7, 31),
    (
        Term(date(2026, 9, 3), date(2026, 10, 23), "Autumn 1"),
        Term(date(2026, 11, 2), date(2026, 12, 18), "Autumn 2"),
        Term(date(2027, 1, 5), date(2027, 3, 26), "Spring"),
        Term(date(2027, 4, 12), date(2027, 7, 16), "Summer"),
    ),
)
Y2027 = AcademicYear(
    "2027/28", date(2027, 8, 1), date(2028, 7, 31), (Term(date(2027, 9, 6), date(2028, 7, 14), "All year"),)
)
CAL = CentreCalendar(Nation.england_wales, (Y2027, Y2026), frozenset({date(2026, 11, 20)}))


def test_academic_year_of_and_term_time():
    assert CAL.academic_years == (Y2026, Y2027)  # kept in date order
    assert academic_year_of(CAL, date(2026, 9, 1)) is Y2026
    assert academic_year_of(CAL, date(2027, 7, 31)) is Y2026
    assert academic_year_of(CAL, date(2027, 8, 1)) is Y2027
    assert academic_year_of(CAL, date(2026, 8, 31)) is None
    assert in_term_time(CAL, date(2026, 10, 23))  # inclusive end
    assert not in_term_time(CAL, date(2026, 10, 26))  # half-term
    assert in_term_time(CAL, date(2026, 11, 20))  # a closure is still term time
    assert in_term_time(CAL, date(2026, 11, 2), "2026/27")
    assert not in_term_time(CAL, date(2026, 11, 2), "2027/28")
    assert not in_term_time(CAL, date(2026, 8, 15))
    with pytest.raises(ValueError, match="unknown academic year"):
        in_term_time(CAL, date(2026, 11, 2), "2030/31")


def test_resubmission_within_term():
    dl = resubmission_deadline(CAL, date(2026, 11, 9))
    # 10-13 (4), 16-19 (8), 20 closed, 23, 24 -> Tue 24 Nov
    assert dl == Deadline(date(2026, 11, 24), True, None, "2026/27")


def test_resubmission_outside_term_time():
    dl = resubmission_deadline(CAL, date(2026, 12, 14))
    assert dl.due == date(2026, 12, 30)
    assert (dl.within_term_time, dl.reason, dl.academic_year) == (False, "outside_term_time", "2026/27")
    short = resubmission_deadline(CAL, date(2026, 12, 14), working_days=3)
    assert (short.due, short.within_term_time) == (date(2026, 12, 17), True)


def test_resubmission_different_and_no_academic_year():
    dl = resubmission_deadline(CAL, date(2027, 7, 26))
    assert dl.due == date(2027, 8, 9)
    assert (dl.within_term_time, dl.reason) == (False, DeadlineIssue.different_academic_year)
    dl = resubmission_deadline(CAL, date(2026, 8, 20))
    assert (dl.within_term_time, dl.reason, dl.academic_year) == (False, "no_academic_year", None)
    assert resubmission_deadline(ENG, date(2026, 11, 9)).reason == DeadlineIssue.no_academic_year
    with pytest.raises(ValueError):
        resubmission_deadline(CAL, date(2026, 11, 9), working_days=-1)


def test_resubmission_received_on_saturday_counts_from_monday():
    assert resubmission_deadline(CAL, date(2026, 11, 7)).due == date(2026, 11, 23)


# --- validation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Term(date(2026, 9, 5), date(2026, 9, 4), "x"), "is after end"),
        (lambda: AcademicYear("2026/27", date(2027, 7, 31), date(2026, 9, 1)), "is after end"),
        (lambda: AcademicYear("", date(2026, 9, 1), date(2027, 7, 31)), "must not be empty"),
        (
            lambda: AcademicYear(
                "2026/27",
                date(2026, 9, 1),
                date(2027, 7, 31),
                (Term(date(2026, 8, 30), date(2026, 10, 1), "A"),),
            ),
            "outside the year",
        ),
        (
            lambda: AcademicYear(
                "2026/27",
                date(2026, 9, 1),
                date(2027, 7, 31),
                (
                    Term(date(2026, 9, 1), date(2026, 10, 1), "A"),
                    Term(date(2026, 10, 1), date(2026, 11, 1), "B"),
                ),
            ),
            "overlap",
        ),
        (
            lambda: CentreCalendar(
                Nation.scotland, (Y2026, AcademicYear("2027/28", date(2027, 7, 31), date(2028, 7, 31)))
            ),
            "overlap",
        ),
        (lambda: CentreCalendar(Nation.scotland, (Y2026, Y2026)), "unique"),
        (
            lambda: CentreCalendar(Nation.scotland, closures=frozenset({datetime(2026, 1, 5)})),
            "must be a date",
        ),
        (lambda: CentreCalendar("wales"), "not a valid Nation"),
    ],
)
def test_invalid_calendars_are_refused(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_calendar_coerces_collections_and_is_hashable():
    cal = CentreCalendar("northern_ireland", [Y2026], {date(2026, 11, 20)})
    assert cal.nation is Nation.northern_ireland
    assert isinstance(cal.academic_years, tuple) and isinstance(cal.closures, frozenset)
    same = CentreCalendar(Nation.northern_ireland, (Y2026,), frozenset({date(2026, 11, 20)}))
    assert cal == same and hash(cal) == hash(same)
    assert not is_working_day(cal, date(2026, 11, 20))
