"""Operations: Prometheus metrics by route template with the outbox backlog read at scrape time,
JSON logs carrying the request id, and a span per request when an OpenTelemetry exporter is set."""

from __future__ import annotations

import io
import json
import logging
import uuid

import httpx
import pytest
from sqlalchemy import text

from app.core.context import set_request_id
from app.system.observability import configure_logging

pytestmark = pytest.mark.usefixtures("centres")


async def test_a_remembered_route_template_counts_like_a_looked_up_one(client, auth):
    """The middleware keeps the app's flattened routes (app/system/observability.py, issue 18): the
    same path again, and the same path by another method, are labelled as the library labels them."""
    learner = f"/v1/learners/{uuid.uuid4()}"
    for _ in range(3):
        assert (await client.get(learner, headers=auth("hoc"))).status_code == 404
    assert (await client.delete(learner, headers=auth("hoc"))).status_code == 405
    body = (await client.get("/metrics")).text
    counts = {
        line[line.index("{") + 1 : line.rindex("}")]: float(line.split()[-1])
        for line in body.splitlines()
        if line.startswith("http_requests_total{") and "/v1/learners/{learner_id}" in line
    }
    assert counts == {
        'handler="/v1/learners/{learner_id}",method="GET",status="404"': 3.0,
        'handler="/v1/learners/{learner_id}",method="DELETE",status="405"': 1.0,
    }, counts


async def test_metrics_by_route_template_with_outbox_backlog(client, auth, session, centres):
    learner = f"/v1/learners/{uuid.uuid4()}"
    assert (await client.get(learner, headers=auth("hoc"))).status_code == 404
    await session.execute(
        text(
            "INSERT INTO outbox (id, centre_id, event_type, payload, occurred_at) "
            "VALUES (:id, :c, 'test.event', '{}', now() - interval '1 hour')"
        ),
        {"id": uuid.uuid4(), "c": next(iter(centres.values()))},
    )
    r = await client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    body = r.text
    assert 'handler="/v1/learners/{learner_id}"' in body and 'status="404"' in body
    assert learner not in body  # raw paths (ids) never become labels
    assert "http_request_duration_seconds_bucket" in body
    backlog = [line for line in body.splitlines() if line.startswith("verity_outbox_backlog ")]
    assert backlog and float(backlog[0].split()[1]) >= 1
    lag = [line for line in body.splitlines() if line.startswith("verity_outbox_lag_seconds ")]
    assert float(lag[0].split()[1]) >= 89


async def test_metrics_token_when_configured(test_settings, sessionmaker):
    from app.main import create_app

    app = create_app(test_settings.model_copy(update={"metrics_token": "s3cret"}), sessionmaker)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://v.test") as c:
        assert (await c.get("/metrics")).status_code == 401
        assert (await c.get("/metrics", headers={"Authorization": "Bearer s3cret"})).status_code == 200


def test_json_logs_carry_the_request_id(test_settings, monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    configure_logging(test_settings.model_copy(update={"log_format": "json"}))
    logger = logging.getLogger("verity")
    try:
        token = set_request_id("req-123")
        logging.getLogger("verity.requests").info("hello")
        from app.core.context import _request_id

        _request_id.reset(token)
        record = json.loads(stream.getvalue().strip().splitlines()[-1])
        assert record["message"] == "hello" and record["request_id"] == "req-123"
        assert record["levelname"] == "INFO"
    finally:
        logger.handlers, logger.propagate = [], True


def test_log_format_defaults_to_json_in_production(test_settings):
    assert test_settings.model_copy(update={"auth_mode": "oidc"}).effective_log_format == "json"
    assert test_settings.model_copy(update={"auth_mode": "development"}).effective_log_format == "text"


async def test_a_request_makes_a_span_when_an_exporter_is_configured(
    test_settings, sessionmaker, monkeypatch
):
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from app.main import create_app

    assert create_app(test_settings, sessionmaker).state.tracer_provider is None
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "console")
    app = create_app(test_settings, sessionmaker)
    memory = InMemorySpanExporter()
    app.state.tracer_provider.add_span_processor(SimpleSpanProcessor(memory))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://v.test") as c:
        assert (await c.get("/v1/learners")).status_code == 401
    app.state.tracer_provider.shutdown()
    names = [span.name for span in memory.get_finished_spans()]
    assert any("/v1/learners" in name for name in names), names


