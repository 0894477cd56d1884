"""The one getter for an object fetched by id for a principal (house rules 3 and 4, R-98).

Every domain's repository builds a principal-scoped `select()` (the caller's centre, and inside it only
what the caller's roles may see: an assessor's programmes, a learner's own records). Fetching by id goes
through `get_visible` with that statement, so an object outside the caller's view -- another centre's,
or a programme the caller does not assess -- is simply not found: 404, never a 403 that confirms it
exists. `core` knows no principal: the statement carries the scoping.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import FieldProblem, NotFound


async def get_visible(
    session: AsyncSession,
    stmt: Select,
    model: Any,
    object_id: uuid.UUID,
    what: str,
    *,
    errors: list[FieldProblem] | None = None,
) -> Any:
    found = (await session.scalars(stmt.where(model.id == object_id))).one_or_none()
    if found is None:
        raise NotFound(f"No {what} with id {object_id}.", errors=errors)
    return found
