"""Subject access (R-98, UK GDPR art. 15): everything held about one learner, as one zip archive.

"Everything" is found from the schema, not from a list kept by hand: every table with a `learner_id`
column (so a domain added later is included without touching this file), the rows of tables that
reference those rows by foreign key (a decision's versions, a submission's evidence), the learner's
own row, the evidence files, and every audit event about any of those subjects. The request and its
fulfilment are recorded (digest and counts, never content).
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.assessment.storage import EvidenceStore
from app.auth.principal import Principal
from app.core import clock
from app.core.models import Base
from app.events.write import Change, recorded
from app.records.events import SubjectAccessFulfilled
from app.records.models import SubjectAccessRequest

# Tables that are the record's machinery, not data about the learner.
_SKIP = {"audit_events", "outbox", "subject_access_requests", "idempotency_keys"}
_EVIDENCE = "evidence_items"


@dataclass
class Gathered:
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    audit: list[dict[str, Any]] = field(default_factory=list)
    files: list[tuple[str, str]] = field(default_factory=list)  # (archive name, storage key)

    @property
    def records(self) -> int:
        return sum(len(rows) for rows in self.tables.values())


def _learner_tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if "learner_id" in t.c and t.name not in _SKIP]


def _children_of(parent: Table) -> list[tuple[Table, str]]:
    """(child table, its FK column) for every table that references `parent.id`."""
    found = []
    for t in Base.metadata.sorted_tables:
        if t.name in _SKIP or t is parent or "learner_id" in t.c:
            continue
        for fk in t.foreign_keys:
            if fk.column.table is parent and fk.column.name == "id":
                found.append((t, fk.parent.name))
    return found


def _plain(row: Any) -> dict[str, Any]:
    return json.loads(json.dumps(dict(row._mapping), default=str))


async def gather(session: AsyncSession, centre_id: uuid.UUID, learner_id: uuid.UUID) -> Gathered:
    g = Gathered()
    learners = Base.metadata.tables["learners"]
    subjects: set[str] = {str(learner_id)}
    for row in await session.execute(
        select(learners).where(learners.c.id == learner_id, learners.c.centre_id == centre_id)
    ):
        g.tables["learners"].append(_plain(row))
    for t in _learner_tables():
        rows = (await session.execute(select(t).where(t.c.learner_id == learner_id))).all()
        g.tables[t.name].extend(_plain(r) for r in rows)
        ids = [r._mapping["id"] for r in rows if "id" in r._mapping]
        subjects.update(str(i) for i in ids)
        for child, column in _children_of(t):
            if not ids:
                break
            kids = (await session.execute(select(child).where(child.c[column].in_(ids)))).all()
            g.tables[child.name].extend(_plain(k) for k in kids)
            subjects.update(str(k._mapping["id"]) for k in kids if "id" in k._mapping)
    for item in g.tables.get(_EVIDENCE, []):
        if item.get("storage_key"):
            g.files.append((f"files/{item['id']}-{item.get('filename') or 'file'}", item["storage_key"]))
    audit = await session.execute(
        text(
            "SELECT seq, occurred_at, actor, actor_role, action, subject_type, subject_id, before, after, "
            "erased_at FROM audit_events WHERE centre_id = :c AND subject_id = ANY(:s) ORDER BY seq"
        ),
        {"c": centre_id, "s": sorted(subjects)},
    )
    g.audit = [_plain(r) for r in audit]
    return g


async def build_archive(g: Gathered, store: EvidenceStore, learner_id: uuid.UUID) -> tuple[bytes, int]:
    """The zip: manifest.json, one JSON file per table, audit_events.json and the evidence files."""
    buffer = io.BytesIO()
    files = 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        manifest = {
            "learner_id": str(learner_id),
            "produced_at": clock.now().isoformat(),
            "tables": {name: len(rows) for name, rows in sorted(g.tables.items())},
            "audit_events": len(g.audit),
            "files": [name for name, _ in g.files],
        }
        z.writestr("manifest.json", json.dumps(manifest, indent=2))
        for name, rows in sorted(g.tables.items()):
            z.writestr(f"records/{name}.json", json.dumps(rows, indent=2, ensure_ascii=False))
        z.writestr("audit_events.json", json.dumps(g.audit, indent=2, ensure_ascii=False))
        for name, key in g.files:
            try:
                z.writestr(name, await store.get(key))
                files += 1
            except FileNotFoundError:
                z.writestr(name + ".missing", "the stored file was not found")
    return buffer.getvalue(), files


async def fulfil(
    session: AsyncSession, p: Principal, learner_id: uuid.UUID, store: EvidenceStore
) -> tuple[SubjectAccessRequest, bytes]:
    """Record the request, gather and package everything, record its fulfilment; returns the zip."""
    g = await gather(session, p.centre_id, learner_id)
    archive, files = await build_archive(g, store, learner_id)
    at = clock.now()
    row = SubjectAccessRequest(
        centre_id=p.centre_id,
        learner_id=learner_id,
        requested_by=p.subject,
        requested_at=at,
        fulfilled_at=at,
        archive_sha256=hashlib.sha256(archive).hexdigest(),
        archive_bytes=len(archive),
        records=g.records + len(g.audit),
        files=files,
    )
    session.add(row)
    await session.flush()
    await recorded(
        session, p, Change.created(SubjectAccessFulfilled.of(row), "subject_access_request", row.id)
    )
    return row, archive
