"""Two programmes on the shipped qualifications (000's BTEC award, 003's OCR diploma), their learners
enrolled and registered before R-11's deadline, the LIV appointed, the IV plans and assessment plans."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select

from app.assignments import schemas as plan_schemas
from app.assignments import service as assignments
from app.demo.world import DEMO_LEARNER_SUBJECT, Demo
from app.learners import schemas as learner_schemas
from app.learners import service as learners
from app.programmes import enrolments
from app.programmes import schemas as programme_schemas
from app.programmes import service as programmes
from app.qualifications.models import PLATFORM_CENTRE, QualificationVersion
from app.verification import plans
from app.verification import schemas as iv_schemas

AWARD = "pearson-btec-intl-l3-award-investigating-customer-communications"
DIPLOMA = "ocr-l2-cambridge-technical-diploma-customer-service"


@dataclass(frozen=True)
class DemoLearner:
    key: str
    given: str
    family: str
    born: dt.date
    programme: str  # "award" or "diploma"
    site: str
    assessor: str  # who assesses their first assignment
    grade: str  # the grade of that assignment (U/P/M/D)


LEARNERS = [
    DemoLearner("amara", "Amara", "Bello", dt.date(2008, 3, 14), "award", "site-main", "assessor", "M"),
    DemoLearner("ben", "Ben", "Carter", dt.date(2008, 7, 2), "award", "site-main", "assessor", "U"),
    DemoLearner("chloe", "Chloe", "Dunn", dt.date(2007, 11, 23), "award", "site-main", "assessor", "D"),
    DemoLearner("dev", "Dev", "Patel", dt.date(2008, 1, 30), "award", "site-main", "assessor", "P"),
    DemoLearner("ella", "Ella", "Fraser", dt.date(2008, 5, 9), "award", "site-riverside", "assessor-2", "D"),
    DemoLearner(
        "finn", "Finn", "Gallagher", dt.date(2007, 12, 1), "award", "site-riverside", "assessor-2", "P"
    ),
    DemoLearner("hana", "Hana", "Iqbal", dt.date(2008, 4, 18), "award", "site-riverside", "assessor-2", "M"),
    DemoLearner("isaac", "Isaac", "Jones", dt.date(2008, 2, 6), "award", "site-main", "assessor-2", "U"),
    DemoLearner("jade", "Jade", "Kowalski", dt.date(2009, 6, 11), "diploma", "site-main", "assessor", "D"),
    DemoLearner("kai", "Kai", "Lewis", dt.date(2009, 1, 27), "diploma", "site-main", "assessor", "M"),
    DemoLearner("leah", "Leah", "Morgan", dt.date(2009, 8, 3), "diploma", "site-main", "assessor-2", "P"),
    DemoLearner("mo", "Mo", "Nasser", dt.date(2009, 3, 19), "diploma", "site-main", "assessor-2", "U"),
    DemoLearner("nia", "Nia", "Owens", dt.date(2008, 10, 15), "diploma", "site-main", "assessor", "P"),
    DemoLearner("omar", "Omar", "Price", dt.date(2009, 5, 22), "diploma", "site-main", "assessor-2", "M"),
]


def learner_subject(learner: DemoLearner) -> str:
    """Amara signs in as `demo-learner` (the learner token); the others have logins of their own."""
    return DEMO_LEARNER_SUBJECT if learner.key == "amara" else f"demo-learner-{learner.key}"


async def qualification(demo: Demo, key: str) -> uuid.UUID:
    return (
        await demo.session.execute(
            select(QualificationVersion.id)
            .where(QualificationVersion.centre_id == PLATFORM_CENTRE, QualificationVersion.key == key)
            .order_by(QualificationVersion.version.desc())
            .limit(1)
        )
    ).scalar_one()


async def load_programmes(demo: Demo) -> None:
    session, s = demo.session, demo.staff
    demo.on(demo.weekday(9, 1))
    demo.ids["q-award"] = await qualification(demo, AWARD)
    demo.ids["q-diploma"] = await qualification(demo, DIPLOMA)
    liv = await plans.appoint_liv(
        session,
        demo.as_("hoc"),
        iv_schemas.LivAppointmentCreate(
            subject_area="Business", staff_id=s["liv"], appointed_on=demo.date(9, 1)
        ),
    )
    await plans.add_annual_record(
        session,
        demo.as_("qn"),
        liv.id,
        iv_schemas.LivAnnualRecordCreate(
            academic_year_id=demo.ids["year"],
            awarding_body="pearson",
            registration_reference="LIV-BUS-0042",
            registered_on=demo.date(9, 1),
            standardised_on=demo.date(9, 1),
            standardisation_evidence="Pearson online standardisation, Business, completed",
        ),
    )
    made = {
        "award": (
            "BTEC Customer Communications Y12",
            "CCY12",
            "q-award",
            ["site-main", "site-riverside"],
            ["assessor", "assessor-2"],
            ["iv"],
        ),
        "diploma": (
            "Cambridge Technical Customer Service L2",
            "CSL2",
            "q-diploma",
            ["site-main"],
            ["assessor", "assessor-2"],
            ["iv-2", "iv"],
        ),
    }
    for key, (name, code, q, sites, assessors, ivs) in made.items():
        row = await programmes.create_programme(
            session,
            demo.as_("hoc"),
            programme_schemas.ProgrammeCreate(
                name=name,
                code=code,
                qualification_id=demo.ids[q],
                academic_year_id=demo.ids["year"],
                subject_area="Business",
                site_ids=[demo.ids[x] for x in sites],
                programme_leader_id=s["programme_leader"],
                lead_internal_verifier_id=s["liv"],
                assessor_ids=[s[a] for a in assessors],
                internal_verifier_ids=[s[i] for i in ivs],
            ),
        )
        demo.ids[key] = row.id
    await _iv_plans(demo)
    await _assessment_plans(demo)
    await _learners(demo)


async def _iv_plans(demo: Demo) -> None:
    """R-41/R-42: the award samples 20% of an experienced assessor and all of the new one's work; the
    diploma is new to the centre, so everything is sampled in its first year."""
    demo.on(demo.weekday(9, 3))
    for key, new_qualification in (("award", False), ("diploma", True)):
        await plans.put_plan(
            session=demo.session,
            p=demo.as_("liv"),
            programme_id=demo.ids[key],
            data=iv_schemas.IvPlanWrite(
                default_rate_percent=20,
                new_assessor_rate_percent=100,
                new_assessor_ids=[demo.staff["assessor-2"]],
                new_qualification=new_qualification,
                strategy="CAMERA: every assessor, unit, grade and site each year; 100% for a new "
                "assessor or a new qualification, 20% otherwise, 50% after a disagreement.",
            ),
            expected=None,
        )
        await plans.sign_off(
            demo.session, demo.as_("liv"), demo.ids[key], iv_schemas.SignOffCreate(signed_on=demo.today)
        )


PLAN = {  # programme -> [(name, title, units, hand-out, deadline, planned IV, verifier)]
    "award": [
        ("a1", "Assignment 1: Communicating with customers", [1], (10, 1), (11, 14), (11, 28), "iv"),
        ("a2", "Assignment 2: Improving customer communications", [1], (1, 12), (2, 27), (3, 13), "iv"),
    ],
    "diploma": [
        ("d1", "Unit 3: Social media in the workplace", [3], (10, 6), (11, 21), (12, 5), "iv-2"),
        ("d2", "Unit 4: Delivering effective customer service", [4], (1, 19), (3, 6), (3, 20), "iv-2"),
    ],
}


async def _assessment_plans(demo: Demo) -> None:
    """R-20: each assignment's hand-out date, deadline and planned IV date, signed off by the LIV;
    R-41: who verifies it."""
    demo.on(demo.weekday(9, 4))
    for programme, entries in PLAN.items():
        for name, title, units, out, due, iv, verifier in entries:
            entry = await assignments.create_plan_entry(
                demo.session,
                demo.as_("programme_leader"),
                plan_schemas.PlanEntryCreate(
                    programme_id=demo.ids[programme],
                    title=title,
                    unit_numbers=units,
                    hand_out_date=demo.weekday(*out),
                    deadline=demo.weekday(*due),
                    planned_iv_date=demo.weekday(*iv),
                ),
            )
            demo.ids[f"plan-{name}"] = entry.id
            await plans.assign_schedule(
                demo.session,
                demo.as_("liv"),
                demo.ids[programme],
                iv_schemas.ScheduleAssignment(plan_entry_id=entry.id, verifier_staff_id=demo.staff[verifier]),
            )
        # the LIV signs the plan off; briefs are issued only against a signed-off plan.
        await assignments.sign_off_plan(demo.session, demo.as_("liv"), demo.ids[programme])


async def _learners(demo: Demo) -> None:
    """Learners created by the exams officer, enrolled on 8 September (identity checked, R-12) and
    registered with the awarding body on 1 October, before the end-of-November deadline (R-11)."""
    demo.on(demo.weekday(9, 8))
    eo = demo.as_("exams_officer")
    for n, learner in enumerate(LEARNERS, start=1):
        row = await learners.create_learner(
            demo.session,
            eo,
            learner_schemas.LearnerCreate(
                given_name=learner.given,
                family_name=learner.family,
                date_of_birth=learner.born,
                candidate_number=f"{n:04d}",
                mis_id=f"MIS-{n:04d}",
                idp_subject=learner_subject(learner),
            ),
        )
        demo.ids[f"learner-{learner.key}"] = row.id
        enrolment = await enrolments.create_enrolment(
            demo.session,
            eo,
            programme_schemas.EnrolmentCreate(
                learner_id=row.id,
                programme_id=demo.ids[learner.programme],
                enrolled_on=demo.today,
                identity_checked=True,
                site_id=demo.ids[learner.site],
            ),
        )
        demo.ids[f"enrolment-{learner.key}"] = enrolment.id
    demo.on(demo.weekday(10, 1))
    for n, learner in enumerate(LEARNERS, start=1):
        await enrolments.register(
            demo.session,
            eo,
            demo.ids[f"enrolment-{learner.key}"],
            programme_schemas.Registration(
                registration_number=f"{'BT' if learner.programme == 'award' else 'OC'}{demo.year}{n:04d}",
                registered_on=demo.today,
            ),
        )
