"""Webhook events of assessment plans and assignment briefs (R-20, R-21): app.assignments.service."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from app.assignments import schemas as assignments
from app.webhooks.event_type import EventType, created, transition, updated


class BriefReviewedData(BaseModel):
    """An internal verifier's verdict on a brief: the brief before and after, and the verification record."""

    model_config = ConfigDict(title="BriefReviewedData")
    before: assignments.Brief
    after: assignments.Brief
    verification: assignments.BriefVerification


EVENTS: tuple[EventType, ...] = (
    created(
        "assessment_plan_entry",
        assignments.PlanEntry,
        "An assignment was added to a programme's assessment plan (R-20); `data` is the new entry.",
    ),
    updated(
        "assessment_plan_entry",
        assignments.PlanEntry,
        "An assessment plan entry changed; `data` has `before` and `after`.",
    ),
    created(
        "assignment_brief", assignments.Brief, "An assignment brief was drafted; `data` is the new brief."
    ),
    updated(
        "assignment_brief",
        assignments.Brief,
        "A draft or returned brief was edited; `data` has `before` and `after`.",
    ),
    transition(
        "assignment_brief.submitted_for_iv",
        "A brief was submitted for internal verification (R-21)",
        assignments.Brief,
    ),
    EventType(
        "assignment_brief.verified",
        "An internal verifier verified a brief fit for purpose (R-21, R-44); "
        "`data` has the brief `before` and `after`, and the `verification`.",
        BriefReviewedData,
    ),
    EventType(
        "assignment_brief.returned",
        "An internal verifier returned a brief to its author with comments "
        "(R-21); `data` has the brief `before` and `after`, and the "
        "`verification`.",
        BriefReviewedData,
    ),
    transition(
        "assignment_brief.issued", "A verified brief was issued to learners (R-21)", assignments.Brief
    ),
    transition("assignment_brief.closed", "An issued brief was closed", assignments.Brief),
)
