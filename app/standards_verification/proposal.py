"""R-50: the sample the service proposes, reusing the IV sampler's strata (app/verification/sampling.py).

The population is the programme's assessed work: for each learner and brief, the latest released
decision. Enhanced asks for two units: the units are chosen first, those not sampled by the awarding
body in earlier years of the subject area before the others, then the units with most work. Then:

1. coverage (the IV sampler with a zero rate): the first-ranked work of every grade, assessor and site
   present, and at least one of each assessor's, so the sample covers every available grade;
2. filled to the required size in rank order, work of assessors not sampled in earlier years first
   ("over the years, every assessor, unit and site").

The rank is SHA-256 of (sample id, decision id): the same inputs give the same proposal.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.assessment.models import RELEASED_STATUSES, AssessmentDecision, DecisionVersion
from app.assignments.models import AssignmentBrief
from app.core.ids import uuid7
from app.programmes.models import Enrolment
from app.standards_verification.models import Allocation, Sample, SampleItem, SampleRequest
from app.verification.sampling import Candidate, SamplingPolicy, draw, grade_of


@dataclass(frozen=True)
class Work:
    decision: AssessmentDecision
    unit_numbers: tuple[int, ...]
    grade: str
    site: uuid.UUID | None


async def population(session: AsyncSession, programme_id: uuid.UUID) -> list[Work]:
    rows = (
        await session.execute(
            select(AssessmentDecision, AssignmentBrief.unit_numbers, DecisionVersion, Enrolment.site_id)
            .join(AssignmentBrief, AssignmentBrief.id == AssessmentDecision.brief_id)
            .join(
                DecisionVersion,
                (DecisionVersion.decision_id == AssessmentDecision.id)
                & (DecisionVersion.number == AssessmentDecision.released_version),
            )
            .outerjoin(
                Enrolment,
                (Enrolment.learner_id == AssessmentDecision.learner_id)
                & (Enrolment.programme_id == AssessmentDecision.programme_id),
            )
            .where(
                AssessmentDecision.programme_id == programme_id,
                AssessmentDecision.status.in_(RELEASED_STATUSES),
            )
            .order_by(AssessmentDecision.id)
        )
    ).all()
    latest: dict[tuple[uuid.UUID, uuid.UUID], Work] = {}
    for d, units, v, site in rows:
        # the latest attempt of a learner at a brief is the work (a resubmission replaces the first)
        latest[(d.learner_id, d.brief_id)] = Work(d, tuple(units), grade_of(v.criteria, v.unit_grades), site)
    return list(latest.values())


async def _earlier(session: AsyncSession, allocation: Allocation) -> tuple[set[uuid.UUID], set[int]]:
    """The assessors and units the awarding body sampled in the subject area's earlier years."""
    rows = (
        await session.execute(
            select(SampleItem.assessor_staff_id, SampleItem.unit_numbers)
            .join(Sample, Sample.id == SampleItem.sample_id)
            .join(Allocation, Allocation.id == Sample.allocation_id)
            .where(
                Allocation.centre_id == allocation.centre_id,
                Allocation.subject_area == allocation.subject_area,
                Allocation.academic_year_id != allocation.academic_year_id,
            )
        )
    ).all()
    return {a for a, _ in rows}, {u for _, units in rows for u in units}


def _rank(sample_id: uuid.UUID, decision_id: uuid.UUID) -> bytes:
    return hashlib.sha256(f"{sample_id}:{decision_id}".encode()).digest()


def _item(sample: Sample, request: SampleRequest, w: Work, rationale: str, by: str) -> SampleItem:
    d = w.decision
    return SampleItem(
        id=uuid7(),
        centre_id=sample.centre_id,
        sample_id=sample.id,
        request_id=request.id,
        learner_id=d.learner_id,
        brief_id=d.brief_id,
        decision_id=d.id,
        assessor_staff_id=d.assessor_staff_id,
        unit_numbers=list(w.unit_numbers),
        grade=w.grade,
        rationale=rationale[:500],
        added_by=by,
    )


async def propose(
    session: AsyncSession,
    allocation: Allocation,
    sample: Sample,
    request: SampleRequest,
    *,
    size: int,
    units: int,
) -> list[SampleItem]:
    work = await population(session, allocation.programme_id)
    if not work:
        return []
    seen_assessors, seen_units = await _earlier(session, allocation)
    by_unit: dict[int, int] = {}
    for w in work:
        for u in w.unit_numbers:
            by_unit[u] = by_unit.get(u, 0) + 1
    chosen = sorted(by_unit, key=lambda u: (u in seen_units, -by_unit[u], u))[:units]
    work = [w for w in work if set(w.unit_numbers) & set(chosen)]
    by_id = {str(w.decision.id): w for w in work}
    candidates = [
        Candidate(
            id=str(w.decision.id),
            assessor=str(w.decision.assessor_staff_id),
            grade=w.grade,
            site=None if w.site is None else str(w.site),
        )
        for w in work
    ]
    seed = int(sample.id.hex[:8], 16)
    covered = draw(candidates, SamplingPolicy(default_rate=Fraction(0)), seed=seed)
    picked: dict[str, str] = {i.candidate.id: "; ".join(i.rationale) for i in covered.items}
    rest = sorted(
        (w for w in work if str(w.decision.id) not in picked),
        key=lambda w: (w.decision.assessor_staff_id in seen_assessors, _rank(sample.id, w.decision.id)),
    )
    for w in rest:
        if len(picked) >= size:
            break
        new = w.decision.assessor_staff_id not in seen_assessors
        picked[str(w.decision.id)] = "to the required size" + (
            ", an assessor not sampled before" if new else ""
        )
    units_note = f"unit(s) {', '.join(map(str, chosen))}"
    return [
        _item(sample, request, by_id[i], f"{units_note}: {picked[i]}", "proposed") for i in sorted(picked)
    ]


async def more(
    session: AsyncSession,
    allocation: Allocation,
    sample: Sample,
    request: SampleRequest,
    count: int,
    grade: str | None,
) -> list[SampleItem]:
    """A further request: `count` more pieces of work not yet in the sample (at `grade` if given)."""
    have = set(
        (
            await session.execute(
                select(SampleItem.learner_id, SampleItem.brief_id).where(SampleItem.sample_id == sample.id)
            )
        ).all()
    )
    work = [
        w
        for w in await population(session, allocation.programme_id)
        if (w.decision.learner_id, w.decision.brief_id) not in have and (grade is None or w.grade == grade)
    ]
    work.sort(key=lambda w: _rank(sample.id, w.decision.id))
    why = f"further request{' at ' + grade if grade else ''}"
    return [_item(sample, request, w, why, "proposed") for w in work[:count]]


async def item_for(
    session: AsyncSession,
    sample: Sample,
    learner_id: uuid.UUID,
    brief_id: uuid.UUID,
    reason: str,
    by: str,
) -> SampleItem | None:
    work = [
        w
        for w in await population(session, sample.programme_id)
        if w.decision.learner_id == learner_id and w.decision.brief_id == brief_id
    ]
    if not work:
        return None
    request = (
        await session.scalars(
            select(SampleRequest)
            .where(SampleRequest.sample_id == sample.id)
            .order_by(SampleRequest.id.desc())
        )
    ).first()
    assert request is not None
    return _item(sample, request, work[0], f"added: {reason}", by)
