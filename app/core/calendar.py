"""Working days, term time and academic years of a centre (DESIGN rule 10).

Every deadline counted in working days goes through this module: R-31 (resubmission at most 10 working
days after the learner received the result, inside term time and the same academic year), R-43
(remedial actions due in N working days), R-11 (late registrations escalated within 2 working days),
R-81 (special consideration) and R-61 (appeal stages of 5, 5, 5 and 14 working days). R-31 defines a
working day once, for all of them: a weekday inside one of the centre's terms that is not a public
holiday of the centre's nation nor one of the centre's own closures. The holidays between terms are
not working days, so every count pauses over them. That rule is `is_working_day` /
`add_working_days` / `working_days_between` below and nowhere else; `GET /v1/working-days` answers
with the same functions.

Pure: no database, no clock. Callers load a `CentreCalendar` and pass dates (never datetimes)."""

from __future__ import annotations

import enum
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

import holidays

__all__ = [
    "AcademicYear",
    "CentreCalendar",
    "Deadline",
    "DeadlineIssue",
    "Nation",
    "NoWorkingDays",
    "Term",
    "academic_year_of",
    "add_working_days",
    "in_term_time",
    "is_working_day",
    "public_holidays",
    "resubmission_deadline",
    "working_days_between",
]


class Nation(enum.StrEnum):
    england_wales = "england_wales"
    scotland = "scotland"
    northern_ireland = "northern_ireland"


# `holidays` offers ENG, WLS, SCT and NIR for the UK. Wales has no bank holiday of its own (St David's
# Day is not one), and ENG and WLS give identical sets; we use ENG for England and Wales and a test
# fails if the two ever diverge, at which point Nation has to split.
_SUBDIV = {Nation.england_wales: "ENG", Nation.scotland: "SCT", Nation.northern_ireland: "NIR"}
_FIRST_YEAR, _LAST_YEAR = holidays.UK.start_year, holidays.UK.end_year


def _check_date(value: object, what: str) -> None:
    # datetime is a subclass of date but hashes/compares differently: a closure given as a datetime
    # would silently never match, so refuse it outright.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValueError(f"{what} must be a date, got {value!r}")


@dataclass(frozen=True, slots=True)
class Term:
    start: date
    end: date
    name: str

    def __post_init__(self) -> None:
        _check_date(self.start, f"term {self.name!r} start")
        _check_date(self.end, f"term {self.name!r} end")
        if self.start > self.end:
            raise ValueError(f"term {self.name!r}: start {self.start} is after end {self.end}")


@dataclass(frozen=True, slots=True)
class AcademicYear:
    """An academic year ("2026/27") and its terms, kept in date order. Half-terms are the gaps
    between terms (model "Autumn 1" and "Autumn 2" as two terms); both ends are inclusive."""

    label: str
    start: date
    end: date
    terms: tuple[Term, ...] = ()

    def __post_init__(self) -> None:
        if not self.label:
            raise ValueError("academic year label must not be empty")
        _check_date(self.start, f"academic year {self.label} start")
        _check_date(self.end, f"academic year {self.label} end")
        if self.start > self.end:
            raise ValueError(f"academic year {self.label}: start {self.start} is after end {self.end}")
        terms = tuple(sorted(self.terms, key=lambda t: (t.start, t.end)))
        for t in terms:
            if t.start < self.start or t.end > self.end:
                raise ValueError(
                    f"academic year {self.label}: term {t.name!r} ({t.start}..{t.end}) is outside "
                    f"the year ({self.start}..{self.end})"
                )
        for a, b in zip(terms, terms[1:]):
            if b.start <= a.end:
                raise ValueError(f"academic year {self.label}: terms {a.name!r} and {b.name!r} overlap")
        object.__setattr__(self, "terms", terms)


