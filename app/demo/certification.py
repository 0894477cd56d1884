"""Certification and employer involvement (R-90..R-95), in the summer term: the autumn QMR visit that
blocked BTEC certification until the progress report; employers, the award's and the diploma's plans
(the diploma's late, and leaving one learner uncovered), a project set with industry and a master class
with the learners who took part; the award's claim for
every eligible learner through its R-91 checks to submission; two certificates received, one matching,
one with an anomaly, withheld."""

from __future__ import annotations

from sqlalchemy import select

from app.certification import certificates, claims, eligibility, qmr
from app.certification import schemas as cs
from app.demo.world import Demo
from app.employers import schemas as es
from app.employers import service as employers
from app.programmes.models import Enrolment, Programme


async def _learners(demo: Demo, programme: str) -> list:
    return list(
        (
            await demo.session.scalars(
                select(Enrolment.learner_id)
                .where(
                    Enrolment.programme_id == demo.ids[programme],
                    Enrolment.status.in_(("registered", "completed")),
                )
                .order_by(Enrolment.learner_id)
            )
        ).all()
    )


async def _qmr(demo: Demo) -> None:
    qn = demo.as_("qn")
    visit = await qmr.record_visit(
        demo.session,
        qn,
        cs.QmrVisitCreate(
            visited_on=demo.weekday(11, 17),
            reviewer="Centre Quality Reviewer (Pearson)",
            judgements=[
                cs.ObjectiveJudgement(
                    objective=o, judgement="insufficient" if o is cs.QualityObjective.qo4 else "sufficient"
                )
                for o in cs.QualityObjective
            ],
            note="QO.4: the annual programme review was not minuted.",
        ),
    )
    await qmr.accept_progress_report(
        demo.session,
        qn,
        visit.id,
        cs.ProgressReport(accepted_on=demo.weekday(2, 2), note="Review minuted and signed off by the CQM."),
    )


async def _involvement(demo: Demo) -> None:
    session, hoc = demo.session, demo.as_("hoc")
    harbour = await employers.create_employer(
        session, hoc, es.EmployerCreate(name="Harbour Leisure", sector="Customer service")
    )
    westfield = await employers.create_employer(
        session, hoc, es.EmployerCreate(name="Westfield Shopping Centre", sector="Customer service")
    )
    for programme, employer, kind, title, month_day in (
        (
            "award",
            harbour,
            es.ActivityType.industry_project,
            "Complaint replies: a brief set with Harbour Leisure",
            (1, 12),
        ),
        (
            "diploma",
            westfield,
            es.ActivityType.master_class,
            "Master class: visitors with different needs",
            (3, 3),
        ),
    ):
        plan = await employers.create_plan(
            session,
            hoc,
            es.PlanCreate(
                programme_id=demo.ids[programme],
                # The award's plan on the programme's first day; the diploma's a week late (flagged).
                planned_on=demo.date(9, 1) if programme == "award" else demo.weekday(9, 10),
                summary=f"Every learner: {title.lower()}.",
            ),
        )
        happens = demo.weekday(*month_day)
        learners = await _learners(demo, programme)
        # The diploma's master class was planned without its last learner: the report shows them
        # uncovered until the plan is updated.
        planned = None if programme == "award" or len(learners) < 3 else learners[:-1]
        activity = await employers.create_activity(
            session,
            hoc,
            es.ActivityCreate(
                plan_id=plan.id,
                employer_id=employer.id,
                activity_type=kind,
                title=title,
                planned_on=happens,
                learner_ids=planned,
            ),
        )
        await employers.confirm_activity(
            session, hoc, activity.id, es.ActivityConfirm(confirmed_on=demo.weekday(10, 6))
        )
        # One planned diploma learner missed the master class: the report shows them too.
        took = learners if planned is None else planned[1:]
        if took:
            await employers.add_participants(session, hoc, activity.id, es.ParticipationAdd(learner_ids=took))
        demo.ids[f"plan-{programme}"] = plan.id


async def _claim(demo: Demo) -> None:
    session, eo = demo.session, demo.as_("exams_officer")
    programme = await session.get_one(Programme, demo.ids["award"])
    eligible = [
        lid
        for lid in await _learners(demo, "award")
        if (await eligibility.preflight(session, eo, lid, programme.qualification_id)).full_claimable
    ]
    if not eligible:
        return
    claim = await claims.create_claim(
        session,
        eo,
        cs.ClaimCreate(programme_id=programme.id, claim_type=cs.ClaimType.full, learner_ids=eligible),
    )
    await claims.confirm_records(session, demo.as_("liv"), claim.id)
    await claims.leader_check(session, demo.as_("programme_leader"), claim.id)
    await claims.prepare(session, eo, claim.id)
    await claims.second_check(session, demo.as_("qn"), claim.id)
    submitted = await claims.submit(session, eo, claim.id)
    demo.ids["claim"] = submitted.id
    demo.on(demo.weekday(6, 15))
    for i, entry in enumerate(submitted.entries[:2]):
        cert = await certificates.record_certificate(
            session,
            eo,
            submitted.id,
            cs.CertificateCreate(
                learner_id=entry.learner_id,
                received_on=demo.today,
                learner_name=f"{entry.given_name} {entry.family_name}",
                # The second arrives with the wrong grade: an anomaly, withheld.
                overall_grade=entry.overall_grade if i == 0 else "D*",
                units=[cs.CertificateUnit(unit_number=u.unit_number, grade=u.grade) for u in entry.units],
            ),
        )
        await certificates.check_certificate(session, eo, cert.id)


async def load_certification(demo: Demo) -> None:
    await _qmr(demo)
    demo.on(demo.weekday(5, 11))
    await _involvement(demo)
    await _claim(demo)
