"""Programmes (a qualification version delivered for an academic year), the learners on them, and what
is recorded per learner around assessment: RPL (R-13), reasonable adjustments (R-80) and special
consideration (R-81)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, CheckConstraint, Date, Index, Integer, String, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import Base, Versioned, enum_column, one_of, uuid_fk, uuid_pk
from app.programmes.schemas import (
    DeliveryModel,
    EnrolmentStatus,
    EscalationStatus,
    PriorLearningStatus,
    ProgrammeStaffRole,
    RegistrationIssueKind,
    SpecialConsiderationStatus,
)

# An enrolment in one of these is the learner's live place on the programme: at most one per programme.
ACTIVE_STATUSES = (EnrolmentStatus.enrolled, EnrolmentStatus.registered)


class Programme(Versioned, Base):
    __tablename__ = "programmes"
    __table_args__ = (
        UniqueConstraint("centre_id", "academic_year_id", "name"),
        CheckConstraint(f"delivery_model IN {one_of(DeliveryModel)}", name="delivery_model"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    name: Mapped[str] = mapped_column(String(200))
    # The awarding body's programme/course code learners are registered under (004 §3 step 2).
    code: Mapped[str | None] = mapped_column(String(30))
    qualification_id: Mapped[uuid.UUID] = uuid_fk("qualifications.id", index=True)
    academic_year_id: Mapped[uuid.UUID] = uuid_fk("academic_years.id", index=True)
    # "academic_year" programmes register by the end of November, "flexible" ones within a month.
    delivery_model: Mapped[DeliveryModel] = enum_column(DeliveryModel, 20)
    subject_area: Mapped[str] = mapped_column(String(100))
    programme_leader_id: Mapped[uuid.UUID] = uuid_fk("staff.id")
    # the LIV of the programme's subject area.
    lead_internal_verifier_id: Mapped[uuid.UUID] = uuid_fk("staff.id")


class ProgrammeSite(Base):
    """Where the programme is delivered (R-42 samples every site)."""

    __tablename__ = "programme_sites"

    programme_id: Mapped[uuid.UUID] = uuid_fk("programmes.id", primary_key=True)
    site_id: Mapped[uuid.UUID] = uuid_fk("sites.id", primary_key=True, index=True)
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")


class ProgrammeStaff(Base):
    """The programme's assessors and internal verifiers: what "an assessor only for their programmes"
    is checked against."""

    __tablename__ = "programme_staff"
    __table_args__ = (CheckConstraint(f"role IN {one_of(ProgrammeStaffRole)}", name="role"),)

    programme_id: Mapped[uuid.UUID] = uuid_fk("programmes.id", primary_key=True)
    role: Mapped[ProgrammeStaffRole] = enum_column(ProgrammeStaffRole, 30, primary_key=True)
    staff_id: Mapped[uuid.UUID] = uuid_fk("staff.id", primary_key=True, index=True)
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")


class Enrolment(Versioned, Base):
    """A learner's place on a programme, and their registration with the awarding body (R-10..R-12)."""

    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("centre_id", "mis_id"),
        CheckConstraint(f"status IN {one_of(EnrolmentStatus)}", name="status"),
        # A registration is a number and a date together; registered and completed learners have one.
        CheckConstraint("(registration_number IS NULL) = (registered_on IS NULL)", name="registration"),
        CheckConstraint(
            "status NOT IN ('registered', 'completed') OR registration_number IS NOT NULL",
            name="registered_has_number",
        ),
        Index(
            "uq_enrolments_programme_id_learner_id_active",
            "programme_id",
            "learner_id",
            unique=True,
            postgresql_where=text(f"status IN {one_of(ACTIVE_STATUSES)}"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    learner_id: Mapped[uuid.UUID] = uuid_fk("learners.id", index=True)
    programme_id: Mapped[uuid.UUID] = uuid_fk("programmes.id", index=True)
    # The programme's qualification version, kept here because R-10 asks "registered for *this*
    # qualification?" and a transfer to another qualification is a new enrolment.
    qualification_id: Mapped[uuid.UUID] = uuid_fk("qualifications.id")
    # Where the learner is taught: one of the programme's sites. IV samples and coverage stratify by it
    # every site). Null only for a multi-site programme whose learner's site was not given.
    site_id: Mapped[uuid.UUID | None] = uuid_fk("sites.id", nullable=True, index=True)
    # The MIS's own id for this enrolment: the key of the bulk sync. Null for enrolments made in Verity.
    mis_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[EnrolmentStatus] = enum_column(EnrolmentStatus, 20)
    enrolled_on: Mapped[dt.date] = mapped_column(Date)
    # identity is checked at enrolment; who asserted it.
    identity_checked_by: Mapped[str] = mapped_column(String(200))
    # R-11, fixed at enrolment (and carried over on a transfer): the date the registration is due by.
    registration_deadline: Mapped[dt.date] = mapped_column(Date)
    registration_number: Mapped[str | None] = mapped_column(String(30))
    registered_on: Mapped[dt.date | None] = mapped_column(Date)
    # The day the enrolment ended: withdrawn, completed or transferred.
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    status_reason: Mapped[str | None] = mapped_column(String(500))
    transferred_from_id: Mapped[uuid.UUID | None] = uuid_fk("enrolments.id")
    transferred_to_id: Mapped[uuid.UUID | None] = uuid_fk("enrolments.id")
    # the name and date of birth the awarding body registered, when given, and whether they
    # differed from the learner's MIS record at registration (an inaccurate registration).
    registered_given_name: Mapped[str | None] = mapped_column(String(100))
    registered_family_name: Mapped[str | None] = mapped_column(String(100))
    registered_date_of_birth: Mapped[dt.date | None] = mapped_column(Date)
    registration_inaccurate: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class RegistrationEscalation(Versioned, Base):
    """R-11: the QN's escalation of a late, early, overdue or inaccurate registration to the HoC, with
    the day it was escalated, the day it was due (2 working days after the issue arose) and the HoC's
    outcome."""

    __tablename__ = "registration_escalations"
    __table_args__ = (
        CheckConstraint(f"issue IN {one_of(RegistrationIssueKind)}", name="issue"),
        CheckConstraint(f"status IN {one_of(EscalationStatus)}", name="status"),
        CheckConstraint("(status = 'open') = (outcome IS NULL)", name="outcome"),
        Index(
            "uq_registration_escalations_enrolment_id_open",
            "enrolment_id",
            unique=True,
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id", index=True)
    enrolment_id: Mapped[uuid.UUID] = uuid_fk("enrolments.id", index=True)
    issue: Mapped[RegistrationIssueKind] = enum_column(RegistrationIssueKind, 20)
    flagged_on: Mapped[dt.date] = mapped_column(Date)
    # Null only while the centre's calendar has no term days that far ahead.
    due_by: Mapped[dt.date | None] = mapped_column(Date)
    escalated_on: Mapped[dt.date] = mapped_column(Date)
    escalated_by: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[EscalationStatus] = enum_column(EscalationStatus, 20)
    outcome: Mapped[str | None] = mapped_column(String(500))
    outcome_recorded_on: Mapped[dt.date | None] = mapped_column(Date)
    outcome_recorded_by: Mapped[str | None] = mapped_column(String(200))


class PriorLearning(Versioned, Base):
    """R-13: prior learning claimed against one unit. It is evidence still to be assessed against the
    criteria, never an exemption: there is deliberately no field that could grant one."""

    __tablename__ = "prior_learning"
    __table_args__ = (
        CheckConstraint(f"status IN {one_of(PriorLearningStatus)}", name="status"),
        # assessed names the decision that used it; rejected gives its reason.
        CheckConstraint("(status = 'assessed') = (decision_id IS NOT NULL)", name="assessed_decision"),
        CheckConstraint("(status = 'rejected') = (rejection_reason IS NOT NULL)", name="rejected_reason"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id", index=True)
    learner_id: Mapped[uuid.UUID] = uuid_fk("learners.id", index=True)
    qualification_id: Mapped[uuid.UUID] = uuid_fk("qualifications.id")
    unit_number: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(500))
    evidence_reference: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[PriorLearningStatus] = enum_column(PriorLearningStatus, 20)
    recorded_by: Mapped[str] = mapped_column(String(200))
    # the assessment decision that used it (a foreign key added by the assessment migration's
    # table; no ORM relation, programmes sit below assessment).
    decision_id: Mapped[uuid.UUID | None] = uuid_fk("assessment_decisions.id")
    rejection_reason: Mapped[str | None] = mapped_column(String(500))
    assessed_by: Mapped[str | None] = mapped_column(String(200))
    assessed_on: Mapped[dt.date | None] = mapped_column(Date)
    # RPL travels with an in-year transfer: the record it was carried from.
    carried_from_id: Mapped[uuid.UUID | None] = uuid_fk("prior_learning.id")


class ReasonableAdjustment(Versioned, Base):
    """R-80: agreed before the assessment, the learner's normal way of working, the standard unchanged."""

    __tablename__ = "reasonable_adjustments"
    __table_args__ = (CheckConstraint("agreed_on <= applies_from", name="agreed_before_assessment"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id", index=True)
    learner_id: Mapped[uuid.UUID] = uuid_fk("learners.id", index=True)
    qualification_id: Mapped[uuid.UUID | None] = uuid_fk("qualifications.id")
    adjustment: Mapped[str] = mapped_column(String(500))
    normal_way_of_working: Mapped[str] = mapped_column(String(500))
    agreed_on: Mapped[dt.date] = mapped_column(Date)
    applies_from: Mapped[dt.date] = mapped_column(Date)
    agreed_by: Mapped[str] = mapped_column(String(200))


class SpecialConsideration(Versioned, Base):
    """R-81: applied for at the time of the assessment; authorised (or refused) by the HoC only."""

    __tablename__ = "special_considerations"
    __table_args__ = (
        CheckConstraint(f"status IN {one_of(SpecialConsiderationStatus)}", name="status"),
        CheckConstraint("assessment_date <= applied_on", name="applied_after_assessment"),
        CheckConstraint("(status = 'applied') = (decided_by IS NULL)", name="decision"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id", index=True)
    learner_id: Mapped[uuid.UUID] = uuid_fk("learners.id", index=True)
    qualification_id: Mapped[uuid.UUID | None] = uuid_fk("qualifications.id")
    unit_number: Mapped[int | None] = mapped_column(Integer)
    assessment_date: Mapped[dt.date] = mapped_column(Date)
    applied_on: Mapped[dt.date] = mapped_column(Date)
    circumstances: Mapped[str] = mapped_column(String(500))
    applied_by: Mapped[str] = mapped_column(String(200))
    status: Mapped[SpecialConsiderationStatus] = enum_column(SpecialConsiderationStatus, 20)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    decision_reason: Mapped[str | None] = mapped_column(String(500))
