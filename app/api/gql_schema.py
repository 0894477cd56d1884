"""The GraphQL schema: every domain's Query and Mutation merged, with limits and caches (house rule 12)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from decimal import Decimal
from functools import cache, partial
from typing import Annotated

import pydantic_core
import strawberry
from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as aliases_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator
from strawberry.fastapi import GraphQLRouter
from strawberry.schema.types import base_scalars
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext, Info
from strawberry.types.base import StrawberryOptional
from strawberry.types.scalar import ScalarDefinition

from app.api.gql_context import Context, ProblemErrors
from app.api.gql_execution import FastLeavesExecutionContext
from app.api.gql_idempotency import IdempotentMutations
from app.api.gql_limits import GraphQLRequestRefused, check_graphql_request, graphql_refusal
from app.api.gql_pagination import RULE
from app.api.gql_relations import attach_relations
from app.api.ide import local_graphiql_html, mount_graphiql_assets
from app.appeals.gql import AppealsMutation, AppealsQuery
from app.assessment.gql import AssessmentMutation, AssessmentQuery
from app.assessment.gql_reads import AssessmentReadsQuery
from app.assignments.gql import AssignmentsMutation, AssignmentsQuery
from app.audit.gql import AuditQuery
from app.auth.dependencies import authenticate
from app.auth.scopes import Role
from app.calendars.gql import CalendarsMutation, CalendarsQuery
from app.centres.gql import CentresMutation, CentresQuery
from app.certification.gql import CertificationMutation, CertificationQuery
from app.core.config import Settings
from app.core.db import Session
from app.core.errors import ProblemError, Unauthenticated
from app.employers.gql import EmployersMutation, EmployersQuery
from app.learners.gql import LearnersMutation, LearnersQuery
from app.malpractice.gql import MalpracticeMutation, MalpracticeQuery
from app.programmes.gql import ProgrammesMutation, ProgrammesQuery
from app.qualifications.gql import QualificationsQuery
from app.records.gql import RecordsMutation, RecordsQuery
from app.standardisation.gql import StandardisationMutation, StandardisationQuery
from app.standards_verification.gql import StandardsVerificationMutation, StandardsVerificationQuery
from app.sync.gql import SyncMutation
from app.verification.gql import VerificationMutation, VerificationQuery
from app.webhooks.gql import WebhooksMutation, WebhooksQuery
from graphql import GraphQLError

# Every role a token may carry, the learner's included (StaffRole lists the staff ones).
strawberry.enum(Role, description="A role a principal holds (docs/access.md).")


@strawberry.type
class Me:
    subject: str
    centre_id: uuid.UUID
    roles: list[Role]
    scopes: list[str]


@strawberry.type
class SystemQuery:
    @strawberry.field(description="The caller as Verity sees them.")
    def me(self, info: Info[Context, None]) -> Me:
        if info.context.principal is None:
            raise info.context.auth_error or Unauthenticated()
        p = info.context.principal
        return Me(subject=p.subject, centre_id=p.centre_id, roles=sorted(p.roles), scopes=sorted(p.scopes))


def nullable_root(root: type, description: str) -> type:
    """Make every field of a root type nullable. graphql-core nulls the nearest nullable parent of a
    failed non-null field and cancels its siblings: with non-null root fields one failing field
    erased every other field's answer (a write that committed looked failed) and cut sibling fields
    off mid-transaction. Nullable, a failing root field nulls only itself and reports its own error."""
    definition = root.__strawberry_definition__  # type: ignore[attr-defined]
    definition.description = description
    for f in definition.fields:
        if not isinstance(f.type, StrawberryOptional):
            f.type = StrawberryOptional(f.type)
    return root


attach_relations()  # a decision's learner, a brief's decisions...: before the types are used
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
        AssessmentReadsQuery,
        VerificationQuery,
        StandardisationQuery,
        MalpracticeQuery,
        StandardsVerificationQuery,
        EmployersQuery,
        CertificationQuery,
        RecordsQuery,
        AppealsQuery,
        WebhooksQuery,
        AuditQuery,
    ),
)
Query = nullable_root(
    Query,
    "Every field is nullable: a field that fails is null with one error of its own (`extensions.code`, "
    "the REST problem's slug), and the other fields still answer.",
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
        StandardisationMutation,
        MalpracticeMutation,
        StandardsVerificationMutation,
        EmployersMutation,
        CertificationMutation,
        RecordsMutation,
        AppealsMutation,
        WebhooksMutation,
    ),
)
Mutation = nullable_root(
    Mutation,
    "Fields run one after another, each atomic on its own: a field that fails is null with its error "
    "and leaves nothing behind, while every field that answered is committed with the request. A "
    "non-null result means the change was made; null with an error means it was not.",
)


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Domain errors are answers, not incidents: log only what ProblemErrors masked as unexpected.
        unexpected = [e for e in errors if (e.extensions or {}).get("code") == "internal-error"]
        if unexpected:
            super().process_errors(unexpected, execution_context)


@cache
def _depth_rule(max_depth: int) -> type:
    return depth_validator(max_depth, None)


@cache
def _aliases_rule(max_alias_count: int) -> type:
    return aliases_validator(max_alias_count)


class QueryLimits(AddValidationRules):
    """Strawberry's QueryDepthLimiter and MaxAliasesLimiter, with each rule class made once per limit.
    Theirs make a new class per instance, and extensions are built per request, so ValidationCache
    (keyed on the rules) never hit: every request validated its document afresh (issue 18: ~3 ms of
    each grid request)."""

    def __init__(self, max_depth: int, max_alias_count: int) -> None:
        super().__init__([_depth_rule(max_depth), _aliases_rule(max_alias_count)])


# Clients generate parsers from the schema: each custom scalar names the standard its text follows.
# Keyed by `object`, as Schema's scalar_overrides is (a Mapping's key type is invariant).
SCALARS: dict[object, ScalarDefinition] = {
    uuid.UUID: dataclasses.replace(
        base_scalars.UUIDDefinition,
        description="A UUID in its canonical text form (RFC 9562).",
        specified_by_url="https://www.rfc-editor.org/rfc/rfc9562",
    ),
    dt.date: dataclasses.replace(
        base_scalars.DateDefinition,
        description="A calendar date, YYYY-MM-DD (ISO 8601 / RFC 3339 full-date).",
        specified_by_url="https://www.rfc-editor.org/rfc/rfc3339#section-5.6",
    ),
    dt.datetime: dataclasses.replace(
        base_scalars.DateTimeDefinition,
        description="A date and time with its UTC offset (ISO 8601 / RFC 3339 date-time).",
        specified_by_url="https://www.rfc-editor.org/rfc/rfc3339#section-5.6",
    ),
    Decimal: dataclasses.replace(
        base_scalars.DecimalDefinition,
        description='An exact decimal number as a string, never a float (e.g. "0.25").',
        specified_by_url="https://speleotrove.com/decimal/decarith.html",
    ),
}

SCHEMA_DESCRIPTION = (
    "Verity: internal assessment and quality assurance. Nullability: root fields are nullable, so "
    "one failing field answers null with its error and the rest of a screen still renders; list "
    "items are non-null, so a list never holds a hole to check for. " + RULE
)


def build_schema(settings: Settings) -> strawberry.Schema:
    return _schema(
        settings.api_docs_exposed,
        settings.graphql_max_depth,
        settings.graphql_max_aliases,
        settings.graphql_max_tokens,
    )


@cache
def _schema(exposed: bool, max_depth: int, max_aliases: int, max_tokens: int) -> strawberry.Schema:
    """One schema per process and set of limits: it holds no request state (its extensions are
    classes, built per request), and building it is most of what create_app() costs."""
    # Classes and factories, never instances: Strawberry builds a fresh extension per request from
    # each. A shared instance keeps the request it is serving on `self`, so under load it processed
    # another request's result and sent that request's unmasked errors (tests/api/test_graphql_execution.py).
    # ParserCache and ValidationCache keep their LRU at module level, so caching spans requests.
    # In production (settings.api_docs_exposed false) introspection is refused and "Did you mean"
    # suggestions are cut from errors: the schema is published as a file, not to whoever asks.
    schema = Schema(
        query=Query,
        mutation=Mutation,
        scalar_overrides=SCALARS,
        # Leaf fields without a resolver completed on a short path (issue 18: dense grids).
        execution_context_class=FastLeavesExecutionContext,
        extensions=[
            partial(QueryLimits, max_depth=max_depth, max_alias_count=max_aliases),
            partial(MaxTokensLimiter, max_token_count=max_tokens),
            *([] if exposed else [DisableIntrospection]),
            partial(ParserCache, maxsize=256),
            partial(ValidationCache, maxsize=256),
            partial(ProblemErrors, hide_suggestions=not exposed),
            IdempotentMutations,
        ],
    )
    schema._schema.description = SCHEMA_DESCRIPTION
    return schema


async def _context(
    request: Request, _limits: Annotated[None, Depends(check_graphql_request)], session: Session
) -> Context:
    # Dependencies resolve in the order of the parameters: the limits before the session (and the
    # token below), so a refused request costs neither a verification nor a connection.
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


class VerityGraphQLRouter(GraphQLRouter):
    """GraphiQL from this host's assets (app/api/ide.py), never a CDN."""

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(local_graphiql_html())

    def encode_json(self, data: object) -> bytes:
        # pydantic-core's encoder: the same JSON as the library's json.dumps at a fraction of its cost
        # (a 300-learner grid's answer, issue 18). Non-ASCII stays UTF-8, which JSON allows.
        return pydantic_core.to_json(data)


def graphql_router(settings: Settings) -> GraphQLRouter:
    return VerityGraphQLRouter(
        build_schema(settings),
        context_getter=_context,
        graphql_ide="graphiql" if settings.api_docs_exposed else None,
        include_in_schema=False,
    )


def include_graphql(app: FastAPI, settings: Settings) -> GraphQLRouter:
    """Mount /graphql with the handler that answers requests refused before execution."""
    router = graphql_router(settings)
    app.add_exception_handler(GraphQLRequestRefused, graphql_refusal)  # type: ignore[arg-type]
    app.include_router(router, prefix="/graphql")
    if settings.api_docs_exposed:
        mount_graphiql_assets(app)
    return router
