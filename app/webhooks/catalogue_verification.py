"""Webhook events of internal verification (R-40..R-44): LIV appointments and annual records, IV plans and
schedules, samples, IV records and remedial actions: app.verification.plans and .records."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field

from app.verification import schemas as verification
from app.webhooks.event_type import EventType, created, record, updated


class IvPlanSnapshot(BaseModel):
    """The IV plan as audited (app.verification.plans): rates as fractions, not the API's percentages."""

    model_config = ConfigDict(title="IvPlanSnapshot")
    id: uuid.UUID
    programme_id: uuid.UUID
    default_rate: float = Field(description="The share of decisions sampled, 0..1 (0.2 for 20%).")
    new_assessor_rate: float = Field(description="For new assessors, 0..1.")
    disagreement_rate: float = Field(description="For assessors with recent IV disagreements, 0..1.")
    assessor_rates: dict[str, str] = Field(
        description="Assessor staff id -> their own rate, 0..1, as a decimal string."
    )
    new_assessor_ids: list[uuid.UUID]
    new_qualification: bool
    strategy: str | None
    version: int


class IvScheduleEntrySnapshot(BaseModel):
    """Who verifies one entry of the assessment plan, and when (R-41)."""

    model_config = ConfigDict(title="IvScheduleEntrySnapshot")
    id: uuid.UUID
    plan_entry_id: uuid.UUID
    verifier_staff_id: uuid.UUID
    planned_iv_date: dt.date
    version: int


class IvSampleDrawnData(BaseModel):
    """A summary of the sample; read it with its items and rationale from the IV sample endpoints."""

    id: uuid.UUID = Field(description="The IV sample.")
    brief_id: uuid.UUID
    seed: int = Field(description="Drawing again with this seed and the same inputs gives the same sample.")
    inputs_digest: str
    decision_ids: list[uuid.UUID] = Field(description="The assessment decisions sampled.")


class IvRecordData(verification.IvRecord):
    model_config = ConfigDict(title="IvRecordData")
    flagged_for_reassessment: list[uuid.UUID] = Field(
        description="Decisions this change flagged for reassessment (R-43, a disagreement with `reassess_batch`)."
    )


EVENTS: tuple[EventType, ...] = (
    created(
        "liv_appointment",
        verification.LivAppointment,
        "A Lead Internal Verifier was appointed for a subject area (R-40); `data` is the new appointment.",
    ),
    updated(
        "liv_appointment",
        verification.LivAppointment,
        "A LIV appointment changed (it ends the day before a "
        "new LIV's, R-40); `data` has `before` and `after`.",
    ),
    record(
        "liv_annual_record.created",
        "A LIV's annual registration and standardisation was recorded (R-40)",
        verification.LivAnnualRecord,
    ),
    created(
        "iv_plan",
        IvPlanSnapshot,
        "A programme's IV plan (its written sampling strategy, R-42) was written; `data` is the plan.",
    ),
    updated(
        "iv_plan",
        IvPlanSnapshot,
        "A programme's IV plan changed, and needs signing off again; `data` has `before` and `after`.",
    ),
    record(
        "iv_plan.signed_off",
        "The programme's LIV signed off a version of its IV plan (R-41)",
        verification.SignOff,
    ),
    created(
        "iv_schedule_entry",
        IvScheduleEntrySnapshot,
        "A verifier and date were assigned to an assessment "
        "plan entry in the IV schedule (R-41); `data` is the "
        "entry.",
    ),
    updated(
        "iv_schedule_entry",
        IvScheduleEntrySnapshot,
        "An IV schedule entry's verifier or date changed (R-41); `data` has `before` and `after`.",
    ),
    EventType(
        "iv_sample.drawn",
        "An IV sample of a brief's assessment decisions was drawn (R-42); `data` summarises it.",
        IvSampleDrawnData,
    ),
    EventType(
        "iv_record.created",
        "An internal verifier recorded IV of an assessment decision (R-43, R-44); "
        "`data` is the IV record and the decisions it flagged for reassessment.",
        IvRecordData,
    ),
    EventType(
        "iv_record.amended",
        "An IV record was amended: a new version with a reason (R-26); `data` is the "
        "IV record as it is now and the decisions it flagged for reassessment.",
        IvRecordData,
    ),
    record(
        "iv_remedial_action.closed",
        "A remedial action raised by IV was closed, with what was done (R-43)",
        verification.RemedialAction,
    ),
)
