"""IV samples of a brief's decisions (R-42): drawn by the service, every draw kept, one official.

- The seed is the service's: a caller never supplies it (`new_seed`, from `secrets`). The sample is a
  pure function of the population, the IV plan and that seed (app/verification/sampling.py), so it can be
  reproduced and checked, but nobody can choose it.
- The first draw of a brief is official. Each later draw becomes the official one, and every draw stays
  readable (`list_samples`):
  - *extended*: decisions were submitted after the official draw. Any of the programme's verifiers draws
    again over the whole population with the official draw's seed: every decision keeps its rank, so
    there is nothing to choose.
  - *redraw*: a fresh seed, only by the programme's LIV and only with a reason. Without new decisions
    this is the only way to draw again: an IV cannot redraw until the sample misses an unverified
    decision (the defect this module closes).
- The R-25 release gate (app/verification/records.iv_reasons) reads the official draw only.

The strata the sampler covers come from the records: assessor, grade, site (the learner's enrolment),
CAMERA's Methods from the decision's evidence kinds and the learner's prior learning, and CAMERA's
Candidates' needs from reasonable adjustments (R-80) and authorised special consideration (R-81).
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import Row, exists, func, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.assessment.models import AssessmentDecision, DecisionVersion, EvidenceItem
from app.assignments.models import AssignmentBrief
from app.assignments.service import get_brief
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.core import clock
from app.core.errors import Conflict, RuleViolation, field_problem
from app.core.ids import uuid7
from app.core.visibility import get_visible
from app.events.write import Change, recorded
from app.programmes.access import programme_access, require_on_programme
from app.programmes.errors import InvalidTransition
from app.programmes.models import (
    Enrolment,
    PriorLearning,
    Programme,
    ReasonableAdjustment,
    SpecialConsideration,
)
from app.verification import events, repository, review_flags, sampling, schemas
from app.verification.models import IvPlan, IvRecord, IvRecordVersion, IvSample, IvSampleItem

VERIFIERS = ("internal_verifier", "lead_internal_verifier")
LIV = "lead_internal_verifier"
RECENT = dt.timedelta(days=365)
# CAMERA's Methods, read from the kinds of evidence a decision was made on. A copy of an AI interaction
# is part of the learner's declaration, not a method of assessment.
METHOD_OF_EVIDENCE = {
    "observation_record": "observation",
    "questioning_record": "questioning",
    "witness_statement": "witness",
    "file": "product",
    "reference": "product",
}


def new_seed() -> int:
    """The service's seed for a draw: 53 random bits (exact in a JSON number)."""
    return secrets.randbits(53)


# ---- the population and the policy ---------------------------------------------------------------------


async def _population(session: AsyncSession, brief: AssignmentBrief) -> Sequence[Row[Any]]:
    """The brief's assessed decisions (submitted for IV or released) with their current versions."""
    return (
        await session.execute(
            select(
                AssessmentDecision.id,
                AssessmentDecision.learner_id,
                AssessmentDecision.submission_id,
                AssessmentDecision.assessor_staff_id,
                AssessmentDecision.status,
                AssessmentDecision.current_version,
                DecisionVersion.criteria,
                DecisionVersion.unit_grades,
                DecisionVersion.assessed_on,
                DecisionVersion.recorded_by,
            )
            .join(
                DecisionVersion,
                (DecisionVersion.decision_id == AssessmentDecision.id)
                & (DecisionVersion.number == AssessmentDecision.current_version),
            )
            .where(AssessmentDecision.brief_id == brief.id, AssessmentDecision.status != "draft")
            .order_by(AssessmentDecision.id)
        )
    ).all()


