"""app/core/calendar.py: working days (R-31's definition, used by every working-day clock), term time and
R-31 resubmission deadlines.

The property tests compare against a deliberately naive reference (tests/core/calendars.py: a day-by-day
loop asking the `holidays` library and the term list directly), so the closed-form arithmetic in the
module has something independent to disagree with.
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
    NoWorkingDays,
    Term,
    academic_year_of,
    add_working_days,
    in_term_time,
    is_working_day,
    public_holidays,
    resubmission_deadline,
    working_days_between,
)
from tests.core.calendars import (
    all_year,
    calendar_and_day,
    last_friday_before_christmas,
    nations,
    ref_add,
    ref_between,
    ref_in_term,
    ref_is_working,
    uk_year,
)

# Centres whose terms cover every day of 1995-2085: for the holiday tests, working days there are the
# weekdays that are neither public holidays nor closures.
ENG = all_year(Nation.england_wales)
SCT = all_year(Nation.scotland)
NIR = all_year(Nation.northern_ireland)

props = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def all_year_and_day(draw):
    """An all-year calendar whose closures cluster around the drawn day, so they actually get crossed."""
    d = draw(st.dates(date(1997, 1, 1), date(2083, 12, 31)))
    offsets = draw(st.lists(st.integers(-90, 90), max_size=25))
    return all_year(draw(nations), closures={d + timedelta(days=k) for k in offsets}), d


steps = st.integers(-400, 400)

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
    cal = all_year(Nation.england_wales, closures={date(2026, 10, 28)})
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


def test_a_centre_whose_term_covers_the_holidays_counts_them():
    # Only a term running through the school holidays makes them working days. Received Mon 14 Dec
    # 2026: 15-18, 21-24 (8), 25/28 off, 29, 30 -> Wed 30 Dec. (For real terms see test_r31_christmas_*.)
    assert add_working_days(ENG, date(2026, 12, 14), 10) == date(2026, 12, 30)
    assert working_days_between(ENG, date(2026, 12, 14), date(2026, 12, 30)) == 10


def test_long_spans_across_years():
    for cal in (ENG, SCT, NIR):
        d = date(2019, 3, 4)
        for n in (2500, -2500, 253, -253):
            assert add_working_days(cal, d, n) == ref_add(cal, d, n)
        assert working_days_between(cal, d, date(2030, 1, 1)) == ref_between(cal, d, date(2030, 1, 1))


# --- properties of the weekday and holiday arithmetic (terms covering every day) ------------------


@props
@given(all_year_and_day(), steps)
def test_add_matches_reference_and_lands_on_a_working_day(cal_d, n):
    cal, d = cal_d
    result = add_working_days(cal, d, n)
    assert result == ref_add(cal, d, n)
    assert result.weekday() < 5
    assert result not in public_holidays(cal.nation, result.year)
    assert result not in cal.closures
    assert is_working_day(cal, result)


@props
@given(all_year_and_day(), steps, steps)
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
@given(all_year_and_day(), st.integers(0, 60), steps)
def test_monotonic_in_d(cal_d, gap, n):
    cal, d1 = cal_d
    d2 = d1 + timedelta(days=gap)
    assert add_working_days(cal, d1, n) <= add_working_days(cal, d2, n)


@props
@given(all_year_and_day(), steps)
def test_counting_back_undoes_counting_forward(cal_d, n):
    cal, d = cal_d
    w = add_working_days(cal, d, 0)  # a working day
    assert add_working_days(cal, add_working_days(cal, w, n), -n) == w


@props
@given(all_year_and_day(), steps)
def test_between_inverts_add(cal_d, n):
    cal, d = cal_d
    if n >= 1 or is_working_day(cal, d):
        assert working_days_between(cal, d, add_working_days(cal, d, n)) == n


@props
@given(all_year_and_day(), st.integers(-200, 200), st.integers(-200, 200))
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
    assert dl == Deadline(date(2026, 11, 24), 10, None, "2026/27")


def test_r31_resubmission_window_pauses_over_the_christmas_holiday():
    # Received Mon 14 Dec 2026: 15-18 (4) are the last days of the autumn term; the count resumes on
    # Tue 5 Jan 2027, the first day of spring: 5-8 (8), 11, 12 -> Tue 12 Jan.
    assert resubmission_deadline(CAL, date(2026, 12, 14)) == Deadline(date(2027, 1, 12), 10, None, "2026/27")
    short = resubmission_deadline(CAL, date(2026, 12, 14), working_days=3)
    assert short == Deadline(date(2026, 12, 17), 3, None, "2026/27")
    # The last day of term: all ten days are in January, 5-8, 11-15, 18.
    assert resubmission_deadline(CAL, date(2026, 12, 18)).due == date(2027, 1, 18)


def test_r31_resubmission_window_pauses_over_half_term():
    # Fri 23 Oct 2026 ends Autumn 1; Autumn 2 starts Mon 2 Nov: 2-6, 9-13.
    assert resubmission_deadline(CAL, date(2026, 10, 23)).due == date(2026, 11, 13)
    assert working_days_between(CAL, date(2026, 10, 23), date(2026, 11, 1)) == 0


def test_r31_resubmission_stays_in_the_academic_year_of_the_result():
    # Mon 12 Jul 2027: four term days are left in 2026/27 (13-16 Jul); the window shrinks to them
    # rather than running into 2027/28's autumn term.
    dl = resubmission_deadline(CAL, date(2027, 7, 12))
    assert dl == Deadline(date(2027, 7, 16), 4, DeadlineIssue.shortened_by_year_end, "2026/27")
    assert add_working_days(CAL, date(2027, 7, 12), 10) == date(2027, 9, 13)  # other clocks go on
    # After the last term day of the year: no deadline is possible.
    dl = resubmission_deadline(CAL, date(2027, 7, 26))
    assert dl == Deadline(None, 0, DeadlineIssue.no_working_day_left, "2026/27")
    # Outside every academic year of the centre.
    dl = resubmission_deadline(CAL, date(2026, 8, 20))
    assert dl == Deadline(None, 0, DeadlineIssue.no_academic_year, None)
    assert resubmission_deadline(CentreCalendar(Nation.england_wales), date(2026, 11, 9)).due is None
    with pytest.raises(ValueError):
        resubmission_deadline(CAL, date(2026, 11, 9), working_days=0)


def test_resubmission_received_on_saturday_counts_from_monday():
    assert resubmission_deadline(CAL, date(2026, 11, 7)).due == date(2026, 11, 23)


def test_r31_working_days_are_term_days_only():
    assert not is_working_day(CAL, date(2026, 10, 28))  # half-term Wednesday
    assert not is_working_day(CAL, date(2026, 12, 22))  # Christmas holiday, not a bank holiday
    assert not is_working_day(CAL, date(2026, 11, 20))  # closure inside term
    assert not is_working_day(CAL, date(2026, 8, 28))  # before the first academic year
    assert is_working_day(CAL, date(2026, 10, 23)) and is_working_day(CAL, date(2027, 1, 5))
    assert add_working_days(CAL, date(2026, 12, 22), 0) == date(2027, 1, 5)  # rolls into term
    assert add_working_days(CAL, date(2027, 1, 5), -1) == date(2026, 12, 18)
    assert working_days_between(CAL, date(2026, 12, 18), date(2027, 1, 4)) == 0


def test_r31_counting_past_the_calendar_is_refused():
    with pytest.raises(NoWorkingDays, match="3 working day"):
        add_working_days(CAL, date(2028, 7, 11), 10)  # 12-14 Jul 2028 are the last term days known
    with pytest.raises(NoWorkingDays, match="before 2026-09-04"):
        add_working_days(CAL, date(2026, 9, 4), -2)
    with pytest.raises(NoWorkingDays):
        add_working_days(CentreCalendar(Nation.scotland), date(2026, 11, 9), 1)
    assert working_days_between(CentreCalendar(Nation.scotland), date(2026, 1, 1), date(2027, 1, 1)) == 0


# --- properties of R-31's working days on calendars with real gaps between terms -------------------

term_steps = st.integers(-80, 80)


@props
@given(calendar_and_day(), term_steps)
def test_r31_result_is_a_working_day_matching_the_reference(cal_d, n):
    cal, d = cal_d
    expected = ref_add(cal, d, n)
    if expected is None:
        with pytest.raises(NoWorkingDays):
            add_working_days(cal, d, n)
        return
    result = add_working_days(cal, d, n)
    assert result == expected
    assert is_working_day(cal, result) and ref_is_working(cal, result)
    # Never inside a holiday gap (between terms, or outside every year).
    assert ref_in_term(cal, result) and in_term_time(cal, result)
    assert result.weekday() < 5 and result not in cal.closures
    assert result not in public_holidays(cal.nation, result.year)


@props
@given(calendar_and_day(), st.integers(1, 80))
def test_r31_count_of_working_days_in_start_to_result_is_n(cal_d, n):
    cal, d = cal_d
    try:
        result = add_working_days(cal, d, n)
    except NoWorkingDays:
        assert ref_add(cal, d, n) is None
        return
    assert result > d
    assert working_days_between(cal, d, result) == n == ref_between(cal, d, result)
    # ... and the n-th: the day before the result has one fewer.
    assert working_days_between(cal, d, result - timedelta(days=1)) == n - 1


@props
@given(calendar_and_day(), term_steps, term_steps)
def test_r31_monotonic_in_n(cal_d, n1, n2):
    cal, d = cal_d
    n1, n2 = sorted((n1, n2))
    try:
        r1, r2 = add_working_days(cal, d, n1), add_working_days(cal, d, n2)
    except NoWorkingDays:
        return
    assert r1 <= r2
    if n1 != n2 and not ((n1, n2) == (0, 1) and not is_working_day(cal, d)):
        assert r1 < r2


@props
@given(calendar_and_day(), st.integers(-300, 300), st.integers(-300, 300))
def test_r31_between_matches_reference_antisymmetric_additive(cal_d, k1, k2):
    cal, a = cal_d
    b, c = a + timedelta(days=k1), a + timedelta(days=k2)
    ab = working_days_between(cal, a, b)
    assert ab == ref_between(cal, a, b)
    assert working_days_between(cal, b, a) == -ab
    assert ab + working_days_between(cal, b, c) == working_days_between(cal, a, c)


@props
@given(calendar_and_day(), term_steps)
def test_r31_counting_back_undoes_counting_forward(cal_d, n):
    cal, d = cal_d
    try:
        w = add_working_days(cal, d, 0)
        there = add_working_days(cal, w, n)
    except NoWorkingDays:
        return
    assert add_working_days(cal, there, -n) == w


@props
@given(st.integers(2000, 2080), nations)
@example(2026, Nation.england_wales)
@example(2026, Nation.scotland)
def test_r31_christmas_a_result_on_the_last_friday_of_term_leaves_its_10_days_in_january(year, nation):
    cal = CentreCalendar(nation, (uk_year(year),))
    received = last_friday_before_christmas(year)
    assert received.weekday() == 4 and received.month == 12 and 15 <= received.day <= 21
    dl = resubmission_deadline(cal, received)
    assert dl.due is not None and dl.working_days == 10 and dl.reason is None
    spring = cal.academic_years[0].terms[2].start
    # Not one of the ten days is in the Christmas holiday: they all lie in January's spring term.
    assert working_days_between(cal, received, spring - timedelta(days=1)) == 0
    assert dl.due.year == year + 1 and dl.due.month == 1
    assert working_days_between(cal, spring - timedelta(days=1), dl.due) == 10
    assert dl.due == add_working_days(cal, spring, 9) or not is_working_day(cal, spring)


def test_r31_christmas_2026_examples():
    eng = CentreCalendar(Nation.england_wales, (uk_year(2026),))
    sct = CentreCalendar(Nation.scotland, (uk_year(2026),))
    # Term ends Fri 18 Dec 2026, spring starts Mon 4 Jan 2027: 4-8, 11-15.
    assert resubmission_deadline(eng, date(2026, 12, 18)).due == date(2027, 1, 15)
    # In Scotland Mon 4 Jan 2027 is a bank holiday (for Sat 2 Jan): 5-8, 11-15, 18.
    assert resubmission_deadline(sct, date(2026, 12, 18)).due == date(2027, 1, 18)
    # Mid-December: four term days before Christmas (15-18), then six in January (4-8, 11).
    assert resubmission_deadline(eng, date(2026, 12, 14)).due == date(2027, 1, 11)


@props
@given(calendar_and_day(), st.integers(1, 15))
def test_r31_resubmission_deadline_in_term_in_the_same_year(cal_d, window):
    cal, received = cal_d
    dl = resubmission_deadline(cal, received, window)
    year = academic_year_of(cal, received)
    if year is None:
        assert dl == Deadline(None, 0, DeadlineIssue.no_academic_year, None)
        return
    left = ref_between(cal, received, year.end)
    assert dl.academic_year == year.label
    if left == 0:
        assert dl == Deadline(None, 0, DeadlineIssue.no_working_day_left, year.label)
        return
    assert dl.due is not None and year.start <= dl.due <= year.end
    assert in_term_time(cal, dl.due, year.label) and is_working_day(cal, dl.due)
    assert dl.working_days == min(window, left) == working_days_between(cal, received, dl.due)
    assert (dl.reason is None) == (left >= window)


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
