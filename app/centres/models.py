"""Centres, their sites and their staff (with centre-wide role grants)."""

from __future__ import annotations

import uuid

from sqlalchemy import ARRAY, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from app.centres.schemas import Nation
from app.core.models import Base, Versioned, enum_column, one_of, uuid_pk


class Centre(Versioned, Base):
    __tablename__ = "centres"
    __table_args__ = (CheckConstraint(f"nation IN {one_of(Nation)}", name="nation"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    # The awarding body's centre number; unique across Verity.
    centre_number: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Public holidays for working-day deadlines come from the centre's nation.
    nation: Mapped[Nation] = enum_column(Nation, 20)


class Site(Versioned, Base):
    __tablename__ = "sites"
    __table_args__ = (UniqueConstraint("centre_id", "name"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("centres.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(500))


class StaffMember(Versioned, Base):
    __tablename__ = "staff"
    __table_args__ = (UniqueConstraint("centre_id", "idp_subject"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    centre_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("centres.id"), index=True)
    # The identity provider's `sub` for this person: how a token is tied to a staff record.
    idp_subject: Mapped[str] = mapped_column(String(200))
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(320))
    # Centre-wide role grants; per-programme and per-subject-area grants arrive with programmes.
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(30)))
    active: Mapped[bool] = mapped_column(default=True)
