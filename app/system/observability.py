"""Operating the service: Prometheus metrics at /metrics, structured logs with the request id, and
OpenTelemetry traces when an exporter is configured (docs/deployment.md, "Operations").

Each app has its own metrics registry (tests build many apps in one process). /metrics carries counts
and timings by route template, never a path with ids in it, a body or a header.
"""

from __future__ import annotations

import hmac
import logging
import os
import sys
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest
from prometheus_fastapi_instrumentator import Instrumentator, metrics
from prometheus_fastapi_instrumentator.middleware import PrometheusInstrumentatorMiddleware
from prometheus_fastapi_instrumentator.routing import _effective_routes, get_route_name
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette._utils import get_route_path
from starlette.middleware import Middleware
from starlette.routing import Match, Mount

from app.core import clock
from app.core.config import Settings
from app.core.context import current_request_id
from app.core.errors import Unauthenticated
from app.core.routing import literal_key, path_key

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

_OUTBOX = text("SELECT count(*), min(occurred_at) FROM outbox")


class _RouteIndex:
    """The app's routes, flattened, in order, with those a path can reach found by its first two
    segments. A route whose template starts with two literal segments matches only paths that start
    with them (Starlette's pattern is the template with its parameters replaced, the rest literal),
    so every other route can be skipped; routes with a parameter or fewer than two segments there,
    and mounts, are tried for every path. The first match among the candidates, in the app's order,
    is the first match of the whole list."""

    def __init__(self, routes: list) -> None:
        self.routes = routes
        anywhere: list[tuple[int, object]] = []
        keyed: dict[tuple[str, ...], list[tuple[int, object]]] = defaultdict(list)
        for at, route in enumerate(routes):
            path = getattr(route, "path", None)
            key = literal_key(path) if isinstance(path, str) and not isinstance(route, Mount) else None
            if key is not None:
                keyed[key].append((at, route))
            else:
                anywhere.append((at, route))
        self.anywhere = [route for _, route in anywhere]
        self.by_key = {
            key: [r for _, r in sorted(own + anywhere, key=lambda i: i[0])] for key, own in keyed.items()
        }

    def candidates(self, path: str) -> list:
        return self.by_key.get(path_key(path), self.anywhere)


class _RouteTemplates(PrometheusInstrumentatorMiddleware):
    """The instrumentator, naming each request by its route template as the library does, from a
    flattened route list kept while the app's routes are unchanged and indexed by the path's first
    two segments. The library flattens every route of the app (every included router's) afresh for
    each request (~1 ms of each, issue 18), then tries each of ~230 in turn (~0.3 ms)."""

    _flat: tuple[object, _RouteIndex] | None = None

    def _get_handler(self, request):  # type: ignore[no-untyped-def]
        scope = request.scope
        app = scope.get("app")
        routes = getattr(app, "routes", None)
        version = getattr(getattr(app, "router", None), "_get_routes_version", None)
        if not routes or version is None or self.should_include_root_path:
            return super()._get_handler(request)
        key = (id(routes), len(routes), version())
        if self._flat is None or self._flat[0] != key:
            self._flat = (key, _RouteIndex(_effective_routes(routes)))
        partial = None
        for route in self._flat[1].candidates(get_route_path(scope)):
            match, _ = route.matches(scope)
            if match == Match.NONE:
                continue
            if isinstance(route, Mount):  # rare (static assets): the library's own walk
                return super()._get_handler(request)
            name = getattr(route, "path", None)
            if name is None:
                continue
            if match == Match.FULL:
                return name, True
            partial = partial or name
        if partial is not None:
            return partial, True
        name = get_route_name(request, should_include_root_path=False)  # trailing-slash redirects
        return name or request.url.path, bool(name)


def _is_instrumentator(m: Middleware) -> bool:
    return bool(m.cls is PrometheusInstrumentatorMiddleware)  # type: ignore[comparison-overlap]


