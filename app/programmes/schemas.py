from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StrictBool, StringConstraints, model_validator

from app.calendars.schemas import CalendarDate
from app.core import clock
from app.core.schemas import Input, LongName, Name, Output, Patch, Reason, Text
from app.learners.schemas import MisId
from app.programmes import rules

# Awarding-body codes: programme/course codes and registration numbers are short and alphanumeric.
Code = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9/-]{0,29}$")]


class DeliveryModel(StrEnum):
    academic_year = "academic_year"  # runs over an academic year: register by the end of November
    flexible = "flexible"  # any other model (roll-on/roll-off, short course): within a month of enrolment


class EnrolmentStatus(StrEnum):
    enrolled = "enrolled"
    registered = "registered"
    transferred = "transferred"
    withdrawn = "withdrawn"
    completed = "completed"


class ProgrammeStaffRole(StrEnum):
    """How a member of staff is on a programme's team (R-40, R-44); the lead IV is the programme's LIV."""

    assessor = "assessor"
    internal_verifier = "internal_verifier"


class TeamRole(StrEnum):
    """How a member of staff is on a programme's team, the programme's LIV included (R-40, R-46)."""

    assessor = "assessor"
    internal_verifier = "internal_verifier"
    lead_internal_verifier = "lead_internal_verifier"


class RegistrationIssueKind(StrEnum):
    late = "late"
    early = "early"
    overdue = "overdue"
    inaccurate = "inaccurate"  # the registered name or date of birth differs from the MIS record


class EscalationStatus(StrEnum):
    open = "open"
    resolved = "resolved"


class PriorLearningStatus(StrEnum):
    to_be_assessed = "to_be_assessed"
    assessed = "assessed"
    rejected = "rejected"


class SpecialConsiderationStatus(StrEnum):
    applied = "applied"
    authorised = "authorised"
    refused = "refused"


class SpecialConsiderationOutcome(StrEnum):
    authorised = "authorised"
    refused = "refused"


# ---- programmes ---------------------------------------------------------------------------------------


class Programme(Output):
    id: uuid.UUID
    centre_id: uuid.UUID
    name: str
    code: str | None
    qualification_id: uuid.UUID
    academic_year_id: uuid.UUID
    delivery_model: DeliveryModel
    subject_area: str
    programme_leader_id: uuid.UUID
    lead_internal_verifier_id: uuid.UUID
    site_ids: list[uuid.UUID]
    assessor_ids: list[uuid.UUID]
    internal_verifier_ids: list[uuid.UUID]
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


StaffIds = Annotated[list[uuid.UUID], Field(max_length=100)]


class ProgrammeCreate(Input):
    name: LongName = Field(description="e.g. `BTEC L3 Business Y12`; unique in the centre and academic year.")
    code: Code | None = Field(None, description="The awarding body's programme code learners register under.")
    qualification_id: uuid.UUID = Field(
        description="A qualification version of the centre's or the platform's catalogue."
    )
    academic_year_id: uuid.UUID
    delivery_model: DeliveryModel = DeliveryModel.academic_year
    subject_area: Name = Field(description="The subject area whose LIV oversees IV (R-40).")
    site_ids: list[uuid.UUID] = Field(min_length=1, max_length=50)
    programme_leader_id: uuid.UUID = Field(description="A member of staff holding the programme_leader role.")
    lead_internal_verifier_id: uuid.UUID = Field(description="The subject area's LIV (holds the liv role).")
    assessor_ids: StaffIds = Field(default_factory=list, description="Staff holding the assessor role.")
    internal_verifier_ids: StaffIds = Field(default_factory=list, description="Staff holding the iv role.")


# An absent field is left alone; the lists, when given, replace the programme's sites or staff. The
# qualification, academic year and delivery model are fixed: moving learners elsewhere is a transfer.
class ProgrammeUpdate(Input):
    name: Patch[LongName] = None
    code: Code | None = None
    subject_area: Patch[Name] = None
    site_ids: Patch[list[uuid.UUID]] = Field(None, min_length=1, max_length=50)
    programme_leader_id: Patch[uuid.UUID] = None
    lead_internal_verifier_id: Patch[uuid.UUID] = None
    assessor_ids: Patch[StaffIds] = None
    internal_verifier_ids: Patch[StaffIds] = None


