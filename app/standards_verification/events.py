"""The events of standards verification (R-50..R-52) and OCR moderation (R-51): webhook payloads that
app.standards_verification's services record, and the verifier's reads kept on the record."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import ClassVar

from app.events.event import Access, Changed, Event
from app.standards_verification import schemas


class PolicyUpdated(schemas.SamplePolicy, Event):
    """The centre's sample-size reference table (R-50) was set; `data` is the whole table."""

    type: ClassVar[str] = "sv_policy.updated"


class AllocationCreated(schemas.Allocation, Event):
    """The awarding body's verifier allocation of a programme for a year was recorded, with its measure
    and required sample size (R-50); `data` is the allocation."""

    type: ClassVar[str] = "sv_allocation.created"


class SampleRequested(Event):
    """The verifier asked for a sample, or for more work in the same sample (R-50); `data` names the
    sample, the request, its due date and how many items it proposed."""

    type: ClassVar[str] = "sv_sample.requested"
    sample_id: uuid.UUID
    programme_id: uuid.UUID
    request_id: uuid.UUID
    kind: schemas.RequestKind
    requested_on: dt.date
    due_on: dt.date
    items_proposed: int


class SampleSubmitted(schemas.Sample, Event):
    """The QN submitted the sample to the verifier, every item declared authentic (R-50); `data` is the
    sample with its requests (`late` where answered after the due date)."""

    type: ClassVar[str] = "sv_sample.submitted"


class SampleItemAdded(schemas.SampleItem, Event):
    """A learner's work for a brief was added to a sample (proposed, or by the QN or LIV with a reason);
    `data` is the item."""

    type: ClassVar[str] = "sv_sample_item.added"


class SampleItemRemoved(schemas.SampleItem, Event):
    """An item was taken out of a sample before submission, with a reason (in the audit trail); `data`
    is the item as it was."""

    type: ClassVar[str] = "sv_sample_item.removed"


class SampleItemDeclared(Changed[schemas.SampleItem]):
    """The LIV declared a sampled learner's work authentic (R-50); `data` has `before` and `after`."""

    type: ClassVar[str] = "sv_sample_item.declared_authentic"


class GrantCreated(schemas.Grant, Event):
    """The QN granted a named verifier read access to one sample until an expiry (R-52); `data` is the
    grant (never its token)."""

    type: ClassVar[str] = "sv_grant.created"


class GrantRevoked(Changed[schemas.Grant]):
    """The QN revoked a verifier's grant; it stops working at once (R-52); `data` has `before`/`after`."""

    type: ClassVar[str] = "sv_grant.revoked"


class OutcomeRecorded(schemas.Outcome, Event):
    """The QN recorded the verifier's report: accepted, or not accepted with actions (R-51); `data` is
    the outcome with its actions."""

    type: ClassVar[str] = "sv_outcome.recorded"


class ActionClosed(Changed[schemas.Action]):
    """An action of a report that was not accepted was closed with a note (R-51); `data` has `before`
    and `after`."""

    type: ClassVar[str] = "sv_action.closed"


class StatusChanged(Event):
    """The R-51 certification status of a programme's subject area for its year changed (Pearson's
    statuses); `data` has the programme, the year, the `previous` status and the new `status`. Claims are gated on
    it."""

    type: ClassVar[str] = "sv_certification_status.changed"
    programme_id: uuid.UUID
    academic_year_id: uuid.UUID
    subject_area: str
    previous: schemas.SvCertificationStatus
    status: schemas.SvCertificationStatus


class ModerationRecorded(schemas.Moderation, Event):
    """An OCR moderation visit of a unit was recorded (R-51): agreed, or adjusted with the decision
    versions it made; `data` is the visit with its adjustments."""

    type: ClassVar[str] = "ocr_moderation.recorded"


class VerifierRead(Access):
    """R-52: a standards verifier read part of a granted sample (who, what, when)."""

    action: ClassVar[str] = "sv_verifier.read"
    grant_id: uuid.UUID | None
    sample_id: uuid.UUID
    what: str
    object_id: str


class SamplePackDownloaded(Access):
    """R-50: the sample pack (manifest, index and evidence files) was downloaded by the centre."""

    action: ClassVar[str] = "sv_sample_pack.downloaded"
    sample_id: uuid.UUID
    items: int
    files: int
