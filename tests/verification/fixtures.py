"""The app with the verification router and GraphQL types wired in as the lead will wire them, and
plain factories: a brief with a batch of decisions submitted for IV, and IV records."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from app.assessment import decisions, schemas, submissions
from tests.assessment.fixtures import ASSESSOR, IV, LIV, as_staff, issued_brief, registered_learner
from tests.programmes.fixtures import World, principal

LEADER = ("leader", "assessor")  # the world's programme leader is also one of its assessors


def build_app(settings, sessionmaker):
    """create_app() (which already has the assignments and assessment slices) plus this slice's router
    and GraphQL types, the way the lead will wire them."""
    from fastapi import Depends
    from strawberry.extensions import (MaxAliasesLimiter, MaxTokensLimiter, ParserCache, QueryDepthLimiter,
                                       ValidationCache)
    from strawberry.fastapi import GraphQLRouter
    from strawberry.tools import merge_types

    from app.api import gql_schema
    from app.api.gql_context import ProblemErrors
    from app.core.params import check_query_params
    from app.main import create_app
    from app.verification.gql import VerificationMutation, VerificationQuery
    from app.verification.router import router

    app = create_app(settings, sessionmaker=sessionmaker)
    app.include_router(router, dependencies=[Depends(check_query_params)])
    schema = gql_schema.Schema(
        query=merge_types("Query", (gql_schema.Query, VerificationQuery)),
        mutation=merge_types("Mutation", (gql_schema.Mutation, VerificationMutation)),
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


def lp(learner):
    return principal("learner", subject=learner.idp_subject)


def content(brief, achieved=lambda code: True, **over):
    return {"criteria": [schemas.CriterionJudgement(unit_number=c["unit_number"], code=c["code"],
                                                    achieved=achieved(c["code"]),
                                                    evidence_location="p.3" if achieved(c["code"]) else None)
                         for c in brief.criteria],
            "feedback": "A.P1 met on p.3: types of segmentation explained.", "authenticity_confirmed": True,
            "can_improve_without_guidance": True, "assessed_on": dt.date(2025, 11, 20), **over}


GRADES = {"D": lambda c: True, "M": lambda c: ".D" not in c, "P": lambda c: ".P" in c, "U": lambda c: c != "A.P1"}


async def batch(session: AsyncSession, world: World, plan: list[tuple[tuple[str, str], str]], brief=None):
    """A brief and one submitted-for-IV decision per (assessor, grade) in `plan`."""
    brief = brief or await issued_brief(session, world)
    made = []
    for n, (assessor, grade) in enumerate(plan):
        learner = await registered_learner(session, world, n=n)
        s = await submissions.create_submission(session, lp(learner), schemas.SubmissionCreate(brief_id=brief.id))
        await submissions.add_evidence_reference(session, lp(learner), s.id, schemas.EvidenceReferenceCreate(
            kind="reference", description="Report", reference="Portfolio p.1-12"))
        s = await submissions.hand_in(session, lp(learner), s.id, schemas.HandIn(
            declaration_signed=True, declaration_signed_on=dt.date.today()))
        d = await decisions.record_decision(session, as_staff(*assessor), schemas.DecisionCreate(
            submission_id=s.id, **content(brief, GRADES[grade])))
        made.append(await decisions.submit_for_iv(session, as_staff(*assessor), d.id))
    return brief, made


__all__ = ["ASSESSOR", "IV", "LIV", "LEADER", "as_staff", "batch", "build_app", "content", "lp"]
