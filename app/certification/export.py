"""The submitted claim as a file for the awarding body's portal (R-91): JSON (`ClaimExport`) and CSV,
one row per learner included. docs/certification.md documents the columns."""

from __future__ import annotations

import csv
import io
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.certification import claims, schemas
from app.certification.schemas import ClaimStatus, EntryStatus
from app.programmes.errors import InvalidTransition
from app.programmes.models import Programme
from app.qualifications.models import QualificationVersion

CSV_COLUMNS = (
    "registration_number",
    "learner_name",
    "qualification_number",
    "qualification_title",
    "claim_type",
    "units",
    "overall_grade",
)


async def export(session: AsyncSession, p: Principal, claim_id: uuid.UUID) -> schemas.ClaimExport:
    claim = await claims.claim_row(session, p, claim_id)
    if claim.status is not ClaimStatus.submitted:
        raise InvalidTransition("R-91", "Only a submitted claim is exported: it has passed its checks.")
    out = await claims.claim_out(session, claim)
    programme = await session.get_one(Programme, claim.programme_id)
    q = await session.get_one(QualificationVersion, claim.qualification_id)
    return schemas.ClaimExport(
        claim_id=claim.id,
        awarding_body=q.awarding_body,
        programme_code=programme.code,
        submitted_at=claim.submitted_at,
        rows=[
            schemas.ExportRow(
                registration_number=e.registration_number,
                learner_name=f"{e.given_name} {e.family_name}",
                qualification_number=q.number,
                qualification_title=q.title,
                claim_type=claim.claim_type,
                units=e.units,
                overall_grade=e.overall_grade,
            )
            for e in out.entries
            if e.status is EntryStatus.included
        ],
    )


def as_csv(data: schemas.ClaimExport) -> str:
    """One line per learner; `units` is `number:grade` pairs separated by `;` (e.g. `1:M;2:P`)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in data.rows:
        writer.writerow(
            (
                r.registration_number or "",
                r.learner_name,
                r.qualification_number or "",
                r.qualification_title,
                r.claim_type.value,
                ";".join(f"{u.unit_number}:{u.grade}" for u in r.units),
                r.overall_grade or "",
            )
        )
    return buf.getvalue()


async def export_csv(session: AsyncSession, p: Principal, claim_id: uuid.UUID) -> str:
    return as_csv(await export(session, p, claim_id))
