"""The events of malpractice (R-70..R-74). Webhook payloads carry neither the allegation nor whom the
case concerns (no name, no learner or staff id): the MIS learns that a case moved, never what it says or
about whom. The audit rows (read by the HoC and QN) keep the full record."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import ClassVar

from pydantic import Field

from app.events.event import Access, Changed, Event
from app.malpractice import schemas


class _CaseNotice(Event):
    """A malpractice case's state after the change; never its allegation or whom it concerns."""

    id: uuid.UUID = Field(description="The malpractice case.")
    subject_kind: schemas.SubjectKind
    status: schemas.CaseStatus
    on: dt.date = Field(description="The date the change took effect.")


class CaseCreated(_CaseNotice):
    """A malpractice case was opened as a draft (R-70): by the HoC or QN, by an assessor's authenticity
    concern, or by a declaration disclosing AI use the brief did not allow; `data` is its state."""

    type: ClassVar[str] = "malpractice_case.created"


class CaseOpened(_CaseNotice):
    """The HoC or QN confirmed a draft case and named its investigators (R-71); `data` is its state."""

    type: ClassVar[str] = "malpractice_case.opened"


class CaseLinked(_CaseNotice):
    """A submission, evidence item, decision or claim was linked to a case (R-70); `data` is its state."""

    type: ClassVar[str] = "malpractice_case.linked"


class StageRecorded(_CaseNotice):
    """A dated stage of a case was recorded (R-71); `data` is the case's state and the stage's kind."""

    type: ClassVar[str] = "malpractice_case.stage_recorded"

    stage: schemas.StageKind


class CaseReported(_CaseNotice):
    """The HoC recorded sending the case's report to the awarding body (R-72); `data` is its state."""

    type: ClassVar[str] = "malpractice_case.reported"


class CaseClosed(_CaseNotice):
    """A case was closed (R-71); `data` is its state."""

    type: ClassVar[str] = "malpractice_case.closed"


class SanctionRecorded(Event):
    """A sanction or penalty was recorded on a case (R-74): the awarding body's, the centre's (applied
    through the service) or one on the centre; `data` names the case and the kind, never the person."""

    type: ClassVar[str] = "malpractice_sanction.recorded"

    id: uuid.UUID
    case_id: uuid.UUID
    kind: schemas.SanctionKind
    imposed_on: dt.date


class PolicyCreated(schemas.Policy, Event):
    """The centre first set its malpractice policy (R-72 reporting days, R-73 withholding); `data` is it."""

    type: ClassVar[str] = "malpractice_policy.created"


class PolicyUpdated(Changed[schemas.Policy]):
    """The centre's malpractice policy changed; `data` has `before` and `after`."""

    type: ClassVar[str] = "malpractice_policy.updated"


class ReportRendered(Access):
    """The HoC rendered a case's report to the awarding body (JCQ M1 / M2) as a PDF."""

    action: ClassVar[str] = "malpractice_report.rendered"

    case_id: uuid.UUID
