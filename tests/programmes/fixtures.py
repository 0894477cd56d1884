"""Shared by tests/programmes, tests/calendars and tests/sync: a database of these slices' own, the app
with their routers and GraphQL types wired in (as create_app() will have them), and plain factories."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.auth.scopes import Role
from tests.conftest import CENTRE_A

BTEC_AWARD = "pearson-btec-intl-l3-award-investigating-customer-communications"
OCR_DIPLOMA = "ocr-l2-cambridge-technical-diploma-customer-service"


def principal(*roles: str, centre: uuid.UUID = CENTRE_A, subject: str | None = None) -> Principal:
    return Principal.of(subject or f"test-{roles[0]}", centre, frozenset(Role(r) for r in roles))


async def gql(client, headers: dict[str, str], query: str, **variables) -> dict:
    r = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


# ---- factories (plain functions, house rule 11) --------------------------------------------------------


async def qualification_id(session: AsyncSession, key: str = BTEC_AWARD) -> uuid.UUID:
    from app.qualifications.models import PLATFORM_CENTRE, QualificationVersion

    return await session.scalar(
        select(QualificationVersion.id).where(
            QualificationVersion.centre_id == PLATFORM_CENTRE, QualificationVersion.key == key
        )
    )


async def make_staff(session: AsyncSession, centre: uuid.UUID, name: str, *roles: str):
    from app.centres import schemas, service

    return await service.create_staff(
        session,
        principal("hoc", centre=centre),
        schemas.StaffCreate(
            idp_subject=f"staff-{name}", given_name=name.title(), family_name="Staff", roles=list(roles)
        ),
    )


async def make_learner(session: AsyncSession, centre: uuid.UUID = CENTRE_A, **over):
    from app.learners import schemas, service

    data = {"given_name": "Amara", "family_name": "Bello", "date_of_birth": "2008-03-14", **over}
    return await service.create_learner(
        session, principal("hoc", centre=centre), schemas.LearnerCreate(**data)
    )


@dataclass
class World:
    """One centre ready for programmes: an academic year 2025/26 with terms, two sites, a staff team and
    a programme on the shipped BTEC award."""

    centre: uuid.UUID
    year_id: uuid.UUID
    site_ids: list[uuid.UUID]
    leader: uuid.UUID
    liv: uuid.UUID
    assessor: uuid.UUID
    iv: uuid.UUID
    award_id: uuid.UUID
    diploma_id: uuid.UUID
    programme_id: uuid.UUID
    flexible_programme_id: uuid.UUID
    other_programme_id: uuid.UUID


TERMS_2025 = [
    ("Autumn", dt.date(2025, 9, 3), dt.date(2025, 12, 19)),
    ("Spring", dt.date(2026, 1, 5), dt.date(2026, 3, 27)),
    ("Summer", dt.date(2026, 4, 13), dt.date(2026, 7, 17)),
]


async def make_world(session: AsyncSession, centre: uuid.UUID = CENTRE_A) -> World:
    from app.calendars import schemas as cal_schemas
    from app.calendars import service as calendars
    from app.centres import schemas as centre_schemas
    from app.centres import service as centres
    from app.programmes import schemas, service

    hoc = principal("hoc", centre=centre)
    year = await calendars.create_academic_year(
        session,
        hoc,
        cal_schemas.AcademicYearCreate(
            label="2025/26",
            start_date=dt.date(2025, 9, 1),
            end_date=dt.date(2026, 8, 31),
            terms=[cal_schemas.TermInput(name=n, start_date=s, end_date=e) for n, s, e in TERMS_2025],
        ),
    )
    sites = [
        await centres.create_site(session, hoc, centre_schemas.SiteCreate(name=n)) for n in ("Main", "Annexe")
    ]
    leader = await make_staff(session, centre, "leader", "programme_leader", "assessor")
    liv = await make_staff(session, centre, "liv", "liv")
    assessor = await make_staff(session, centre, "assessor", "assessor")
    iv = await make_staff(session, centre, "iv", "iv")
    award, diploma = await qualification_id(session), await qualification_id(session, OCR_DIPLOMA)

    async def programme(name: str, qual: uuid.UUID, model: str = "academic_year"):
        return await service.create_programme(
            session,
            hoc,
            schemas.ProgrammeCreate(
                name=name,
                code="ABC1",
                qualification_id=qual,
                academic_year_id=year.id,
                delivery_model=model,
                subject_area="Business",
                site_ids=[sites[0].id],
                programme_leader_id=leader.id,
                lead_internal_verifier_id=liv.id,
                assessor_ids=[assessor.id, leader.id],
                internal_verifier_ids=[iv.id],
            ),
        )

    main = await programme("BTEC Customer Communications Y12", award)
    flexible = await programme("Customer Communications short course", award, "flexible")
    other = await programme("Cambridge Technical Customer Service", diploma)
    await session.commit()
    return World(
        centre,
        year.id,
        [s.id for s in sites],
        leader.id,
        liv.id,
        assessor.id,
        iv.id,
        award,
        diploma,
        main.id,
        flexible.id,
        other.id,
    )
