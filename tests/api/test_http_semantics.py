"""HTTP semantics the SPA relies on: 400 for a body that is not JSON, 415 for a body that is not
JSON at all, 304 for an unchanged resource, Location on every 201, a page for every problem type,
and the response headers declared in the contract."""

from __future__ import annotations

import pytest

from app.core.errors import ProblemError, _all_problem_classes
from tests.api.test_errors import assert_problem
from tests.calendars.test_calendar_api import YEAR

pytestmark = pytest.mark.usefixtures("centres")
LEARNER = {"given_name": "Ada", "family_name": "Lovelace", "date_of_birth": "2008-05-01"}


async def test_malformed_json_is_400_problem(client, auth):
    r = await client.post(
        "/v1/learners",
        headers={**auth("hoc"), "Content-Type": "application/json"},
        content=b'{"given_name": ',
    )
    body = assert_problem(r, 400, "malformed-body")
    assert body["errors"][0]["field"] == "body"


@pytest.mark.parametrize(
    "content_type,content",
    [("text/plain", b'{"given_name": "Ada"}'), ("application/x-www-form-urlencoded", b"given_name=Ada")],
)
async def test_wrong_media_type_is_415_problem(client, auth, content_type, content):
    r = await client.post(
        "/v1/learners", headers={**auth("hoc"), "Content-Type": content_type}, content=content
    )
    body = assert_problem(r, 415, "unsupported-media-type")
    assert body["errors"][0]["field"] == "header.content-type"


async def test_if_none_match_with_current_etag_is_304(client, auth):
    created = await client.post("/v1/learners", headers=auth("hoc"), json=LEARNER)
    assert created.status_code == 201, created.text
    url = created.headers["location"]
    first = await client.get(url, headers=auth("hoc"))
    etag = first.headers["etag"]
    again = await client.get(url, headers={**auth("hoc"), "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    weak = await client.get(url, headers={**auth("hoc"), "If-None-Match": f'"999", W/{etag}'})
    assert weak.status_code == 304
    stale = await client.get(url, headers={**auth("hoc"), "If-None-Match": '"999"'})
    assert stale.status_code == 200 and stale.json()["id"] == first.json()["id"]


async def test_201_location_names_the_created_resource(client, auth):
    created = await client.post("/v1/learners", headers=auth("hoc"), json=LEARNER)
    assert created.headers["location"] == f"/v1/learners/{created.json()['id']}"
    read = await client.get(created.headers["location"], headers=auth("hoc"))
    assert read.status_code == 200 and read.json()["id"] == created.json()["id"]
    year = await client.post("/v1/academic-years", headers=auth("exams_officer"), json=YEAR)
    assert year.status_code == 201, year.text
    assert year.headers["location"] == f"/v1/academic-years/{year.json()['id']}"
    assert (await client.get(year.headers["location"], headers=auth("hoc"))).status_code == 200


def test_every_201_declares_location_and_every_etag_resource_declares_etag(app):
    paths = app.openapi()["paths"]
    created = [
        (path, method)
        for path, item in paths.items()
        for method, op in item.items()
        if "201" in op["responses"]
    ]
    assert len(created) > 10
    for path, method in created:
        assert "Location" in paths[path][method]["responses"]["201"].get("headers", {}), (method, path)
    learner = paths["/v1/learners/{learner_id}"]
    assert "ETag" in learner["get"]["responses"]["200"]["headers"]
    assert "ETag" in learner["patch"]["responses"]["200"]["headers"]
    assert "304" in learner["get"]["responses"]
    assert any(p["name"] == "If-None-Match" for p in learner["get"]["parameters"])
    for item in paths.values():
        for op in item.values():
            if "503" in op["responses"]:
                assert "Retry-After" in op["responses"]["503"]["headers"]
            if "requestBody" in op and "application/json" in op["requestBody"]["content"]:
                assert {"400", "415"} <= op["responses"].keys()


async def test_declared_etag_on_201_is_sent(client, auth, app):
    paths = app.openapi()["paths"]
    assert "ETag" in paths["/v1/learners"]["post"]["responses"]["201"]["headers"]
    created = await client.post("/v1/learners", headers=auth("hoc"), json=LEARNER)
    assert created.headers["etag"]


async def test_every_problem_type_has_a_page(client):
    slugs = {cls.slug for cls in _all_problem_classes(ProblemError)}
    assert {"malformed-body", "unsupported-media-type", "precondition-failed", "not-found"} <= slugs
    for slug in slugs | {"internal-error", "method-not-allowed"}:
        r = await client.get(f"/problems/{slug}")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), slug
        assert slug in r.text
    assert_problem(await client.get("/problems/no-such-problem"), 404, "not-found")


async def test_problem_type_in_a_body_resolves(client, auth):
    r = await client.get("/v1/learners")
    page = await client.get(r.json()["type"])
    assert page.status_code == 200 and "Authentication required" in page.text


async def test_cors_preflight_allows_every_method_and_header_the_api_uses(test_settings, sessionmaker):
    import httpx

    from app.main import create_app

    app = create_app(test_settings.model_copy(update={"cors_origins": ["https://spa.example"]}), sessionmaker)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://verity.test") as c:
        for method in ("PUT", "PATCH", "DELETE", "POST"):
            r = await c.options(
                "/v1/programmes/x/iv-plan",
                headers={
                    "Origin": "https://spa.example",
                    "Access-Control-Request-Method": method,
                    "Access-Control-Request-Headers": "if-match, if-none-match, idempotency-key, content-type",
                },
            )
            assert r.status_code == 200, (method, r.text)
            assert method in r.headers["access-control-allow-methods"]
        r = await c.get("/health", headers={"Origin": "https://spa.example"})
        exposed = {h.strip().lower() for h in r.headers["access-control-expose-headers"].split(",")}
        assert {"etag", "location", "idempotent-replayed", "retry-after", "x-request-id"} <= exposed
