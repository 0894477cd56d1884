"""Shared by tests/assignments and tests/assessment: a database of their own (other slices' runs
recreate theirs), the app with these routers and GraphQL types wired in as create_app() will have them,
and plain factories that walk a brief to `issued` and a learner to `registered`."""
from __future__ import annotations

import asyncio
import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import make_engine
from tests.conftest import APP_ROLE, CENTRE_A, migrate, recreate_database, system_actor
from tests.programmes.fixtures import World, make_learner, principal

_DATABASES: dict[str, str] = {}


async def assessment_database(server_url: str, worker: str) -> str:
    name = f"verity_test_assessment_{worker}"
    if name not in _DATABASES:
        url = await recreate_database(server_url, name)
        await asyncio.to_thread(migrate, url)
        from app.qualifications.models import PLATFORM_CENTRE
        from app.qualifications.service import ensure_shipped
        engine = make_engine(url, role=APP_ROLE, pool_size=1)
        try:
            async with engine.begin() as conn:
                async with AsyncSession(bind=conn) as session:
                    await ensure_shipped(session, system_actor(PLATFORM_CENTRE))
        finally:
            await engine.dispose()
        _DATABASES[name] = url
    return _DATABASES[name]


def routers():
    from app.assessment.router import router as assessment_router
    from app.assignments.router import router as assignments_router
    from app.calendars.router import router as calendars_router
    from app.programmes.router import router as programmes_router
    return (calendars_router, programmes_router, assignments_router, assessment_router)


def gql_types():
    from app.assessment.gql import AssessmentMutation, AssessmentQuery
    from app.assignments.gql import AssignmentsMutation, AssignmentsQuery
    from app.calendars.gql import CalendarsMutation, CalendarsQuery
    from app.programmes.gql import ProgrammesMutation, ProgrammesQuery
    return ((CalendarsQuery, ProgrammesQuery, AssignmentsQuery, AssessmentQuery),
            (CalendarsMutation, ProgrammesMutation, AssignmentsMutation, AssessmentMutation))


def build_app(settings, sessionmaker):
    from fastapi import Depends
    from strawberry.extensions import (MaxAliasesLimiter, MaxTokensLimiter, ParserCache, QueryDepthLimiter,
                                       ValidationCache)
    from strawberry.fastapi import GraphQLRouter
    from strawberry.tools import merge_types

    from app.api import gql_schema
    from app.api.gql_context import ProblemErrors
    from app.core.params import check_query_params
    from app.main import create_app

    app = create_app(settings, sessionmaker=sessionmaker)
    for router in routers():
        app.include_router(router, dependencies=[Depends(check_query_params)])
    queries, mutations = gql_types()
    schema = gql_schema.Schema(
        query=merge_types("Query", (gql_schema.Query, *queries)),
        mutation=merge_types("Mutation", (gql_schema.Mutation, *mutations)),
        extensions=[QueryDepthLimiter(max_depth=settings.graphql_max_depth),
                    MaxAliasesLimiter(max_alias_count=settings.graphql_max_aliases),
                    MaxTokensLimiter(max_token_count=settings.graphql_max_tokens),
                    ParserCache(maxsize=256), ValidationCache(maxsize=256), ProblemErrors()])
    app.router.routes = [r for r in app.router.routes
                         if not isinstance(getattr(r, "original_router", None), GraphQLRouter)
                         and not getattr(r, "path", "").startswith("/graphql")]
    app.include_router(GraphQLRouter(schema, context_getter=gql_schema._context, include_in_schema=False),
                       prefix="/graphql")
    app.state.graphql_schema = schema
    app.openapi_schema = None
    return app


# ---- factories ----------------------------------------------------------------------------------------
# The world's staff: subjects are staff-<name> (tests.programmes.fixtures.make_staff).

def as_staff(name: str, *roles: str, centre: uuid.UUID = CENTRE_A):
    return principal(*roles, centre=centre, subject=f"staff-{name}")


ASSESSOR = ("assessor", "assessor")
IV = ("iv", "iv")
LIV = ("liv", "liv")
GROUP_AB = [(1, c) for c in ("A.P1", "A.P2", "B.P3", "B.P4", "A.M1", "B.M2", "AB.D1")]
GROUP_C = [(1, c) for c in ("C.P5", "C.P6", "C.M3", "C.D2")]
ALL_CRITERIA = GROUP_AB + GROUP_C


def checklist(answer: bool = True, **overrides: bool) -> list:
    from app.assignments.rules import BRIEF_CHECKLIST
    from app.assignments.schemas import ChecklistAnswer
    return [ChecklistAnswer(question=q, answer=overrides.get(q, answer)) for q in BRIEF_CHECKLIST]


async def make_brief(session: AsyncSession, world: World, criteria=GROUP_AB, *, programme_id=None,
                     author=ASSESSOR, units=(1,), retake_of_id=None, scenario="A retailer segments its customers.",
                     start=dt.date(2025, 10, 1), completion=dt.date(2025, 11, 14)):
    from app.assignments import schemas, service
    return await service.create_brief(session, as_staff(*author), schemas.BriefCreate(
        programme_id=programme_id or world.programme_id, title="Customer segmentation", unit_numbers=list(units),
        criteria=[schemas.TargetedCriterion(unit_number=n, code=c) for n, c in criteria], scenario=scenario,
        start_date=start, completion_date=completion, retake_of_id=retake_of_id))


async def issue(session: AsyncSession, brief, author=ASSESSOR, verifier=IV):
    from app.assignments import schemas, service
    await service.submit_for_iv(session, as_staff(*author), brief.id)
    await service.verify_brief(session, as_staff(*verifier), brief.id,
                               schemas.BriefVerificationCreate(checklist=checklist()))
    return await service.issue_brief(session, as_staff(*author), brief.id)


async def issued_brief(session: AsyncSession, world: World, criteria=GROUP_AB, **kw):
    return await issue(session, await make_brief(session, world, criteria, **kw))


async def registered_learner(session: AsyncSession, world: World, programme_id=None, n: int = 0, **over):
    from app.programmes import enrolments, schemas
    learner = await make_learner(session, world.centre, given_name=f"L{n}", idp_subject=f"learner-{uuid.uuid4()}",
                                 **over)
    hoc = principal("hoc", centre=world.centre)
    e = await enrolments.create_enrolment(session, hoc, schemas.EnrolmentCreate(
        learner_id=learner.id, programme_id=programme_id or world.programme_id, enrolled_on=dt.date(2025, 9, 8),
        identity_checked=True))
    await enrolments.register(session, hoc, e.id, schemas.Registration(
        registration_number=f"R{uuid.uuid4().hex[:8].upper()}", registered_on=dt.date(2025, 10, 1)))
    return learner
