"""create_app(): the REST API under /v1, GraphQL at /graphql, one error shape, one transaction per request."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.api.gql_schema import include_graphql
from app.appeals.router import router as appeals_router
from app.assessment.router import router as assessment_router
from app.assignments.router import router as assignments_router
from app.audit.router import router as audit_router
from app.auth.centres import CentreDirectory
from app.auth.tokens import TokenVerifier
from app.calendars.router import router as calendars_router
from app.centres.router import router as centres_router
from app.certification.router import router as certification_router
from app.core import heap
from app.core.clock import ClockMiddleware
from app.core.config import Settings, get_settings
from app.core.context import RequestIdMiddleware
from app.core.db import make_engine, make_sessionmaker, resolve_urls
from app.core.errors import install_error_handlers
from app.core.http_semantics import HttpSemanticsMiddleware
from app.core.limits import BodyLimitMiddleware, BodyLimits
from app.core.openapi import problem_openapi
from app.core.params import check_query_params
from app.core.replica import ReadRouter
from app.employers.router import router as employers_router
from app.learners.router import router as learners_router
from app.malpractice.router import router as malpractice_router
from app.models import alembic_config
from app.programmes.router import router as programmes_router
from app.qualifications.models import PLATFORM_CENTRE
from app.qualifications.router import router as qualifications_router
from app.qualifications.specification import specification_schema
from app.records.router import router as records_router
from app.standardisation.router import router as standardisation_router
from app.standards_verification.access import GrantAuthenticator
from app.standards_verification.router import router as standards_verification_router
from app.sync.router import router as sync_router
from app.system.observability import configure_logging, install_metrics, install_tracing, trace_engine
from app.system.problems import router as problems_router
from app.system.router import router as system_router
from app.verification.router import router as verification_router
from app.webhooks.openapi import register_webhooks
from app.webhooks.router import router as webhooks_router
from app.wiring import wire_domains

API_VERSION = "0.1.0"
TAGS = [
    {"name": "system", "description": "Health, readiness, the caller."},
    {"name": "centres", "description": "The caller's centre."},
    {"name": "sites", "description": "Where the centre assesses (R-42 covers every site)."},
    {"name": "staff", "description": "Staff and their role grants."},
    {"name": "learners", "description": "Learners; a learner reads only their own record (R-98)."},
    {
        "name": "calendar",
        "description": "Academic years, terms and closures: every working-day deadline (R-31).",
    },
    {
        "name": "programmes",
        "description": "Programmes, enrolments and registration (R-10..R-13), support (R-80, R-81).",
    },
    {"name": "sync", "description": "MIS bulk sync and CSV class lists: idempotent, all-or-nothing."},
    {"name": "assignments", "description": "Assessment plans and assignment briefs (R-20, R-21, R-06)."},
    {"name": "assessment", "description": "Submissions, decisions, resubmissions and retakes (R-22..R-33)."},
    {
        "name": "verification",
        "description": "Internal verification: samples, IV records, actions, release (R-25, R-40..R-44).",
    },
    {
        "name": "standardisation",
        "description": "Internal standardisation per unit and year (R-45); staff competence and CPD (R-46).",
    },
    {
        "name": "malpractice",
        "description": "Confidential malpractice cases, JCQ reports, withholding and sanctions (R-70..R-74).",
    },
    {
        "name": "standards verification",
        "description": "The awarding body's sample, outcomes and OCR moderation (R-50, R-51); the "
        "verifier's read-only API over a grant (R-52).",
    },
    {
        "name": "certification",
        "description": "Eligibility preflight, claims and their checks, deadlines, export, certificates "
        "received, QMR (R-90..R-94).",
    },
    {
        "name": "employer-involvement",
        "description": "Employer involvement plans, meaningful activities, participation, declarations (R-95).",
    },
    {
        "name": "records",
        "description": "The record over time: subject access and identity corrections (R-98), legal holds (R-97), "
        "a learner's own full record.",
    },
    {
        "name": "appeals",
        "description": "Appeals: staged, clocked in working days, independent (R-60..R-63).",
    },
    {
        "name": "qualifications",
        "description": "The qualification catalogue and grade predictions (R-01..R-06).",
    },
    {
        "name": "webhooks",
        "description": "Outbound webhooks for the MIS: endpoints, deliveries (docs/webhooks.md).",
    },
    {"name": "audit", "description": "The append-only, hash-chained audit log (R-96)."},
]


# What a browser SPA may send and read across origins: every header the API reads or answers with.
CORS_REQUEST_HEADERS = [
    "Authorization",
    "Content-Type",
    "If-Match",
    "If-None-Match",
    "Idempotency-Key",
    "X-Request-ID",
]
CORS_EXPOSED_HEADERS = [
    "ETag",
    "Location",
    "Retry-After",
    "Idempotent-Replayed",
    "X-Request-ID",
    "X-Client-Request-ID",
]


def route_methods(app: FastAPI) -> list[str]:
    """Every method some route answers, so a preflight never refuses one the API uses (PUT, ...)."""
    methods: set[str] = set()
    todo = list(app.routes)
    while todo:
        route = todo.pop()
        methods |= set(getattr(route, "methods", None) or ())
        # Included routers and mounts hold their own routes.
        inner = getattr(route, "original_router", None) or route
        todo += [r for r in getattr(inner, "routes", None) or () if r is not route]
    return sorted(methods - {"HEAD"})


def schema_revisions() -> tuple[str, frozenset[str]]:
    """This build's migration head, and every revision it knows (for /ready)."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config())
    head = scripts.get_current_head()
    if head is None:  # a build without migrations cannot report readiness honestly
        raise RuntimeError("alembic has no single migration head")
    return head, frozenset(r.revision for r in scripts.walk_revisions())


