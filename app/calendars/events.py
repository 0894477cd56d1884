"""The events of the centre calendar (webhook payloads; app.calendars.service records them)."""

from __future__ import annotations

from typing import ClassVar

from app.calendars import schemas
from app.events.event import Changed, Event


class AcademicYearCreated(schemas.AcademicYear, Event):
    """An academic year was created; `data` is the new record, with its terms."""

    type: ClassVar[str] = "academic_year.created"


class AcademicYearUpdated(Changed[schemas.AcademicYear]):
    """An academic year changed (label, dates or terms); `data` has `before` and `after`."""

    type: ClassVar[str] = "academic_year.updated"


class ClosureCreated(schemas.Closure, Event):
    """A closure day (INSET day, emergency closure) was entered; `data` is the new record."""

    type: ClassVar[str] = "closure.created"


class ClosureDeleted(schemas.Closure, Event):
    """A closure day entered by mistake was removed (a working day again if it is a term weekday); `data`
    is the record as it was."""

    type: ClassVar[str] = "closure.deleted"
