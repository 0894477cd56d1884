"""Test infrastructure: real PostgreSQL, migrated by Alembic, one database per xdist worker, each test
inside a transaction that is rolled back at the end.

Where the server comes from: TEST_DATABASE_URL (any database on the server; CI points it at
127.0.0.1:5432), else the embedded PostgreSQL from `pgserver` in .var/test-pgdata.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from app.audit.service import SYSTEM_ROLE, Actor
from app.auth.tokens import mint_development_token
from app.core import clock as service_clock
from app.core.config import Settings
from app.core.db import asyncpg_url, embedded_server_url, make_engine

ROOT = Path(__file__).resolve().parent.parent

# Hypothesis under CPU load (two cores, parallel workers, CI beside other jobs): no per-example deadline
# and no "too slow" health check, so a property fails only on a counterexample, never on the machine's
# speed. Examples stay as each test sets them. HYPOTHESIS_PROFILE=dev restores Hypothesis's defaults.
settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev")
# As "ci", and costly properties run every example they were written with (examples() below).
settings.register_profile("thorough", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"


def examples(ci: int, thorough: int) -> int:
    """The examples of a costly property (each builds and draws a whole population): `ci` in every
    run of the suite, `thorough` under HYPOTHESIS_PROFILE=thorough (before a release, after a change
    to the code it tests). Each run draws fresh examples, so the runs together still search widely."""
    return thorough if THOROUGH else ci


APP_ROLE = "verity_app"


def _server_url() -> str:
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        return asyncpg_url(configured)
    return embedded_server_url(ROOT / ".var" / "test", database="postgres")


def _database_url(server_url: str, name: str) -> str:
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def _plain(url: str) -> str:
    """asyncpg.connect wants a libpq-style URL without the SQLAlchemy driver name."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


_created: list[tuple[str, str]] = []  # (server, database) made by this process, dropped at the end


async def recreate_database(server_url: str, name: str) -> str:
    conn = await asyncpg.connect(_plain(_database_url(server_url, "postgres")))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    _created.append((server_url, name))
    return _database_url(server_url, name)


async def _drop_created() -> None:
    for server_url, name in _created:
        try:
            conn = await asyncpg.connect(_plain(_database_url(server_url, "postgres")))
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await conn.close()
        except (OSError, asyncpg.PostgresError):
            pass  # best effort: a database left behind is dropped by the next run of the same name


def pytest_sessionfinish(session, exitstatus) -> None:
    if _created:
        asyncio.run(_drop_created())


def pytest_unconfigure(config) -> None:
    """On the controller, once every worker has exited: stop the embedded PostgreSQL the run started.

    Each process that joined it stops it at exit when it is the last one (pgserver's cleanup_mode), but
    a worker that crashed or was killed never takes its pid off the list, and the server would then
    outlive the run."""
    if os.environ.get("TEST_DATABASE_URL") or hasattr(config, "workerinput"):
        return
    _stop_embedded(ROOT / ".var" / "test" / "pgdata")


def _stop_embedded(pgdata: Path) -> None:
    import json
    import signal

    import psutil

    pid_file = pgdata / "postmaster.pid"
    if not pid_file.exists():
        return
    handles = pgdata / ".handle_pids.json"
    others = [
        pid
        for pid in (json.loads(handles.read_text()) if handles.exists() else [])
        if pid != os.getpid() and psutil.pid_exists(pid)
    ]
    if others:
        return  # another run (or a `verity` command) is still using the server
    # SIGINT is pg_ctl's fast shutdown; sent directly, it needs neither pg_ctl's non-root user nor an
    # import of pgserver (whose platformdirs look-up warns when XDG_RUNTIME_DIR is unset).
    try:
        postmaster = psutil.Process(int(pid_file.read_text().splitlines()[0]))
        postmaster.send_signal(signal.SIGINT)
        postmaster.wait(30)
    except (psutil.NoSuchProcess, ValueError, IndexError):
        pass  # it had already stopped, leaving a stale pid file
    handles.write_text("[]")


def migrate(url: str, revision: str = "head", *, down: bool = False) -> None:
    from alembic import command
    from app.models import alembic_config

    cfg = alembic_config(url)
    cfg.attributes["app_role"] = APP_ROLE
    (command.downgrade if down else command.upgrade)(cfg, revision)


_RUN = uuid.uuid4().hex[:8]


@pytest.fixture(scope="session", autouse=True)
def release_gates() -> None:
    """Service-level tests release decisions without building the app: register verification's R-25
    gate as create_app does (tests/verification/test_release.py checks that create_app does), its
    R-40 lookup of the programme's LIV for programme access, malpractice's hooks and certification's
    reasons from standards verification, appeals and malpractice."""
    from app.wiring import wire_domains

    wire_domains()


