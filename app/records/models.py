"""The record over time: checkpoints of the audit chain (R-96), legal holds (R-97), subject access
requests (R-98). Checkpoints are insert-only for the application role (alembic 0021_records)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import Base, Versioned, uuid_fk, uuid_pk


class AuditCheckpoint(Base):
    """A centre's chain head at one moment, signed with a key the database never sees (Ed25519)."""

    __tablename__ = "audit_checkpoints"
    __table_args__ = (UniqueConstraint("centre_id", "seq"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    seq: Mapped[int] = mapped_column(BigInteger)
    head_hash: Mapped[str] = mapped_column(String(64))
    checkpointed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(200))


class LegalHold(Versioned, Base):
    """A hold the QN sets (R-97): while it is not released, nothing of the learner (or, with no
    learner, of the centre) is purged by retention."""

    __tablename__ = "legal_holds"

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id", index=True)
    learner_id: Mapped[uuid.UUID | None] = uuid_fk("learners.id", nullable=True)
    reason: Mapped[str] = mapped_column(String(500))
    set_by: Mapped[str] = mapped_column(String(200))
    released_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    released_by: Mapped[str | None] = mapped_column(String(200))


class SubjectAccessRequest(Versioned, Base):
    """A learner's request for everything held about them (R-98, UK GDPR art. 15) and its fulfilment."""

    __tablename__ = "subject_access_requests"

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = uuid_fk("centres.id")
    learner_id: Mapped[uuid.UUID] = uuid_fk("learners.id", index=True)
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    fulfilled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    archive_sha256: Mapped[str | None] = mapped_column(String(64))
    archive_bytes: Mapped[int | None] = mapped_column(Integer)
    records: Mapped[int | None] = mapped_column(Integer)
    files: Mapped[int | None] = mapped_column(Integer)
