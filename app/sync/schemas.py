from __future__ import annotations

import uuid
from enum import StrEnum

from pydantic import Field, StrictBool, model_validator

from app.calendars.schemas import CalendarDate
from app.core.idempotency import IDEMPOTENCY_KEY_PATTERN
from app.core.schemas import Email, Input, Name, Output
from app.learners.schemas import CandidateNumber, DateOfBirth, MisId, Uln

MAX_RECORDS = 10_000


class SyncLearner(Input):
    """A learner as the MIS holds them. Optional fields left out are left alone; null clears them."""

    mis_id: MisId = Field(description="The MIS's own id: the key of the upsert.")
    given_name: Name
    family_name: Name
    date_of_birth: DateOfBirth
    candidate_number: CandidateNumber | None = None
    uln: Uln | None = None
    email: Email | None = None


class SyncEnrolment(Input):
    mis_id: MisId = Field(description="The MIS's own id for the enrolment: the key of the upsert.")
    learner_mis_id: MisId = Field(description="The learner's MIS id: one in this request or already synced.")
    programme_id: uuid.UUID
    enrolled_on: CalendarDate
    identity_checked: StrictBool = Field(description="R-12: identity checked at enrolment; must be true.")


class MisSync(Input):
    learners: list[SyncLearner] = Field(default_factory=list, max_length=MAX_RECORDS)
    enrolments: list[SyncEnrolment] = Field(default_factory=list, max_length=MAX_RECORDS)

    @model_validator(mode="after")
    def _size(self) -> MisSync:
        if len(self.learners) + len(self.enrolments) > MAX_RECORDS:
            raise ValueError(f"at most {MAX_RECORDS} records (learners and enrolments together) per request")
        return self


class SyncOutcome(StrEnum):
    created = "created"
    updated = "updated"
    unchanged = "unchanged"


class RecordResult(Output):
    index: int = Field(description="The record's position in the request (the CSV data row, from 0).")
    mis_id: str | None
    id: uuid.UUID
    result: SyncOutcome


class SyncResult(Output):
    learners: list[RecordResult]
    enrolments: list[RecordResult]
    created: int
    updated: int
    unchanged: int


class IdempotencyKeyArgument(Input):
    idempotency_key: str = Field(pattern=IDEMPOTENCY_KEY_PATTERN)
