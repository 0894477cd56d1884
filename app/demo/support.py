"""Learner support and registration in March: a learner joining the diploma from another centre,
registered late (R-11) with prior learning recorded (R-13); a reasonable adjustment (R-80); special
consideration applied for and authorised by the HoC (R-81)."""

from __future__ import annotations

import datetime as dt

from app.demo.world import Demo
from app.learners import schemas as learner_schemas
from app.learners import service as learners
from app.programmes import enrolments, support
from app.programmes import schemas as programme_schemas


async def load_support(demo: Demo) -> None:
    session, eo = demo.session, demo.as_("exams_officer")
    demo.on(demo.weekday(3, 17))
    zara = await learners.create_learner(
        session,
        eo,
        learner_schemas.LearnerCreate(
            given_name="Zara",
            family_name="Quinn",
            date_of_birth=dt.date(2009, 2, 12),
            candidate_number="0015",
            mis_id="MIS-0015",
            idp_subject="demo-learner-zara",
        ),
    )
    demo.ids["learner-zara"] = zara.id
    enrolment = await enrolments.create_enrolment(
        session,
        eo,
        programme_schemas.EnrolmentCreate(
            learner_id=zara.id,
            programme_id=demo.ids["diploma"],
            enrolled_on=demo.today,
            identity_checked=True,
            site_id=demo.ids["site-main"],
        ),
    )
    await support.record_prior_learning(
        session,
        eo,
        programme_schemas.PriorLearningCreate(
            learner_id=zara.id,
            qualification_id=demo.ids["q-diploma"],
            unit_number=5,
            description="Customer feedback survey project at Eastbrook College, autumn term; still to be "
            "assessed against unit 5's criteria.",
            evidence_reference="Transfer file from Eastbrook College, section 3",
        ),
    )
    await support.record_reasonable_adjustment(
        session,
        eo,
        programme_schemas.ReasonableAdjustmentCreate(
            learner_id=demo.ids["learner-chloe"],
            qualification_id=demo.ids["q-award"],
            adjustment="25% extra time and a word processor",
            normal_way_of_working="Chloe has a diagnosed specific learning difficulty and works on a "
            "laptop with extra time in all lessons.",
            standard_unchanged=True,
            agreed_on=demo.today,
            applies_from=demo.weekday(3, 23),
        ),
    )
    application = await support.apply_for_special_consideration(
        session,
        eo,
        programme_schemas.SpecialConsiderationCreate(
            learner_id=demo.ids["learner-leah"],
            qualification_id=demo.ids["q-diploma"],
            unit_number=4,
            assessment_date=demo.today,
            circumstances="Taken ill during the unit 4 observed role play.",
        ),
    )
    demo.on(demo.weekday(3, 18))
    await enrolments.register(
        session,
        eo,
        enrolment.id,
        programme_schemas.Registration(
            registration_number=f"OC{demo.year}0015",
            registered_on=demo.today,
            reason="Joined in March from Eastbrook College: registered after the November deadline.",
        ),
    )
    demo.on(demo.weekday(3, 19))
    await support.decide_special_consideration(
        session,
        demo.as_("hoc"),
        application.id,
        programme_schemas.SpecialConsiderationDecision(
            outcome=programme_schemas.SpecialConsiderationOutcome.authorised,
            reason="GP's note seen; the illness was at the time of the assessment.",
        ),
    )
