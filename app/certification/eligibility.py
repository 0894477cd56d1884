"""R-90: the eligibility preflight. For one learner's registration on a qualification: can a full or a
unit certificate be claimed and, if not, every reason, each naming its rule.

The preflight is an ordered list of reason checks (`CHECKS`); each looks at the same `Candidate` (the
registration's released record, R-14, with the grading engine's rule-of-combination breakdown) and
returns the reasons it finds. `evaluate` is the one function that gates every claim: a claim admits a
learner, keeps them at each R-91 step and submits them only through it (app/certification/claims.py);
`preflight` is its answer for a screen.

Three reasons belong to domains above or beside this one (standards verification's status, open
appeals, malpractice withholdings and centre sanctions). Their checks are in
app/certification/external_holds.py, added to `CHECKS` by `register_external` when the app is built
(app/main.py, create_app), so this module never imports them.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from app.assessment.records import ReleasedRegistration, released_registration
from app.auth.principal import Principal
from app.certification import qmr
from app.certification.schemas import (
    ClaimableUnit,
    ClaimType,
    Eligibility,
    EligibilityReason,
    ReasonCode,
    ReasonScope,
)
from app.core.errors import NotFound
from app.core.visibility import get_visible
from app.employers import involvement
from app.learners import repository as learners_repo
from app.learners.models import Learner
from app.programmes.models import Programme
from app.qualifications.grades import GradingRule
from app.qualifications.models import QualificationVersion
from app.qualifications.service import parsed
from app.qualifications.structure import Qualification
from app.verification.livs import liv_gaps

R = ReasonCode
FULL, EVERY = ReasonScope.full, ReasonScope.every_claim


@dataclass
class Candidate:
    """What every check reads: the learner's registration, its current programme and released record."""

    centre_id: uuid.UUID
    learner_id: uuid.UUID
    qualification_id: uuid.UUID
    awarding_body: str
    q: Qualification
    programme: Programme
    released: ReleasedRegistration
    # Set by the standards-verification check: R-40's "or a successful standards verification".
    sv_released: bool = False
    notes: dict[str, object] = field(default_factory=dict)


Check = Callable[[AsyncSession, Principal, Candidate], Awaitable[list[EligibilityReason]]]


def reason(
    code: ReasonCode, rule: str, message: str, stops: ReasonScope, unit_number: int | None = None
) -> EligibilityReason:
    return EligibilityReason(code=code, rule=rule, message=message, stops=stops, unit_number=unit_number)


# ---- the checks implemented here -----------------------------------------------------------------------


async def registration(session: AsyncSession, p: Principal, c: Candidate) -> list[EligibilityReason]:
    """R-10/R-12: registered with the awarding body; a learner who withdrew (or moved to another
    qualification) leaves with unit certification only (R-93)."""
    rec = c.released.record
    own = [pl for pl in rec.programmes if not pl.carried]
    live = [pl for pl in own if pl.enrolment_status in ("enrolled", "registered")]
    current = (live or own)[-1]
    out: list[EligibilityReason] = []
    if rec.registration_number is None:
        out.append(
            reason(R.not_registered, "R-10", "The learner is not registered with the awarding body.", EVERY)
        )
    if current.enrolment_status in ("withdrawn", "transferred"):
        out.append(
            reason(
                R.withdrawn,
                "R-12",
                f"The learner's registration ended ({current.enrolment_status}): unit certification only (R-93).",
                FULL,
            )
        )
    return out


async def verified_units(session: AsyncSession, p: Principal, c: Candidate) -> list[EligibilityReason]:
    """R-90: each mandatory unit has a released (internally verified, R-25) result over the whole
    registration (R-14), or an exam result."""
    return [
        reason(
            R.unit_not_verified,
            "R-90",
            f"Unit {u.number} ({u.title}) has no released, internally verified result.",
            FULL,
            u.number,
        )
        for u in c.q.mandatory_units
        if u.number not in c.released.units
    ]


async def rule_of_combination(session: AsyncSession, p: Principal, c: Candidate) -> list[EligibilityReason]:
    """R-04: the grading engine's breakdown must give the qualification a grade above U."""
    o = c.released.overall
    if o.grade.value != "U":
        return []
    why = {
        GradingRule.mandatory_unit_below_pass: "mandatory unit(s) below Pass: "
        + ", ".join(map(str, o.mandatory_units_below_pass)),
        GradingRule.points_below_minimum: f"{o.total_points} points, below the grade table",
        GradingRule.single_unit_award: "the award's only unit is below Pass",
    }.get(o.decided_by)
    if why is None:
        parts = []
        if o.units_missing:
            parts.append("mandatory unit(s) without a result: " + ", ".join(map(str, o.units_missing)))
        if o.glh_counted < o.glh_required:
            parts.append(f"{o.glh_counted} of {o.glh_required} GLH at Pass or above")
        why = "; ".join(parts) or "no grade"
    return [reason(R.rule_of_combination, "R-04", f"The rule of combination gives U: {why}.", FULL)]


async def qmr_block(session: AsyncSession, p: Principal, c: Candidate) -> list[EligibilityReason]:
    """R-90 (002): a QMR block stops every BTEC programme of the centre until the progress report."""
    if c.awarding_body != "pearson":
        return []
    blocking = await qmr.blocking_visits(session, c.centre_id)
    return [
        reason(
            R.qmr_block,
            "R-90",
            f"QMR of {v.visited_on.isoformat()} judged "
            + ", ".join(sorted(j["objective"] for j in v.judgements if qmr.blocks(j)))
            + " insufficient; certification of BTEC programmes is blocked until the progress report.",
            EVERY,
        )
        for v in blocking
    ]


