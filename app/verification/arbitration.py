"""R-45: the LIV arbitrates a disagreement between an assessor and an internal verifier; the ruling and
its reasoning are kept for the moderator or verifier. By the programme's LIV -- the LIV appointed for
its subject area in its year (R-40) -- who is neither the decision's assessor nor the IV who disagreed
(R-44). A ruling for the assessor resolves the disagreement: the decision stands at the version the IV
saw (R-25). A ruling for the IV, or another judgement, leaves the assessor to reassess (an amended
decision, then a new IV version).
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.core.errors import Forbidden, RuleViolation, field_problem
from app.core.ids import uuid7
from app.core.visibility import get_visible
from app.events.write import Change, recorded
from app.programmes.access import programme_access
from app.programmes.errors import InvalidTransition
from app.programmes.models import Programme
from app.verification import events, livs, repository, schemas
from app.verification.models import IvArbitration, IvRecord, IvRecordVersion


def _out(a: IvArbitration) -> schemas.Arbitration:
    return schemas.Arbitration.model_validate(a)


async def arbitrate(
    session: AsyncSession, p: Principal, record_id: uuid.UUID, data: schemas.ArbitrationCreate
) -> schemas.Arbitration:
    r = await session.scalar(
        select(IvRecord).where(IvRecord.id == record_id, IvRecord.centre_id == p.centre_id)
    )
    programme = await session.get(Programme, r.programme_id) if r else None
    appointment = await livs.programme_liv(session, programme) if programme else None
    access = await programme_access(session, p, programme) if programme else None
    # The LIV appointed for the subject area and year arbitrates, even if the programme names another;
    # anyone else sees the record only as far as they reach it (R-98: 404, never a 403 confirming it).
    if r is None or appointment is None or access is None or access.staff_id != appointment.staff_id:
        r = await get_visible(session, repository.iv_records(p), IvRecord, record_id, "IV record")
        if appointment is None:
            raise RuleViolation(
                "R-40: the programme's subject area has no LIV appointed for its year to arbitrate.",
                errors=[field_problem("liv", "R-40", "no LIV is appointed for the subject area in the year")],
            )
        raise Forbidden("Only the programme's LIV (appointed for its subject area and year) may arbitrate.")
    assert access.staff_id is not None
    if r.outcome != "disagree":
        raise InvalidTransition(
            "R-45", "The IV record agrees with the decision: there is no disagreement to arbitrate."
        )
    current = await session.get_one(IvRecordVersion, (r.id, r.current_version))
    if access.staff_id in (r.assessor_staff_id, current.verifier_staff_id):
        raise RuleViolation(
            "R-44: the LIV arbitrating is neither the decision's assessor nor the IV who disagreed.",
            errors=[field_problem("liv", "R-44", "the arbitrating LIV must be independent of both")],
        )
    if await session.scalar(
        select(IvArbitration.id).where(
            IvArbitration.iv_record_id == r.id, IvArbitration.record_version == r.current_version
        )
    ):
        raise InvalidTransition("R-45", "This disagreement (this IV record version) is already arbitrated.")
    row = IvArbitration(
        id=uuid7(),
        centre_id=p.centre_id,
        programme_id=r.programme_id,
        iv_record_id=r.id,
        record_version=r.current_version,
        decision_id=r.decision_id,
        decision_version=r.decision_version,
        ruling=data.ruling.value,
        reasoning=data.reasoning,
        liv_staff_id=access.staff_id,
        arbitrated_on=data.arbitrated_on,
        recorded_by=p.subject,
    )
    session.add(row)
    await session.flush()
    await session.refresh(row)
    out = _out(row)
    await recorded(
        session, p, Change.created(events.IvArbitrationRecorded(**dict(out)), "iv_arbitration", row.id)
    )
    return out


async def arbitrations(
    session: AsyncSession, p: Principal, record_id: uuid.UUID
) -> list[schemas.Arbitration]:
    r = await get_visible(session, repository.iv_records(p), IvRecord, record_id, "IV record")
    rows = await session.scalars(
        select(IvArbitration).where(IvArbitration.iv_record_id == r.id).order_by(IvArbitration.record_version)
    )
    return [_out(a) for a in rows.all()]


async def upheld_for_assessor(session: AsyncSession, brief_id: uuid.UUID) -> set[uuid.UUID]:
    """The brief's decisions whose current disagreement the LIV resolved for the assessor, at the
    decision version the IV saw (R-45, R-25)."""
    return (await upheld_for_assessor_of(session, [brief_id])).get(brief_id, set())


async def upheld_for_assessor_of(
    session: AsyncSession, brief_ids: list[uuid.UUID]
) -> dict[uuid.UUID, set[uuid.UUID]]:
    """`upheld_for_assessor` of each brief, in one statement."""
    rows = await session.execute(
        select(IvRecord.brief_id, IvRecord.decision_id)
        .join(
            IvArbitration,
            (IvArbitration.iv_record_id == IvRecord.id)
            & (IvArbitration.record_version == IvRecord.current_version)
            & (IvArbitration.decision_version == IvRecord.decision_version),
        )
        .where(IvRecord.brief_id.in_(brief_ids), IvArbitration.ruling == "assessor")
    )
    upheld: dict[uuid.UUID, set[uuid.UUID]] = {}
    for brief_id, decision_id in rows.all():
        upheld.setdefault(brief_id, set()).add(decision_id)
    return upheld
