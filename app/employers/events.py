"""The events of employer involvement (R-95): webhook payloads app.employers.service records."""

from __future__ import annotations

from typing import ClassVar

from app.employers import schemas
from app.events.event import Changed, Event


class EmployerRecorded(schemas.Employer, Event):
    """An employer the centre works with was recorded (R-95); `data` is it."""

    type: ClassVar[str] = "employer.created"


class PlanCreated(schemas.Plan, Event):
    """A programme's employer involvement plan was drawn up (R-95); `data` is the plan."""

    type: ClassVar[str] = "employer_involvement_plan.created"


class PlanUpdated(Changed[schemas.Plan]):
    """A plan was declared at a moderation (R-95); `data` has `before` and `after`."""

    type: ClassVar[str] = "employer_involvement_plan.updated"


class ActivityCreated(schemas.Activity, Event):
    """A meaningful activity with an employer was planned (R-95); `data` is the activity."""

    type: ClassVar[str] = "employer_activity.created"


class ActivityUpdated(Changed[schemas.Activity]):
    """An activity was confirmed, planned for more learners, or learners' participation in it recorded (R-95); `data` has `before`
    and `after`."""

    type: ClassVar[str] = "employer_activity.updated"