async def accredited_liv(session: AsyncSession, p: Principal, c: Candidate) -> list[EligibilityReason]:
    """R-40: an accredited LIV for the subject area in the programme's year (one who leaves mid-year
    keeps it released for that year, 002 QO.9.2: verification.livs counts every appointment in force in
    the year). Waived by a released standards verification (see `preflight`)."""
    gaps = await liv_gaps(session, p, c.programme.academic_year_id)
    return [
        reason(
            R.no_accredited_liv,
            "R-40",
            f"Subject area {g.subject_area!r} has no accredited LIV for the year ({g.reason.value}); "
            "it may claim only after a successful standards verification.",
            EVERY,
        )
        for g in gaps
        if g.subject_area == c.programme.subject_area
    ]


_INVOLVEMENT_GAPS = {
    involvement.Gap.plan_missing: (
        R.employer_plan_missing,
        "The programme has no employer involvement plan (R-95: drawn up at its start, covering every learner).",
    ),
    involvement.Gap.uncovered: (
        R.employer_plan_uncovered,
        "The employer involvement plan has no activity planned for the learner (R-95: it covers every "
        "learner); add them to one.",
    ),
    involvement.Gap.no_participation: (
        R.employer_involvement,
        "The learner has taken part in no confirmed meaningful activity with an employer in the "
        "qualification's sector (R-95).",
    ),
}


async def employer_involvement(session: AsyncSession, p: Principal, c: Candidate) -> list[EligibilityReason]:
    """R-95: where the qualification requires it, the learner took part in a confirmed meaningful
    activity with an employer; otherwise the reason names what is missing: the plan, its coverage of
    the learner, or their participation."""
    if not await involvement.required(session, c.programme.id, c.awarding_body):
        return []
    gap = await involvement.gap(session, c.programme.id, c.qualification_id, c.learner_id)
    if gap is None:
        return []
    code, message = _INVOLVEMENT_GAPS[gap]
    return [reason(code, "R-95", message, FULL)]


CHECKS: list[Check] = [
    registration,
    verified_units,
    rule_of_combination,
    qmr_block,
    accredited_liv,
    employer_involvement,
]


def register_external(*checks: Check) -> None:
    """Add the checks of the domains certification cannot import (app/certification/external_holds.py);
    registering twice keeps one."""
    for check in checks:
        if check not in CHECKS:
            CHECKS.append(check)


# ---- the preflight -------------------------------------------------------------------------------------


async def candidate(
    session: AsyncSession, p: Principal, learner_id: uuid.UUID, qualification_id: uuid.UUID
) -> tuple[Learner, Candidate]:
    learner = await get_visible(session, learners_repo.learners(p), Learner, learner_id, "learner")
    released = await released_registration(session, p, learner_id, qualification_id)
    if released is None:
        raise NotFound(f"Learner {learner_id} has no registration for qualification {qualification_id}.")
    programme = await session.get_one(Programme, released.record.programme_id)
    qv = await session.get_one(QualificationVersion, qualification_id)
    return learner, Candidate(
        centre_id=p.centre_id,
        learner_id=learner_id,
        qualification_id=qualification_id,
        awarding_body=qv.awarding_body,
        q=parsed(qv),
        programme=programme,
        released=released,
    )


async def assess(session: AsyncSession, p: Principal, c: Candidate) -> Eligibility:
    reasons: list[EligibilityReason] = []
    for check in CHECKS:
        reasons += await check(session, p, c)
    if c.sv_released:  # a successful standards verification releases the subject area
        reasons = [r for r in reasons if r.code is not R.no_accredited_liv]
    held_units = {r.unit_number for r in reasons if r.unit_number is not None}
    units = [
        ClaimableUnit(unit_number=n, title=c.q.unit(n).title, grade=o.grade.value)
        for n, o in sorted(c.released.units.items())
        if o.grade.is_pass and n not in held_units
    ]
    stops_all = any(r.stops is EVERY for r in reasons)
    full = not reasons
    rec = c.released.record
    return Eligibility(
        learner_id=c.learner_id,
        qualification_id=c.qualification_id,
        programme_id=c.programme.id,
        registration_number=rec.registration_number,
        full_claimable=full,
        unit_claimable=not stops_all and bool(units),
        overall_grade=rec.qualification_grade if full else None,
        claimable_units=units,
        reasons=reasons,
    )


async def evaluate(
    session: AsyncSession, p: Principal, learner_id: uuid.UUID, qualification_id: uuid.UUID
) -> tuple[Candidate, Eligibility]:
    """R-90: the one gate. Every reason the learner's full or unit certificate cannot be claimed, with
    what it was judged on (a claim snapshots the units and grades from it)."""
    _, c = await candidate(session, p, learner_id, qualification_id)
    return c, await assess(session, p, c)


async def preflight(
    session: AsyncSession, p: Principal, learner_id: uuid.UUID, qualification_id: uuid.UUID
) -> Eligibility:
    """R-90: the preflight any screen asks for; `evaluate`'s answer."""
    return (await evaluate(session, p, learner_id, qualification_id))[1]


def claimable(e: Eligibility, claim_type: ClaimType) -> bool:
    return e.full_claimable if claim_type is ClaimType.full else e.unit_claimable