@dataclass(frozen=True, slots=True)
class CentreCalendar:
    nation: Nation
    academic_years: tuple[AcademicYear, ...] = ()
    closures: frozenset[date] = frozenset()
    # Derived: every term of every year as (first, last) ordinals in date order, for the bisects below.
    _term_spans: tuple[tuple[int, int], ...] = field(default=(), init=False, repr=False, compare=False)
    _term_starts: tuple[int, ...] = field(default=(), init=False, repr=False, compare=False)
    _term_ends: tuple[int, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "nation", Nation(self.nation))  # accepts "scotland" too
        years = tuple(sorted(self.academic_years, key=lambda y: y.start))
        labels = [y.label for y in years]
        if len(set(labels)) != len(labels):
            raise ValueError(f"academic year labels must be unique, got {labels}")
        for a, b in zip(years, years[1:]):
            if b.start <= a.end:
                raise ValueError(f"academic years {a.label} and {b.label} overlap")
        closures = frozenset(self.closures)  # hashable: it is part of the cache key below
        for d in closures:
            _check_date(d, "closure")
        object.__setattr__(self, "academic_years", years)
        object.__setattr__(self, "closures", closures)
        # Years are apart and a year's terms are inside it and apart, so these are disjoint and sorted.
        spans = tuple((t.start.toordinal(), t.end.toordinal()) for y in years for t in y.terms)
        object.__setattr__(self, "_term_spans", spans)
        object.__setattr__(self, "_term_starts", tuple(s for s, _ in spans))
        object.__setattr__(self, "_term_ends", tuple(e for _, e in spans))


class DeadlineIssue(enum.StrEnum):
    """Why R-31's window is shorter than asked, or why no resubmission deadline exists."""

    shortened_by_year_end = "shortened_by_year_end"  # fewer working days left in the academic year
    no_academic_year = "no_academic_year"  # the result was received outside the centre's years
    no_working_day_left = "no_working_day_left"  # no term day of that year is left after it


@dataclass(frozen=True, slots=True)
class Deadline:
    """R-31's latest resubmission date: `working_days` (at most the window asked for) working days
    after the result was received, all in the academic year it was received in. `due` is None exactly
    when no deadline is possible; `reason` then says why (and says so when the window was shortened)."""

    due: date | None
    working_days: int
    reason: DeadlineIssue | None
    academic_year: str | None  # label of the year the result was received in


# --- public holidays and off days (R-31) -----------------------------------------------------------


@lru_cache(maxsize=1024)
def _public_holidays(subdiv: str, year: int) -> frozenset[date]:
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        # Outside its range the library returns nothing; counting as if there were no holidays
        # would silently shorten deadlines, so refuse.
        raise ValueError(f"no public-holiday data for {year} (covered: {_FIRST_YEAR}-{_LAST_YEAR})")
    # Build the neighbouring years too and keep this year's dates, so that a substitute day
    # observed across a year boundary is never lost.
    years = range(max(year - 1, _FIRST_YEAR), min(year + 1, _LAST_YEAR) + 1)
    return frozenset(d for d in holidays.UK(subdiv=subdiv, years=years) if d.year == year)


def public_holidays(nation: Nation | str, year: int) -> frozenset[date]:
    """The public holidays of `nation` in `year` (cached per nation and year)."""
    return _public_holidays(_SUBDIV[Nation(nation)], year)


@lru_cache(maxsize=4096)
def _off_days(subdiv: str, closures: frozenset[date], year: int) -> tuple[tuple[int, ...], frozenset[int]]:
    """Ordinals of the *weekdays* of `year` that are public holidays of the nation or closures of the
    centre (with term dates, the reasons R-31 gives for a weekday not to be a working day), sorted for
    range counts and as a set for membership.
    Weekends are handled arithmetically, so a holiday on a Sunday is not counted twice."""
    days = _public_holidays(subdiv, year) | {d for d in closures if d.year == year}
    ords = sorted(d.toordinal() for d in days if d.weekday() < 5)
    return tuple(ords), frozenset(ords)


# Ordinal 1 (0001-01-01) is a Monday, so an ordinal o is a weekday iff 1 <= o % 7 <= 5.
def _weekdays_upto(o: int) -> int:
    """Number of weekdays with ordinal in [1, o]."""
    q, r = divmod(o, 7)
    return 5 * q + min(r, 5)


