"""Statuses and kinds are enums defined once (docs/architecture.md, "Types"): every mapped column that
carries one is typed by its StrEnum (`enum_column`), and the CHECK the database enforces lists exactly
that enum's values, so the model, the schema, GraphQL and the database can never drift apart."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Column, Enum, String, text
from sqlalchemy.ext.asyncio import AsyncConnection

import app.models  # noqa: F401  (every domain's tables on the metadata)
from app.core.models import Base

# A column with one of these names, or ending in one of these suffixes, holds a value from a closed set.
CLOSED_NAMES = {"status", "kind", "outcome", "role", "nation", "ruling", "issue", "cause", "delivery_model"}
CLOSED_SUFFIXES = ("_kind", "_status", "_role", "_outcome", "_ruling")

# Plain text on purpose, each for a reason: free text, or a role as audited, which is the principal's
# token role at the time (several roles joined, or "system") and has no CHECK to keep it to the table.
FREE_TEXT = {
    ("audit_events", "actor_role"): "the actor's roles at the time, as the audit chain hashed them",
    ("deadline_extensions", "approved_role"): "the approver's audited role(s), as the audit log has it",
    ("resubmission_authorisations", "authorised_role"): "the authoriser's audited role(s)",
    ("registration_escalations", "outcome"): "the HoC's outcome in words (R-11), not a closed set",
}


def _closed(name: str) -> bool:
    return name in CLOSED_NAMES or name.endswith(CLOSED_SUFFIXES)


def _columns() -> list[tuple[str, Column]]:
    return [(t.name, c) for t in Base.metadata.sorted_tables for c in t.columns]


def test_every_status_or_kind_column_is_typed_by_its_enum():
    plain = [
        f"{table}.{c.name}"
        for table, c in _columns()
        if _closed(c.name)
        and isinstance(c.type, String)
        and not isinstance(c.type, Enum)
        and (table, c.name) not in FREE_TEXT
    ]
    assert not plain, f"type these with enum_column(TheEnum, length) and a CHECK one_of(TheEnum): {plain}"


def test_the_free_text_allow_list_names_real_plain_columns():
    """An entry for a column that is gone or now typed would let a new plain column hide behind it."""
    columns = {(table, c.name): c for table, c in _columns()}
    for key in FREE_TEXT:
        assert key in columns, key
        assert not isinstance(columns[key].type, Enum), key


def _enum_columns() -> list[tuple[str, Column]]:
    return [(table, c) for table, c in _columns() if isinstance(c.type, Enum)]


def test_enum_columns_are_found():
    # The walk must see the typed columns at all, or the CHECK test below proves nothing.
    assert len(_enum_columns()) >= 20


def _allowed(c: Column) -> set[str]:
    only = c.info.get("only")
    return set(only) if only is not None else set(c.type.enums)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("table", "column"), [(t, c) for t, c in _enum_columns()], ids=lambda v: getattr(v, "name", v)
)
async def test_each_enum_columns_check_lists_exactly_its_values(
    connection: AsyncConnection, table: str, column: Column
):
    """Read from the migrated database (pg_constraint), not from the model: this is what the database
    enforces. Named by the naming convention: ck_<table>_<column>."""
    row = (
        await connection.execute(
            text(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = CAST(:table AS regclass) AND contype = 'c' AND conname = :name"
            ),
            {"table": table, "name": f"ck_{table}_{column.name}"},
        )
    ).scalar_one_or_none()
    assert row is not None, f"{table}.{column.name} has no CHECK ck_{table}_{column.name}"
    values = set(re.findall(r"'([^']*)'::", row))
    assert values == _allowed(column), (table, column.name, row)
