"""Operators' runs of the record over time: checkpoint the chains (R-96) now, and verify against them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from app.audit.service import ChainReport, centres_with_events, verify
from app.core.config import Settings
from app.records import checkpoints, retention, signing
from app.records.schemas import Checkpoint


async def checkpoint_centres(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, centre: uuid.UUID | None = None
) -> list[Checkpoint]:
    """Checkpoint each centre whose chain moved (or the one named), one transaction each; after each
    commit the checkpoint is written to the file sink (the webhook went through the outbox)."""
    signer = signing.load_signer(settings)
    async with sessions() as session:
        due = [centre] if centre else await checkpoints.centres_due(session)
    made = []
    for centre_id in due:
        async with sessions() as session, session.begin():
            cp = await checkpoints.checkpoint(session, signer, centre_id)
        if cp is not None:
            checkpoints.publish_file(settings.checkpoint_dir, cp)
            made.append(cp)
    return made


@dataclass(frozen=True)
class CentreVerdict:
    chain: ChainReport
    anchors: checkpoints.CheckpointReport

    @property
    def ok(self) -> bool:
        return self.chain.ok and self.anchors.ok


async def verify_centres(
    conn: AsyncConnection | AsyncSession, settings: Settings, centre: uuid.UUID | None = None
) -> list[CentreVerdict]:
    """Walk each chain, then hold it against every checkpoint known: the database's and the sink's."""
    try:
        public: Ed25519PublicKey | None = signing.load_verify_key(settings)
    except signing.SigningKeyMissing:  # the chains still verify; any checkpoint then fails (no key)
        public = None
    ids = [centre] if centre else await centres_with_events(conn)
    verdicts = []
    for centre_id in ids:
        known = await checkpoints.stored(conn, centre_id) + checkpoints.read_files(
            settings.checkpoint_dir, centre_id
        )
        verdicts.append(
            CentreVerdict(
                await verify(conn, centre_id),
                await checkpoints.verify_against(conn, public, centre_id, known),
            )
        )
    return verdicts


async def run_retention(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, *, dry_run: bool
) -> tuple[list[retention.Verdict], list[retention.Purge]]:
    """R-97: judge every record by its rule; unless a dry run, purge what goes in one transaction,
    then delete the files no remaining record shares."""
    from app.assessment.storage import evidence_store

    async with sessions() as session, session.begin():
        verdicts = await retention.assess(session)
        purges = [] if dry_run else await retention.purge(session, verdicts)
    if purges:
        await retention.delete_files(evidence_store(settings), purges)
    return verdicts, purges
