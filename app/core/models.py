"""The declarative base every domain's models share, with a naming convention Alembic can rely on."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from sqlalchemy import DateTime, Enum, ForeignKey, FromClause, MetaData, func
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from app.core import clock
from app.core.ids import uuid7

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def uuid_pk() -> Mapped[uuid.UUID]:
    return mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid7)


def uuid_fk(target: str, **kw: Any) -> Mapped[uuid.UUID]:
    """A UUID foreign key column (`uuid_fk("centres.id", index=True)`)."""
    return mapped_column(UUID(as_uuid=True), ForeignKey(target), **kw)


E = TypeVar("E", bound=StrEnum)


def enum_column(enum: type[E], length: int = 20, *, only: Iterable[E] | None = None, **kw: Any) -> Mapped[E]:
    """A status or kind column typed by its enum, the one definition models, schemas and GraphQL share.

    Stored as VARCHAR(length) (not a native PostgreSQL enum: adding a member is then a CHECK change,
    not an `ALTER TYPE` that cannot run in a transaction); the values are the members' values, and the
    ORM refuses a string outside the enum before it reaches the database. The CHECK constraint the
    table declares with `one_of(enum)` keeps a writer outside the ORM honest too.

    `only` narrows a shared enum to the members this column may hold (a decision is never a resit:
    that is an exam's); its CHECK is then `one_of(those members)`, and the column's `info["only"]`
    names them for tests/test_enums.py. (The SQL type keeps every member: SQLAlchemy pairs values with
    members by position.)"""
    if only is not None:
        kw["info"] = {**kw.get("info", {}), "only": tuple(m.value for m in only)}
    column_type = Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
    return mapped_column(column_type, **kw)


def one_of(members: Iterable[StrEnum]) -> str:
    """The SQL list of an enum's values (or of some of its members), for a CHECK constraint or a
    partial index: `f"status IN {one_of(Status)}"`, `f"status IN {one_of(ACTIVE_STATUSES)}"`."""
    return "(" + ", ".join(f"'{m.value}'" for m in members) + ")"


# The app always supplies these from the clock (tests move it); the database's default is only the
# fallback for rows written outside the app (migrations, a DBA's repair).
def created_at() -> Mapped[dt.datetime]:
    return mapped_column(
        DateTime(timezone=True), default=clock.now, server_default=func.now(), nullable=False
    )


def updated_at() -> Mapped[dt.datetime]:
    return mapped_column(
        DateTime(timezone=True),
        default=clock.now,
        onupdate=clock.now,
        server_default=func.now(),
        nullable=False,
    )


class Versioned:
    """A mutable record: creation and change times, and a version that is its ETag. The ORM checks
    the version on every UPDATE, so a concurrent change is refused, never silently overwritten."""

    created_at: Mapped[dt.datetime] = created_at()
    updated_at: Mapped[dt.datetime] = updated_at()
    version: Mapped[int] = mapped_column(nullable=False)

    if TYPE_CHECKING:  # the mapped subclass has one; the mixin is never mapped on its own
        __table__: ClassVar[FromClause]

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version, "eager_defaults": True}