def _nth_weekday(m: int) -> int:
    """Ordinal of the m-th weekday counting from ordinal 1 (inverse of _weekdays_upto)."""
    q, r = divmod(m - 1, 5)
    return 7 * q + r + 1


def _off_between(subdiv: str, closures: frozenset[date], a: int, b: int) -> int:
    """Number of off weekdays with ordinal in (a, b]: one bisect per calendar year, no day loop."""
    if a >= b:
        return 0
    count = 0
    for year in range(date.fromordinal(a + 1).year, date.fromordinal(b).year + 1):
        ords = _off_days(subdiv, closures, year)[0]
        count += bisect_right(ords, b) - bisect_right(ords, a)
    return count


# --- working days -----------------------------------------------------------------------------------


class NoWorkingDays(ValueError):
    """The centre's calendar has too few working days to answer: the count ran past the last (or the
    first) term day it knows. Term dates not yet entered are not guessed; callers turn this into a
    problem detail naming the field and R-31."""

    def __init__(self, start: date, n: int, found: int) -> None:
        where = "after" if n > 0 else "before"
        super().__init__(
            f"the centre's calendar has {found} working day(s) {where} {start}, not {abs(n)}: "
            "working days are term days (R-31), so enter the terms of the academic year concerned"
        )
        self.start, self.n, self.found = start, n, found


def _is_open(subdiv: str, closures: frozenset[date], o: int) -> bool:
    """A weekday that is neither a public holiday nor a closure (term time is checked separately)."""
    return 1 <= o % 7 <= 5 and o not in _off_days(subdiv, closures, date.fromordinal(o).year)[1]


def _open_between(subdiv: str, closures: frozenset[date], a: int, b: int) -> int:
    """Open weekdays with ordinal in (a, b], a <= b: weekday arithmetic minus off days."""
    return _weekdays_upto(b) - _weekdays_upto(a) - _off_between(subdiv, closures, a, b)


def _open_forward(subdiv: str, closures: frozenset[date], o: int, n: int) -> int:
    """Ordinal of the n-th open weekday strictly after ordinal o (n >= 1)."""
    # Jump n weekdays at once, then jump again by the number of off days crossed; each pass only
    # crosses holidays/closures, so a 10-day deadline takes one or two passes.
    while n:
        t = _nth_weekday(_weekdays_upto(o) + n)
        n, o = _off_between(subdiv, closures, o, t), t
    return o


def _open_backward(subdiv: str, closures: frozenset[date], o: int, n: int) -> int:
    """Ordinal of the n-th open weekday strictly before ordinal o (n >= 1)."""
    while n:
        t = _nth_weekday(_weekdays_upto(o - 1) - n + 1)
        n, o = _off_between(subdiv, closures, t - 1, o - 1), t  # off days in [t, o)
    return o


def is_working_day(cal: CentreCalendar, d: date) -> bool:
    """R-31: a weekday inside one of the centre's terms that is neither a public holiday of its nation
    nor one of its closures. The one definition of a working day in the product."""
    o = d.toordinal()
    i = bisect_right(cal._term_starts, o) - 1
    return i >= 0 and o <= cal._term_spans[i][1] and _is_open(_SUBDIV[cal.nation], cal.closures, o)