@pytest.fixture(scope="session")
def worker_id_name(request) -> str:
    """Unique per test run and worker: two runs against one server (two developers, CI beside a
    local run) never drop each other's databases."""
    workerinput = getattr(request.config, "workerinput", {})
    run = workerinput.get("testrunuid", _RUN)[:8]
    return f"{workerinput.get('workerid', 'main')}_{run}"


@pytest.fixture(scope="session")
def server_url() -> str:
    return _server_url()


@pytest.fixture(scope="session")
async def database_url(server_url: str, worker_id_name: str) -> str:
    """A fresh database per worker, built as `verity migrate` builds one: migrations, then the shipped
    qualifications (committed, so every test sees the catalogue)."""
    url = await recreate_database(server_url, f"verity_test_{worker_id_name}")
    await asyncio.to_thread(migrate, url)
    from app.qualifications.models import PLATFORM_CENTRE
    from app.qualifications.service import ensure_shipped

    engine = make_engine(url, role=APP_ROLE, pool_size=1)
    try:
        async with engine.begin() as conn, AsyncSession(bind=conn) as session:
            await ensure_shipped(session, system_actor(PLATFORM_CENTRE))
    finally:
        await engine.dispose()
    return url


@pytest.fixture(scope="session")
def test_settings(database_url: str, tmp_path_factory) -> Settings:
    return Settings(
        database_url=database_url,
        auth_mode="development",
        dev_jwt_secret="test-secret-" + "x" * 32,
        data_dir=tmp_path_factory.mktemp("data"),
        database_role=APP_ROLE,
    )


@pytest.fixture(scope="session")
async def app_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """Connections as the application role, exactly as the service connects."""
    engine = make_engine(database_url, role=APP_ROLE, pool_size=2)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def owner_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url, pool_size=1)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(app_engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with app_engine.connect() as conn:
        trans = await conn.begin()
        try:
            yield conn
        finally:
            await trans.rollback()


@pytest.fixture
def sessionmaker(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    # Every session, the app's included, joins the test's transaction through savepoints: a commit in
    # the code under test releases a savepoint, and the test's rollback undoes everything.
    return async_sessionmaker(
        bind=connection, expire_on_commit=False, autoflush=False, join_transaction_mode="create_savepoint"
    )


@pytest.fixture
async def session(sessionmaker) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as s:
        yield s


@pytest.fixture
def app(test_settings: Settings, sessionmaker):
    from app.main import create_app

    return create_app(test_settings, sessionmaker=sessionmaker)


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://verity.test") as c:
        yield c


CENTRE_A = uuid.UUID("0190a1b2-0000-7000-8000-00000000000a")
CENTRE_B = uuid.UUID("0190a1b2-0000-7000-8000-00000000000b")


@pytest.fixture
def token(test_settings: Settings) -> Callable[..., str]:
    def mint(*roles: str, centre: uuid.UUID = CENTRE_A, subject: str | None = None) -> str:
        return mint_development_token(
            test_settings, subject=subject or f"test-{roles[0]}", centre_id=centre, roles=list(roles)
        )

    return mint


@pytest.fixture
def auth(token) -> Callable[..., dict[str, str]]:
    def headers(*roles: str, centre: uuid.UUID = CENTRE_A, subject: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token(*roles, centre=centre, subject=subject)}"}

    return headers


# A Wednesday in the autumn term, before R-11's end-of-November registration deadline.
FROZEN_AT = dt.datetime(2025, 10, 15, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock() -> Iterator[service_clock.FixedClock]:
    """Freezes the service's clock (app/core/clock.py) for one test at FROZEN_AT: `clock.set(at)` and
    `clock.advance(delta)` move it; requests made by the test see it too. Reset when the test ends."""
    with service_clock.using(service_clock.FixedClock(FROZEN_AT)) as frozen:
        yield frozen


def system_actor(centre_id: uuid.UUID) -> Actor:
    return Actor(subject="system:test", audit_role=SYSTEM_ROLE, centre_id=centre_id)


@pytest.fixture
async def centres(session: AsyncSession) -> dict[str, uuid.UUID]:
    """Two centres, so every test can check that one never sees the other."""
    from app.centres import service
    from app.centres.schemas import CentreCreate, Nation

    for centre_id, number in ((CENTRE_A, "11111"), (CENTRE_B, "22222")):
        await service.create_centre(
            session,
            system_actor(centre_id),
            CentreCreate(centre_number=number, name=f"Centre {number}", nation=Nation.england_wales),
        )
    await session.commit()
    return {"a": CENTRE_A, "b": CENTRE_B}
