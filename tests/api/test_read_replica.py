"""Read replica routing (issue 18): the lag-tolerant reads run on the replica engine when one is set,
on the primary when it is not, and on the primary when the replica cannot be reached (logged, counted,
not retried until `replica_retry_seconds` have passed). Writes never take the replica's path.

The "replica" here is the test database itself reached by a second engine with its own
application_name (what pg_stat_activity shows); bench/replica_drill.py runs the same against a real
streaming standby. The unreachable replica is a closed port.
"""

from __future__ import annotations

import time
import uuid
from contextlib import asynccontextmanager

import httpx
from fastapi.routing import APIRoute
from sqlalchemy import text

from app.core.replica import APPLICATION_NAME, SOURCE_HEADER, get_read_session
from app.main import create_app
from tests.api.test_database_outage import bearer, free_port

# The lag-tolerant reads (docs/scaling.md): pure reads, a few seconds' lag is harmless.
ROUTED = {
    "/v1/sv-allocations",
    "/v1/sv-allocations/{allocation_id}",
    "/v1/sv-samples",
    "/v1/sv-samples/{sample_id}",
    "/v1/sv-samples/{sample_id}/items",
    "/v1/programmes/{programme_id}/iv-coverage",
    "/v1/iv-dashboard",
    "/v1/appeal-report",
}


@asynccontextmanager
async def served(settings, owner_engine):
    centre = uuid.uuid4()
    async with owner_engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO centres (id, centre_number, name, nation, version) "
                "VALUES (:id, :n, 'Replica test', 'england_wales', 1)"
            ),
            {"id": centre, "n": f"{centre.int % 10**5:05d}"},
        )
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://verity.test") as client:
                client.headers.update(bearer(settings, centre))
                yield app, client
    finally:
        async with owner_engine.begin() as conn:
            await conn.execute(text("DELETE FROM centres WHERE id = :id"), {"id": centre})


async def test_lag_tolerant_reads_run_on_the_replica_engine(test_settings, database_url, owner_engine):
    settings = test_settings.model_copy(update={"replica_database_url": database_url})
    async with served(settings, owner_engine) as (app, client):
        r = await client.get("/v1/sv-samples")
        assert r.status_code == 200, r.text
        assert r.headers[SOURCE_HEADER] == "replica"
        assert app.state.read_router.served["replica"] == 1
        async with owner_engine.connect() as conn:
            seen = (
                await conn.execute(
                    text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :a"),
                    {"a": APPLICATION_NAME},
                )
            ).scalar_one()
        assert seen >= 1, "the read went through the replica engine's own connections"
        assert 'verity_db_reads{served_by="replica"} 1.0' in (await client.get("/metrics")).text
        # A read not on the list is not routed: the primary, and no header.
        other = await client.get("/v1/learners")
        assert other.status_code == 200 and SOURCE_HEADER not in other.headers


async def test_an_unreachable_replica_falls_back_to_the_primary(test_settings, owner_engine):
    settings = test_settings.model_copy(
        update={
            "replica_database_url": f"postgresql://postgres@127.0.0.1:{free_port()}/verity",
            "replica_retry_seconds": 60.0,
        }
    )
    async with served(settings, owner_engine) as (app, client):
        for _ in range(2):
            r = await client.get("/v1/sv-samples")
            assert r.status_code == 200, r.text
            assert r.headers[SOURCE_HEADER] == "primary"
        router = app.state.read_router
        assert router.served == {"replica": 0, "primary": 0, "fallback": 2}
        # Not tried again for replica_retry_seconds: one connection attempt for the outage.
        assert router.down_until > time.monotonic() + 50
        assert 'verity_db_reads{served_by="fallback"} 2.0' in (await client.get("/metrics")).text


async def test_without_a_replica_the_reads_run_on_the_primary(test_settings, owner_engine):
    async with served(test_settings, owner_engine) as (app, client):
        r = await client.get("/v1/sv-samples")
        assert r.status_code == 200 and r.headers[SOURCE_HEADER] == "primary"
        assert app.state.read_router.served["primary"] == 1


def _api_routes(app) -> list[APIRoute]:
    found, todo = [], list(app.routes)
    while todo:  # included routers hold their own routes (as app.main.route_methods walks them)
        route = todo.pop()
        if isinstance(route, APIRoute):
            found.append(route)
        inner = getattr(route, "original_router", None) or route
        todo += [r for r in getattr(inner, "routes", None) or () if r is not route]
    return found


def test_only_the_documented_gets_take_the_replica_path(test_settings) -> None:
    app = create_app(test_settings)
    routed: dict[str, set[str]] = {}
    for route in _api_routes(app):
        if any(d.call is get_read_session for d in route.dependant.dependencies):
            routed.setdefault(route.path, set()).update(route.methods)
    assert set(routed) == ROUTED
    assert all(methods == {"GET"} for methods in routed.values())
