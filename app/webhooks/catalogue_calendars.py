"""Webhook events of the centre calendar (app.calendars.service)."""

from __future__ import annotations

from app.calendars import schemas as calendars
from app.webhooks.event_type import EventType, created, updated

EVENTS: tuple[EventType, ...] = (
    created(
        "academic_year",
        calendars.AcademicYear,
        "An academic year was created; `data` is the new record, with its terms.",
    ),
    updated(
        "academic_year",
        calendars.AcademicYear,
        "An academic year changed (label, dates or terms); `data` has `before` and `after`.",
    ),
    created(
        "closure",
        calendars.Closure,
        "A closure day (INSET day, emergency closure) was entered; `data` is the new record.",
    ),
    EventType(
        "closure.deleted",
        "A closure day entered by mistake was removed (it is a working day again); "
        "`data` is the record as it was.",
        calendars.Closure,
    ),
)
