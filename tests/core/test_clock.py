"""The one clock (app/core/clock.py): what it answers, how tests and requests set it, and that
nothing else in app/ reads the wall clock (DESIGN house rule 14)."""

from __future__ import annotations

import ast
import asyncio
import datetime as dt
import re

import httpx
import pytest

from app.core import clock as service_clock
from tests.app_source import Module, modules

# ---- nothing else reads the wall clock ------------------------------------------------------------

WALL_CLOCK_READS = {
    "datetime.datetime.now",
    "datetime.datetime.utcnow",
    "datetime.datetime.today",
    "datetime.date.today",
    "time.time",
    "time.time_ns",
    "time.localtime",
    "time.gmtime",
    "time.ctime",
} | {
    f"sqlalchemy.func.{f}"
    for f in (
        "now",
        "current_timestamp",
        "current_date",
        "current_time",
        "localtime",
        "localtimestamp",
        "statement_timestamp",
        "clock_timestamp",
        "transaction_timestamp",
    )
}
SQL_TEXT_READ = re.compile(
    r"\b(now|clock_timestamp|statement_timestamp|transaction_timestamp)\s*\(\s*\)"
    r"|\bcurrent_(timestamp|date|time)\b|\blocaltime(stamp)?\b",
    re.IGNORECASE,
)
SQL_TEXT = "SQL text"

# Real time on purpose, each for a reason a test's clock must not change.
ALLOWED: dict[tuple[str, str], str] = {
    ("app/core/clock.py", "datetime.datetime.now"): "the clock itself: the one read of the wall clock",
    (
        "app/core/ids.py",
        "time.time_ns",
    ): "UUIDv7 ids order rows by creation even when a test freezes the clock",
    (
        "app/auth/tokens.py",
        "time.time",
    ): "a development token's iat/exp are checked by PyJWT against real time",
    (
        "app/assessment/storage.py",
        "datetime.datetime.now",
    ): "SigV4 signing time, checked by S3 against its clock",
    ("app/webhooks/sender.py", "time.time"): "webhook-timestamp, checked by receivers against their clock",
    # Webhook delivery timing (retry backoff, leases, secret overlap, purge) runs on the database's
    # clock, the one clock every worker process shares, never on one process's.
    ("app/webhooks/dispatch.py", "sqlalchemy.func.now"): "webhook delivery timing",
    ("app/webhooks/dispatch.py", "datetime.datetime.now"): "webhook purge bound on UUIDv7 ids (real time)",
    ("app/webhooks/dispatch.py", SQL_TEXT): "webhook delivery timing",
    ("app/webhooks/service.py", "sqlalchemy.func.now"): "webhook delivery timing",
}


def _aliases(tree: ast.Module) -> dict[str, str]:
    """Local name -> what it was imported as (`dt` -> `datetime`, `func` -> `sqlalchemy.func`)."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                names[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                names[a.asname or a.name] = f"{node.module}.{a.name}"
    return names


def _qualified(node: ast.expr, aliases: dict[str, str]) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in aliases:
        return None
    name = ".".join([aliases[node.id], *reversed(parts)])
    # sqlalchemy.sql.func, sqlalchemy.sql.expression.func ... are all the one `func`.
    return re.sub(r"^sqlalchemy(\.\w+)*\.func\.", "sqlalchemy.func.", name)


def _docstrings(tree: ast.Module) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _database_defaults(tree: ast.Module, aliases: dict[str, str]) -> set[int]:
    """`server_default=func.now()` beside a `default=` from the clock: the app always supplies the
    value; the database's default only fills rows written outside the app."""
    exempt = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            keywords = {k.arg: k.value for k in node.keywords}
            given = keywords.get("default")
            fallback = keywords.get("server_default")
            if (
                isinstance(fallback, ast.Call)
                and given is not None
                and _qualified(given, aliases) == "app.core.clock.now"
            ):
                exempt |= {id(n) for n in ast.walk(fallback)}
    return exempt


def wall_clock_reads(module: Module) -> list[tuple[int, str]]:
    aliases = _aliases(module.tree)
    exempt = _docstrings(module.tree) | _database_defaults(module.tree, aliases)
    found = []
    for node in ast.walk(module.tree):
        if id(node) in exempt:
            continue
        if isinstance(node, ast.Attribute | ast.Name):
            name = _qualified(node, aliases)
            if name in WALL_CLOCK_READS:
                found.append((node.lineno, name))
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and SQL_TEXT_READ.search(node.value)
        ):
            found.append((node.lineno, SQL_TEXT))
    return found


