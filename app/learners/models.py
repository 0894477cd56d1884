"""Learners of a centre: identity and contact kept minimal (R-98), ids from the awarding body and MIS."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import Base, Versioned, uuid_pk


class Learner(Versioned, Base):
    __tablename__ = "learners"
    __table_args__ = (
        UniqueConstraint("centre_id", "idp_subject"),
        UniqueConstraint("centre_id", "mis_id"),
        UniqueConstraint("centre_id", "candidate_number"),
        Index("ix_learners_centre_family_name", "centre_id", func.lower("family_name")),
        Index("ix_learners_centre_id_id", "centre_id", "id"),  # the list's keyset order (issue 18)
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("centres.id"), index=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[dt.date] = mapped_column(Date)
    # The awarding body's candidate number, and the Unique Learner Number where the learner has one.
    candidate_number: Mapped[str | None] = mapped_column(String(20))
    uln: Mapped[str | None] = mapped_column(String(10))
    # The school MIS's own id: the key for bulk sync.
    mis_id: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(320))
    # The identity provider's `sub` for the learner's own logins (learner self-access).
    idp_subject: Mapped[str | None] = mapped_column(String(200))
