"""Webhook events of assessment: extensions, submissions and evidence (R-22, R-23), decisions (R-24..R-26),
resubmissions (R-30..R-33) and exam results: app.assessment.submissions, .decisions, .resubmissions."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from app.assessment import schemas as assessment
from app.webhooks.event_type import EventType, record, transition


class DecisionStateData(BaseModel):
    """The decision's state after the change; read the decision itself with
    `GET /v1/assessment-decisions/{id}`."""

    id: uuid.UUID = Field(description="The assessment decision.")
    status: assessment.DecisionStatus
    current_version: int = Field(description="The decision version now current (R-26).")


def _absent_not_null(schema: dict) -> None:
    schema.pop("default", None)  # optional: left out of `data`, never sent as null


_BATCH_ONLY = (
    "Present when the decision was released with the rest of its brief's batch; absent when released alone."
)


class DecisionReleasedData(DecisionStateData):
    learner_id: uuid.UUID = Field(None, description=_BATCH_ONLY, json_schema_extra=_absent_not_null)
    brief_id: uuid.UUID = Field(None, description=_BATCH_ONLY, json_schema_extra=_absent_not_null)


EVENTS: tuple[EventType, ...] = (
    record(
        "deadline_extension.created",
        "An extension of a learner's deadline was agreed (R-23)",
        assessment.Extension,
    ),
    record(
        "submission.created",
        "A submission was started (a first attempt, resubmission or retake)",
        assessment.Submission,
    ),
    record(
        "evidence_item.added",
        "Evidence (a file or a reference) was added to an open submission",
        assessment.EvidenceItem,
    ),
    EventType(
        "evidence_item.removed",
        "Evidence was removed from an open submission (R-22: never after "
        "hand-in); `data` is the item as it was.",
        assessment.EvidenceItem,
    ),
    transition(
        "submission.handed_in",
        "A submission was handed in with the learner's signed declaration (R-22), late or not (R-23)",
        assessment.Submission,
    ),
    EventType(
        "assessment_decision.recorded",
        "An assessor recorded a decision on a submission (R-24); `data` is "
        "the decision with its first version.",
        assessment.Decision,
    ),
    EventType(
        "assessment_decision.amended",
        "An assessor amended a decision: a new version with a reason (R-26), "
        "back to `draft`; `data` is its state.",
        DecisionStateData,
    ),
    EventType(
        "assessment_decision.submitted_for_iv",
        "A decision was submitted for internal verification; `data` is its state.",
        DecisionStateData,
    ),
    EventType(
        "assessment_decision.released",
        "A decision was released to the learner after internal verification "
        "(R-25), alone or with its brief's batch; `data` is its state.",
        DecisionReleasedData,
    ),
    record(
        "resubmission.authorised",
        "A resubmission was authorised, with its deadline (R-30, R-31, R-33)",
        assessment.Resubmission,
    ),
    record(
        "exam_result.recorded",
        "The result of an externally assessed unit (a sitting or resit) was recorded",
        assessment.ExamResult,
    ),
)
