"""The events of assessment plans and assignment briefs (R-20, R-21): webhook payloads that
app.assignments.service records."""

from __future__ import annotations

from typing import ClassVar

from app.assignments import schemas
from app.events.event import Changed, Event


class PlanEntryCreated(schemas.PlanEntry, Event):
    """An assignment was added to a programme's assessment plan (R-20); `data` is the new entry."""

    type: ClassVar[str] = "assessment_plan_entry.created"


class PlanEntryUpdated(Changed[schemas.PlanEntry]):
    """An assessment plan entry changed; `data` has `before` and `after`."""

    type: ClassVar[str] = "assessment_plan_entry.updated"


class PlanSignedOff(schemas.PlanSignOff, Event):
    """The LIV signed off a programme's assessment plan as it stands (R-20); `data` is the sign-off."""

    type: ClassVar[str] = "assessment_plan.signed_off"


class BriefCreated(schemas.Brief, Event):
    """An assignment brief was drafted; `data` is the new brief."""

    type: ClassVar[str] = "assignment_brief.created"


class BriefUpdated(Changed[schemas.Brief]):
    """A draft or returned brief was edited; `data` has `before` and `after`."""

    type: ClassVar[str] = "assignment_brief.updated"


class BriefSubmittedForIv(Changed[schemas.Brief]):
    """A brief was submitted for internal verification (R-21); `data` has the record `before` and
    `after`."""

    type: ClassVar[str] = "assignment_brief.submitted_for_iv"


class _BriefReviewed(Changed[schemas.Brief]):
    """An internal verifier's verdict on a brief: the brief before and after, and the verification record."""

    verification: schemas.BriefVerification


class BriefVerified(_BriefReviewed):
    """An internal verifier verified a brief fit for purpose (R-21, R-44); `data` has the brief `before`
    and `after`, and the `verification`."""

    type: ClassVar[str] = "assignment_brief.verified"


class BriefReturned(_BriefReviewed):
    """An internal verifier returned a brief to its author with comments (R-21); `data` has the brief
    `before` and `after`, and the `verification`."""

    type: ClassVar[str] = "assignment_brief.returned"


class BriefIssued(Changed[schemas.Brief]):
    """A verified brief was issued to learners (R-21); `data` has the record `before` and `after`."""

    type: ClassVar[str] = "assignment_brief.issued"


class BriefClosed(Changed[schemas.Brief]):
    """An issued brief was closed; `data` has the record `before` and `after`."""

    type: ClassVar[str] = "assignment_brief.closed"


# A brief's transitions by the name the service gives them.
BRIEF_TRANSITIONS: dict[str, type[Changed]] = {
    "submitted_for_iv": BriefSubmittedForIv,
    "verified": BriefVerified,
    "returned": BriefReturned,
    "issued": BriefIssued,
    "closed": BriefClosed,
}
