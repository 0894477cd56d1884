"""Plain factories: learners with released (internally verified) results, their programme's standards
verification released (R-51), an accredited LIV."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from app.assessment import decisions, submissions
from app.assessment import schemas as aschemas
from app.core import clock as service_clock
from app.standards_verification import outcomes
from app.standards_verification import schemas as svschemas
from app.standards_verification.status import certification_status
from app.verification import draws, plans, records
from app.verification import schemas as vschemas
from tests.assessment.fixtures import GROUP_AB, GROUP_C, content, issued_brief, registered_learner
from tests.programmes.fixtures import World, principal
from tests.standards_verification import fixtures as sv
from tests.verification.fixtures import ASSESSOR, GRADES, IV, as_staff, lp

ON = dt.date(2025, 12, 1)


async def _verify_and_release(session: AsyncSession, brief, made) -> None:
    sample = await draws.draw_sample(
        session, as_staff(*IV), brief.id, vschemas.SampleCreate(), seed_source=lambda: 7
    )
    for i in sample.items:
        await records.record_iv(
            session,
            as_staff(*IV),
            vschemas.IvRecordCreate(
                decision_id=i.decision_id, outcome="agree", verified_on=ON, feedback_to_assessor="Agreed."
            ),
        )
    await decisions.release_brief(session, as_staff(*ASSESSOR), brief.id)


async def _decide(session: AsyncSession, brief, learner, grade: str):
    s = await submissions.create_submission(
        session, lp(learner), aschemas.SubmissionCreate(brief_id=brief.id)
    )
    await submissions.add_evidence_reference(
        session,
        lp(learner),
        s.id,
        aschemas.EvidenceReferenceCreate(
            kind="reference", description="Report", reference="Portfolio p.1-12"
        ),
    )
    s = await submissions.hand_in(
        session,
        lp(learner),
        s.id,
        aschemas.HandIn(declaration_signed=True, ai_used=False, declaration_signed_on=service_clock.today()),
    )
    d = await decisions.record_decision(
        session,
        as_staff(*ASSESSOR),
        aschemas.DecisionCreate(submission_id=s.id, **content(brief, GRADES[grade])),
    )
    return await decisions.submit_for_iv(session, as_staff(*ASSESSOR), d.id)


async def sv_released(session: AsyncSession, world: World) -> None:
    """R-51: the world's programme's standards verification released, through the real service (an
    allocation, a sample of the released work, declared and submitted, its report accepted). Once per
    programme: a released subject area takes no further sample for the year."""
    if await certification_status(session, world.programme_id) is svschemas.SvCertificationStatus.released:
        return
    _, s = await sv.sample(session, world)
    await sv.declared_and_submitted(session, s.id)
    await outcomes.record_outcome(
        session,
        sv.QN,
        s.id,
        svschemas.OutcomeCreate(accepted=True, reported_on=service_clock.today(), summary="Accepted."),
    )


async def released(
    session: AsyncSession,
    world: World,
    grades: list[str],
    release_c: bool = True,
    sv_release: bool = True,
):
    """One registered learner per grade on the world's award programme, assessed on both assignments of
    unit 1 (criteria A-B, then C) at that grade, verified and released (R-25). With `release_c=False`
    the second assignment's decisions stay submitted for IV. Then the programme's standards verification
    is released (R-51), unless `sv_release=False` (the tests of that reason). Returns the learners."""
    learners = [await registered_learner(session, world, n=i) for i in range(len(grades))]
    for criteria, release in ((GROUP_AB, True), (GROUP_C, release_c)):
        brief = await issued_brief(session, world, criteria=criteria)
        made = [
            await _decide(session, brief, learner, g) for learner, g in zip(learners, grades, strict=True)
        ]
        if release:
            await _verify_and_release(session, brief, made)
    if sv_release:
        await sv_released(session, world)
    return learners


async def accredited_liv(
    session: AsyncSession, world: World, standardised: bool = True, appointed_on=dt.date(2025, 9, 1)
):
    """R-40: the world's LIV appointed for Business, registered (and standardised) for 2025/26."""
    appointment = await plans.appoint_liv(
        session,
        principal("hoc", centre=world.centre),
        vschemas.LivAppointmentCreate(subject_area="Business", staff_id=world.liv, appointed_on=appointed_on),
    )
    await plans.add_annual_record(
        session,
        principal("qn", centre=world.centre),
        appointment.id,
        vschemas.LivAnnualRecordCreate(
            academic_year_id=world.year_id,
            awarding_body="Pearson",
            registration_reference="LIV-1",
            registered_on=dt.date(2025, 9, 10),
            standardised_on=dt.date(2025, 10, 1) if standardised else None,
            standardisation_evidence="Pearson online standardisation" if standardised else None,
        ),
    )
    return appointment