async def test_an_empty_content_length_header_is_not_a_server_error(app):
    """The fuzzer's find: `Content-Length:` with no value crashed the request-size metric (500). Sent as
    raw ASGI: HTTP clients drop an empty header before it reaches the app."""
    sent: list[dict] = []
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": f"/v1/learners/{uuid.uuid4()}",
        "raw_path": b"/v1/learners/x",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), (b"content-length", b"")],
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 1),
    }

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    await app(scope, receive, send)
    assert sent[0]["status"] == 401  # no token: refused as usual, not a 500


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/programmes/6b1f2c1e-0000-4000-8000-000000000001/tracking-grid"),
        ("POST", "/graphql"),
        ("GET", "/graphql"),
        ("GET", "/metrics"),
        ("GET", "/health"),
        ("DELETE", "/v1/learners"),  # a path that matches for another method only: partial
        ("GET", "/v1/learners/"),  # a trailing slash the router would redirect
        ("GET", "/no/such/path"),
        ("GET", "/graphiql-assets/x.js"),  # the mount, when GraphiQL's assets are served
    ],
)
def test_route_templates_are_the_libraries_own(app, method, path):
    """The cached route list names each request as the instrumentator's own walk does (issue 18)."""
    from prometheus_fastapi_instrumentator.middleware import PrometheusInstrumentatorMiddleware
    from starlette.requests import Request

    from app.system.observability import _RouteTemplates

    ours = next(m for m in app.user_middleware if m.cls is _RouteTemplates)
    fast = _RouteTemplates(app.router, *ours.args, **ours.kwargs)
    library = PrometheusInstrumentatorMiddleware(app.router, *ours.args, **ours.kwargs)
    scope = {"type": "http", "method": method, "path": path, "root_path": "", "app": app, "headers": []}
    scope |= {"query_string": b"", "server": ("t", 80), "scheme": "http"}
    for _ in range(2):  # the second time from the cached list
        assert fast._get_handler(Request(scope)) == library._get_handler(Request(scope))


def test_every_route_is_named_as_the_libraries_walk_names_it(app):
    """The index by first segments skips only routes that cannot match: for a path made from every
    route's template, with every method, the name is the one the unindexed walk gives (issue 18)."""
    import re

    from prometheus_fastapi_instrumentator.middleware import PrometheusInstrumentatorMiddleware
    from prometheus_fastapi_instrumentator.routing import _effective_routes
    from starlette.requests import Request

    from app.system.observability import _RouteTemplates
    from tests.asgi_scopes import http_scope

    ours = next(m for m in app.user_middleware if m.cls is _RouteTemplates)
    fast = _RouteTemplates(app.router, *ours.args, **ours.kwargs)
    library = PrometheusInstrumentatorMiddleware(app.router, *ours.args, **ours.kwargs)
    templates = sorted(
        {r.path for r in _effective_routes(app.routes) if isinstance(getattr(r, "path", None), str)}
    )
    assert len(templates) > 150  # the whole API, not a handful
    paths = {re.sub(r"\{[^}]+\}", "6b1f2c1e-0000-4000-8000-000000000001", t) for t in templates}
    paths |= {p + "/" for p in paths} | {p + "/extra" for p in paths}
    named = 0
    for path in sorted(paths):
        for method in ("GET", "POST", "PATCH", "PUT", "DELETE"):
            scope = http_scope(app, method, path)
            expected = library._get_handler(Request(scope))
            assert fast._get_handler(Request(scope)) == expected, (method, path)
            named += expected[1]
    assert named > len(templates)  # most paths are named by a template, not by their own path
    # And the index does skip: a grid request tries its own resource's routes, not the whole API.
    fast._get_handler(Request(scope))
    index = fast._flat[1]
    assert len(index.candidates("/v1/programmes/x/tracking-grid")) < len(index.routes) / 4
