"""The events of the record over time (R-96, R-97, R-98): webhook payloads that app.records records."""

from __future__ import annotations

from typing import ClassVar

from app.events.event import Access, Changed, Event
from app.records import schemas


class AuditCheckpointed(schemas.Checkpoint, Event):
    """The centre's audit chain was checkpointed (R-96): keep this message outside Verity; `verity audit
    verify --checkpoints` uses such copies to detect a rewritten or truncated chain. `data` is the
    signed checkpoint (Ed25519 over the canonical JSON of centre_id, seq, head_hash, checkpointed_at)."""

    type: ClassVar[str] = "audit.checkpointed"


class LegalHoldSet(schemas.LegalHold, Event):
    """The QN set a legal hold (R-97): retention purges nothing it covers until it is released."""

    type: ClassVar[str] = "legal_hold.created"


class LegalHoldReleased(Changed[schemas.LegalHold]):
    """A legal hold was released (R-97); `data` has `before` and `after`."""

    type: ClassVar[str] = "legal_hold.released"


class SubjectAccessFulfilled(schemas.SubjectAccessRequest, Event):
    """A learner's subject access request was fulfilled (R-98): the archive's digest and counts, no content."""

    type: ClassVar[str] = "subject_access_request.fulfilled"


class RecordsPurged(schemas.PurgeCounts, Event):
    """Retention purged records of one kind whose period had run (R-97): counts only, never content."""

    type: ClassVar[str] = "records.purged"


class SubjectAccessDownloaded(Access):
    """A subject access archive was downloaded (R-98)."""

    action: ClassVar[str] = "subject_access_request.downloaded"
