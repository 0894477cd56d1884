from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, WithJsonSchema

from app.core.schemas import Input, IsoDate, LongName, Name, Output, Patch

# Public-holiday data (and so every working-day count) covers a bounded range of years; dates outside
# it could only be typing mistakes, and refusing them here keeps every deadline computable.
EARLIEST_DATE, LATEST_DATE = dt.date(2000, 1, 1), dt.date(2099, 12, 31)


def _in_range(value: dt.date) -> dt.date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"must be between {EARLIEST_DATE} and {LATEST_DATE}")
    return value


DATE_RANGE = f"YYYY-MM-DD, between {EARLIEST_DATE} and {LATEST_DATE}."
# The contract states the range too, as a pattern matching exactly the valid dates of 2000-2099 (2000 is
# a leap year, as is every fourth year of the century), so a client or a fuzzer can know what is valid.
DATE_PATTERN = (
    r"^(?:20[0-9]{2}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)"
    r"|(?:0[13578]|1[02])-31)|20(?:[02468][048]|[13579][26])-02-29)$"
)
BoundedDate = Annotated[
    IsoDate,
    AfterValidator(_in_range),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN}),
]
CalendarDate = Annotated[BoundedDate, Field(description=DATE_RANGE)]
YearLabel = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=20, pattern=r"^[A-Za-z0-9][A-Za-z0-9 /._-]*$"
    ),
]


class Term(Output):
    name: str
    start_date: dt.date
    end_date: dt.date


class TermInput(Input):
    name: Name = Field(description="e.g. `Autumn 1`; half-terms are the gaps between terms.")
    start_date: CalendarDate
    end_date: CalendarDate


class AcademicYear(Output):
    id: uuid.UUID
    centre_id: uuid.UUID
    label: str
    start_date: dt.date
    end_date: dt.date
    terms: list[Term]
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class AcademicYearCreate(Input):
    label: YearLabel = Field(description="e.g. `2026/27`; unique in the centre.")
    start_date: CalendarDate
    end_date: CalendarDate
    terms: list[TermInput] = Field(
        default_factory=list, max_length=12, description="Term dates: R-31 deadlines must fall in term time."
    )


# An absent field is left alone; `terms`, when given, replaces all of the year's terms.
class AcademicYearUpdate(Input):
    label: Patch[YearLabel] = None
    start_date: Patch[CalendarDate] = None
    end_date: Patch[CalendarDate] = None
    terms: Patch[list[TermInput]] = Field(None, max_length=12)


class Closure(Output):
    id: uuid.UUID
    centre_id: uuid.UUID
    date: dt.date
    reason: str
    created_at: dt.datetime


class ClosureCreate(Input):
    date: CalendarDate
    reason: LongName = Field(description="e.g. `INSET day`.")


class WorkingDays(Output):
    """`days` working days after `start` in the centre's calendar (R-31's definition of a working day:
    a weekday inside one of the centre's terms, not a public holiday of its nation, not a closure)."""

    start: dt.date
    days: int
    date: dt.date
    in_term_time: bool = Field(
        description="Whether `date` falls inside a term: always true, since working days are term days."
    )
    academic_year: str | None = Field(description="The academic year `date` falls in, if any.")


class WorkingDaysQuery(Input):
    start: CalendarDate
    days: int = Field(ge=-260, le=260, description="Working days to add.")