def install_metrics(app: FastAPI, settings: Settings) -> None:
    registry = CollectorRegistry()
    instrumentator = Instrumentator(
        should_group_status_codes=False,
        excluded_handlers=["/metrics"],
        registry=registry,
    )
    # Rate, errors (by status) and latency, labelled by the route template (/v1/learners/{learner_id}).
    # Not `metrics.default()`: its request-size metric parses Content-Length itself and answered 500 to
    # a request with an empty one (tests/api/test_observability.py).
    instrumentator.add(metrics.requests(registry=registry))
    instrumentator.add(metrics.latency(registry=registry))
    instrumentator.instrument(app)
    # The same middleware and options, with the cached route list (_RouteTemplates).
    for i, m in enumerate(app.user_middleware):
        if _is_instrumentator(m):
            args: Any = m.args
            kwargs: Any = m.kwargs
            app.user_middleware[i] = Middleware(_RouteTemplates, *args, **kwargs)
    backlog = Gauge(
        "verity_outbox_backlog", "Events recorded but not yet fanned out to webhooks", registry=registry
    )
    lag = Gauge("verity_outbox_lag_seconds", "Age of the oldest event not yet fanned out", registry=registry)
    pool_in_use = Gauge("verity_db_pool_in_use", "Database connections checked out", registry=registry)
    pool_size = Gauge("verity_db_pool_size", "Database connections the pool holds", registry=registry)
    reads = Gauge(
        "verity_db_reads",
        "Lag-tolerant reads since start, by what served them (replica, primary: none configured, "
        "fallback: the replica was unreachable)",
        ["served_by"],
        registry=registry,
    )

    @app.get("/metrics", include_in_schema=False)
    async def scrape(request: Request) -> Response:
        token = settings.metrics_token
        if token:
            sent = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
            if not hmac.compare_digest(sent.encode(), token.encode()):
                raise Unauthenticated("/metrics requires the metrics token (VERITY_METRICS_TOKEN).")
        # Queried at scrape time, so the numbers are never older than the scrape.
        async with request.app.state.sessionmaker() as session:
            count, oldest = (await session.execute(_OUTBOX)).one()
        backlog.set(count)
        lag.set((clock.now() - oldest).total_seconds() if oldest is not None else 0.0)
        engine = getattr(request.app.state, "engine", None)
        if engine is not None:
            pool_in_use.set(engine.pool.checkedout())
            pool_size.set(engine.pool.size())
        router = getattr(request.app.state, "read_router", None)
        if router is not None:
            for served_by, n in router.served.items():
                reads.labels(served_by).set(n)
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


def configure_logging(settings: Settings) -> None:
    """JSON lines (one object per record, with request_id) or plain text; json by default in oidc."""
    from pythonjsonlogger.json import JsonFormatter

    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_RequestIdFilter())
    if settings.effective_log_format == "json":
        handler.setFormatter(
            JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s", timestamp=False)
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    root = logging.getLogger("verity")
    root.handlers = [handler]
    root.setLevel(settings.log_level.upper())
    root.propagate = False


def tracing_configured() -> bool:
    return bool(os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_TRACES_EXPORTER"))


def install_tracing(app: FastAPI) -> TracerProvider | None:
    """Spans for every request, database statement and outbound httpx call (webhooks), exported by
    the exporter the standard OTEL_* variables name. Nothing is installed when none is configured."""
    if not tracing_configured():
        return None
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter

    resource = Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", "verity")})
    provider = TracerProvider(resource=resource)
    exporter: SpanExporter
    if os.environ.get("OTEL_TRACES_EXPORTER", "otlp") == "console":
        exporter = ConsoleSpanExporter()
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter()  # reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT and headers
    provider.add_span_processor(BatchSpanProcessor(exporter))
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls="/metrics,/health")
    HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    return provider


def trace_engine(app: FastAPI, engine: AsyncEngine) -> None:
    provider = getattr(app.state, "tracer_provider", None)
    if provider is None:
        return
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    SQLAlchemyInstrumentor().instrument(engine=engine.sync_engine, tracer_provider=provider)
