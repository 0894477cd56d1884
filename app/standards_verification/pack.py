"""R-50: the sample pack, one zip archive for a verifier who works in the awarding body's own portal:
`manifest.json` (the sample, and each item's brief, decision versions, IV records and evidence, as the
API gives them), `index.html` (the same for a person to read) and the evidence files under
`evidence/<item>/<file>`. Streamed as it is written (zipfile over an unseekable stream, each evidence
file copied from the store block by block), never held whole in memory. The download is on the record."""

from __future__ import annotations

import html
import json
import uuid
import zipfile
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncSession

from app.assessment.storage import EvidenceStore
from app.auth.principal import Principal
from app.events.write import recorded_access
from app.standards_verification import events, schemas, service
from app.standards_verification.detail import item_detail


class _Sink:
    """A write-only, unseekable file: what zipfile writes is handed on in pieces."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.offset = 0

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self.offset

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        out, self.parts = b"".join(self.parts), []
        return out


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "._- " else "_" for c in name)[:120] or "file"


def index_html(sample: schemas.Sample, details: list[schemas.SampleItemDetail]) -> str:
    rows = []
    for d in details:
        files = "".join(
            f'<li><a href="evidence/{d.item.id}/{html.escape(_safe(e.filename or str(e.id)))}">'
            f"{html.escape(e.filename or e.description)}</a></li>"
            if e.sha256
            else f"<li>{html.escape(e.description)} ({html.escape(e.reference or '')})</li>"
            for e in d.evidence
        )
        versions = "".join(
            f"<li>v{v.number}: {html.escape(v.grade)}, {v.assessed_on}{' - ' + html.escape(v.reason) if v.reason else ''}</li>"
            for v in d.decision_versions
        )
        ivs = "".join(
            f"<li>v{v.number}: {html.escape(v.outcome)}, {v.verified_on}</li>" for v in d.iv_records
        )
        rows.append(
            f"<section><h2>{html.escape(d.learner_name)}: {html.escape(d.brief.title)}</h2>"
            f"<p>Units {', '.join(map(str, d.item.unit_numbers))}; grade {html.escape(d.item.grade)}; "
            f"authenticity declared {d.item.authenticity_declared_on or 'no'}</p>"
            f"<h3>Decision versions</h3><ul>{versions}</ul><h3>IV records</h3><ul>{ivs}</ul>"
            f"<h3>Evidence</h3><ul>{files}</ul></section>"
        )
    return (
        '<!doctype html><html lang="en"><meta charset="utf-8"><title>Sample pack</title>'
        f"<h1>Standards verification sample {sample.id} (round {sample.round})</h1>"
        f"<p>{sample.item_count} items; status {sample.status.value}</p>{''.join(rows)}</html>"
    )


async def sample_pack(
    session: AsyncSession, p: Principal, store: EvidenceStore, sample_id: uuid.UUID
) -> tuple[str, AsyncIterator[bytes]]:
    sample = await service.get_sample(session, p, sample_id)
    details = [await item_detail(session, i) for i in await service.list_items(session, p, sample_id)]
    files = [(d.item.id, e) for d in details for e in d.evidence if e.sha256]
    keys = await service.evidence_keys(session, [e.id for _, e in files])
    manifest = {
        "sample": sample.model_dump(mode="json"),
        "items": [d.model_dump(mode="json") for d in details],
    }
    await recorded_access(
        session,
        p,
        events.SamplePackDownloaded(sample_id=sample.id, items=len(details), files=len(files)),
        "sv_sample",
        sample.id,
    )

    async def blocks() -> AsyncIterator[bytes]:
        sink = _Sink()
        with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:  # type: ignore[call-overload]
            archive.writestr("manifest.json", json.dumps(manifest, indent=2))
            archive.writestr("index.html", index_html(sample, details))
            yield sink.take()
            for item_id, e in files:
                name = f"evidence/{item_id}/{_safe(e.filename or str(e.id))}"
                with archive.open(name, "w", force_zip64=True) as out:
                    async for block in await store.open(keys[e.id]):
                        out.write(block)
                        yield sink.take()
        yield sink.take()

    return f"sample-{sample.id}.zip", blocks()
