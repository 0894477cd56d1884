"""Downloading an evidence file (R-22: the evidence as handed in; R-96: every download on the record).

Whoever may see the submission may download its files (visible-or-404, app/core/visibility.py): the
learner, staff on the programme, its IVs, and the centre-wide readers. The file is streamed from the
store as it is read, never held whole in memory. Each download leaves one audit row through the write
path (`recorded_access`): a read changes nothing, so no webhook tells the MIS of it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.assessment import events
from app.assessment.models import EvidenceItem
from app.assessment.storage import EvidenceStore
from app.assessment.submissions import get_submission
from app.auth.principal import Principal
from app.core.errors import NotFound
from app.events.write import recorded_access

log = logging.getLogger("verity.evidence")


async def open_evidence(
    session: AsyncSession, p: Principal, store: EvidenceStore, submission_id: uuid.UUID, item_id: uuid.UUID
) -> tuple[EvidenceItem, AsyncIterator[bytes]]:
    """The item and its content as blocks; the audit row is written only once the content is found."""
    await get_submission(session, p, submission_id)  # the submission's visibility is the file's
    item = await session.scalar(
        select(EvidenceItem).where(EvidenceItem.id == item_id, EvidenceItem.submission_id == submission_id)
    )
    if item is None or item.storage_key is None:  # a reference to evidence kept elsewhere has no file
        raise NotFound(f"No evidence file {item_id} in this submission.")
    try:
        blocks = await store.open(item.storage_key)
    except FileNotFoundError:
        log.error("evidence item %s: its stored file %s is missing", item.id, item.storage_key)
        raise NotFound(f"The stored file of evidence item {item_id} cannot be found.") from None
    downloaded = events.EvidenceDownloaded(
        evidence_item_id=item.id,
        submission_id=item.submission_id,
        kind=item.kind,
        filename=item.filename,
        media_type=item.media_type,
        size_bytes=item.size_bytes,
        sha256=item.sha256,
    )
    await recorded_access(session, p, downloaded, "evidence_item", item.id)
    return item, blocks


def content_disposition(filename: str) -> str:
    """`attachment` with the name as RFC 6266/5987 `filename*` (UTF-8, percent-encoded) and a plain
    ASCII `filename` for old clients; the name was NFC-normalised and checked when it was uploaded."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download_headers(item: EvidenceItem) -> dict[str, str]:
    media_type = item.media_type or "application/octet-stream"
    if media_type == "text/plain":
        media_type = "text/plain; charset=utf-8"  # checked as UTF-8 on upload
    return {
        "Content-Type": media_type,
        "Content-Disposition": content_disposition(item.filename or f"evidence-{item.id}"),
        "Content-Length": str(item.size_bytes),
        # Learner work is personal data: not kept by shared caches, never sniffed or run as a page.
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
