"""The events of assessment: extensions, submissions and evidence (R-22, R-23), decisions (R-24..R-26),
resubmissions (R-30..R-33) and exam results. Webhook payloads that app.assessment.submissions,
.decisions and .resubmissions record."""

from __future__ import annotations

import uuid
from typing import ClassVar

from pydantic import Field

from app.assessment import schemas
from app.events.event import Access, Changed, Event


class ExtensionCreated(schemas.Extension, Event):
    """An extension of a learner's deadline was agreed (R-23); `data` is the record."""

    type: ClassVar[str] = "deadline_extension.created"


class SubmissionCreated(schemas.Submission, Event):
    """A submission was started (a first attempt, resubmission or retake); `data` is the record."""

    type: ClassVar[str] = "submission.created"


class EvidenceAdded(schemas.EvidenceItem, Event):
    """Evidence (a file or a reference) was added to an open submission; `data` is the record."""

    type: ClassVar[str] = "evidence_item.added"


class EvidenceRemoved(schemas.EvidenceItem, Event):
    """Evidence was removed from an open submission (R-22: never after hand-in); `data` is the item as it
    was."""

    type: ClassVar[str] = "evidence_item.removed"


class EvidenceDownloaded(Access):
    """Someone who may see the submission downloaded one evidence file: audited, never a webhook (a read
    changes nothing the MIS keeps)."""

    action: ClassVar[str] = "evidence.downloaded"

    evidence_item_id: uuid.UUID
    submission_id: uuid.UUID
    kind: schemas.EvidenceKind
    filename: str | None
    media_type: str | None
    size_bytes: int | None
    sha256: str | None


class SubmissionHandedIn(Changed[schemas.Submission]):
    """A submission was handed in with the learner's signed declaration (R-22), late or not (R-23);
    `data` has the record `before` and `after`."""

    type: ClassVar[str] = "submission.handed_in"


class DecisionRecorded(schemas.Decision, Event):
    """An assessor recorded a decision on a submission (R-24); `data` is the decision with its first
    version."""

    type: ClassVar[str] = "assessment_decision.recorded"


class _DecisionState(Event):
    """The decision's state after the change; read the decision itself with
    `GET /v1/assessment-decisions/{id}`."""

    id: uuid.UUID = Field(description="The assessment decision.")
    status: schemas.DecisionStatus
    current_version: int = Field(description="The decision version now current (R-26).")
    released_version: int | None = Field(
        description="The version the learner was given (R-25); none until first released."
    )


class DecisionAmended(_DecisionState):
    """The decision's assessor amended it: a new version with a reason, made by them (R-26). A draft or a
    decision waiting for IV goes back to `draft`; a released one becomes `amended` and waits for IV of
    the new version while the learner keeps `released_version` (R-25). `data` is its state."""

    type: ClassVar[str] = "assessment_decision.amended"

    made_by: uuid.UUID = Field(description="The staff member who made the new version (R-26).")


class DecisionSubmittedForIv(_DecisionState):
    """A decision was submitted for internal verification; `data` is its state."""

    type: ClassVar[str] = "assessment_decision.submitted_for_iv"


class DecisionReleased(_DecisionState):
    """A decision was released to the learner after internal verification (R-25), alone or with its
    brief's batch; `data` is its state, with the learner and the brief (the same shape either way)."""

    type: ClassVar[str] = "assessment_decision.released"

    learner_id: uuid.UUID = Field(description="The learner the decision is about.")
    brief_id: uuid.UUID = Field(description="The assignment brief the decision's submission answers.")


class DecisionVoided(_DecisionState):
    """A decision was voided by a penalty the centre applied after a malpractice case (R-74): a new
    version recording nothing achieved, released at once; `data` is its state (never the allegation)."""

    type: ClassVar[str] = "assessment_decision.voided"


class ResubmissionAuthorised(schemas.Resubmission, Event):
    """A resubmission was authorised, with its deadline (R-30, R-31, R-33); `data` is the record."""

    type: ClassVar[str] = "resubmission.authorised"


class ExamResultRecorded(schemas.ExamResult, Event):
    """The result of an externally assessed unit (a sitting or resit) was recorded; `data` is the
    record."""

    type: ClassVar[str] = "exam_result.recorded"


# A decision's state changes by the name the service gives them.
DECISION_CHANGES: dict[str, type[_DecisionState]] = {
    "amended": DecisionAmended,
    "submitted_for_iv": DecisionSubmittedForIv,
    "released": DecisionReleased,
}
