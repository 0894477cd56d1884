"""R-51: the certification status of a programme's subject area for its year (Pearson's statuses),
which certification gates claims on (the agreed cross-domain function; keep its name and signature).

- not yet fully sampled: no allocation, no sample yet, or the sample is not submitted;
- report outstanding: the sample is submitted and its report not yet recorded;
- certification pending (centre action required): the latest report was not accepted, until a later
  sample's report is accepted (a second sample after the actions are closed);
- released: the latest report was accepted.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.programmes.models import Programme
from app.standards_verification.models import Action, Allocation, Outcome, Sample
from app.standards_verification.schemas import ActionStatus, SampleStatus, SvCertificationStatus


async def certification_status(session: AsyncSession, programme_id: uuid.UUID) -> SvCertificationStatus:
    programme = await session.get(Programme, programme_id)
    if programme is None:
        return SvCertificationStatus.not_yet_fully_sampled
    return await status_for_year(session, programme_id, programme.academic_year_id)


async def status_for_year(
    session: AsyncSession, programme_id: uuid.UUID, academic_year_id: uuid.UUID
) -> SvCertificationStatus:
    rows = (
        await session.execute(
            select(Sample.status, Outcome.accepted)
            .join(Allocation, Allocation.id == Sample.allocation_id)
            .outerjoin(Outcome, Outcome.sample_id == Sample.id)
            .where(Allocation.programme_id == programme_id, Allocation.academic_year_id == academic_year_id)
            .order_by(Sample.round)
        )
    ).all()
    return status_of([(s, a) for s, a in rows])


def status_of(rounds: list[tuple[SampleStatus, bool | None]]) -> SvCertificationStatus:
    """The status from each sample round's (status, report accepted or None), in round order."""
    if not rounds:
        return SvCertificationStatus.not_yet_fully_sampled
    status, accepted = rounds[-1]
    if accepted is True:
        return SvCertificationStatus.released
    if accepted is False or any(a is False for _, a in rounds[:-1]):
        return SvCertificationStatus.certification_pending
    if status is SampleStatus.submitted:
        return SvCertificationStatus.report_outstanding
    return SvCertificationStatus.not_yet_fully_sampled


async def outcome_of(session: AsyncSession, sample_id: uuid.UUID) -> Outcome | None:
    return await session.scalar(select(Outcome).where(Outcome.sample_id == sample_id))


async def second_sample_problem(session: AsyncSession, previous: Sample) -> str | None:
    """Why another sample of the allocation may not be asked for yet (None when it may)."""
    outcome = await outcome_of(session, previous.id)
    if outcome is None:
        return "The previous sample has no recorded report: a new request extends it (a further request)."
    if outcome.accepted:
        return "The previous sample was accepted: the subject area is released for the year."
    open_actions = await session.scalar(
        select(Action.id).where(Action.outcome_id == outcome.id, Action.status == ActionStatus.open)
    )
    if open_actions is not None:
        return "The report's actions are not all closed: a second sample follows the actions."
    return None
