"""The events of learners (webhook payloads; app.learners.service and the MIS bulk sync record them)."""

from __future__ import annotations

from typing import ClassVar

from app.events.event import Changed, Event
from app.learners import schemas


class LearnerCreated(schemas.Learner, Event):
    """A learner was created (in Verity or by the MIS bulk sync); `data` is the new record."""

    type: ClassVar[str] = "learner.created"


class LearnerUpdated(Changed[schemas.Learner]):
    """A learner changed (in Verity or by the MIS bulk sync); `data` has `before` and `after`."""

    type: ClassVar[str] = "learner.updated"
