"""Schemas of the record over time (R-96, R-97, R-98)."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class RecordKind(StrEnum):
    """The kinds of record retention knows (R-97), each with one rule in app/records/retention.py."""

    assessment_records = "assessment_records"
    learner_work = "learner_work"
    standardisation_records = "standardisation_records"
    appeal_records = "appeal_records"
    employer_involvement = "employer_involvement"


class Checkpoint(BaseModel):
    """A signed checkpoint of a centre's audit chain: its head (`seq`, `head_hash`) at `checkpointed_at`.
    `signature` is Ed25519 (base64) over the canonical JSON of the other four fields."""

    model_config = ConfigDict(from_attributes=True)

    centre_id: uuid.UUID
    seq: int
    head_hash: str
    checkpointed_at: dt.datetime
    key_id: str
    signature: str


class LegalHoldIn(BaseModel):
    learner_id: uuid.UUID | None = Field(None, description="The learner held; none holds the whole centre.")
    reason: str = Field(min_length=1, max_length=500)


class LegalHold(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    centre_id: uuid.UUID
    learner_id: uuid.UUID | None
    reason: str
    set_by: str
    released_at: dt.datetime | None
    released_by: str | None
    created_at: dt.datetime
    version: int


class SubjectAccessRequest(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    centre_id: uuid.UUID
    learner_id: uuid.UUID
    requested_by: str
    requested_at: dt.datetime
    fulfilled_at: dt.datetime | None
    archive_sha256: str | None
    archive_bytes: int | None
    records: int | None
    files: int | None
    version: int


class IdentityCorrectionIn(BaseModel):
    """A correction of a learner's identity data (R-98): the old value stays in the audit log."""

    given_name: str | None = Field(None, min_length=1, max_length=100)
    family_name: str | None = Field(None, min_length=1, max_length=100)
    date_of_birth: dt.date | None = None
    reason: str = Field(min_length=1, max_length=500)


class PurgeCounts(BaseModel):
    """One purge's counts (R-97): never content."""

    kind: RecordKind
    rows: int
    files: int
    audit_events_erased: int


class OwnDecision(BaseModel):
    """A released decision as the learner was given it (R-25): the released version's feedback."""

    decision_id: uuid.UUID
    brief_id: uuid.UUID
    attempt_kind: str
    released_at: dt.datetime
    version: int
    assessed_on: dt.date
    feedback: str
    criteria_achieved: list[str]


class OwnSupport(BaseModel):
    """A reasonable adjustment (R-80) or special consideration (R-81) of the learner."""

    id: uuid.UUID
    kind: str
    description: str
    status: str | None
    on: dt.date


class OwnRecord(BaseModel):
    """A learner's own full record (R-98): identity, released decisions with feedback, support."""

    learner_id: uuid.UUID
    given_name: str
    family_name: str
    date_of_birth: dt.date
    candidate_number: str | None
    uln: str | None
    decisions: list[OwnDecision]
    support: list[OwnSupport]