def test_only_the_clock_reads_the_wall_clock():
    reads = [
        f"{m.path}:{line} reads the wall clock ({name}): use app.core.clock"
        for m in modules().values()
        for line, name in wall_clock_reads(m)
        if (m.path, name) not in ALLOWED
    ]
    assert reads == []


def test_every_allowed_wall_clock_read_still_exists():
    """An allow-list entry nobody needs any more is removed, not left to excuse a new read."""
    present = {(m.path, name) for m in modules().values() for _, name in wall_clock_reads(m)}
    assert set(ALLOWED) - present == set()


@pytest.mark.parametrize(
    "source",
    [
        "import datetime as dt\nx = dt.datetime.now(dt.UTC)",
        "from datetime import date\nx = date.today()",
        "from time import time\nx = time()",
        "import sqlalchemy as sa\nc = sa.Column(server_default=sa.func.now())",
        "from sqlalchemy import func\nx = func.current_date()",
        "from sqlalchemy import text\nx = text('SELECT now()')",
        "from sqlalchemy import func\nfrom app.core import clock\nx = f(default=clock.today, server_default=func.now())",
    ],
)
def test_the_wall_clock_check_sees_each_way_of_reading_it(source):
    module = Module("app.example", "app/example.py", ast.parse(source))
    assert wall_clock_reads(module) != []


def test_a_database_default_beside_the_clocks_value_is_not_a_read():
    source = (
        "from sqlalchemy import func\nfrom app.core import clock\n"
        "c = mapped_column(default=clock.now, server_default=func.now())"
    )
    assert wall_clock_reads(Module("app.example", "app/example.py", ast.parse(source))) == []


# ---- what the clock answers -----------------------------------------------------------------------


def test_now_is_aware_utc_and_by_default_the_wall_clock():
    now = service_clock.now()
    assert now.tzinfo is not None and now.utcoffset() == dt.timedelta(0)
    assert abs(now - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=5)


@pytest.mark.parametrize(
    ("at", "local_date"),
    [
        # British Summer Time: 23:30 UTC is 00:30 the next day at the centre.
        (dt.datetime(2025, 6, 10, 23, 30, tzinfo=dt.UTC), dt.date(2025, 6, 11)),
        # Greenwich Mean Time: UTC and the centre agree.
        (dt.datetime(2025, 1, 10, 23, 30, tzinfo=dt.UTC), dt.date(2025, 1, 10)),
    ],
)
def test_today_is_the_centres_date_not_utcs(clock, at, local_date):
    clock.set(at)
    assert service_clock.today() == local_date
    assert service_clock.now() == at


def test_the_clock_fixture_freezes_and_moves_the_services_clock(clock):
    assert service_clock.now() == service_clock.now() == clock.at
    start = service_clock.now()
    clock.advance(dt.timedelta(days=3))
    assert service_clock.now() - start == dt.timedelta(days=3)
    assert service_clock.today() == (start + dt.timedelta(days=3)).date()


def test_a_clock_refuses_a_naive_time():
    with pytest.raises(ValueError):
        service_clock.FixedClock(dt.datetime(2025, 1, 1))


def test_using_restores_the_previous_clock_even_after_an_error():
    before = service_clock.now()
    with (
        pytest.raises(RuntimeError),
        service_clock.using(service_clock.FixedClock(dt.datetime(2000, 1, 1, tzinfo=dt.UTC))),
    ):
        assert service_clock.now().year == 2000
        raise RuntimeError
    assert service_clock.now() >= before


async def test_a_request_is_pinned_to_one_instant_and_sees_a_tests_clock(clock):
    seen = []

    async def endpoint(scope, receive, send):
        seen.append(service_clock.now())
        clock.advance(dt.timedelta(hours=1))  # the test's clock moves; the request's pinned one does not
        await asyncio.sleep(0)
        seen.append(service_clock.now())
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    pinned = service_clock.now()
    transport = httpx.ASGITransport(app=service_clock.ClockMiddleware(endpoint))
    async with httpx.AsyncClient(transport=transport, base_url="http://verity.test") as c:
        assert (await c.get("/")).status_code == 204
    assert seen == [pinned, pinned]
