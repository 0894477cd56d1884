"""Erasure that keeps the proof (R-97, UK GDPR storage limitation; docs/audit.md).

The chain hashes each payload's digest, so a payload can leave the log while every link still
recomputes. Only `audit_erase_payloads` (owned by the migration role, SECURITY DEFINER) can erase, and
it can only null the payloads of one centre's events about named subjects; it appends its own
`audit.payloads_erased` event with the count and reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

_ERASE = text("SELECT audit_erase_payloads(:centre, :subject_type, CAST(:ids AS text[]), :reason)")


async def erase_payloads(
    session: AsyncSession | AsyncConnection,
    centre_id: uuid.UUID,
    subject_type: str,
    subject_ids: Collection[object],
    reason: str,
) -> int:
    """Erase the before/after of every event of the centre about these subjects; returns how many."""
    if not subject_ids:
        return 0
    ids = [str(i) for i in subject_ids]
    return int(
        (
            await session.execute(
                _ERASE, {"centre": centre_id, "subject_type": subject_type, "ids": ids, "reason": reason}
            )
        ).scalar_one()
    )
