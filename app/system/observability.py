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
from typing import TYPE_CHECKING, Any, cast

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest
from prometheus_fastapi_instrumentator import Instrumentator, metrics
from prometheus_fastapi_instrumentator.middleware import PrometheusInstrumentatorMiddleware
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core import clock
from app.core.config import Settings
from app.core.context import current_request_id
from app.core.errors import Unauthenticated

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

_OUTBOX = text("SELECT count(*), min(occurred_at) FROM outbox")


class _RouteNames(PrometheusInstrumentatorMiddleware):
    """The instrumentator's middleware, remembering the route template it finds for a path. It looks
    the template up before every request by flattening and matching every route of the app in turn
    (~7 % of a decision's CPU, bench/README-assessment.md); the routes never change once the app
    serves, so the answer for a (method, path, root path) is the same every time."""

    _LIMIT = 4096  # paths with ids in them come and go: forget them all now and then

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._names: dict[tuple[str, str, str], tuple[str, bool]] = {}

    def _get_handler(self, request: Request) -> tuple[str, bool]:
        scope = request.scope
        key = (scope.get("method", ""), scope["path"], scope.get("root_path", ""))
        found = self._names.get(key)
        if found is None:
            found = super()._get_handler(request)
            if len(self._names) >= self._LIMIT:
                self._names.clear()
            self._names[key] = found
        return found


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
    for middleware in app.user_middleware:
        if middleware.cls is cast(Any, PrometheusInstrumentatorMiddleware):
            middleware.cls = cast(Any, _RouteNames)
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
