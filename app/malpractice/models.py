"""Malpractice cases (R-70..R-74): the case, what it concerns (links), its dated stages, the sanctions
and penalties, and each centre's policy.

Links, stages and sanctions are insert-only for the application role (migration 0018): they are the
documented record of the case, so a correction is a further stage. A case row changes (status, report,
outcome) with its version.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ARRAY, Boolean, CheckConstraint, Date, Integer, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import Base, Versioned, created_at, enum_column, one_of, uuid_fk, uuid_pk
from app.malpractice.schemas import CaseStatus, CaseType, LinkKind, SanctionKind, StageKind, SubjectKind


class MalpracticeCase(Versioned, Base):
    __tablename__ = "malpractice_cases"
    __table_args__ = (
        CheckConstraint(f"subject_kind IN {one_of(SubjectKind)}", name="subject_kind"),
        CheckConstraint(f"case_type IN {one_of(CaseType)}", name="case_type"),
        CheckConstraint(f"status IN {one_of(CaseStatus)}", name="status"),
        CheckConstraint(
            "(subject_kind = 'learner' AND learner_id IS NOT NULL AND staff_id IS NULL) OR "
            "(subject_kind = 'staff' AND staff_id IS NOT NULL AND learner_id IS NULL)",
            name="subject",
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id", index=True)
    subject_kind: Mapped[SubjectKind] = enum_column(SubjectKind, 20)
    learner_id: Mapped[uuid.UUID | None] = uuid_fk("learners.id", index=True)
    staff_id: Mapped[uuid.UUID | None] = uuid_fk("staff.id", index=True)
    case_type: Mapped[CaseType] = enum_column(CaseType, 30)
    allegation: Mapped[str] = mapped_column(String(4000))
    raised_by: Mapped[str] = mapped_column(String(100))
    status: Mapped[CaseStatus] = enum_column(CaseStatus, 20)
    opened_on: Mapped[dt.date] = mapped_column(Date)
    # the centre's policy when the case was opened (default on).
    withhold_results: Mapped[bool] = mapped_column(Boolean)
    investigator_staff_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(UUID(as_uuid=True)))
    outcome_proven: Mapped[bool | None] = mapped_column(Boolean)
    reported_on: Mapped[dt.date | None] = mapped_column(Date)
    report_reference: Mapped[str | None] = mapped_column(String(100))
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(200))


class CaseLink(Base):
    __tablename__ = "malpractice_case_links"
    __table_args__ = (
        UniqueConstraint("case_id", "kind", "target_id"),
        CheckConstraint(f"kind IN {one_of(LinkKind)}", name="kind"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    case_id: Mapped[uuid.UUID] = uuid_fk("malpractice_cases.id", index=True)
    kind: Mapped[LinkKind] = enum_column(LinkKind, 20)
    # Generic on purpose (no foreign key): claims are certification's, a layer above.
    target_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    created_at: Mapped[dt.datetime] = created_at()


class CaseStage(Base):
    __tablename__ = "malpractice_case_stages"
    __table_args__ = (CheckConstraint(f"kind IN {one_of(StageKind)}", name="kind"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    case_id: Mapped[uuid.UUID] = uuid_fk("malpractice_cases.id", index=True)
    kind: Mapped[StageKind] = enum_column(StageKind, 30)
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(4000))
    response_due_on: Mapped[dt.date | None] = mapped_column(Date)
    proven: Mapped[bool | None] = mapped_column(Boolean)
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = created_at()


class Sanction(Base):
    __tablename__ = "malpractice_sanctions"
    __table_args__ = (CheckConstraint(f"kind IN {one_of(SanctionKind)}", name="kind"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id", index=True)
    case_id: Mapped[uuid.UUID] = uuid_fk("malpractice_cases.id", index=True)
    kind: Mapped[SanctionKind] = enum_column(SanctionKind, 30)
    imposed_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(4000))
    brief_id: Mapped[uuid.UUID | None] = uuid_fk("assignment_briefs.id")
    qualification_id: Mapped[uuid.UUID | None] = uuid_fk("qualifications.id")
    unit_number: Mapped[int | None] = mapped_column(Integer)
    in_force_until: Mapped[dt.date | None] = mapped_column(Date)
    voided_decision_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(UUID(as_uuid=True)))
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = created_at()


class Policy(Versioned, Base):
    """R-72/R-73: one centre's malpractice policy; a centre without a row has the defaults."""

    __tablename__ = "malpractice_policies"
    __table_args__ = (
        UniqueConstraint("centre_id"),
        CheckConstraint("report_within_working_days > 0", name="report_days"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    withhold_results: Mapped[bool] = mapped_column(Boolean)
    report_within_working_days: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str] = mapped_column(String(200))
