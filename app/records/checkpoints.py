"""Checkpoints of each centre's audit chain (R-96), and verification against them.

A checkpoint names a centre's chain head (seq, hash) at a moment, signed with a key the database never
sees, and is published outside the database: as an `audit.checkpointed` webhook to the centre's
subscribers and as a file in the checkpoint folder. The owner of the database can rewrite the chain
consistently (recomputing every later hash) or cut its tail, and the chain alone still verifies; a
published checkpoint then no longer matches the row at its seq, and `verify_against` names the first
such checkpoint.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.audit.service import SYSTEM_ROLE, Actor
from app.core import clock
from app.events.write import Change, recorded
from app.records import signing
from app.records.events import AuditCheckpointed
from app.records.models import AuditCheckpoint
from app.records.schemas import Checkpoint

_HEAD = text("SELECT seq, hash FROM audit_events WHERE centre_id = :c ORDER BY seq DESC LIMIT 1")
_CHANGED = text("""
SELECT e.centre_id FROM (SELECT centre_id, max(seq) AS seq FROM audit_events GROUP BY centre_id) e
LEFT JOIN (SELECT centre_id, max(seq) AS seq FROM audit_checkpoints GROUP BY centre_id) c
  ON c.centre_id = e.centre_id
WHERE c.seq IS NULL OR e.seq > c.seq + 1
""")


async def checkpoint(
    session: AsyncSession, signer: signing.Signer, centre_id: uuid.UUID
) -> Checkpoint | None:
    """Sign the centre's current head and record it; the checkpoint's own audit row follows the head.

    None if the chain is empty or its head is already checkpointed (the head being that checkpoint's
    own audit row)."""
    head = (await session.execute(_HEAD, {"c": centre_id})).first()
    if head is None:
        return None
    last = await session.scalar(
        select(AuditCheckpoint.seq)
        .where(AuditCheckpoint.centre_id == centre_id)
        .order_by(AuditCheckpoint.seq.desc())
        .limit(1)
    )
    if last is not None and head.seq <= last + 1:
        return None
    at = clock.now()
    row = AuditCheckpoint(
        centre_id=centre_id,
        seq=head.seq,
        head_hash=head.hash,
        checkpointed_at=at,
        key_id=signer.key_id,
        signature=signer.sign(signing.message(centre_id, head.seq, head.hash, at)),
    )
    session.add(row)
    await session.flush()
    actor = Actor(subject="system:checkpoint", audit_role=SYSTEM_ROLE, centre_id=centre_id)
    event = AuditCheckpointed.of(row)
    await recorded(session, actor, Change.created(event, "audit_checkpoint", row.id))
    return Checkpoint.model_validate(row)


async def centres_due(session: AsyncSession) -> list[uuid.UUID]:
    """Centres whose chain has moved since its last checkpoint (beyond that checkpoint's own row)."""
    return list((await session.execute(_CHANGED)).scalars())


def publish_file(folder: Path, cp: Checkpoint) -> Path:
    """The file sink: one JSON file per checkpoint, <folder>/<centre>/<seq>.json, never overwritten."""
    path = folder / str(cp.centre_id) / f"{cp.seq:012d}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(cp.model_dump_json())
    return path


def read_files(folder: Path, centre_id: uuid.UUID) -> list[Checkpoint]:
    centre_dir = folder / str(centre_id)
    if not centre_dir.is_dir():
        return []
    return [Checkpoint.model_validate(json.loads(p.read_text())) for p in sorted(centre_dir.glob("*.json"))]


async def stored(conn: AsyncSession | AsyncConnection, centre_id: uuid.UUID) -> list[Checkpoint]:
    """The checkpoints the database holds (the owner can delete these: keep the published copies)."""
    t = AuditCheckpoint.__table__
    rows = await conn.execute(select(t).where(t.c.centre_id == centre_id).order_by(t.c.seq))
    return [Checkpoint.model_validate(dict(r._mapping)) for r in rows]


@dataclass(frozen=True)
class CheckpointReport:
    checked: int
    ok: bool
    first_failed_seq: int | None = None
    reason: str | None = None  # bad_signature | truncated | rewritten


async def verify_against(
    conn: AsyncSession | AsyncConnection,
    public: Ed25519PublicKey | None,
    centre_id: uuid.UUID,
    checkpoints: Iterable[Checkpoint],
) -> CheckpointReport:
    """Check each checkpoint (oldest first): its signature, then that the chain still holds its head.
    Without a verify key a checkpoint cannot be trusted: the first one fails as `no_verify_key`."""
    unique = {(c.seq, c.head_hash, c.signature): c for c in checkpoints if c.centre_id == centre_id}
    ordered = sorted(unique.values(), key=lambda c: c.seq)
    hashes: dict[int, str] = dict(
        (
            await conn.execute(
                text("SELECT seq, hash FROM audit_events WHERE centre_id = :c AND seq = ANY(:s)"),
                {"c": centre_id, "s": [c.seq for c in ordered]},
            )
        )
        .tuples()
        .all()
    )
    for cp in ordered:
        data = signing.message(cp.centre_id, cp.seq, cp.head_hash, cp.checkpointed_at)
        reason = None
        if public is None:
            reason = "no_verify_key"
        elif not signing.signature_valid(public, data, cp.signature):
            reason = "bad_signature"
        elif cp.seq not in hashes:
            reason = "truncated"
        elif hashes[cp.seq] != cp.head_hash:
            reason = "rewritten"
        if reason:
            return CheckpointReport(len(ordered), False, cp.seq, reason)
    return CheckpointReport(len(ordered), True)
