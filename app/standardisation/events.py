"""The events of standardisation (R-45) and staff competence and CPD (R-46). Webhook payloads that
app.standardisation.service and .competence record."""

from __future__ import annotations

from typing import ClassVar

from app.events.event import Changed, Event
from app.standardisation import schemas


class StandardisationRecorded(schemas.StandardisationRecord, Event):
    """A standardisation of a unit for an academic year was recorded by the programme's LIV (R-45);
    `data` is the record."""

    type: ClassVar[str] = "standardisation_record.created"


class CpdRecorded(schemas.CpdRecord, Event):
    """A CPD activity of a member of staff was recorded (R-46); `data` is the record."""

    type: ClassVar[str] = "cpd_record.created"


class CompetenceCreated(schemas.StaffCompetence, Event):
    """A member of staff's expertise (subject areas, units) was first recorded (R-46); `data` is it."""

    type: ClassVar[str] = "staff_competence.created"


class CompetenceUpdated(Changed[schemas.StaffCompetence]):
    """A member of staff's recorded expertise changed (R-46); `data` has `before` and `after`."""

    type: ClassVar[str] = "staff_competence.updated"
