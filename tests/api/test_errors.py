"""Every non-2xx answer is RFC 9457 problem+json, including framework-made 404, 405 and 422."""

from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.usefixtures("centres")
PROBLEM_KEYS = {"type", "title", "status", "detail", "errors"}


def assert_problem(r, status: int, slug: str):
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body.keys() >= PROBLEM_KEYS and body["status"] == status and body["type"].endswith("/" + slug)
    assert "Traceback" not in r.text
    return body


async def test_unknown_route_and_wrong_method(client, auth):
    assert_problem(await client.get("/v1/nothing-here", headers=auth("hoc")), 404, "not-found")
    r = await client.delete("/v1/learners", headers=auth("hoc"))
    assert_problem(r, 405, "method-not-allowed")
    assert "GET" in r.headers["allow"]


async def test_validation_errors_name_every_bad_field(client, auth):
    r = await client.post(
        "/v1/learners",
        headers=auth("hoc"),
        json={"given_name": "", "date_of_birth": "not-a-date", "uln": "12", "colour": "red"},
    )
    body = assert_problem(r, 422, "validation-failed")
    fields = {e["field"] for e in body["errors"]}
    assert {"body.given_name", "body.family_name", "body.date_of_birth", "body.uln", "body.colour"} <= fields


async def test_domain_validation_and_malformed_json(client, auth):
    r = await client.post(
        "/v1/learners",
        headers=auth("hoc"),
        json={"given_name": "A", "family_name": "B", "date_of_birth": "2999-01-01"},
    )
    body = assert_problem(r, 422, "validation-failed")
    assert body["errors"][0]["field"] == "body.date_of_birth"
    r = await client.post(
        "/v1/learners", headers={**auth("hoc"), "Content-Type": "application/json"}, content=b"{not json"
    )
    assert_problem(r, 400, "malformed-body")


async def test_401_403_404(client, auth):
    assert_problem(await client.get("/v1/learners"), 401, "unauthenticated")
    assert_problem(
        await client.get("/v1/learners", headers={"Authorization": "Bearer junk"}), 401, "unauthenticated"
    )
    assert_problem(await client.post("/v1/learners", headers=auth("assessor"), json={}), 403, "forbidden")
    assert_problem(await client.get(f"/v1/learners/{uuid.uuid4()}", headers=auth("hoc")), 404, "not-found")


async def test_unexpected_error_is_masked(app, client, auth):
    @app.get("/boom")
    async def boom():
        raise RuntimeError("secret internals")

    r = await client.get("/boom")
    body = assert_problem(r, 500, "internal-error")
    assert "secret internals" not in r.text and r.headers["x-request-id"] in body["detail"]


async def test_unknown_query_parameters_are_refused(client, auth):
    r = await client.get("/v1/learners", params={"familyname": "Bello"}, headers=auth("hoc"))
    body = assert_problem(r, 422, "validation-failed")
    assert body["errors"][0]["field"] == "query.familyname"
    assert (
        await client.get("/v1/learners", params={"family_name": "B"}, headers=auth("hoc"))
    ).status_code == 200


def test_the_refused_query_parameters_are_exactly_those_the_contract_does_not_declare(app):
    """The check reads each route's dependency tree (cheap); the contract is built from the same tree:
    the two must agree on every operation, or a declared filter would be refused (or a mistyped one let
    through)."""
    from fastapi.routing import APIRoute, iter_route_contexts

    from app.core.params import declared_query_params

    paths = app.openapi()["paths"]
    checked = 0
    for context in iter_route_contexts(app.routes):
        route = context.original_route  # what a request's scope carries
        if not isinstance(route, APIRoute) or not context.include_in_schema:
            continue
        for method in context.methods:
            operation = paths[context.path_format][method.lower()]
            in_contract = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            assert declared_query_params(route.dependant) == in_contract, (method, context.path_format)
            checked += 1
    assert checked > 100
