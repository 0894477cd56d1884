"""The demo's shared state: who is who, the centre's dates, and the clock moved through the year.

Every write goes through a service as a real member of staff (a Principal whose subject is their
staff record's `idp_subject`), so the audit chain, the outbox and the rules are exactly as in use."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.auth.scopes import Role
from app.core import clock

DEMO_CENTRE_ID = uuid.UUID("0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b")
DEMO_LEARNER_SUBJECT = "demo-learner"


def start_year(today: dt.date) -> int:
    """The academic year the demo tells: the latest one (September to August) whose spring term is
    over by `today`, so every date of the story is in the past and the year is a recent one."""
    year = today.year - 1
    return year if dt.date(year + 1, 3, 31) <= today else year - 1


@dataclass
class Demo:
    session: AsyncSession
    year: int  # the academic year year/year+1
    frozen: clock.FixedClock
    staff: dict[str, uuid.UUID] = field(default_factory=dict)  # key -> staff id
    roles: dict[str, Role] = field(default_factory=dict)  # key -> the role they act in
    ids: dict[str, uuid.UUID] = field(default_factory=dict)  # named objects: programmes, briefs...
    # When the demo was loaded (the real time its clock started at): a verifier's grant runs from then.
    began: dt.datetime = field(default_factory=clock.now)

    def date(self, month: int, day: int) -> dt.date:
        """A date of the academic year: September to December in its first calendar year."""
        return dt.date(self.year if month >= 9 else self.year + 1, month, day)

    def weekday(self, month: int, day: int) -> dt.date:
        """The first weekday on or after that date."""
        d = self.date(month, day)
        while d.weekday() >= 5:
            d += dt.timedelta(days=1)
        return d

    def on(self, when: dt.date, hour: int = 10) -> dt.date:
        """Move the clock to `hour`:00 UTC on `when` and return `when`."""
        self.frozen.set(dt.datetime.combine(when, dt.time(hour, 0), tzinfo=dt.UTC))
        return when

    @property
    def today(self) -> dt.date:
        return clock.today()

    def as_(self, key: str) -> Principal:
        """The member of staff `key` (e.g. `assessor`, `assessor-2`) acting in their role."""
        return Principal.of(subject(key), DEMO_CENTRE_ID, frozenset({self.roles[key]}))

    @property
    def label(self) -> str:
        return f"{self.year}/{str(self.year + 1)[2:]}"


def subject(key: str) -> str:
    return f"demo-{key}"


def learner_principal(idp_subject: str) -> Principal:
    return Principal.of(idp_subject, DEMO_CENTRE_ID, frozenset({Role.learner}))
