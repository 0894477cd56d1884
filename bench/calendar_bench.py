"""Bench: app.core.calendar.add_working_days(cal, d, 10) against a naive day-by-day loop.

    cd /work/main && uv run python bench/calendar_bench.py [--calls 100000] [--repeat 3]

Both run in the same process over the same dates (every day of 2025-2028, cycled), after a warm-up
that fills both sides' caches; the best of --repeat runs is reported. The naive baseline is the
obvious code: one shared `holidays.UK(subdiv="ENG")` object (it caches years itself) asked about each
day in turn, plus a set of closures. On shared hardware the ratio is the figure to compare, not calls/s.
"""

from __future__ import annotations

import argparse
import time
from datetime import date, timedelta

import holidays

from app.core.calendar import AcademicYear, CentreCalendar, Nation, Term, add_working_days

CLOSURES = frozenset({date(2025, 10, 31), date(2026, 2, 16), date(2026, 11, 20), date(2027, 6, 4)})


def _year(y: int) -> AcademicYear:
    """A realistic academic year: three terms, working days only inside them (R-31)."""
    terms = (
        Term(date(y, 9, 1), date(y, 12, 19), "Autumn"),
        Term(date(y + 1, 1, 5), date(y + 1, 3, 31), "Spring"),
        Term(date(y + 1, 4, 15), date(y + 1, 7, 22), "Summer"),
    )
    return AcademicYear(f"{y}/{(y + 1) % 100:02d}", date(y, 9, 1), date(y + 1, 8, 31), terms)


YEARS = tuple(_year(y) for y in range(2024, 2030))
CAL = CentreCalendar(Nation.england_wales, academic_years=YEARS, closures=CLOSURES)
TERM_DAYS = frozenset(
    t.start + timedelta(days=i) for y in YEARS for t in y.terms for i in range((t.end - t.start).days + 1)
)
DAYS = [date(2025, 1, 1) + timedelta(days=i) for i in range((date(2029, 1, 1) - date(2025, 1, 1)).days)]


def naive_add(hol: holidays.HolidayBase, closures: frozenset[date], d: date, n: int) -> date:
    for _ in range(n):
        d += timedelta(days=1)
        while d.weekday() >= 5 or d not in TERM_DAYS or d in hol or d in closures:
            d += timedelta(days=1)
    return d


def run(fn, calls: int) -> float:
    days, k = DAYS, len(DAYS)
    t0 = time.perf_counter()
    for i in range(calls):
        fn(days[i % k])
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--tiny", action="store_true", help="the CI smoke size: it runs, figures mean nothing"
    )
    args = parser.parse_args()
    if args.tiny:
        args.calls, args.repeat = 200, 1

    hol = holidays.UK(subdiv="ENG")

    def fast(d: date) -> date:
        return add_working_days(CAL, d, 10)

    def naive(d: date) -> date:
        return naive_add(hol, CLOSURES, d, 10)

    # Correctness guard and warm-up (fills the module's caches and the holidays object's years).
    mismatches = [d for d in DAYS if fast(d) != naive(d)]
    assert not mismatches, f"fast and naive disagree on {mismatches[:5]}"

    fast_s = min(run(fast, args.calls) for _ in range(args.repeat))
    naive_s = min(run(naive, args.calls) for _ in range(args.repeat))
    # For scale only: the naive loop when a new holidays object is built per call (no caching at all).
    fresh_calls = max(args.calls // 100, 1)
    fresh_s = run(lambda d: naive_add(holidays.UK(subdiv="ENG"), CLOSURES, d, 10), fresh_calls)

    print(f"add_working_days(cal, d, 10), {args.calls:,} calls, best of {args.repeat}")
    print(
        f"  calendar.add_working_days : {fast_s:7.3f} s  {args.calls / fast_s:12,.0f} calls/s"
        f"  {fast_s / args.calls * 1e6:6.2f} us/call"
    )
    print(
        f"  naive day loop (shared)   : {naive_s:7.3f} s  {args.calls / naive_s:12,.0f} calls/s"
        f"  {naive_s / args.calls * 1e6:6.2f} us/call"
    )
    print(
        f"  naive, new holidays/call  : {fresh_s:7.3f} s  {fresh_calls / fresh_s:12,.0f} calls/s"
        f"  ({fresh_calls:,} calls)"
    )
    print(f"  ratio naive/fast          : {naive_s / fast_s:.1f}x")
    print(f"  ratio naive-new/fast      : {(fresh_s / fresh_calls) / (fast_s / args.calls):.0f}x")


if __name__ == "__main__":
    main()
