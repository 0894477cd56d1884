"""Bench: webhook delivery throughput of one worker, and what the outbox costs the write path.

    cd /work/main && TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
        uv run python bench/webhooks_bench.py [--events 5000] [--rounds 6] [--seconds 5] [--concurrency 16]

1. Delivery: `--events` committed outbox events of one centre, one subscribed endpoint, a minimal
   keep-alive HTTP receiver in its own process on 127.0.0.1 answering 204; one in-process worker
   (`run_worker`, the code `verity worker` runs) from start until every delivery has succeeded.
   Reported: events/s end to end (fan-out + signing + HTTP + recording each attempt).
2. Write path: `POST /v1/learners` over HTTP against a real uvicorn (bench/_serve.py: the flags `verity
   serve` uses; insert, audit row, outbox event, commit) against the same service served beside it with
   the outbox rows left out of the write path's statement (bench/_no_outbox.py), one database, both
   asked at the same time by `--clients` keep-alive clients each for `--seconds`, `--rounds` times.
   Reported: writes/s each (medians), the median of the rounds' ratios, and each round's ratio.

A database `verity_bench_webhooks` is created on the server (TEST_DATABASE_URL or BENCH_DATABASE_URL;
else the embedded PostgreSQL in .var/bench). On shared hardware, the ratios are the figures to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from app.audit.service import SYSTEM_ROLE, Actor  # noqa: E402
from app.auth.principal import Principal  # noqa: E402
from app.auth.scopes import Role  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.core.db import asyncpg_url, embedded_server_url, make_engine, make_sessionmaker  # noqa: E402
from bench._serve import database_name, service_env  # noqa: E402

APP_ROLE = "verity_app"
CENTRE = uuid.UUID("0190a1b2-0000-7000-8000-0000000000be")
DATABASE = database_name("verity_bench_webhooks")
WRITE_CENTRE_WITHOUT = 1000  # centre(i) of the writes without outbox rows; the endpoints' are 1..N


# ---- a receiver that costs as little as possible -------------------------------------------------


def _serve(port_queue: multiprocessing.Queue) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                await reader.readexactly(length)
                writer.write(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port_queue.put(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    asyncio.run(main())


# ---- the database ---------------------------------------------------------------------------------


async def fresh_database() -> str:
    import asyncpg
    from sqlalchemy.engine import make_url

    server = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    server = (
        asyncpg_url(server) if server else embedded_server_url(ROOT / ".var" / "bench", database="postgres")
    )
    admin = make_url(server).set(database="postgres").render_as_string(hide_password=False)
    conn = await asyncpg.connect(admin.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await conn.close()
    url = make_url(server).set(database=DATABASE).render_as_string(hide_password=False)

    def migrate() -> None:
        from alembic import command
        from app.cli import alembic_config

        cfg = alembic_config(url)
        cfg.attributes["app_role"] = APP_ROLE
        command.upgrade(cfg, "heads")

    await asyncio.to_thread(migrate)
    return url


def centre(i: int) -> uuid.UUID:
    """The bench's centres: the first is CENTRE (the write path's), the others one endpoint each."""
    return CENTRE if i == 0 else uuid.UUID(int=CENTRE.int + i)


async def setup_centre(engine, i: int = 0) -> None:
    from app.centres import service
    from app.centres.schemas import CentreCreate

    async with make_sessionmaker(engine)() as session:
        await service.create_centre(
            session,
            Actor("bench", SYSTEM_ROLE, centre(i)),
            CentreCreate(centre_number=f"{99999 - i}", name=f"Bench centre {i}", nation="england_wales"),
        )
        await session.commit()


# ---- 1. delivery throughput ------------------------------------------------------------------------


async def make_endpoint(engine, settings: Settings, port: int, i: int = 0) -> None:
    from app.webhooks import service as webhooks
    from app.webhooks.schemas import WebhookEndpointCreate

    hoc = Principal.of("bench", centre(i), frozenset({Role.hoc}))
    async with make_sessionmaker(engine)() as session:
        await webhooks.create_endpoint(
            session,
            hoc,
            settings,
            WebhookEndpointCreate(url=f"http://127.0.0.1:{port}/hook", event_types=["learner.created"]),
        )
        await session.commit()


def worker_process(url: str, settings: Settings, concurrency: int) -> subprocess.Popen:
    """`verity worker` itself, as deployed: its own process, its own pool, sharing the database."""
    env = {
        **os.environ,
        **service_env(url),
        "VERITY_WEBHOOKS_ALLOW_HTTP": "true",
        "VERITY_WEBHOOKS_ALLOW_LOOPBACK": "true",
        "VERITY_WEBHOOKS_POLL_INTERVAL_SECONDS": str(settings.webhooks_poll_interval_seconds),
        "VERITY_WEBHOOKS_ENDPOINT_CONCURRENCY": str(settings.webhooks_endpoint_concurrency),
    }
    verity = str(Path(sys.executable).parent / "verity")
    return subprocess.Popen(
        [verity, "worker", "--concurrency", str(concurrency)], cwd=ROOT, env=env, stderr=subprocess.DEVNULL
    )


async def delivery(
    engine,
    owner,
    settings: Settings,
    events: int,
    concurrency: int,
    processes: int = 0,
    url: str = "",
    endpoints: int = 1,
) -> float:
    """Events/s from committing `events` outbox rows until every delivery has succeeded: one in-process
    worker (processes=0), or `processes` separate `verity worker` processes sharing the database. The
    events are spread over the first `endpoints` centres (one endpoint each)."""
    from app.webhooks.worker import run_worker

    async with owner.connect() as conn:
        before = (
            await conn.execute(text("SELECT count(*) FROM webhook_deliveries WHERE status = 'succeeded'"))
        ).scalar_one()
    procs = [worker_process(url, settings, concurrency) for _ in range(processes)]
    if procs:
        await asyncio.sleep(4)  # let them import and connect before the clock starts
    # The events, set-based as the owner (the outbox's contents are what the worker reads, not how
    # they got there): one learner.created payload each.
    async with owner.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO outbox (id, centre_id, event_type, payload) "
                "SELECT gen_random_uuid(), (CAST(:centres AS uuid[]))[1 + g % :k], 'learner.created', "
                "jsonb_build_object("
                "'id', gen_random_uuid(), 'given_name', 'Amara', 'family_name', 'Bello', "
                "'date_of_birth', '2008-03-14', 'candidate_number', lpad(g::text, 4, '0'), 'version', 1) "
                "FROM generate_series(1, :n) AS g"
            ),
            {"centres": [centre(i) for i in range(endpoints)], "k": endpoints, "n": events},
        )
    stop = asyncio.Event()
    started = time.perf_counter()
    worker = None
    if not procs:
        worker = asyncio.create_task(run_worker(settings, stop=stop, concurrency=concurrency, engine=engine))
    try:
        while True:
            await asyncio.sleep(0.05)
            async with owner.connect() as conn:
                done = (
                    await conn.execute(
                        text("SELECT count(*) FROM webhook_deliveries WHERE status = 'succeeded'")
                    )
                ).scalar_one()
            if done - before >= events:
                break
            if worker is not None and worker.done():
                worker.result()
            if any(p.poll() is not None for p in procs):
                raise SystemExit("a worker process exited")
        elapsed = time.perf_counter() - started
    finally:
        stop.set()
        if worker is not None:
            await worker
        for p in procs:
            p.terminate()
            p.wait(timeout=30)
    return events / elapsed


# ---- 2. the outbox on the write path ---------------------------------------------------------------


async def writes_until(
    clients: list, headers: dict[str, str], deadline: float, names: itertools.count
) -> float:
    """`POST /v1/learners` from already connected keep-alive `clients` until `deadline`; writes/s."""
    done = [0]

    async def client(c) -> None:
        while time.perf_counter() < deadline:
            body = {
                "given_name": "Amara",
                "family_name": f"Bello{next(names)}",
                "date_of_birth": "2008-03-14",
            }
            r = await c.post("/v1/learners", json=body, headers=headers)
            if r.status_code != 201:
                raise SystemExit(f"POST /v1/learners: {r.status_code} {r.text[:300]}")
            done[0] += 1

    started = time.perf_counter()
    await asyncio.gather(*(client(c) for c in clients))
    return done[0] / (time.perf_counter() - started)


async def write_rounds(engine, url: str, args: argparse.Namespace) -> tuple[list[float], list[float]]:
    """`POST /v1/learners` (insert, audit row, outbox event, commit) over HTTP against a real server, and
    the same request against the same service served with the outbox rows left out (bench/_no_outbox.py),
    both on one database and both at the same time: `--clients` keep-alive clients each for `--seconds`
    a round, so a burst of other load on the shared cores slows both alike (asked one after the other,
    blocks of the same run gave pair ratios from 0.67 to 1.15)."""
    import httpx

    from app.auth.tokens import mint_development_token
    from bench._serve import SECRET, served

    settings = Settings(
        database_url=url, auth_mode="development", dev_jwt_secret=SECRET, database_role=APP_ROLE
    )
    # Each server writes to a centre of its own: the audit chain's lock is per centre, and one shared
    # centre would make the two take turns at it, pulling their ratio towards 1 whatever each costs.
    await setup_centre(engine, WRITE_CENTRE_WITHOUT)
    hoc, hoc_without = (
        {
            "Authorization": "Bearer "
            + mint_development_token(settings, subject="bench-hoc", centre_id=centre(i), roles=["hoc"])
        }
        for i in (0, WRITE_CENTRE_WITHOUT)
    )
    env = service_env(url)
    names = itertools.count()
    with_emit: list[float] = []
    without: list[float] = []
    with (
        served("app.main:create_app", env) as api,
        served("bench._no_outbox:create_app", env) as bare,
    ):
        clients = {
            base: [httpx.AsyncClient(base_url=base, timeout=60) for _ in range(args.clients)]
            for base in (api, bare)
        }
        try:
            warm = time.perf_counter() + min(2.0, args.seconds)  # connections, statement caches
            await asyncio.gather(
                writes_until(clients[api], hoc, warm, names),
                writes_until(clients[bare], hoc_without, warm, names),
            )
            for _ in range(args.rounds):
                deadline = time.perf_counter() + args.seconds
                a, b = await asyncio.gather(
                    writes_until(clients[api], hoc, deadline, names),
                    writes_until(clients[bare], hoc_without, deadline, names),
                )
                with_emit.append(a)
                without.append(b)
        finally:
            for c in [*clients[api], *clients[bare]]:
                await c.aclose()
    return with_emit, without


async def main(args: argparse.Namespace) -> None:
    url = await fresh_database()
    engine = make_engine(url, role=APP_ROLE, pool_size=args.concurrency + 2)
    owner = make_engine(url, pool_size=1)
    settings = Settings(
        database_url=url,
        webhooks_allow_http=True,
        webhooks_allow_loopback=True,
        webhooks_poll_interval_seconds=0.05,
        webhooks_endpoint_concurrency=args.endpoint_concurrency or Settings().webhooks_endpoint_concurrency,
    )
    ports: multiprocessing.Queue = multiprocessing.Queue()
    receiver = multiprocessing.Process(target=_serve, args=(ports,), daemon=True)
    receiver.start()
    try:
        await setup_centre(engine)
        port = ports.get(timeout=10)

        with_emit, without = await write_rounds(engine, url, args)
        async with owner.begin() as conn:
            await conn.execute(
                text("TRUNCATE outbox")
            )  # the write bench's events are not the delivery bench's

        await make_endpoint(engine, settings, port)
        for i in range(1, args.endpoints):
            await setup_centre(engine, i)
            await make_endpoint(engine, settings, port, i)
        rate = await delivery(engine, owner, settings, args.events, args.concurrency)
        print(
            f"delivery, one worker, concurrency {args.concurrency} "
            f"(at most {settings.webhooks_endpoint_concurrency} to the endpoint): {rate:,.0f} events/s "
            f"({args.events} events, 1 endpoint, local receiver)"
        )
        if args.endpoints > 1:
            # One endpoint is bounded by its own limit (R: at most N in flight to it), not by the worker.
            rate = await delivery(
                engine, owner, settings, args.events, args.concurrency, endpoints=args.endpoints
            )
            print(
                f"delivery, one worker, concurrency {args.concurrency}, {args.endpoints} endpoints "
                f"(one per centre, the same local receiver): {rate:,.0f} events/s ({args.events} events)"
            )
        if args.worker_processes:
            rate = await delivery(
                engine,
                owner,
                settings,
                args.events,
                args.concurrency,
                args.worker_processes,
                url,
                endpoints=args.endpoints,
            )
            print(
                f"delivery, {args.worker_processes} `verity worker` processes sharing the database, "
                f"{args.endpoints} endpoints: {rate:,.0f} events/s ({args.events} events)"
            )
            one = await delivery(
                engine, owner, settings, args.events, args.concurrency, 1, url, endpoints=args.endpoints
            )
            print(
                f"delivery, 1 `verity worker` process, {args.endpoints} endpoints: {one:,.0f} events/s; "
                f"ratio {args.worker_processes}/1 workers: {rate / one:.2f}"
            )
        med = statistics.median
        pairs = [w / wo for w, wo in zip(with_emit, without, strict=True)]
        print(
            f"POST /v1/learners with its outbox event:    {med(with_emit):,.1f} writes/s median "
            f"(rounds: {', '.join(f'{r:,.1f}' for r in with_emit)}; {args.clients} clients each, both at once, over HTTP)"
        )
        print(
            f"POST /v1/learners, outbox rows left out:    {med(without):,.1f} writes/s median "
            f"(rounds: {', '.join(f'{r:,.1f}' for r in without)})"
        )
        print(
            f"ratio with/without emit: {med(pairs):.2f} (median of the rounds; per round: "
            f"{', '.join(f'{r:.2f}' for r in pairs)})"
        )
    finally:
        receiver.terminate()
        await engine.dispose()
        await owner.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=6, help="side-by-side rounds of writes")
    parser.add_argument("--seconds", type=float, default=5.0, help="each round's window")
    parser.add_argument("--clients", type=int, default=6, help="HTTP clients writing to each server")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--endpoint-concurrency", type=int, default=0, help="default: the setting's")
    parser.add_argument("--worker-processes", type=int, default=2, help="then N `verity worker` processes")
    parser.add_argument("--endpoints", type=int, default=8, help="then spread over N endpoints")
    parser.add_argument(
        "--tiny", action="store_true", help="the CI smoke size: it runs, figures mean nothing"
    )
    args = parser.parse_args()
    if args.tiny:
        args.events, args.concurrency, args.worker_processes, args.endpoints = 40, 4, 0, 2
        args.rounds, args.seconds, args.clients = 2, 0.5, 2
    asyncio.run(main(args))
