"""record(): one audit event per state change, in the caller's transaction; verify(): walk the chain."""

from __future__ import annotations

import dataclasses
import json
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.audit import schemas
from app.audit.models import AuditEvent
from app.core.context import current_request_id
from app.core.db import deferred_statements
from app.core.pagination import decode_cursor, encode_cursor, paginate


@dataclass(frozen=True)
class Actor:
    """Who made a change when no token did: the system itself (CLI, demo loader).

    A verified Principal has the same three attributes, so services take either.
    """

    subject: str
    audit_role: str
    centre_id: uuid.UUID


class Author(Protocol):
    """Whoever a change is recorded against: an Actor, or a verified Principal (app.auth.principal)."""

    @property
    def subject(self) -> str: ...
    @property
    def audit_role(self) -> str: ...
    @property
    def centre_id(self) -> uuid.UUID: ...


SYSTEM_ROLE = "system"

_APPEND = text(
    "SELECT audit_append(:centre_id, :actor, :role, :action, :subject_type, :subject_id, "
    "CAST(:before AS jsonb), CAST(:after AS jsonb), :request_id)"
)


def _json(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, default=str)


async def record(
    session: AsyncSession | AsyncConnection,
    actor: Author,
    action: str,
    subject_type: str,
    subject_id: Any,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Append one event; the database function takes the centre's lock, reads the head and links to it.

    Call after the change has been flushed, so a refused change never leaves an audit row behind.
    In a request's session the append waits until just before commit (app.core.db.defer_until_commit),
    so the centre's lock, held until commit, is taken after every row lock of the request; the events
    keep the order they were recorded in. Elsewhere (CLI, worker) it runs at once.
    """
    params = {
        "centre_id": actor.centre_id,
        "actor": actor.subject,
        "role": actor.audit_role,
        "action": action,
        "subject_type": subject_type,
        "subject_id": str(subject_id),
        "before": _json(before),
        "after": _json(after),
        "request_id": current_request_id(),
    }
    queue = deferred_statements(session)
    if queue is not None:
        queue.append((_APPEND, params))
    else:
        await session.execute(_APPEND, params)


@dataclass(frozen=True)
class ChainReport:
    centre_id: uuid.UUID
    events: int
    ok: bool
    first_broken_seq: int | None = None
    reason: str | None = None
    checked_from: int = 1
    checked_to: int = 0
    # The seq to check after next; None once the window reached the head.
    next_after: int | None = None


# The canonical form and the hash are computed by the same SQL function that wrote them
# (audit_event_hash), so one definition serves both append and verify. The chain covers the payloads'
# digests; a payload still present must match its digest, an erased one (erased_at) is gone for good.
_FIRST_BROKEN = text("""
WITH walk AS (
  SELECT seq, hash, prev_hash,
         audit_event_hash(centre_id, seq, occurred_at, actor, actor_role, action, subject_type,
                          subject_id, before_digest, after_digest, request_id, prev_hash) AS expected,
         erased_at IS NULL AND (before_digest IS DISTINCT FROM audit_payload_digest(before)
                                OR after_digest IS DISTINCT FROM audit_payload_digest(after)) AS payload_altered,
         lag(hash) OVER (ORDER BY seq) AS previous_hash, lag(seq) OVER (ORDER BY seq) AS previous_seq
  FROM audit_events WHERE centre_id = :centre_id AND seq BETWEEN CAST(:low AS bigint) - 1 AND CAST(:high AS bigint)
), checked AS (
  SELECT seq,
         CASE WHEN seq <> coalesce(previous_seq, 0) + 1 THEN 'sequence_gap'
              WHEN prev_hash <> coalesce(previous_hash, repeat('0', 64)) THEN 'prev_hash_mismatch'
              WHEN hash <> expected THEN 'hash_mismatch'
              WHEN payload_altered THEN 'payload_mismatch' END AS reason
  FROM walk
)
SELECT seq, reason FROM checked WHERE seq >= CAST(:low AS bigint) AND reason IS NOT NULL ORDER BY seq LIMIT 1
""")
# The chain's length is its head's seq: a chain numbers its links 1, 2, 3… and a missing one is a
# `sequence_gap`. Read from the (centre_id, seq) index, unlike count(*), which reads every row.
_HEAD = text("SELECT coalesce(max(seq), 0) FROM audit_events WHERE centre_id = :centre_id")
_LAST_SEQ = 2**63 - 1


async def verify(
    conn: AsyncSession | AsyncConnection,
    centre_id: uuid.UUID,
    *,
    after_seq: int = 0,
    links: int | None = None,
) -> ChainReport:
    """Recompute the links of one centre's chain after `after_seq` (`links` of them; all by default)
    and report the first broken one. Each link is checked against the stored row before it, so the
    windows of a walk (`next_after`) check every link of the chain exactly once."""
    after_seq = min(max(after_seq, 0), _LAST_SEQ - 1)
    high = _LAST_SEQ if links is None else min(after_seq + links, _LAST_SEQ)
    params = {"centre_id": centre_id, "low": after_seq + 1, "high": high}
    head = int((await conn.execute(_HEAD, {"centre_id": centre_id})).scalar_one())
    broken = (await conn.execute(_FIRST_BROKEN, params)).first()
    # A window past the head (a cursor from a longer chain's walk) checks nothing: to < from.
    checked_to = max(min(high, head), after_seq)
    return ChainReport(
        centre_id=centre_id,
        events=head,
        ok=broken is None,
        first_broken_seq=None if broken is None else int(broken.seq),
        reason=None if broken is None else broken.reason,
        checked_from=after_seq + 1,
        checked_to=checked_to,
        next_after=checked_to if checked_to < head else None,
    )


# Links in one window of the API's chain check: a window costs the same in any centre (issue 18), and
# a 5,000-link window is a few milliseconds of hashing.
CHAIN_WINDOW = 5000
CHAIN_WINDOW_MAX = 50000


async def verify_window(
    conn: AsyncSession | AsyncConnection, centre_id: uuid.UUID, links: int, cursor: str | None
) -> schemas.ChainReport:
    """One window of the chain check for the API: `links` links after the cursor's seq."""
    after = int(decode_cursor(cursor, int)) if cursor else 0
    report = await verify(conn, centre_id, after_seq=after, links=links)
    fields = {k: v for k, v in dataclasses.asdict(report).items() if k != "next_after"}
    next_cursor = encode_cursor(report.next_after) if report.next_after is not None else None
    return schemas.ChainReport(**fields, next_cursor=next_cursor)


async def centres_with_events(conn: AsyncSession | AsyncConnection) -> list[uuid.UUID]:
    return list((await conn.execute(text("SELECT DISTINCT centre_id FROM audit_events"))).scalars())


async def list_events(
    session: AsyncSession,
    centre_id: uuid.UUID,
    limit: int,
    cursor: str | None,
    subject_type: str | None = None,
    subject_id: str | None = None,
) -> tuple[list[AuditEvent], str | None]:
    """A centre's audit trail in the order it was written, optionally for one subject."""
    stmt = select(AuditEvent).where(AuditEvent.centre_id == centre_id)
    if subject_type:
        stmt = stmt.where(AuditEvent.subject_type == subject_type)
    if subject_id:
        stmt = stmt.where(AuditEvent.subject_id == subject_id)
    return await paginate(session, stmt, AuditEvent.seq, limit, cursor)
