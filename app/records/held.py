"""A record retention judges (R-97): what its rule's clock and holds ask about."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from app.records.schemas import RecordKind


@dataclass(frozen=True)
class Held:
    """A record of some kind, with what its rule's clock and holds ask about."""

    kind: RecordKind
    id: uuid.UUID
    centre_id: uuid.UUID
    learner_id: uuid.UUID | None = None
    qualification_id: uuid.UUID | None = None
    recorded_on: dt.date | None = None
    files: tuple[str, ...] = ()
    learners: tuple[uuid.UUID, ...] = ()  # a record about several learners (employer involvement)

    @property
    def people(self) -> tuple[uuid.UUID, ...]:
        """The learners whose holds keep the record."""
        return self.learners or ((self.learner_id,) if self.learner_id else ())
