"""Helpers every domain's service uses to write: map constraint violations to a clear 409."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict, field_problem


async def flush_unique(session: AsyncSession, fields_by_constraint: dict[str, str]) -> None:
    """Flush, turning a unique-constraint violation into 409 naming the field that clashed."""
    try:
        await session.flush()
    except IntegrityError as exc:
        constraint = getattr(getattr(exc.orig, "__cause__", None), "constraint_name", None) or ""
        field = next((f for name, f in fields_by_constraint.items() if name == constraint), None)
        if field is None:
            raise
        raise Conflict(
            f"Another record already has this {field.split('.')[-1]}.",
            errors=[field_problem(field, "duplicate", "must be unique within the centre")],
        ) from exc


def apply_changes(target: object, changes: dict) -> dict:
    """Set the given attributes; return only those that really changed (for the audit's before/after)."""
    changed = {}
    for name, value in changes.items():
        if getattr(target, name) != value:
            setattr(target, name, value)
            changed[name] = value
    return changed