def body_limits(settings: Settings) -> BodyLimits:
    """Each route's body cap; everything else (JSON, GraphQL) gets the default."""
    return BodyLimits(
        settings.max_body_bytes,
        [
            (r"/v1/sync/mis", settings.max_sync_body_bytes),
            (r"/v1/class-list-imports", settings.max_class_list_bytes),
            (r"/v1/submissions/[^/]+/evidence-files", settings.evidence_max_bytes),
        ],
        max_header_bytes=settings.max_header_bytes,
    )


async def _centre_exists(session: AsyncSession, centre_id: uuid.UUID) -> bool:
    from app.centres.models import Centre

    return (await session.execute(select(Centre.id).where(Centre.id == centre_id))).first() is not None


def create_app(
    settings: Settings | None = None, sessionmaker: async_sessionmaker[AsyncSession] | None = None
) -> FastAPI:
    """Build the app. Tests pass their own sessionmaker (bound to a rolled-back transaction)."""
    settings = settings or get_settings()
    wire_domains()  # the lower domains' callbacks (app/wiring.py)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings)  # a served process only: tests keep pytest's log capture
        heap.settle()  # the start-up heap frozen, fewer collector passes per request (app/core/heap.py)
        engine = None
        if sessionmaker is None:
            urls = resolve_urls(settings)
            engine = make_engine(
                urls.app,
                role=urls.app_role,
                pool_size=settings.pool_size,
                connect_timeout=settings.database_connect_timeout_seconds,
                pool_timeout=settings.database_connect_timeout_seconds,
            )
            app.state.engine = engine
            trace_engine(app, engine)
            app.state.sessionmaker = make_sessionmaker(engine)
            app.state.read_router = ReadRouter(settings, role=urls.app_role)
        else:
            app.state.sessionmaker = sessionmaker
        yield
        if engine is not None:
            await engine.dispose()
            await app.state.read_router.dispose()

    # The interactive pages and the live OpenAPI document only where the settings expose them; the
    # committed contract (openapi/openapi.json) is built by app.openapi() whatever they say.
    exposed = settings.api_docs_exposed
    # Swagger UI and ReDoc from fastapi-offline's packaged assets: the pages work without a CDN.
    make = partial(FastAPIOffline, static_url="/docs-assets") if exposed else FastAPI
    app = make(
        title="Verity",
        docs_url="/docs" if exposed else None,
        redoc_url="/redoc" if exposed else None,
        openapi_url="/openapi.json" if exposed else None,
        version=API_VERSION,
        lifespan=lifespan,
        openapi_tags=TAGS,
        description="System of record for assessment and quality assurance in vocational-qualification "
        "centres. Errors are RFC 9457 problem details (`application/problem+json`).",
    )
    app.state.settings = settings
    app.state.token_verifier = TokenVerifier(settings)
    # a verifier's Verity token or awarding-body token acts through a live grant.
    app.state.grant_authenticator = GrantAuthenticator(settings)
    app.state.centre_directory = CentreDirectory(
        _centre_exists, reserved={PLATFORM_CENTRE}, ttl_seconds=settings.centre_cache_seconds
    )
    app.state.schema_head, app.state.known_revisions = schema_revisions()
    if sessionmaker is not None:
        app.state.sessionmaker = sessionmaker
    install_error_handlers(app)
    app.add_middleware(ClockMiddleware)
    app.add_middleware(HttpSemanticsMiddleware)
    # Outermost last: CORS, then the request id (so every answer carries it), then the body caps.
    app.add_middleware(BodyLimitMiddleware, limits=body_limits(settings))
    app.add_middleware(RequestIdMiddleware)
    # GraphQL's one route first: routes are matched in order, and /graphql after every REST route
    # cost each GraphQL request a scan of them all (issue 18: ~2 ms); no REST path starts /graphql.
    app.state.graphql_schema = include_graphql(app, settings).schema
    for router in (
        system_router,
        centres_router,
        calendars_router,
        learners_router,
        qualifications_router,
        programmes_router,
        sync_router,
        assignments_router,
        assessment_router,
        verification_router,
        standardisation_router,
        malpractice_router,
        standards_verification_router,
        certification_router,
        employers_router,
        records_router,
        appeals_router,
        webhooks_router,
        audit_router,
    ):
        app.include_router(router, dependencies=[Depends(check_query_params)])
    app.include_router(problems_router)
    install_metrics(app, settings)
    app.state.tracer_provider = install_tracing(app)
    register_webhooks(app)
    # Outermost, and after the routes exist: the allowed methods are read from them.
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=False,
            allow_methods=route_methods(app),
            allow_headers=CORS_REQUEST_HEADERS,
            expose_headers=CORS_EXPOSED_HEADERS,
        )
    published = {"QualificationSpecification": specification_schema()}
    app.openapi = lambda: problem_openapi(app, published)  # type: ignore[method-assign]
    return app
