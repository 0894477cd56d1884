"""Pydantic shapes of certification (R-90..R-94): the eligibility preflight, claims, certificates
received and QMR visits. REST bodies and GraphQL types share them; the StrEnums are defined here once."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from pydantic import Field

from app.core.schemas import Input, IsoDate, LongText, Name, Output, Reason, UnitNumber


class ClaimType(StrEnum):
    full = "full"  # the whole qualification
    unit = "unit"  # unit certification for a learner who leaves without the full qualification


class ReasonCode(StrEnum):
    not_registered = "not_registered"
    withdrawn = "withdrawn"
    unit_not_verified = "unit_not_verified"
    rule_of_combination = "rule_of_combination"
    unit_on_appeal = "unit_on_appeal"
    results_withheld = "results_withheld"
    centre_sanction = "centre_sanction"
    standards_verification = "standards_verification"
    qmr_block = "qmr_block"
    no_accredited_liv = "no_accredited_liv"
    employer_involvement = "employer_involvement"  # planned, not yet taken part
    employer_plan_missing = "employer_plan_missing"  # the programme has no plan
    employer_plan_uncovered = "employer_plan_uncovered"  # the plan does not cover the learner


class ReasonScope(StrEnum):
    """Which claims a reason stops: the full certificate only, or every claim (full and unit)."""

    full = "full"
    every_claim = "every_claim"


class EligibilityReason(Output):
    """One reason a learner's certificate may not be claimed, naming the rule (R-nn) it comes from."""

    code: ReasonCode
    rule: str = Field(description="The rule id, e.g. R-90.")
    message: str
    stops: ReasonScope
    unit_number: int | None = Field(None, description="The unit concerned, where the reason is one unit's.")


class ClaimableUnit(Output):
    unit_number: int
    title: str
    grade: str


class Eligibility(Output):
    """R-90: whether a full or a unit certificate can be claimed for the learner's registration on the
    qualification and, if not, every reason. The same function gates every claim."""

    learner_id: uuid.UUID
    qualification_id: uuid.UUID
    programme_id: uuid.UUID | None
    registration_number: str | None
    full_claimable: bool
    unit_claimable: bool
    overall_grade: str | None = Field(description="The qualification grade from the released records.")
    claimable_units: list[ClaimableUnit] = Field(
        description="Units with a released, internally verified result at Pass or above, not on hold."
    )
    reasons: list[EligibilityReason]


# ---- QMR (R-90, 002) -----------------------------------------------------------------------------------


class QualityObjective(StrEnum):
    qo1 = "QO.1"
    qo2 = "QO.2"
    qo3 = "QO.3"
    qo4 = "QO.4"
    qo5 = "QO.5"
    qo6 = "QO.6"
    qo7 = "QO.7"
    qo8 = "QO.8"
    qo9 = "QO.9"
    qo10 = "QO.10"


class Judgement(StrEnum):
    sufficient = "sufficient"
    insufficient = "insufficient"  # "insufficient evidence that effective quality processes exist"


# 002: insufficient evidence on one of these blocks certification of every BTEC programme of the centre.
BLOCKING_OBJECTIVES = frozenset({QualityObjective.qo3, QualityObjective.qo4, QualityObjective.qo9})


class ObjectiveJudgement(Input):
    objective: QualityObjective
    judgement: Judgement


class ObjectiveJudgementOut(Output):
    objective: QualityObjective
    judgement: Judgement


class QmrVisitCreate(Input):
    visited_on: IsoDate
    reviewer: Name
    judgements: list[ObjectiveJudgement] = Field(min_length=1, max_length=10)
    note: LongText | None = None


class ProgressReport(Input):
    accepted_on: IsoDate
    note: LongText | None = None


class QmrVisit(Output):
    id: uuid.UUID
    visited_on: dt.date
    reviewer: str
    judgements: list[ObjectiveJudgementOut]
    note: str | None
    blocks_certification: bool = Field(description="Insufficient QO.3, QO.4 or QO.9, not yet released.")
    progress_report_on: dt.date | None
    progress_report_note: str | None
    recorded_by: str
    version: int


