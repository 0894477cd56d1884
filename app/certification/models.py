"""Certification (R-90..R-94): QMR visits with each quality objective's judgement, claims for a set of
learners with their R-91 checks, each learner's line in a claim, and the certificates received.

A claim's entries are snapshots: the units and grades taken from the released records when the claim is
prepared, so the export is what the people who checked it saw. A removed entry keeps its reasons.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, Date, DateTime, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.certification.schemas import CertificateStatus, ClaimStatus, ClaimType, EntryStatus
from app.core.models import Base, Versioned, enum_column, one_of, uuid_fk, uuid_pk


class QmrVisit(Versioned, Base):
    """R-90 (002): a Quality Management Review visit and its judgement of each quality objective."""

    __tablename__ = "qmr_visits"

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id", index=True)
    visited_on: Mapped[dt.date] = mapped_column(Date)
    reviewer: Mapped[str] = mapped_column(String(100))
    # [{objective: "QO.3", judgement: "insufficient"}]
    judgements: Mapped[list[dict]] = mapped_column(JSONB)
    note: Mapped[str | None] = mapped_column(String(4000))
    # The Centre Quality Manager's progress report that releases the block.
    progress_report_on: Mapped[dt.date | None] = mapped_column(Date)
    progress_report_note: Mapped[str | None] = mapped_column(String(4000))
    recorded_by: Mapped[str] = mapped_column(String(200))


class CertificationClaim(Versioned, Base):
    """R-91: a claim for a set of a programme's learners, full or unit (R-93), due by R-94's date."""

    __tablename__ = "certification_claims"
    __table_args__ = (
        CheckConstraint(f"status IN {one_of(ClaimStatus)}", name="status"),
        CheckConstraint(f"claim_type IN {one_of(ClaimType)}", name="claim_type"),
        # the second check is never the preparer's.
        CheckConstraint("checked_by IS NULL OR checked_by <> prepared_by", name="second_checker"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id", index=True)
    programme_id: Mapped[uuid.UUID] = uuid_fk("programmes.id", index=True)
    qualification_id: Mapped[uuid.UUID] = uuid_fk("qualifications.id")
    claim_type: Mapped[ClaimType] = enum_column(ClaimType, 10)
    status: Mapped[ClaimStatus] = enum_column(ClaimStatus, 20)
    due_on: Mapped[dt.date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(200))
    records_confirmed_by: Mapped[str | None] = mapped_column(String(200))
    leader_checked_by: Mapped[str | None] = mapped_column(String(200))
    prepared_by: Mapped[str | None] = mapped_column(String(200))
    checked_by: Mapped[str | None] = mapped_column(String(200))
    submitted_by: Mapped[str | None] = mapped_column(String(200))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ClaimEntry(Versioned, Base):
    """One learner in a claim: the registration's units and grades as claimed, or why they were removed."""

    __tablename__ = "claim_entries"
    __table_args__ = (
        UniqueConstraint("claim_id", "learner_id"),
        CheckConstraint(f"status IN {one_of(EntryStatus)}", name="status"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    claim_id: Mapped[uuid.UUID] = uuid_fk("certification_claims.id", index=True)
    learner_id: Mapped[uuid.UUID] = uuid_fk("learners.id", index=True)
    status: Mapped[EntryStatus] = enum_column(EntryStatus, 20)
    registration_number: Mapped[str | None] = mapped_column(String(30))
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    # [{unit_number, title, grade}]
    units: Mapped[list[dict]] = mapped_column(JSONB)
    overall_grade: Mapped[str | None] = mapped_column(String(10))
    # [EligibilityReason as JSON]
    removed_reasons: Mapped[list[dict]] = mapped_column(JSONB)


class Certificate(Versioned, Base):
    """R-92: a certificate received against a claim, checked against the records; withheld while it
    has an anomaly."""

    __tablename__ = "certificates"
    __table_args__ = (CheckConstraint(f"status IN {one_of(CertificateStatus)}", name="status"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id", index=True)
    claim_id: Mapped[uuid.UUID] = uuid_fk("certification_claims.id", index=True)
    entry_id: Mapped[uuid.UUID] = uuid_fk("claim_entries.id")
    learner_id: Mapped[uuid.UUID] = uuid_fk("learners.id")
    received_on: Mapped[dt.date] = mapped_column(Date)
    check_due_on: Mapped[dt.date | None] = mapped_column(Date)
    learner_name: Mapped[str] = mapped_column(String(100))
    overall_grade: Mapped[str | None] = mapped_column(String(100))
    # [{unit_number, grade}]
    units: Mapped[list[dict]] = mapped_column(JSONB)
    status: Mapped[CertificateStatus] = enum_column(CertificateStatus, 20)
    # [Anomaly as JSON]
    anomalies: Mapped[list[dict]] = mapped_column(JSONB)
    checked_on: Mapped[dt.date | None] = mapped_column(Date)
    resolution_note: Mapped[str | None] = mapped_column(String(500))
    recorded_by: Mapped[str] = mapped_column(String(200))
