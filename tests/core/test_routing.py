"""DomainRouter skips only routers that cannot match (app/core/routing.py, issue 18)."""

from __future__ import annotations

import re

import pytest
from fastapi import APIRouter
from starlette.routing import Match

from app.core.routing import DomainRouter, literal_key, path_key
from tests.asgi_scopes import http_scope

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
SAMPLE_ID = "6b1f2c1e-0000-4000-8000-000000000001"


def _answers(app, method: str, path: str) -> list[Match]:
    """What each of the app's top-level routes (one per included router) answers for the request."""
    return [route.matches(http_scope(app, method, path))[0] for route in app.router.routes]


def _templates(app) -> list[str]:
    from prometheus_fastapi_instrumentator.routing import _effective_routes

    return sorted(
        {r.path for r in _effective_routes(app.routes) if isinstance(getattr(r, "path", None), str)}
    )


def test_every_router_answers_every_request_as_the_full_scan_does(app, monkeypatch):
    templates = _templates(app)
    assert len(templates) > 150  # the whole API, not a handful
    paths = {re.sub(r"\{[^}]+\}", SAMPLE_ID, t) for t in templates}
    paths |= {p + "/" for p in paths} | {p + "/extra" for p in paths} | {p + "x" for p in paths}
    paths |= {"/", "/v1", "/v1/", "/nowhere", "/v1/nowhere/at/all", "//v1/learners"}
    requests = [(method, path) for path in sorted(paths) for method in METHODS]
    skipping = {request: _answers(app, *request) for request in requests}
    monkeypatch.setattr(DomainRouter, "matches", APIRouter.matches)
    full_scan = {request: _answers(app, *request) for request in requests}
    differ = [request for request in requests if skipping[request] != full_scan[request]]
    assert differ == []
    # Most requests reach a route, and some only partly (another method): both kinds were compared.
    assert sum(Match.FULL in answers for answers in full_scan.values()) > len(templates)
    assert any(Match.PARTIAL in answers and Match.FULL not in answers for answers in full_scan.values())


def test_a_request_is_tried_against_its_own_resources_routers_only(app):
    """The skip is in force: almost every domain router has literal keys, and a grid request is tried
    against well under all of the API's routes (programmes is the most shared key)."""
    included = [
        route
        for route in app.router.routes
        if isinstance(getattr(route, "original_router", None), DomainRouter)
    ]
    assert len(included) >= 15
    keys = [route.original_router._keys_of(route) for route in included]
    assert sum(k is None for k in keys) <= 2  # the system routes (/health, /metrics...) are short
    grid = path_key("/v1/programmes/x/tracking-grid")
    tried = sum(
        len(r.original_router.routes) for r, k in zip(included, keys, strict=True) if k is None or grid in k
    )
    assert tried < sum(len(r.original_router.routes) for r in included) * 0.6  # 146 of 254 today


@pytest.mark.parametrize(
    ("template", "key"),
    [
        ("/v1/learners/{learner_id}", ("v1", "learners")),
        ("/v1/learners", ("v1", "learners")),
        ("/v1/{anything}/x", None),
        ("/v1/learners{suffix}", None),
        ("/health", None),
        ("/", None),
    ],
)
def test_only_two_literal_leading_segments_make_a_key(template, key):
    assert literal_key(template) == key