# ---- claims (R-91, R-93, R-94) ---------------------------------------------------------------------------


class ClaimStatus(StrEnum):
    """R-91, in order: records confirmed by the LIV, checked by the programme leader, prepared by the
    exams officer, checked by a second person who is not the preparer, submitted."""

    draft = "draft"
    records_confirmed = "records_confirmed"
    leader_checked = "leader_checked"
    prepared = "prepared"
    checked = "checked"
    submitted = "submitted"


class EntryStatus(StrEnum):
    included = "included"
    removed = "removed"  # became ineligible before submission; the reason is kept


class ClaimCreate(Input):
    programme_id: uuid.UUID
    claim_type: ClaimType
    learner_ids: list[uuid.UUID] = Field(min_length=1, max_length=500)


class ClaimLearnersAdd(Input):
    learner_ids: list[uuid.UUID] = Field(min_length=1, max_length=500)


class ClaimUnit(Output):
    unit_number: int
    title: str
    grade: str


class ClaimEntry(Output):
    id: uuid.UUID
    learner_id: uuid.UUID
    status: EntryStatus
    registration_number: str | None
    given_name: str
    family_name: str
    units: list[ClaimUnit]
    overall_grade: str | None
    removed_reasons: list[EligibilityReason]


class Claim(Output):
    id: uuid.UUID
    programme_id: uuid.UUID
    qualification_id: uuid.UUID
    claim_type: ClaimType
    status: ClaimStatus
    due_on: dt.date = Field(
        description="R-94: end of July of the academic year, else a month after completion."
    )
    created_by: str
    records_confirmed_by: str | None
    leader_checked_by: str | None
    prepared_by: str | None
    checked_by: str | None
    submitted_by: str | None
    submitted_at: dt.datetime | None
    entries: list[ClaimEntry]
    version: int


class DeadlineState(StrEnum):
    overdue = "overdue"
    due_soon = "due_soon"


class ClaimDeadline(Output):
    claim_id: uuid.UUID
    programme_id: uuid.UUID
    status: ClaimStatus
    due_on: dt.date
    state: DeadlineState


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"


class ExportRow(Output):
    """One line of a submitted claim's export (docs/certification.md lists the columns)."""

    registration_number: str | None
    learner_name: str
    qualification_number: str | None
    qualification_title: str
    claim_type: ClaimType
    units: list[ClaimUnit]
    overall_grade: str | None


class ClaimExport(Output):
    claim_id: uuid.UUID
    awarding_body: str
    programme_code: str | None
    submitted_at: dt.datetime | None
    rows: list[ExportRow]


# ---- certificates received (R-92) ------------------------------------------------------------------------


class CertificateStatus(StrEnum):
    received = "received"  # not yet checked against the records
    cleared = "cleared"  # checked: it matches
    withheld = "withheld"  # an anomaly: reported, withheld until resolved
    released = "released"  # its anomalies were resolved


class CertificateUnit(Input):
    unit_number: UnitNumber
    grade: Name


class CertificateCreate(Input):
    learner_id: uuid.UUID
    received_on: IsoDate
    learner_name: Name = Field(description="The name printed on the certificate.")
    overall_grade: Name | None = Field(None, description="The grade printed (none on a unit certificate).")
    units: list[CertificateUnit] = Field([], max_length=100)


class AnomalyKind(StrEnum):
    name = "name"
    grade = "grade"
    unit = "unit"


class Anomaly(Output):
    kind: AnomalyKind
    unit_number: int | None
    on_certificate: str | None
    in_records: str | None


class CertificateResolve(Input):
    note: Reason


class CertificateUnitOut(Output):
    unit_number: int
    grade: str


class Certificate(Output):
    id: uuid.UUID
    claim_id: uuid.UUID
    learner_id: uuid.UUID
    received_on: dt.date
    check_due_on: dt.date | None = Field(description="R-92: checked by then (working days, configurable).")
    learner_name: str
    overall_grade: str | None
    units: list[CertificateUnitOut]
    status: CertificateStatus
    anomalies: list[Anomaly]
    checked_on: dt.date | None
    resolution_note: str | None
    recorded_by: str
    version: int
