"""GraphQL limits apply before any work: every character of the query counts, the variables are
bounded, and a refused request never reaches the token check or the database."""

from __future__ import annotations

import httpx
import pytest

from app.api.gql_limits import body_cap

QUERY = "query { me { subject } }"


class NoDatabase:
    """A sessionmaker that fails the test if the request opens a session."""

    def __call__(self, *args, **kwargs):
        raise AssertionError("a refused GraphQL request opened a database session")


@pytest.fixture
def limited(test_settings):
    from app.main import create_app

    settings = test_settings.model_copy(
        update={"graphql_max_query_chars": 500, "graphql_max_variables_bytes": 300}
    )
    app = create_app(settings, sessionmaker=NoDatabase())
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return settings, httpx.AsyncClient(transport=transport, base_url="http://verity.test")


def codes(response) -> list[str]:
    return [e["extensions"]["code"] for e in response.json()["errors"]]


async def test_whitespace_and_comments_count_towards_the_query_size(limited):
    _, client = limited
    padded = QUERY + " " * 300 + "# " + "x" * 300  # a few tokens, but 600 characters
    r = await client.post("/graphql", json={"query": padded}, headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 200 and codes(r) == ["graphql-query-too-large"]
    assert "data" not in r.json() or r.json()["data"] is None


async def test_variables_are_bounded(limited):
    _, client = limited
    r = await client.post("/graphql", json={"query": QUERY, "variables": {"x": "v" * 400}})
    assert r.status_code == 200 and codes(r) == ["graphql-variables-too-large"]


async def test_get_requests_are_bounded_too(limited):
    _, client = limited
    r = await client.get("/graphql", params={"query": QUERY + " " * 600})
    assert codes(r) == ["graphql-query-too-large"]
    r = await client.get("/graphql", params={"query": QUERY, "variables": '{"x": "' + "v" * 400 + '"}'})
    assert codes(r) == ["graphql-variables-too-large"]


async def test_batched_operations_are_each_bounded(limited):
    _, client = limited
    r = await client.post("/graphql", json=[{"query": QUERY}, {"query": QUERY + " " * 600}])
    assert codes(r) == ["graphql-query-too-large"]


async def test_an_oversized_body_is_413_problem_details_before_it_is_read(limited):
    settings, client = limited
    r = await client.post(
        "/graphql",
        content=b'{"query": "' + b" " * (body_cap(settings) + 1) + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 413
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["type"] == "/problems/payload-too-large"


@pytest.mark.usefixtures("centres")
async def test_requests_within_the_limits_run(client, auth):
    r = await client.post(
        "/graphql", json={"query": QUERY, "variables": {"unused": "x"}}, headers=auth("hoc")
    )
    assert r.json() == {"data": {"me": {"subject": "test-hoc"}}}
