"""R-90: the eligibility preflight names every reason a learner's full or unit certificate cannot be
claimed, each with its rule; the checks from other domains (external_holds.py) join through
`register_external`."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.appeals import schemas as aschemas
from app.appeals import service as appeals
from app.assessment.models import AssessmentDecision
from app.certification import eligibility, external_holds, qmr, schemas
from app.certification.schemas import ReasonCode as R
from app.core.errors import NotFound
from app.employers import schemas as eschemas
from app.employers import service as employers
from app.programmes import enrolments
from app.programmes import schemas as pschemas
from app.programmes.models import Enrolment
from app.verification import plans
from app.verification import schemas as vschemas
from tests.assessment.fixtures import registered_learner
from tests.certification.fixtures import accredited_liv, released, sv_released
from tests.programmes.fixtures import make_learner, make_staff, principal
from tests.verification.fixtures import lp

EO = principal("exams_officer")


def codes(e: schemas.Eligibility) -> dict[R, str]:
    return {r.code: r.rule for r in e.reasons}


async def test_r90_a_learner_with_released_verified_results_may_claim_the_full_certificate(session, world):
    await accredited_liv(session, world)
    merit, unclassified = await released(session, world, ["M", "U"])
    e = await eligibility.preflight(session, EO, merit.id, world.award_id)
    assert (e.full_claimable, e.unit_claimable, e.overall_grade, e.reasons) == (True, True, "M", [])
    assert [(u.unit_number, u.grade) for u in e.claimable_units] == [(1, "M")]
    assert e.registration_number is not None
    # the grading engine's rule of combination (the award's only unit below Pass).
    e = await eligibility.preflight(session, EO, unclassified.id, world.award_id)
    assert (e.full_claimable, e.unit_claimable) == (False, False)
    assert codes(e) == {R.rule_of_combination: "R-04"}


async def test_r90_only_released_internally_verified_results_count(session, world):
    await accredited_liv(session, world)
    (learner,) = await released(session, world, ["D"], release_c=False)
    e = await eligibility.preflight(session, EO, learner.id, world.award_id)
    # Criteria C are assessed but await IV: the released record has A-B only, which is not a Pass.
    assert not e.full_claimable and codes(e) == {R.rule_of_combination: "R-04"}
    nothing = await registered_learner(session, world, n=9)
    e = await eligibility.preflight(session, EO, nothing.id, world.award_id)
    assert codes(e) == {R.unit_not_verified: "R-90", R.rule_of_combination: "R-04"}
    assert [r.unit_number for r in e.reasons if r.code is R.unit_not_verified] == [1]


async def test_r90_unregistered_and_withdrawn_registrations(session, world):
    await accredited_liv(session, world)
    hoc = principal("hoc")
    learner = await make_learner(session, world.centre, given_name="Unreg")
    await enrolments.create_enrolment(
        session,
        hoc,
        pschemas.EnrolmentCreate(
            learner_id=learner.id,
            programme_id=world.programme_id,
            enrolled_on=dt.date(2025, 9, 8),
            identity_checked=True,
        ),
    )
    e = await eligibility.preflight(session, EO, learner.id, world.award_id)
    assert codes(e)[R.not_registered] == "R-10"
    assert not e.unit_claimable  # an unregistered learner gets no certificate at all
    (leaver,) = await released(session, world, ["P"])
    enrolment = await session.scalar(select(Enrolment).where(Enrolment.learner_id == leaver.id))
    await enrolments.withdraw(
        session,
        hoc,
        enrolment.id,
        pschemas.Withdrawal(withdrawn_on=dt.date(2025, 12, 5), reason="Moved away"),
    )
    e = await eligibility.preflight(session, EO, leaver.id, world.award_id)
    assert codes(e) == {R.withdrawn: "R-12"}
    # a leaver may still have unit certification.
    assert (e.full_claimable, e.unit_claimable) == (False, True)


async def test_r90_no_registration_on_the_qualification_is_not_found(session, world):
    learner = await make_learner(session, world.centre, given_name="Nobody")
    with pytest.raises(NotFound):
        await eligibility.preflight(session, EO, learner.id, world.award_id)


async def test_r90_a_qmr_block_stops_btec_claims_until_the_progress_report(session, world):
    await accredited_liv(session, world)
    (learner,) = await released(session, world, ["M"])
    qn = principal("qn")
    visit = await qmr.record_visit(
        session,
        qn,
        schemas.QmrVisitCreate(
            visited_on=dt.date(2025, 11, 3),
            reviewer="Centre Quality Reviewer",
            judgements=[
                schemas.ObjectiveJudgement(objective=o, judgement=j)
                for o, j in (("QO.3", "sufficient"), ("QO.4", "insufficient"), ("QO.7", "insufficient"))
            ],
        ),
    )
    assert visit.blocks_certification
    e = await eligibility.preflight(session, EO, learner.id, world.award_id)
    assert codes(e) == {R.qmr_block: "R-90"}
    assert "QO.4" in e.reasons[0].message and "QO.7" not in e.reasons[0].message
    assert not e.unit_claimable  # centre-wide: unit certification too
    await qmr.accept_progress_report(
        session, qn, visit.id, schemas.ProgressReport(accepted_on=dt.date(2025, 12, 1))
    )
    e = await eligibility.preflight(session, EO, learner.id, world.award_id)
    assert e.full_claimable
    assert [v.blocks_certification for v in await qmr.list_visits(session, qn)] == [False]


async def test_r90_qmr_insufficient_on_other_objectives_does_not_block(session, world):
    await accredited_liv(session, world)
    (learner,) = await released(session, world, ["M"])
    await qmr.record_visit(
        session,
        principal("qn"),
        schemas.QmrVisitCreate(
            visited_on=dt.date(2025, 11, 3),
            reviewer="CQR",
            judgements=[schemas.ObjectiveJudgement(objective="QO.6", judgement="insufficient")],
        ),
    )
    assert (await eligibility.preflight(session, EO, learner.id, world.award_id)).full_claimable


async def test_r40_a_subject_area_without_an_accredited_liv_may_not_claim(session, world):
    # Before its standards verification is released (which would release the subject area, R-40).
    (learner,) = await released(session, world, ["M"], sv_release=False)
    e = await eligibility.preflight(session, EO, learner.id, world.award_id)
    assert codes(e) == {R.no_accredited_liv: "R-40", R.standards_verification: "R-51"}
    assert not e.unit_claimable


async def test_r90_an_accredited_liv_who_leaves_mid_year_keeps_the_subject_area_released(session, world):
    await accredited_liv(session, world)
    # The work is assessed and verified while the accredited LIV is in post (R-40: once the successor
    # is appointed, the programme's LIV is the successor).
    (learner,) = await released(session, world, ["M"])
    successor = await make_staff(session, world.centre, "successor", "liv")
    await plans.appoint_liv(
        session,
        principal("hoc"),
        vschemas.LivAppointmentCreate(
            subject_area="Business", staff_id=successor.id, appointed_on=dt.date(2026, 1, 5)
        ),
    )
    assert (await eligibility.preflight(session, EO, learner.id, world.award_id)).full_claimable


async def test_r95_employer_involvement_where_the_qualification_requires_it(session, world, clock):
    await accredited_liv(session, world)
    (learner,) = await released(session, world, ["P"])
    hoc = principal("hoc")
    plan = await employers.create_plan(
        session,
        hoc,
        eschemas.PlanCreate(
            programme_id=world.programme_id,
            planned_on=dt.date(2025, 9, 10),
            summary="A master class by a contact centre for every learner.",
            required_for_certification=True,  # the centre's policy for BTEC (004 §8)
        ),
    )
    e = await eligibility.preflight(session, EO, learner.id, world.award_id)
    assert codes(e) == {R.employer_plan_uncovered: "R-95"}  # a plan with nothing planned for them
    assert e.unit_claimable  # the full certificate waits; unit certification does not
    employer = await employers.create_employer(
        session, hoc, eschemas.EmployerCreate(name="CallCo", sector="Customer service")
    )
    activity = await employers.create_activity(
        session,
        hoc,
        eschemas.ActivityCreate(
            plan_id=plan.id,
            employer_id=employer.id,
            activity_type="master_class",
            title="Handling complaints",
            planned_on=dt.date(2025, 11, 5),
        ),
    )
    await employers.confirm_activity(
        session, hoc, activity.id, eschemas.ActivityConfirm(confirmed_on=dt.date(2025, 10, 15))
    )
    clock.set(dt.datetime(2025, 11, 6, 10, tzinfo=dt.UTC))
    await employers.add_participants(
        session, hoc, activity.id, eschemas.ParticipationAdd(learner_ids=[learner.id])
    )
    assert (await eligibility.preflight(session, EO, learner.id, world.award_id)).full_claimable


async def test_r95_the_reason_names_the_missing_plan_then_coverage_then_participation(session, world, clock):
    """Required by the plan: without a plan, the plan is named; a plan that leaves the learner out names
    the coverage; planned but not yet taken part names the participation. Each with R-95."""
    await accredited_liv(session, world)
    planned, left_out = await released(session, world, ["P", "P"])
    hoc = principal("hoc")

    def gap(e: schemas.Eligibility) -> list[tuple[R, str]]:
        return [(r.code, r.rule) for r in e.reasons]

    plan = await employers.create_plan(
        session,
        hoc,
        eschemas.PlanCreate(
            programme_id=world.programme_id,
            planned_on=dt.date(2025, 9, 1),
            summary="A placement for the learners listed.",
            required_for_certification=True,
        ),
    )
    employer = await employers.create_employer(
        session, hoc, eschemas.EmployerCreate(name="CallCo", sector="Customer service")
    )
    await employers.create_activity(
        session,
        hoc,
        eschemas.ActivityCreate(
            plan_id=plan.id,
            employer_id=employer.id,
            activity_type="placement",
            title="A week at CallCo",
            planned_on=dt.date(2025, 11, 5),
            learner_ids=[planned.id],
        ),
    )
    e_left_out = await eligibility.preflight(session, EO, left_out.id, world.award_id)
    assert gap(e_left_out) == [(R.employer_plan_uncovered, "R-95")]
    assert gap(await eligibility.preflight(session, EO, planned.id, world.award_id)) == [
        (R.employer_involvement, "R-95")
    ]
    assert not e_left_out.full_claimable and e_left_out.unit_claimable


async def test_r95_ocr_qualifications_require_employer_involvement_by_default(session, world):
    learner = await registered_learner(session, world, programme_id=world.other_programme_id, n=3)
    e = await eligibility.preflight(session, EO, learner.id, world.diploma_id)
    assert codes(e)[R.employer_plan_missing] == "R-95"  # required, and the programme has no plan
    assert R.qmr_block not in codes(e)


async def test_r90_external_checks_join_the_preflight_and_sv_release_waives_the_liv_gap(
    session, world, clock
):
    """The wired external reasons (external_holds.py, registered as create_app does): the subject area's
    standards verification not yet released blocks every claim (R-51); once released it also releases
    the subject area without an accredited LIV (R-40); an open appeal holds its unit (R-62). The clock
    is frozen inside the centre's academic year, where the appeal window (R-60) can be counted."""
    assert all(
        c in eligibility.CHECKS for c in (external_holds.standards_verification, external_holds.open_appeals)
    )
    external_holds.register()  # twice keeps one
    assert eligibility.CHECKS.count(external_holds.open_appeals) == 1
    (learner,) = await released(session, world, ["M"], sv_release=False)
    e = await eligibility.preflight(session, EO, learner.id, world.award_id)
    assert codes(e) == {R.no_accredited_liv: "R-40", R.standards_verification: "R-51"}
    assert "not yet fully sampled" in next(r.message for r in e.reasons if r.code is R.standards_verification)
    assert not e.unit_claimable  # R-51 stops unit certification too
    await sv_released(session, world)
    e = await eligibility.preflight(session, EO, learner.id, world.award_id)
    assert (e.full_claimable, e.reasons) == (True, [])  # the LIV gap is waived by the released SV
    decision = await session.scalar(
        select(AssessmentDecision).where(AssessmentDecision.learner_id == learner.id).limit(1)
    )
    await appeals.lodge(
        session,
        lp(learner),
        aschemas.AppealCreate(decision_id=decision.id, kind="decision", grounds="M1 was met: see p.4."),
    )
    e = await eligibility.preflight(session, EO, learner.id, world.award_id)
    assert codes(e) == {R.unit_on_appeal: "R-62"}
    assert e.claimable_units == [] and not e.unit_claimable  # the unit on hold is not claimable