# ---- enrolments and registration (R-10..R-12) ---------------------------------------------------------


class Enrolment(Output):
    id: uuid.UUID
    centre_id: uuid.UUID
    learner_id: uuid.UUID
    programme_id: uuid.UUID
    qualification_id: uuid.UUID
    site_id: uuid.UUID | None = Field(description="The programme site where the learner is taught.")
    mis_id: str | None
    status: EnrolmentStatus
    enrolled_on: dt.date
    identity_checked_by: str
    registration_deadline: dt.date = Field(
        description="R-11: end of November (academic-year programmes) or one month after enrolment."
    )
    registration_number: str | None = Field(description="The awarding body's registration number (R-12).")
    registered_on: dt.date | None
    registered_given_name: str | None = Field(
        None, description="R-11: the name the awarding body registered."
    )
    registered_family_name: str | None = None
    registered_date_of_birth: dt.date | None = None
    registration_inaccurate: bool = Field(
        False,
        description="R-11: the registered name or date of birth differed from the learner's MIS record.",
    )
    registration_issue: RegistrationIssueKind | None = Field(
        None, description="R-11: late, early, overdue or inaccurate."
    )
    ended_on: dt.date | None
    status_reason: str | None
    transferred_from_id: uuid.UUID | None
    transferred_to_id: uuid.UUID | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int

    @model_validator(mode="after")
    def _issue(self) -> Enrolment:
        # Derived, never stored: "overdue" depends on today.
        issue = rules.registration_issue(
            status=self.status,
            enrolled_on=self.enrolled_on,
            registration_deadline=self.registration_deadline,
            registered_on=self.registered_on,
            transferred=self.transferred_from_id is not None,
            today=clock.today(),
            inaccurate=self.registration_inaccurate,
        )
        self.registration_issue = RegistrationIssueKind(issue) if issue else None
        return self


class EnrolmentCreate(Input):
    learner_id: uuid.UUID
    programme_id: uuid.UUID
    enrolled_on: CalendarDate
    identity_checked: StrictBool = Field(
        description="R-12: the learner's identity was checked at enrolment; must be true."
    )
    mis_id: MisId | None = Field(None, description="The MIS's own id for this enrolment.")
    site_id: uuid.UUID | None = Field(
        None,
        description="One of the programme's sites; may be left out when the programme runs at a single site.",
    )


class Registration(Input):
    registration_number: Code
    registered_on: CalendarDate
    reason: Text | None = None
    # the identity as the awarding body registered it; compared with the learner's MIS record.
    given_name: Name | None = Field(None, description="The given name as registered, if it was given.")
    family_name: Name | None = Field(None, description="The family name as registered.")
    date_of_birth: CalendarDate | None = Field(None, description="The date of birth as registered.")


class Transfer(Input):
    programme_id: uuid.UUID = Field(description="The programme (another qualification or pathway) moved to.")
    transferred_on: CalendarDate
    reason: Reason


class Withdrawal(Input):
    withdrawn_on: CalendarDate
    reason: Reason


class Completion(Input):
    completed_on: CalendarDate
    reason: Text | None = None


class EnrolmentTransfer(Output):
    """A transfer ends one enrolment and starts another on the target programme (R-12)."""

    transferred_from: Enrolment
    transferred_to: Enrolment


class RegistrationIssue(Output):
    enrolment_id: uuid.UUID
    learner_id: uuid.UUID
    programme_id: uuid.UUID
    issue: RegistrationIssueKind
    registration_deadline: dt.date
    registered_on: dt.date | None
    flagged_on: dt.date
    escalate_by: dt.date | None = Field(
        description="R-11: the QN escalates to the HoC within 2 working days (term days, R-31); null "
        "while the centre's calendar has no term days that far ahead."
    )


