"""`verity demo`: a demo centre with one user per role and a handful of learners."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select

from app.audit.service import SYSTEM_ROLE, Actor
from app.auth.scopes import Role
from app.auth.tokens import mint_development_token
from app.centres import schemas as centre_schemas
from app.centres import service as centres
from app.centres.models import Centre
from app.centres.schemas import Nation
from app.core.config import Settings
from app.core.db import make_engine, make_sessionmaker, resolve_urls
from app.learners import schemas as learner_schemas
from app.learners import service as learners

DEMO_CENTRE_ID = uuid.UUID("0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b")
DEMO_LEARNER_SUBJECT = "demo-learner"

_STAFF = [  # (role, given name, family name)
    (Role.hoc, "Helen", "Okafor"),
    (Role.qn, "Quentin", "Nash"),
    (Role.liv, "Lena", "Ivers"),
    (Role.iv, "Ian", "Verma"),
    (Role.assessor, "Asha", "Sorensen"),
    (Role.exams_officer, "Evan", "Oduya"),
    (Role.programme_leader, "Priya", "Lane"),
    (Role.standards_verifier, "Sam", "Varga"),
]
_LEARNERS = [
    ("Amara", "Bello", dt.date(2008, 3, 14), "0001"),
    ("Ben", "Carter", dt.date(2008, 7, 2), "0002"),
    ("Chloe", "Dunn", dt.date(2007, 11, 23), "0003"),
    ("Dev", "Patel", dt.date(2008, 1, 30), "0004"),
    ("Ella", "Fraser", dt.date(2008, 5, 9), "0005"),
    ("Finn", "Gallagher", dt.date(2007, 12, 1), "0006"),
]


async def load_demo(settings: Settings) -> bool:
    """Idempotent: returns False when the demo centre is already there."""
    urls = resolve_urls(settings)
    engine = make_engine(urls.app, role=urls.app_role, pool_size=1)
    actor = Actor(subject="system:demo", audit_role=SYSTEM_ROLE, centre_id=DEMO_CENTRE_ID)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            if await session.scalar(select(Centre.id).where(Centre.id == DEMO_CENTRE_ID)):
                return False
            await centres.create_centre(
                session,
                actor,
                centre_schemas.CentreCreate(
                    centre_number="90210", name="Verity Demo College", nation=Nation.england_wales
                ),
            )
            for name in ("Main campus", "Riverside site"):
                await centres.create_site(session, actor, centre_schemas.SiteCreate(name=name))
            for role, given, family in _STAFF:
                await centres.create_staff(
                    session,
                    actor,
                    centre_schemas.StaffCreate(
                        idp_subject=f"demo-{role.value}",
                        given_name=given,
                        family_name=family,
                        email=f"{given.lower()}.{family.lower()}@demo.example",
                        roles=[role],
                    ),
                )
            for i, (given, family, born, number) in enumerate(_LEARNERS):
                await learners.create_learner(
                    session,
                    actor,
                    learner_schemas.LearnerCreate(
                        given_name=given,
                        family_name=family,
                        date_of_birth=born,
                        candidate_number=number,
                        mis_id=f"MIS-{number}",
                        idp_subject=DEMO_LEARNER_SUBJECT if i == 0 else None,
                    ),
                )
        return True
    finally:
        await engine.dispose()


def print_tokens(settings: Settings, base_url: str) -> None:
    print(f"\nDemo centre {DEMO_CENTRE_ID}. Tokens (valid 8 hours), one per role:\n")
    for role in Role:
        subject = DEMO_LEARNER_SUBJECT if role is Role.learner else f"demo-{role.value}"
        token = mint_development_token(
            settings, subject=subject, centre_id=DEMO_CENTRE_ID, roles=[role.value]
        )
        print(f"{role.value:>18}  {token}")
    print(f"\nTry:  curl -H 'Authorization: Bearer <token>' {base_url}/v1/learners")
    print(f"API docs: {base_url}/docs   GraphQL: {base_url}/graphql\n")
