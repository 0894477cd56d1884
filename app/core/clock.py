"""The one clock: every domain date and time in app/ comes from `now()` and `today()` here.

The clock in use is held in a context variable, so a request can pin one instant for all of its
work (`ClockMiddleware`: every timestamp of a request agrees, as PostgreSQL's `now()` did per
transaction) and a test can freeze or move it (the `clock` fixture) without touching the code
under test. `Clock.now` below is the only read of the wall clock in app/ (tests/test_layering.py
enforces it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from zoneinfo import ZoneInfo

from starlette.types import ASGIApp, Receive, Scope, Send

# Every centre is in the UK (its nation is England and Wales, Scotland or Northern Ireland), so one
# zone gives every centre's local date; a centre abroad would carry its own zone and pass it here.
CENTRE_TIME_ZONE = "Europe/London"


class Clock:
    """The wall clock."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def today(self, tz: str = CENTRE_TIME_ZONE) -> dt.date:
        """The centre's local date: just after midnight in London in summer, UTC is still on yesterday."""
        return self.now().astimezone(ZoneInfo(tz)).date()


class FixedClock(Clock):
    """A clock that says what it is told: a pinned request, or a test's frozen time."""

    def __init__(self, at: dt.datetime) -> None:
        self.set(at)

    def set(self, at: dt.datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("a clock's time must be timezone-aware")
        self.at = at.astimezone(dt.UTC)

    def advance(self, by: dt.timedelta) -> None:
        self.at += by

    def now(self) -> dt.datetime:
        return self.at


WALL_CLOCK = Clock()
_clock: ContextVar[Clock | None] = ContextVar("clock", default=None)


def now() -> dt.datetime:
    """This instant, timezone-aware, in UTC."""
    return (_clock.get() or WALL_CLOCK).now()


def today(tz: str = CENTRE_TIME_ZONE) -> dt.date:
    """The centre's local date (see Clock.today)."""
    return (_clock.get() or WALL_CLOCK).today(tz)


@contextmanager
def using(clock: Clock) -> Iterator[Clock]:
    """Run the block with `clock` as the clock (restored afterwards, even on error)."""
    token = _clock.set(clock)
    try:
        yield clock
    finally:
        _clock.reset(token)


class ClockMiddleware:
    """Pins the clock for each request at the instant it arrives (under a test's clock, at the test's
    instant), so a request's timestamps and its idea of today never straddle a tick or midnight."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with using(FixedClock(now())):
            await self.app(scope, receive, send)