class RegistrationEscalation(Output):
    """R-11: the QN's escalation of a registration issue to the HoC, and the HoC's outcome."""

    id: uuid.UUID
    centre_id: uuid.UUID
    enrolment_id: uuid.UUID
    issue: RegistrationIssueKind
    flagged_on: dt.date
    due_by: dt.date | None = Field(
        description="2 of the centre's working days after the issue arose (null while the calendar "
        "has no term days that far ahead)."
    )
    escalated_on: dt.date
    escalated_by: str
    on_time: bool | None = Field(None, description="Escalated on or before `due_by`.")
    note: str | None
    status: EscalationStatus
    outcome: str | None
    outcome_recorded_on: dt.date | None
    outcome_recorded_by: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int

    @model_validator(mode="after")
    def _on_time(self) -> RegistrationEscalation:
        self.on_time = None if self.due_by is None else self.escalated_on <= self.due_by
        return self


class RegistrationEscalationCreate(Input):
    enrolment_id: uuid.UUID
    note: Text | None = None


class RegistrationEscalationOutcome(Input):
    outcome: Reason = Field(description="What the HoC decided or did about the registration.")


# ---- RPL, reasonable adjustments, special consideration -----------------------------------------------


class PriorLearning(Output):
    id: uuid.UUID
    centre_id: uuid.UUID
    learner_id: uuid.UUID
    qualification_id: uuid.UUID
    unit_number: int
    description: str
    evidence_reference: str | None
    status: PriorLearningStatus = Field(
        description="R-13: RPL evidence is assessed against the unit's criteria "
        "like any other; it is never an exemption."
    )
    recorded_by: str
    decision_id: uuid.UUID | None = Field(
        None, description="R-13: the assessment decision that used it (status `assessed`)."
    )
    rejection_reason: str | None = Field(None, description="R-13: why it was rejected (status `rejected`).")
    assessed_by: str | None = None
    assessed_on: dt.date | None = None
    carried_from_id: uuid.UUID | None = Field(
        None, description="R-13: the record it was carried from by an in-year transfer."
    )
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class PriorLearningAssessment(Input):
    decision_id: uuid.UUID = Field(description="R-13: the assessment decision that used this evidence.")


class PriorLearningRejection(Input):
    reason: Reason = Field(description="R-13: why the evidence is not current or not relevant.")


class PriorLearningCreate(Input):
    learner_id: uuid.UUID
    qualification_id: uuid.UUID
    unit_number: int = Field(ge=1, le=999)
    description: Reason = Field(description="What was learnt, where and when.")
    evidence_reference: Text | None = Field(None, description="Where the evidence is kept.")


class ReasonableAdjustment(Output):
    id: uuid.UUID
    centre_id: uuid.UUID
    learner_id: uuid.UUID
    qualification_id: uuid.UUID | None
    adjustment: str
    normal_way_of_working: str
    agreed_on: dt.date
    applies_from: dt.date
    agreed_by: str
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class ReasonableAdjustmentCreate(Input):
    learner_id: uuid.UUID
    qualification_id: uuid.UUID | None = None
    adjustment: Reason = Field(description="e.g. 25% extra time, a reader, a word processor.")
    normal_way_of_working: Reason = Field(
        description="R-80: how this reflects the learner's normal way of working."
    )
    standard_unchanged: StrictBool = Field(
        description="R-80: the adjustment does not change the standard assessed; must be true."
    )
    agreed_on: CalendarDate
    applies_from: CalendarDate = Field(
        description="The first assessment it applies to; R-80: agreed before it."
    )


class SpecialConsideration(Output):
    id: uuid.UUID
    centre_id: uuid.UUID
    learner_id: uuid.UUID
    qualification_id: uuid.UUID | None
    unit_number: int | None
    assessment_date: dt.date
    applied_on: dt.date
    circumstances: str
    applied_by: str
    status: SpecialConsiderationStatus
    decided_by: str | None
    decided_on: dt.date | None
    decision_reason: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class SpecialConsiderationCreate(Input):
    learner_id: uuid.UUID
    qualification_id: uuid.UUID | None = None
    unit_number: int | None = Field(None, ge=1, le=999, description="Needs `qualification_id`.")
    assessment_date: CalendarDate
    applied_on: CalendarDate | None = Field(
        None,
        description="Default today. R-81: at the time of the assessment, at most 5 working days after it.",
    )
    circumstances: Reason = Field(description="The illness, injury or other indisposition at the time.")


class SpecialConsiderationDecision(Input):
    outcome: SpecialConsiderationOutcome
    reason: Reason
