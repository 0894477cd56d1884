"""Request bodies are capped per route before parsing: 413 problem details, with or without a
Content-Length (chunked bodies are counted as they arrive)."""

from __future__ import annotations

import httpx
import pytest

from app.main import create_app
from tests.api.test_errors import assert_problem

MIB = 1024 * 1024


@pytest.fixture
def small_app(test_settings, sessionmaker):
    settings = test_settings.model_copy(
        update={"max_body_bytes": 4096, "max_sync_body_bytes": 64 * 1024, "evidence_max_bytes": 8192}
    )
    return create_app(settings, sessionmaker=sessionmaker)


@pytest.fixture
async def small_client(small_app):
    transport = httpx.ASGITransport(app=small_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://verity.test") as c:
        yield c


def chunks(total: int, size: int = 1024):
    async def gen():
        sent = 0
        while sent < total:
            yield b" " * min(size, total - sent)
            sent += size

    return gen()


async def test_json_body_over_the_default_cap_is_413_by_content_length(client, auth):
    body = b'{"given_name": "' + b"x" * MIB + b'"}'
    r = await client.post(
        "/v1/learners", content=body, headers={"Content-Type": "application/json", **auth("hoc")}
    )
    problem = assert_problem(r, 413, "payload-too-large")
    assert str(MIB) in problem["detail"]
    # Unauthenticated callers are refused the same way: the cap comes before everything else.
    r = await client.post("/v1/learners", content=body, headers={"Content-Type": "application/json"})
    assert_problem(r, 413, "payload-too-large")


async def test_chunked_body_is_counted_as_it_streams(small_client):
    r = await small_client.post(
        "/v1/learners", content=chunks(64 * 1024), headers={"Content-Type": "application/json"}
    )
    assert "content-length" not in r.request.headers
    assert_problem(r, 413, "payload-too-large")
    r = await small_client.post(
        "/graphql", content=chunks(64 * 1024), headers={"Content-Type": "application/json"}
    )
    assert_problem(r, 413, "payload-too-large")


async def test_each_route_has_its_own_cap(small_client):
    # 16 KiB: over the JSON default (4 KiB here) but under the bulk sync cap (64 KiB here).
    r = await small_client.post(
        "/v1/sync/mis", content=chunks(16 * 1024), headers={"Content-Type": "application/json"}
    )
    assert r.status_code != 413 and r.status_code in (400, 401, 422), r.text
    r = await small_client.post(
        "/v1/sync/mis", content=chunks(128 * 1024), headers={"Content-Type": "application/json"}
    )
    assert_problem(r, 413, "payload-too-large")
    # Evidence files: the evidence_max_bytes setting.
    path = "/v1/submissions/0190a1b2-0000-7000-8000-000000000001/evidence-files?filename=a.txt"
    r = await small_client.post(path, content=b"x" * 6000, headers={"Content-Type": "text/plain"})
    assert r.status_code == 401
    r = await small_client.post(path, content=b"x" * 9000, headers={"Content-Type": "text/plain"})
    assert_problem(r, 413, "payload-too-large")


def test_413_is_declared_on_every_operation_with_a_body(app):
    schema = app.openapi()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if "requestBody" in operation:
                assert "413" in operation["responses"], (method, path)
    assert "413" not in schema["paths"]["/v1/learners"]["get"]["responses"]
