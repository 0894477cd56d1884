"""The centre, its sites, its staff (one per role, two assessors, two IVs) and its academic year."""

from __future__ import annotations

import datetime as dt

from app.audit.service import SYSTEM_ROLE, Actor
from app.auth.scopes import Role
from app.calendars import schemas as calendar_schemas
from app.calendars import service as calendars
from app.centres import schemas as centre_schemas
from app.centres import service as centres
from app.centres.schemas import Nation
from app.demo.world import DEMO_CENTRE_ID, Demo, subject

# (key, role, given name, family name); the key `<role>` is the person `verity token --role <role>`
# speaks for (subject demo-<role>), a second holder of a role is `<role>-2`.
STAFF = [
    ("hoc", Role.hoc, "Helen", "Okafor"),
    ("qn", Role.qn, "Quentin", "Nash"),
    ("liv", Role.liv, "Lena", "Ivers"),
    ("iv", Role.iv, "Ian", "Verma"),
    ("iv-2", Role.iv, "Grace", "Holt"),
    ("assessor", Role.assessor, "Asha", "Sorensen"),
    ("assessor-2", Role.assessor, "Tom", "Reyes"),
    ("exams_officer", Role.exams_officer, "Evan", "Oduya"),
    ("programme_leader", Role.programme_leader, "Priya", "Lane"),
    ("standards_verifier", Role.standards_verifier, "Sam", "Varga"),
]


async def load_centre(demo: Demo) -> None:
    session = demo.session
    demo.on(demo.date(9, 1) - dt.timedelta(days=6))  # late August, before the year starts
    system = Actor(subject="system:demo", audit_role=SYSTEM_ROLE, centre_id=DEMO_CENTRE_ID)
    await centres.create_centre(
        session,
        system,
        centre_schemas.CentreCreate(
            centre_number="90210", name="Verity Demo College", nation=Nation.england_wales
        ),
    )
    # The Head of Centre is the first member of staff, created by the system; she adds the rest.
    for key, role, given, family in STAFF:
        demo.roles[key] = role
        who = system if key == "hoc" else demo.as_("hoc")
        row = await centres.create_staff(
            session,
            who,  # the operator's Actor adds the first member of staff (an Author, as a Principal is)
            centre_schemas.StaffCreate(
                idp_subject=subject(key),
                given_name=given,
                family_name=family,
                email=f"{given.lower()}.{family.lower()}@demo.example",
                roles=[role],
            ),
        )
        demo.staff[key] = row.id
    for key, name in (("site-main", "Main campus"), ("site-riverside", "Riverside site")):
        site = await centres.create_site(session, demo.as_("hoc"), centre_schemas.SiteCreate(name=name))
        demo.ids[key] = site.id
    terms = [
        ("Autumn", demo.date(9, 3), demo.date(12, 19)),
        ("Spring", demo.date(1, 5), demo.date(3, 27)),
        ("Summer", demo.date(4, 13), demo.date(7, 17)),
    ]
    year = await calendars.create_academic_year(
        session,
        demo.as_("hoc"),
        calendar_schemas.AcademicYearCreate(
            label=demo.label,
            start_date=demo.date(9, 1),
            end_date=demo.date(8, 31),
            terms=[calendar_schemas.TermInput(name=n, start_date=s, end_date=e) for n, s, e in terms],
        ),
    )
    demo.ids["year"] = year.id
    await calendars.create_closure(
        session,
        demo.as_("hoc"),
        calendar_schemas.ClosureCreate(date=demo.weekday(10, 31), reason="Staff training day"),
    )
