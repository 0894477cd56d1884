"""The GraphQL schema: every domain's Query and Mutation merged, with limits and caches (house rule 12)."""

from __future__ import annotations

import uuid

import strawberry
from fastapi import Request
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.fastapi import GraphQLRouter
from strawberry.tools import merge_types
from strawberry.types import Info

from app.api.gql_context import Context, ProblemErrors
from app.api.gql_idempotency import IdempotentMutations
from app.assessment.gql import AssessmentMutation, AssessmentQuery
from app.assignments.gql import AssignmentsMutation, AssignmentsQuery
from app.audit.gql import AuditQuery
from app.auth.dependencies import authenticate
from app.calendars.gql import CalendarsMutation, CalendarsQuery
from app.centres.gql import CentresMutation, CentresQuery
from app.core.config import Settings
from app.core.db import Session
from app.core.errors import ProblemError, Unauthenticated
from app.learners.gql import LearnersMutation, LearnersQuery
from app.programmes.gql import ProgrammesMutation, ProgrammesQuery
from app.qualifications.gql import QualificationsQuery
from app.sync.gql import SyncMutation
from app.verification.gql import VerificationMutation, VerificationQuery
from app.webhooks.gql import WebhooksMutation, WebhooksQuery


@strawberry.type
class Me:
    subject: str
    centre_id: uuid.UUID
    roles: list[str]
    scopes: list[str]


@strawberry.type
class SystemQuery:
    @strawberry.field(description="The caller as Verity sees them.")
    def me(self, info: Info[Context, None]) -> Me:
        if info.context.principal is None:
            raise info.context.auth_error or Unauthenticated()
        p = info.context.principal
        return Me(subject=p.subject, centre_id=p.centre_id, roles=sorted(p.roles), scopes=sorted(p.scopes))


Query = merge_types(
    "Query",
    (
        SystemQuery,
        CentresQuery,
        CalendarsQuery,
        LearnersQuery,
        QualificationsQuery,
        ProgrammesQuery,
        AssignmentsQuery,
        AssessmentQuery,
        VerificationQuery,
        WebhooksQuery,
        AuditQuery,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        CentresMutation,
        CalendarsMutation,
        LearnersMutation,
        ProgrammesMutation,
        SyncMutation,
        AssignmentsMutation,
        AssessmentMutation,
        VerificationMutation,
        WebhooksMutation,
    ),
)


class Schema(strawberry.Schema):
    def process_errors(self, errors, execution_context=None) -> None:
        # Domain errors are answers, not incidents: log only what ProblemErrors masked as unexpected.
        unexpected = [e for e in errors if (e.extensions or {}).get("code") == "internal-error"]
        if unexpected:
            super().process_errors(unexpected, execution_context)


def build_schema(settings: Settings) -> strawberry.Schema:
    return Schema(
        query=Query,
        mutation=Mutation,
        extensions=[
            QueryDepthLimiter(max_depth=settings.graphql_max_depth),
            MaxAliasesLimiter(max_alias_count=settings.graphql_max_aliases),
            MaxTokensLimiter(max_token_count=settings.graphql_max_tokens),
            ParserCache(maxsize=256),
            ValidationCache(maxsize=256),
            ProblemErrors(),
            IdempotentMutations,
        ],
    )


async def _context(request: Request, session: Session) -> Context:
    # A missing or bad token is not an HTTP error here: each field that needs a scope reports it.
    principal, error = None, None
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        try:
            if scheme.lower() != "bearer":
                raise Unauthenticated()
            principal = await authenticate(request, token.strip())
        except ProblemError as exc:
            error = exc
    return Context(session=session, principal=principal, auth_error=error)


def graphql_router(settings: Settings) -> GraphQLRouter:
    return GraphQLRouter(
        build_schema(settings), context_getter=_context, graphql_ide="graphiql", include_in_schema=False
    )
