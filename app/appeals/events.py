"""The events of appeals (R-60..R-63). Webhook payloads that app.appeals.service records: an appeal's
summary, never its written grounds or responses (they are about a person's assessment, read in the
app by those who may see the appeal)."""

from __future__ import annotations

from typing import ClassVar

from app.appeals import schemas
from app.events.event import Changed, Event


class AppealLodged(schemas.AppealSummary, Event):
    """A learner (or staff on their behalf) lodged an appeal in the window (R-60); stage 1 is open."""

    type: ClassVar[str] = "appeal.lodged"


class AppealStageDecided(schemas.AppealSummary, Event):
    """A stage of an appeal ended upheld or not upheld with a written response (R-61); `data` is the
    appeal after it (`stage_outcome` the stage's)."""

    type: ClassVar[str] = "appeal.stage_decided"


class AppealEscalated(schemas.AppealSummary, Event):
    """A not-upheld appeal was taken to its next stage within the window, or to the awarding body by the
    HoC (R-61); `current_stage` is the stage now open."""

    type: ClassVar[str] = "appeal.escalated"


class AppealWithdrawn(schemas.AppealSummary, Event):
    """The learner withdrew the appeal; its open stage ended withdrawn (R-61)."""

    type: ClassVar[str] = "appeal.withdrawn"


class AppealClosed(schemas.AppealSummary, Event):
    """A not-upheld appeal was not taken further within the window and is closed (R-61)."""

    type: ClassVar[str] = "appeal.closed"


class AppealDecisionAmended(schemas.AppealSummary, Event):
    """An upheld appeal's decision was amended as a new version, which waits for IV (R-62, R-25)."""

    type: ClassVar[str] = "appeal.decision_amended"


class AppealStageOverdue(schemas.OverdueStage, Event):
    """A stage of an appeal passed its due date in the centre's working days and is still open (R-61):
    the QN's worklist. Sent once per stage."""

    type: ClassVar[str] = "appeal.stage_overdue"


class AppealPolicyCreated(schemas.AppealPolicy, Event):
    """The centre first set its appeal window and stage limits (R-60, R-61)."""

    type: ClassVar[str] = "appeal_policy.created"


class AppealPolicyUpdated(Changed[schemas.AppealPolicy]):
    """The centre's appeal window or stage limits changed (R-60, R-61)."""

    type: ClassVar[str] = "appeal_policy.updated"
