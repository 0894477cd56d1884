"""While the database is unreachable, requests answer 503 problem details with Retry-After (not 500),
/health still answers, and the service recovers on its own when the database is back.

Two outages: a DATABASE_URL naming a closed port (nothing ever listened), and the real test database
behind a TCP proxy that the test cuts and restores (pooled connections die mid-life). The shared
server on 5432 is never stopped."""

from __future__ import annotations

import asyncio
import socket
import uuid
from contextlib import asynccontextmanager

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.auth.tokens import mint_development_token
from app.main import create_app
from tests.api.test_errors import assert_problem

LEARNER = {"given_name": "Ada", "family_name": "Byron", "date_of_birth": "2008-01-01"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@asynccontextmanager
async def served(settings):
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://verity.test") as client:
            yield client


def bearer(settings, centre: uuid.UUID) -> dict[str, str]:
    token = mint_development_token(settings, subject="t-hoc", centre_id=centre, roles=["hoc"])
    return {"Authorization": f"Bearer {token}"}


def assert_unavailable(r: httpx.Response) -> None:
    assert_problem(r, 503, "database-unavailable")
    assert r.headers["retry-after"] == "7" and r.headers["x-request-id"]


async def test_closed_port_answers_503_with_retry_after(test_settings):
    settings = test_settings.model_copy(
        update={
            "database_url": f"postgresql://postgres@127.0.0.1:{free_port()}/verity",
            "database_retry_after_seconds": 7,
        }
    )
    async with served(settings) as client:
        h = bearer(settings, uuid.uuid4())
        assert_unavailable(await client.get("/v1/learners", headers=h))
        assert_unavailable(await client.post("/v1/learners", json=LEARNER, headers=h))
        assert (await client.get("/health")).json() == {"status": "ok"}
        assert (await client.get("/ready")).status_code == 503
        # No database is needed to refuse a missing token.
        assert (await client.get("/v1/learners")).status_code == 401


class Proxy:
    """A TCP proxy to the test database that can be cut (every connection dropped) and restored."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)

    async def cut(self) -> None:
        assert self.server is not None
        self.server.close()
        for w in list(self.writers):
            w.transport.abort()
        await self.server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self.writers |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (OSError, asyncio.CancelledError):
                pass
            finally:
                dst.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self.writers -= {writer, up_writer}


@pytest.fixture
async def committed_centre(owner_engine):
    """A centre committed for real (the app under test has its own engine, outside the test's
    transaction); removed afterwards."""
    centre_id = uuid.uuid4()
    async with owner_engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO centres (id, centre_number, name, nation, version, created_at, updated_at) "
                "VALUES (:id, :number, 'Outage centre', 'england_wales', 1, now(), now())"
            ),
            {"id": centre_id, "number": f"O{centre_id.hex[:8]}"},
        )
    yield centre_id
    async with owner_engine.begin() as conn:
        await conn.execute(text("DELETE FROM centres WHERE id = :id"), {"id": centre_id})


async def test_database_lost_mid_life_answers_503_then_recovers(
    test_settings, database_url, committed_centre
):
    url = make_url(database_url)
    proxy = Proxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    settings = test_settings.model_copy(
        update={
            "database_url": url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False),
            "database_retry_after_seconds": 7,
            "database_connect_timeout_seconds": 2.0,
        }
    )
    try:
        async with served(settings) as client:
            h = bearer(settings, committed_centre)
            assert (await client.get("/v1/learners", headers=h)).status_code == 200
            await proxy.cut()
            # The pooled connection is dead, then no new one can be made: 503 both times.
            assert_unavailable(await client.get("/v1/learners", headers=h))
            assert_unavailable(await client.get("/v1/learners", headers=h))
            assert_unavailable(await client.post("/v1/learners", json=LEARNER, headers=h))
            # GraphQL too: the request's transaction cannot begin, so it answers as REST does.
            query = {"query": "{ learners { nodes { id } } }"}
            assert_unavailable(await client.post("/graphql", json=query, headers=h))
            assert (await client.get("/health")).status_code == 200
            await proxy.start()
            assert (await client.get("/v1/learners", headers=h)).status_code == 200
    finally:
        if proxy.server is not None and proxy.server.is_serving():
            await proxy.cut()


def test_a_graphql_field_that_loses_the_database_reports_503_not_an_internal_error() -> None:
    """Once the request's transaction has begun, a field whose connection dies says so (retry), not 500."""
    from graphql.error import GraphQLError

    from app.api.gql_context import ProblemErrors

    lost = GraphQLError("boom", original_error=ConnectionRefusedError(111, "Connect call failed"))
    unexpected = GraphQLError("boom", original_error=ValueError("a bug"))
    processed = ProblemErrors()._process_errors([lost, unexpected])
    assert [(e.extensions or {}).get("code") for e in processed] == ["database-unavailable", "internal-error"]
    assert (processed[0].extensions or {})["status"] == 503 and "Connect call" not in processed[0].message