async def _sites_of(
    session: AsyncSession, programme: Programme, learner_ids: list[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID | None]:
    """Each learner's site on this programme (their enrolment's), for the site stratum (R-42). A learner
    whose enrolment names no site has none: the stratum then covers the sites that are known."""
    rows = (
        await session.execute(
            select(Enrolment.learner_id, Enrolment.site_id)
            .where(Enrolment.programme_id == programme.id, Enrolment.learner_id.in_(learner_ids))
            .order_by(Enrolment.created_at)
        )
    ).all()
    return {learner: site for learner, site in rows}


async def _methods_of(
    session: AsyncSession, brief: AssignmentBrief, rows: Sequence[Row[Any]]
) -> dict[uuid.UUID, set[str]]:
    """CAMERA's Methods for each decision (R-42): its evidence kinds, and RPL where the learner's prior
    learning (R-13) is claimed against a unit of the brief."""
    by_submission = {r.submission_id: r.id for r in rows}
    methods: dict[uuid.UUID, set[str]] = {r.id: set() for r in rows}
    for submission_id, kind in (
        await session.execute(
            select(EvidenceItem.submission_id, EvidenceItem.kind)
            .where(EvidenceItem.submission_id.in_(list(by_submission)))
            .distinct()
        )
    ).all():
        if kind in METHOD_OF_EVIDENCE:
            methods[by_submission[submission_id]].add(METHOD_OF_EVIDENCE[kind])
    rpl = set(
        (
            await session.scalars(
                select(PriorLearning.learner_id).where(
                    PriorLearning.learner_id.in_([r.learner_id for r in rows]),
                    PriorLearning.qualification_id == brief.qualification_id,
                    PriorLearning.unit_number.in_(list(brief.unit_numbers)),
                )
            )
        ).all()
    )
    for r in rows:
        if r.learner_id in rpl:
            methods[r.id].add("rpl")
    return methods


async def _support_needs_of(
    session: AsyncSession, brief: AssignmentBrief, rows: Sequence[Row[Any]]
) -> dict[uuid.UUID, set[str]]:
    """CAMERA's Candidates' needs for each decision (R-42): a reasonable adjustment in force when the work
    was assessed (R-80), special consideration authorised for the qualification and unit (R-81)."""
    learners = [r.learner_id for r in rows]
    adjustments = (
        await session.execute(
            select(ReasonableAdjustment.learner_id, func.min(ReasonableAdjustment.applies_from))
            .where(
                ReasonableAdjustment.learner_id.in_(learners),
                or_(
                    ReasonableAdjustment.qualification_id.is_(None),
                    ReasonableAdjustment.qualification_id == brief.qualification_id,
                ),
            )
            .group_by(ReasonableAdjustment.learner_id)
        )
    ).all()
    adjusted_from = {learner: since for learner, since in adjustments}
    considered = set(
        (
            await session.scalars(
                select(SpecialConsideration.learner_id).where(
                    SpecialConsideration.learner_id.in_(learners),
                    SpecialConsideration.status == "authorised",
                    or_(
                        SpecialConsideration.qualification_id.is_(None),
                        SpecialConsideration.qualification_id == brief.qualification_id,
                    ),
                    or_(
                        SpecialConsideration.unit_number.is_(None),
                        SpecialConsideration.unit_number.in_(list(brief.unit_numbers)),
                    ),
                )
            )
        ).all()
    )
    needs: dict[uuid.UUID, set[str]] = {r.id: set() for r in rows}
    for r in rows:
        since = adjusted_from.get(r.learner_id)
        if since is not None and since <= r.assessed_on:
            needs[r.id].add("reasonable_adjustment")
        if r.learner_id in considered:
            needs[r.id].add("special_consideration")
    return needs


def _str(value: uuid.UUID | None) -> str | None:
    return str(value) if value else None


def policy_of(plan: IvPlan | None) -> tuple[sampling.SamplingPolicy, frozenset[uuid.UUID], bool]:
    if plan is None:
        return sampling.SamplingPolicy(), frozenset(), False
    policy = sampling.SamplingPolicy(
        default_rate=Fraction(str(plan.default_rate)),
        new_assessor_rate=Fraction(str(plan.new_assessor_rate)),
        disagreement_rate=Fraction(str(plan.disagreement_rate)),
        assessor_rates={k: Fraction(str(v)) for k, v in plan.assessor_rates.items()},
    )
    return policy, frozenset(plan.new_assessor_ids), plan.new_qualification


async def recent_disagreements(
    session: AsyncSession, centre_id: uuid.UUID, assessor_ids: list[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """CAMERA's Assessors: IV versions disagreeing with each assessor in the last year, centre-wide."""
    rows = (
        await session.execute(
            select(IvRecord.assessor_staff_id, func.count())
            .join(IvRecordVersion, IvRecordVersion.record_id == IvRecord.id)
            .where(
                IvRecord.centre_id == centre_id,
                IvRecord.assessor_staff_id.in_(assessor_ids),
                IvRecordVersion.outcome == "disagree",
                IvRecordVersion.recorded_at >= clock.now() - RECENT,
            )
            .group_by(IvRecord.assessor_staff_id)
        )
    ).all()
    return {r[0]: r[1] for r in rows}


# ---- which draw this is (R-42) -------------------------------------------------------------------------


def _kind_of(
    official: IvSample | None,
    population: set[uuid.UUID],
    reason: str | None,
    is_liv: bool,
    flagged_outside: bool = False,
) -> schemas.DrawKind:
    """first, extended or redraw; a problem naming each missing condition when this draw is refused.
    A decision flagged for review that the official draw did not take extends it like a new decision."""
    if official is None:
        return schemas.DrawKind.first
    if reason is None and (flagged_outside or not population <= set(official.population)):
        return schemas.DrawKind.extended
    problems = []
    if reason is None:
        problems.append(
            field_problem("body.reason", "R-42", "a redraw of an already drawn sample needs a reason")
        )
    if not is_liv:
        problems.append(field_problem("principal", "R-42", "only the programme's LIV redraws a sample"))
    if problems:
        raise RuleViolation(
            f"R-42: this brief's sample was drawn (draw {official.number}); it is redrawn only by the "
            "programme's LIV, with a reason.",
            errors=problems,
        )
    return schemas.DrawKind.redraw


async def _flagged_outside(
    session: AsyncSession, official: IvSample | None, flagged: dict[uuid.UUID, str]
) -> bool:
    """Does the official draw miss a decision flagged for review (R-62, R-73)?"""
    if official is None or not flagged:
        return False
    taken = set(
        (
            await session.scalars(
                select(IvSampleItem.decision_id).where(IvSampleItem.sample_id == official.id)
            )
        ).all()
    )
    return not set(flagged) <= taken


async def draw_sample(
    session: AsyncSession,
    p: Principal,
    brief_id: uuid.UUID,
    data: schemas.SampleCreate,
    *,
    seed_source: Callable[[], int] = new_seed,
) -> schemas.Sample:
    """R-42: draw the brief's sample; it becomes the official draw. `seed_source` is the service's (the
    demo and the tests fix it to reproduce a scene); the API offers no way to give a seed."""
    brief = await get_brief(session, p, brief_id)
    programme = await session.get_one(Programme, brief.programme_id)
    access = await programme_access(session, p, programme)
    require_on_programme(access, *VERIFIERS, what="draw its IV samples")
    rows = await _population(session, brief)
    if not rows:
        raise InvalidTransition(
            "R-42",
            "No decision of this brief has been submitted for IV yet: nothing to sample.",
            field="brief_id",
        )
    official = await official_sample_row(session, brief.id)
    flagged = await review_flags.open_flags(session, [r.id for r in rows])
    kind = _kind_of(
        official,
        {r.id for r in rows},
        data.reason,
        access.has(LIV),
        await _flagged_outside(session, official, flagged),
    )
    seed = official.seed if kind is schemas.DrawKind.extended and official else seed_source()
    sites = await _sites_of(session, programme, [r.learner_id for r in rows])
    methods = await _methods_of(session, brief, rows)
    needs = await _support_needs_of(session, brief, rows)
    plan = await session.scalar(select(IvPlan).where(IvPlan.programme_id == programme.id))
    policy, new_assessors, new_qualification = policy_of(plan)
    assessors = sorted({r.assessor_staff_id for r in rows})
    disagreements = await recent_disagreements(session, p.centre_id, assessors)
    risks = {
        str(a): sampling.AssessorRisk(new=a in new_assessors, recent_disagreements=disagreements.get(a, 0))
        for a in assessors
    }
    candidates = [
        sampling.Candidate(
            str(r.id),
            str(r.assessor_staff_id),
            sampling.grade_of(r.criteria, r.unit_grades),
            _str(sites.get(r.learner_id)),
            frozenset(methods[r.id]),
            frozenset(needs[r.id]),
        )
        for r in rows
    ]
    drawn = sampling.draw(
        candidates,
        policy,
        risks=risks,
        new_qualification=new_qualification,
        seed=seed,
        flagged={str(d): why for d, why in flagged.items()},
    )
    sample_id = uuid7()
    policy_json = {
        **policy.as_json(),
        "new_qualification": new_qualification,
        "risks": {
            k: {"new": v.new, "recent_disagreements": v.recent_disagreements}
            for k, v in sorted(risks.items())
        },
        "rates": {
            k: {"rate": str(r), "why": why, "quota": q, "population": n}
            for k, (r, why, q, n) in drawn.rates.items()
        },
    }
    number = official.number + 1 if official else 1
    reason = data.reason if kind is schemas.DrawKind.redraw else None
    try:
        async with session.begin_nested():
            await session.execute(
                insert(IvSample).values(
                    id=sample_id,
                    centre_id=p.centre_id,
                    programme_id=programme.id,
                    brief_id=brief.id,
                    number=number,
                    kind=kind.value,
                    reason=reason,
                    supersedes_id=official.id if official else None,
                    seed=seed,
                    inputs_digest=drawn.inputs_digest,
                    policy=policy_json,
                    population=[r.id for r in rows],
                    drawn_by=p.subject,
                )
            )
    except IntegrityError as exc:  # uq (brief_id, number): another draw of this brief won the race
        raise Conflict(
            "Another draw of this brief's sample was made at the same time; read the official draw."
        ) from exc
    await session.execute(
        insert(IvSampleItem),
        [
            {
                "sample_id": sample_id,
                "decision_id": uuid.UUID(i.candidate.id),
                "centre_id": p.centre_id,
                "assessor_staff_id": uuid.UUID(i.candidate.assessor),
                "grade": i.candidate.grade,
                "site_id": uuid.UUID(i.candidate.site) if i.candidate.site else None,
                "methods": sorted(i.candidate.methods),
                "support_needs": sorted(i.candidate.support_needs),
                "rationale": list(i.rationale),
            }
            for i in drawn.items
        ],
    )
    out = await get_sample(session, p, sample_id)
    summary = events.IvSampleDrawn(
        id=sample_id,
        brief_id=brief.id,
        number=number,
        kind=kind,
        reason=reason,
        supersedes_id=official.id if official else None,
        seed=seed,
        inputs_digest=drawn.inputs_digest,
        decision_ids=[i.decision_id for i in out.items],
    )
    await recorded(session, p, Change.created(summary, "iv_sample", sample_id))
    return out


# ---- reading draws -------------------------------------------------------------------------------------


def _decimal(rate: Fraction) -> Decimal:
    return (Decimal(rate.numerator) / Decimal(rate.denominator)).quantize(Decimal("0.0001"))


async def _out(session: AsyncSession, sample: IvSample) -> schemas.Sample:
    rows = (
        await session.execute(
            select(IvSampleItem, AssessmentDecision.learner_id, IvRecord.outcome)
            .join(AssessmentDecision, AssessmentDecision.id == IvSampleItem.decision_id)
            .outerjoin(IvRecord, IvRecord.decision_id == IvSampleItem.decision_id)
            .where(IvSampleItem.sample_id == sample.id)
            .order_by(IvSampleItem.decision_id)
        )
    ).all()
    superseded = await session.scalar(
        select(exists().where(IvSample.brief_id == sample.brief_id, IvSample.number > sample.number))
    )
    counts: dict[str, int] = {}
    for item, _, _ in rows:
        counts[str(item.assessor_staff_id)] = counts.get(str(item.assessor_staff_id), 0) + 1
    rates = [
        schemas.AssessorRate(
            assessor_staff_id=uuid.UUID(k),
            rate=_decimal(Fraction(v["rate"])),
            why=v["why"],
            sampled=counts.get(k, 0),
            population=v["population"],
        )
        for k, v in sorted(sample.policy.get("rates", {}).items())
    ]
    return schemas.Sample(
        id=sample.id,
        programme_id=sample.programme_id,
        brief_id=sample.brief_id,
        number=sample.number,
        kind=schemas.DrawKind(sample.kind),
        reason=sample.reason,
        supersedes_id=sample.supersedes_id,
        official=not superseded,
        seed=sample.seed,
        inputs_digest=sample.inputs_digest,
        population_size=len(sample.population),
        assessor_rates=rates,
        items=[
            schemas.SampleItem(
                decision_id=i.decision_id,
                learner_id=learner,
                assessor_staff_id=i.assessor_staff_id,
                grade=i.grade,
                site_id=i.site_id,
                methods=[schemas.AssessmentMethod(m) for m in i.methods],
                support_needs=[schemas.SupportNeed(n) for n in i.support_needs],
                rationale=i.rationale,
                iv_outcome=outcome,
            )
            for i, learner, outcome in rows
        ],
        drawn_by=sample.drawn_by,
        created_at=sample.created_at,
    )


async def get_sample(session: AsyncSession, p: Principal, sample_id: uuid.UUID) -> schemas.Sample:
    sample = await get_visible(session, repository.samples(p), IvSample, sample_id, "IV sample")
    return await _out(session, sample)


async def official_sample_row(session: AsyncSession, brief_id: uuid.UUID) -> IvSample | None:
    """The brief's official draw (R-42): the one with the highest number. The R-25 gate reads it."""
    return await session.scalar(
        select(IvSample).where(IvSample.brief_id == brief_id).order_by(IvSample.number.desc()).limit(1)
    )


async def official_sample_rows(session: AsyncSession, brief_ids: list[uuid.UUID]) -> list[IvSample]:
    """`official_sample_row` of each brief that has a draw, in one statement."""
    return list(
        (
            await session.scalars(
                select(IvSample)
                .where(IvSample.brief_id.in_(brief_ids))
                .distinct(IvSample.brief_id)
                .order_by(IvSample.brief_id, IvSample.number.desc())
            )
        ).all()
    )


async def official_sample(session: AsyncSession, p: Principal, brief_id: uuid.UUID) -> schemas.Sample | None:
    brief = await get_brief(session, p, brief_id, Scope.verification_read)
    row = await official_sample_row(session, brief.id)
    return await _out(session, row) if row else None


async def list_samples(session: AsyncSession, p: Principal, brief_id: uuid.UUID) -> list[schemas.Sample]:
    """Every draw of the brief's sample, first to last (R-42: every draw is kept); the last is official."""
    brief = await get_brief(session, p, brief_id, Scope.verification_read)
    rows = (
        await session.scalars(
            repository.samples(p).where(IvSample.brief_id == brief.id).order_by(IvSample.number)
        )
    ).all()
    return [await _out(session, r) for r in rows]
