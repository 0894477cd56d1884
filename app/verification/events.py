"""The events of internal verification (R-40..R-44): LIV appointments and annual records, IV plans and
schedules, samples, IV records and remedial actions. Webhook payloads that app.verification.plans and
.records record."""

from __future__ import annotations

import uuid
from typing import ClassVar

from pydantic import Field

from app.events.event import Changed, Event
from app.verification import schemas


class LivAppointed(schemas.LivAppointment, Event):
    """A Lead Internal Verifier was appointed for a subject area (R-40); `data` is the new appointment."""

    type: ClassVar[str] = "liv_appointment.created"


class LivAppointmentUpdated(Changed[schemas.LivAppointment]):
    """A LIV appointment changed (it ends the day before a new LIV's, R-40); `data` has `before` and
    `after`."""

    type: ClassVar[str] = "liv_appointment.updated"


class LivAnnualRecordCreated(schemas.LivAnnualRecord, Event):
    """A LIV's annual registration and standardisation was recorded (R-40); `data` is the record."""

    type: ClassVar[str] = "liv_annual_record.created"


class IvPlanCreated(schemas.IvPlanSnapshot, Event):
    """A programme's IV plan (its written sampling strategy, R-42) was written; `data` is the plan."""

    type: ClassVar[str] = "iv_plan.created"


class IvPlanUpdated(Changed[schemas.IvPlanSnapshot]):
    """A programme's IV plan changed, and needs signing off again; `data` has `before` and `after`."""

    type: ClassVar[str] = "iv_plan.updated"


class IvPlanSignedOff(schemas.SignOff, Event):
    """The programme's LIV signed off a version of its IV plan (R-41); `data` is the record."""

    type: ClassVar[str] = "iv_plan.signed_off"


class IvScheduleEntryCreated(schemas.IvScheduleEntrySnapshot, Event):
    """A verifier and date were assigned to an assessment plan entry in the IV schedule (R-41); `data` is
    the entry."""

    type: ClassVar[str] = "iv_schedule_entry.created"


class IvScheduleEntryUpdated(Changed[schemas.IvScheduleEntrySnapshot]):
    """An IV schedule entry's verifier or date changed (R-41); `data` has `before` and `after`."""

    type: ClassVar[str] = "iv_schedule_entry.updated"


class DecisionFlaggedForReview(schemas.ReviewFlag, Event):
    """A decision was flagged for review by an appeal's outcome (R-62) or a malpractice case concerning
    the member of staff who made it (R-73); the IV sampler takes it until an IV record follows. `data` is
    the flag (no allegation: the reason is what the IV reads)."""

    type: ClassVar[str] = "assessment_decision.flagged_for_review"


class IvSampleDrawn(Event):
    """An IV sample of a brief's assessment decisions was drawn (R-42); `data` summarises it: read it with
    its items and rationale from the IV sample endpoints."""

    type: ClassVar[str] = "iv_sample.drawn"

    id: uuid.UUID = Field(description="The IV sample: from now on the brief's official draw.")
    brief_id: uuid.UUID
    number: int = Field(description="The draw's number for the brief: 1 first, then 2, 3...")
    kind: schemas.DrawKind
    reason: str | None = Field(None, description="The LIV's reason, for a redraw.")
    supersedes_id: uuid.UUID | None = Field(None, description="The draw this one replaced as official.")
    seed: int = Field(
        description="The service's seed: drawing with it and the same inputs gives the same sample."
    )
    inputs_digest: str
    decision_ids: list[uuid.UUID] = Field(description="The assessment decisions sampled.")


class _IvRecordState(schemas.IvRecord, Event):
    """The IV record as it is now and the decisions it flagged for reassessment."""

    flagged_for_reassessment: list[uuid.UUID] = Field(
        description="Decisions this change flagged for reassessment (R-43, a disagreement with `reassess_batch`)."
    )


class IvRecordCreated(_IvRecordState):
    """An internal verifier recorded IV of an assessment decision (R-43, R-44); `data` is the IV record and
    the decisions it flagged for reassessment."""

    type: ClassVar[str] = "iv_record.created"


class IvRecordAmended(_IvRecordState):
    """An IV record was amended: a new version with a reason (R-26); `data` is the IV record as it is now
    and the decisions it flagged for reassessment."""

    type: ClassVar[str] = "iv_record.amended"


class RemedialActionClosed(schemas.RemedialAction, Event):
    """A remedial action raised by IV was closed, with what was done (R-43); `data` is the record."""

    type: ClassVar[str] = "iv_remedial_action.closed"


class IvArbitrationRecorded(schemas.Arbitration, Event):
    """The programme's LIV arbitrated a disagreement between an assessor and an IV (R-45): with the
    assessor (the decision stands), with the IV, or another judgement, with the reasoning; `data` is
    the record."""

    type: ClassVar[str] = "iv_arbitration.recorded"
