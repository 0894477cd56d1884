"""Calendars for the working-day tests: a naive reference of R-31's definition, and hypothesis strategies.

The reference walks day by day and asks the `holidays` library directly, so the closed-form arithmetic
of app/core/calendar.py has something independent to disagree with.
"""

from __future__ import annotations

from datetime import date, timedelta

import holidays
from hypothesis import strategies as st

from app.core.calendar import AcademicYear, CentreCalendar, Nation, Term

_REF_HOLIDAYS = {
    Nation.england_wales: holidays.UK(subdiv="ENG"),
    Nation.scotland: holidays.UK(subdiv="SCT"),
    Nation.northern_ireland: holidays.UK(subdiv="NIR"),
}


def ref_in_term(cal: CentreCalendar, d: date) -> bool:
    return any(t.start <= d <= t.end for y in cal.academic_years for t in y.terms)


def ref_is_working(cal: CentreCalendar, d: date) -> bool:
    """R-31, read literally: a weekday inside a term, not a public holiday, not a closure."""
    return (
        d.weekday() < 5
        and d not in _REF_HOLIDAYS[cal.nation]
        and d not in cal.closures
        and ref_in_term(cal, d)
    )


def _term_bounds(cal: CentreCalendar) -> tuple[date, date] | None:
    terms = [t for y in cal.academic_years for t in y.terms]
    if not terms:
        return None
    return min(t.start for t in terms), max(t.end for t in terms)


def ref_add(cal: CentreCalendar, d: date, n: int) -> date | None:
    """The n-th working day after d (before it when n < 0; d or the next for n == 0); None when the
    calendar's terms run out first."""
    bounds = _term_bounds(cal)
    if bounds is None:
        return None
    first, last = bounds
    if n == 0:
        while not ref_is_working(cal, d):
            d += timedelta(days=1)
            if d > last:
                return None
        return d
    step = timedelta(days=1 if n > 0 else -1)

    def ran_out(day: date) -> bool:
        return day > last if n > 0 else day < first

    for _ in range(abs(n)):
        d += step
        while not ref_is_working(cal, d):
            if ran_out(d):
                return None
            d += step
    return d


def ref_between(cal: CentreCalendar, start: date, end: date) -> int:
    lo, hi, sign = (start, end, 1) if start <= end else (end, start, -1)
    return sign * sum(ref_is_working(cal, lo + timedelta(days=i)) for i in range(1, (hi - lo).days + 1))


# --- calendars ---------------------------------------------------------------------------------------


def all_year(
    nation: Nation | str, first: int = 1995, last: int = 2085, closures=frozenset()
) -> CentreCalendar:
    """A centre whose terms cover every day from `first` to `last`: its working days are exactly the
    weekdays that are not public holidays or closures (for the nation-specific holiday tests)."""
    years = tuple(
        AcademicYear(str(y), date(y, 1, 1), date(y, 12, 31), (Term(date(y, 1, 1), date(y, 12, 31), "All"),))
        for y in range(first, last + 1)
    )
    return CentreCalendar(Nation(nation), years, frozenset(closures))


def _weekday_on_or_after(d: date, weekday: int) -> date:
    return d + timedelta(days=(weekday - d.weekday()) % 7)


def last_friday_before_christmas(year: int) -> date:
    """The Friday in 15..21 December: English schools usually break up for Christmas on it."""
    return _weekday_on_or_after(date(year, 12, 15), 4)


def uk_year(year: int) -> AcademicYear:
    """An English-style academic year `year`/`year+1`: five terms with half-terms between them, the
    autumn term ending on the last Friday before Christmas and spring starting the first Monday of
    January from the 4th (so the Christmas holiday is always two weeks or more)."""
    autumn1 = _weekday_on_or_after(date(year, 9, 2), 2)  # a Wednesday
    half_term = _weekday_on_or_after(date(year, 10, 24), 0)
    spring = _weekday_on_or_after(date(year + 1, 1, 4), 0)
    spring_half = _weekday_on_or_after(date(year + 1, 2, 14), 0)
    summer = _weekday_on_or_after(date(year + 1, 4, 14), 0)
    day = timedelta(days=1)
    return AcademicYear(
        f"{year}/{(year + 1) % 100:02d}",
        date(year, 9, 1),
        date(year + 1, 8, 31),
        (
            Term(autumn1, half_term - 3 * day, "Autumn 1"),
            Term(half_term + 7 * day, last_friday_before_christmas(year), "Autumn 2"),
            Term(spring, spring_half - 3 * day, "Spring 1"),
            Term(spring_half + 7 * day, date(year + 1, 3, 27), "Spring 2"),
            Term(summer, _weekday_on_or_after(date(year + 1, 7, 16), 4), "Summer"),
        ),
    )


nations = st.sampled_from(list(Nation))


@st.composite
def _random_year(draw, year: int) -> AcademicYear:
    start, end = date(year, 9, 1), date(year + 1, 8, 31)
    m = draw(st.integers(0, 6))
    cuts = sorted(draw(st.sets(st.integers(0, (end - start).days), min_size=2 * m, max_size=2 * m)))
    terms = tuple(
        Term(start + timedelta(days=cuts[2 * j]), start + timedelta(days=cuts[2 * j + 1]), f"T{j}")
        for j in range(m)
    )
    return AcademicYear(f"{year}/{(year + 1) % 100:02d}", start, end, terms)


@st.composite
def term_calendars(draw, first: int = 2000, last: int = 2080) -> CentreCalendar:
    """One to three academic years (English-style or random terms, sometimes a year missing), closures
    clustered on term days so they are actually crossed."""
    y0 = draw(st.integers(first, last))
    years: list[AcademicYear] = []
    for y in range(y0, y0 + draw(st.integers(1, 3))):
        if years and draw(st.integers(0, 4)) == 0:
            continue  # a year not entered: its terms are not working days
        years.append(uk_year(y) if draw(st.booleans()) else draw(_random_year(y)))
    term_days = [t.start + timedelta(days=k) for y in years for t in y.terms for k in (0, 3, 10)]
    closures = draw(st.frozensets(st.sampled_from(term_days), max_size=8)) if term_days else frozenset()
    return CentreCalendar(draw(nations), tuple(years), closures)


@st.composite
def calendar_and_day(draw) -> tuple[CentreCalendar, date]:
    """A term calendar and a day in or near its years."""
    cal = draw(term_calendars())
    lo, hi = cal.academic_years[0].start, cal.academic_years[-1].end
    return cal, draw(st.dates(lo - timedelta(days=40), hi + timedelta(days=40)))