def add_working_days(cal: CentreCalendar, d: date, n: int) -> date:
    """The date `n` working days after `d` (before it when n < 0); always a working day (R-31).

    n > 0: the n-th working day strictly after d, whatever d is -- counting starts the day after
    (a result received on a Saturday, or in the holidays, starts counting on the next term day); the
    holidays between terms do not count, so the count pauses over them. n < 0: the |n|-th working
    day strictly before d. n == 0: d itself if it is a working day, else the next one -- rolling
    forward never takes time away from anyone, and deadlines land on a working day.

    Raises NoWorkingDays when the centre's terms run out before the count is reached.
    """
    if n == 0:
        return d if is_working_day(cal, d) else add_working_days(cal, d, 1)
    subdiv, closures, spans = _SUBDIV[cal.nation], cal.closures, cal._term_spans
    o, remaining = d.toordinal(), abs(n)
    if n > 0:
        # Terms ending after d, in order: count each one's open days after d until n are found.
        for s, e in spans[bisect_right(cal._term_ends, o) :]:
            lo = max(o, s - 1)
            available = _open_between(subdiv, closures, lo, e)
            if available >= remaining:
                return date.fromordinal(_open_forward(subdiv, closures, lo, remaining))
            remaining -= available
    else:
        # Terms starting before d, latest first.
        for s, e in reversed(spans[: bisect_right(cal._term_starts, o - 1)]):
            hi = min(o - 1, e)
            available = _open_between(subdiv, closures, s - 1, hi)
            if available >= remaining:
                return date.fromordinal(_open_backward(subdiv, closures, hi + 1, remaining))
            remaining -= available
    raise NoWorkingDays(d, n, abs(n) - remaining)


def working_days_between(cal: CentreCalendar, start: date, end: date) -> int:
    """Working days in (start, end] when end >= start; minus the working days in (end, start] otherwise.

    Antisymmetric and additive (between(a, b) + between(b, c) == between(a, c)), and the inverse of
    add_working_days: between(d, add_working_days(d, n)) == n for n >= 1, and for every n when d is
    a working day.
    """
    if end < start:
        return -working_days_between(cal, end, start)
    subdiv, closures = _SUBDIV[cal.nation], cal.closures
    a, b = start.toordinal(), end.toordinal()
    count = 0
    for s, e in cal._term_spans[bisect_right(cal._term_ends, a) :]:
        if s > b:
            break
        lo, hi = max(a, s - 1), min(b, e)
        if lo < hi:
            count += _open_between(subdiv, closures, lo, hi)
    return count


# --- academic years and term time -------------------------------------------------------------------


def academic_year_of(cal: CentreCalendar, d: date) -> AcademicYear | None:
    """The academic year containing d (both ends inclusive), or None if d falls in none."""
    for year in cal.academic_years:
        if year.start <= d <= year.end:
            return year
    return None


def in_term_time(cal: CentreCalendar, d: date, academic_year: str | None = None) -> bool:
    """Is d inside a term (of academic year `academic_year`, when given)?

    Term time is about term dates only: a closure inside a term is still term time (it is not a
    working day, which is a different question). An unknown label raises ValueError: it is a caller
    bug, not a "no".
    """
    if academic_year is None:
        year = academic_year_of(cal, d)
    else:
        year = next((y for y in cal.academic_years if y.label == academic_year), None)
        if year is None:
            raise ValueError(f"unknown academic year {academic_year!r}")
    return year is not None and any(t.start <= d <= t.end for t in year.terms)


def resubmission_deadline(cal: CentreCalendar, received: date, working_days: int = 10) -> Deadline:
    """R-31: the latest resubmission date, `working_days` working days after the learner received the
    result (counting from the next day), "within term time, in the same academic year".

    The count pauses over the holidays between terms (add_working_days) and stops at the end of the
    academic year the result was received in: when fewer working days are left in that year the
    window is shortened to them (reason `shortened_by_year_end`), and when none is left, or the result
    was received outside every academic year, there is no deadline (`due` is None).
    """
    if working_days < 1:
        raise ValueError(f"working_days must be >= 1, got {working_days}")
    year = academic_year_of(cal, received)
    if year is None:
        return Deadline(None, 0, DeadlineIssue.no_academic_year, None)
    left = working_days_between(cal, received, year.end)  # only this year's terms lie in (received, end]
    if left == 0:
        return Deadline(None, 0, DeadlineIssue.no_working_day_left, year.label)
    granted = min(working_days, left)
    reason = DeadlineIssue.shortened_by_year_end if granted < working_days else None
    return Deadline(add_working_days(cal, received, granted), granted, reason, year.label)
