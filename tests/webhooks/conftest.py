"""Fixtures for the webhook slice.

Two worlds:
- the rolled-back one of tests/conftest.py (`client`, `session`), for endpoints and deliveries through
  REST and GraphQL, with the development webhook settings (http and loopback allowed);
- a committed one (`live`), for the worker: its transactions, locks and leases are the thing under test,
  so it runs on a database of its own where commits are real, cleaned between tests.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.config import Settings
from app.core.db import make_engine, make_sessionmaker
from tests.conftest import APP_ROLE, CENTRE_A, CENTRE_B, migrate, recreate_database, system_actor
from tests.webhooks.receiver import Receiver

# Every test here may deliver to a receiver on 127.0.0.1 over plain http: the development settings.
DEV_WEBHOOKS = {
    "webhooks_allow_http": True,
    "webhooks_allow_loopback": True,
    "webhooks_retry_base_seconds": 0.05,
    "webhooks_poll_interval_seconds": 0.05,
    "webhooks_timeout_seconds": 5.0,
}


def build_app(settings: Settings, sessionmaker):
    from app.main import create_app

    return create_app(settings, sessionmaker=sessionmaker)


@pytest.fixture(scope="session")
def dev_settings(test_settings: Settings) -> Settings:
    return test_settings.model_copy(update=DEV_WEBHOOKS)


@pytest.fixture
def app(dev_settings: Settings, sessionmaker):
    return build_app(dev_settings, sessionmaker)


@pytest.fixture
def production_client(test_settings: Settings, sessionmaker) -> Callable[[], httpx.AsyncClient]:
    """A client of an app with the production defaults: https only, no loopback."""

    def make() -> httpx.AsyncClient:
        transport = httpx.ASGITransport(
            app=build_app(test_settings, sessionmaker), raise_app_exceptions=False
        )
        return httpx.AsyncClient(transport=transport, base_url="http://verity.test")

    return make


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    r = Receiver()
    r.start()
    yield r
    r.stop()


async def gql(client: httpx.AsyncClient, headers: dict[str, str], query: str, **variables) -> dict:
    r = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


# ---- the committed world -------------------------------------------------------------------------

COMMITTED_TABLES = (
    "webhook_attempts, webhook_deliveries, webhook_messages, webhook_endpoints, outbox, learners"
)


@dataclass
class Live:
    url: str
    engine: AsyncEngine  # as the application role, like the worker
    owner: AsyncEngine  # to arrange states a test cannot wait for (a run of failures for days)
    settings: Settings

    def settings_with(self, **changes) -> Settings:
        return self.settings.model_copy(update=changes)

    async def sql(self, statement: str, **params) -> list:
        async with self.owner.begin() as conn:
            result = await conn.execute(text(statement), params)
            return result.all() if result.returns_rows else []

    def client(self) -> httpx.AsyncClient:
        app = build_app(self.settings, make_sessionmaker(self.engine))
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://verity.test"
        )


@pytest.fixture(scope="session")
async def live_database(server_url: str, worker_id_name: str, test_settings: Settings) -> AsyncIterator[Live]:
    url = await recreate_database(server_url, f"verity_test_webhooks_live_{worker_id_name}")
    await asyncio.to_thread(migrate, url)
    engine = make_engine(url, role=APP_ROLE, pool_size=20)
    owner = make_engine(url, pool_size=2)
    from app.centres import service
    from app.centres.schemas import CentreCreate

    async with make_sessionmaker(engine)() as session:
        for centre_id, number in ((CENTRE_A, "11111"), (CENTRE_B, "22222")):
            await service.create_centre(
                session,
                system_actor(centre_id),
                CentreCreate(centre_number=number, name=f"Centre {number}", nation="england_wales"),
            )
        await session.commit()
    yield Live(url, engine, owner, test_settings.model_copy(update={**DEV_WEBHOOKS, "database_url": url}))
    await engine.dispose()
    await owner.dispose()


@pytest.fixture
async def live(live_database: Live) -> Live:
    await live_database.sql(f"TRUNCATE {COMMITTED_TABLES} CASCADE")
    return live_database


def centre_ids() -> dict[str, uuid.UUID]:
    return {"a": CENTRE_A, "b": CENTRE_B}
