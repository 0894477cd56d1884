"""Bench: the MIS bulk sync of 10,000 learners through the API, as a ratio to a bare COPY and a bare
executemany of the same rows on the same database in the same run.

    cd /work/main && TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
        uv run python bench/bulk_sync_bench.py [--learners 10000] [--rounds 3]

A database `verity_bench_sync` is created on the server (BENCH_DATABASE_URL or TEST_DATABASE_URL; else the
embedded PostgreSQL in .var/bench) and migrated to head. Every figure inserts the same number of new
learners (fresh MIS ids each round), as the application role, committed:

- bare COPY: asyncpg `copy_records_to_table` into `learners` (no audit, no outbox, no checks);
- bare executemany: one prepared `INSERT` executed for every row (likewise);
- service: `app.sync.service.upsert` on already-parsed records (checks, the upsert, one audit row and one
  outbox event per learner), no HTTP;
- API: `POST /v1/sync/mis` over HTTP to a real uvicorn (bench/_serve.py, the flags `verity serve` uses): JSON parsing and validation of the body,
  authentication, the service, the per-record answer, the commit;
- API, unchanged: the same 10,000 learners sent again under a new key (every record `unchanged`,
  nothing written);
- API, replayed key: the first request sent again with its Idempotency-Key (the stored answer).

Every API request carries an Idempotency-Key, as an MIS integration should.

Rounds alternate the variants; the best round of each is reported. On shared hardware the ratios are the
figures to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from app.audit.service import SYSTEM_ROLE, Actor  # noqa: E402
from app.auth.principal import Principal  # noqa: E402
from app.auth.scopes import Role  # noqa: E402
from app.auth.tokens import mint_development_token  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.core.db import (  # noqa: E402
    asyncpg_url,
    defer_until_commit,
    embedded_server_url,
    make_engine,
    make_sessionmaker,
    run_deferred,
)
from app.core.ids import uuid7  # noqa: E402
from bench._serve import SECRET, database_name, served, service_env  # noqa: E402

APP_ROLE = "verity_app"
CENTRE = uuid.UUID("0190a1b2-0000-7000-8000-0000000000b5")
DATABASE = database_name("verity_bench_sync")


async def fresh_database() -> str:
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


def learners(prefix: str, n: int) -> list[dict]:
    return [
        {
            "mis_id": f"{prefix}-{i:05d}",
            "given_name": f"Given{i}",
            "family_name": f"Family{i}",
            "date_of_birth": "2008-03-14",
            "candidate_number": f"{prefix[-4:]}{i:05d}",
        }
        for i in range(n)
    ]


def rows(records: list[dict]) -> list[tuple]:
    return [
        (
            uuid7(),
            CENTRE,
            r["given_name"],
            r["family_name"],
            dt.date.fromisoformat(r["date_of_birth"]),
            r["candidate_number"],
            None,
            r["mis_id"],
            None,
            None,
            1,
        )
        for r in records
    ]


COLUMNS = [
    "id",
    "centre_id",
    "given_name",
    "family_name",
    "date_of_birth",
    "candidate_number",
    "uln",
    "mis_id",
    "email",
    "idp_subject",
    "version",
]


async def bare(plain_url: str, records: list[dict], copy: bool) -> float:
    conn = await asyncpg.connect(plain_url)
    try:
        await conn.execute(f'SET ROLE "{APP_ROLE}"')
        data = rows(records)
        started = time.perf_counter()
        async with conn.transaction():
            if copy:
                await conn.copy_records_to_table("learners", records=data, columns=COLUMNS)
            else:
                await conn.executemany(
                    f"INSERT INTO learners ({', '.join(COLUMNS)}) VALUES ({', '.join(f'${i + 1}' for i in range(11))})",
                    data,
                )
        return time.perf_counter() - started
    finally:
        await conn.close()


async def service_only(sessionmaker, records: list[dict]) -> float:
    from app.sync import schemas, service

    parsed = [schemas.SyncLearner.model_validate(r) for r in records]
    p = Principal.of("bench", CENTRE, frozenset({Role.exams_officer}))
    started = time.perf_counter()
    async with sessionmaker() as session:
        await service.lock_centre(session, CENTRE)
        await service.upsert(session, p, parsed, [])
        await session.commit()
    return time.perf_counter() - started


async def phases(sessionmaker, records: list[dict]) -> dict[str, float]:
    """Where the service's time goes, step by step, on one more batch of new learners."""
    from app.events import bulk
    from app.sync import schemas, service

    p = Principal.of("bench", CENTRE, frozenset({Role.exams_officer}))
    timings: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = now - since
        return now

    t = time.perf_counter()
    parsed = [schemas.SyncLearner.model_validate(r) for r in records]
    t = lap("validate the records (pydantic)", t)
    async with sessionmaker() as session:
        defer_until_commit(session)  # as a request's session: the append runs at commit
        await service.lock_centre(session, CENTRE)
        plans, _ = await service.plan_learners(session, CENTRE, parsed, "body.learners")
        t = lap("lock + checks + one read of the existing rows", t)
        await service.write_learners(session, CENTRE, plans)
        t = lap("upsert + the JSON in SQL, changes staged", t)
        await bulk.recorded_staged(session, p)
        await run_deferred(session)
        t = lap("record_staged_changes: outbox + audit_append_many", t)
        await session.commit()
        lap("commit", t)
    return timings


async def api(client: httpx.AsyncClient, headers: dict, records: list[dict], expect: str, key: str) -> float:
    started = time.perf_counter()
    r = await client.post(
        "/v1/sync/mis", json={"learners": records}, headers={**headers, "Idempotency-Key": key}
    )
    elapsed = time.perf_counter() - started
    assert r.status_code == 200, r.text[:500]
    assert r.json()[expect] == len(records), r.text[:300]
    return elapsed


async def main(args: argparse.Namespace) -> None:
    url = await fresh_database()
    plain = url.replace("postgresql+asyncpg://", "postgresql://")
    engine = make_engine(url, role=APP_ROLE, pool_size=2)
    sessionmaker = make_sessionmaker(engine)
    from app.centres import service as centres
    from app.centres.schemas import CentreCreate

    async with sessionmaker() as session:
        await centres.create_centre(
            session,
            Actor("bench", SYSTEM_ROLE, CENTRE),
            CentreCreate(centre_number="99998", name="Bench centre", nation="england_wales"),
        )
        await session.commit()
    settings = Settings(
        database_url=url,
        auth_mode="development",
        dev_jwt_secret=SECRET,
        data_dir=ROOT / ".var" / "bench",
        database_role=APP_ROLE,
    )
    headers = {
        "Authorization": "Bearer "
        + mint_development_token(settings, subject="bench", centre_id=CENTRE, roles=["exams_officer"])
    }
    n = args.learners
    best: dict[str, float] = {}
    with served("app.main:create_app", service_env(url)) as base:
        async with httpx.AsyncClient(base_url=base, timeout=600) as client:
            await api(
                client, headers, learners("WARM", min(200, n)), "created", "warm"
            )  # imports, caches, statements
            for r in range(args.rounds):
                timings = {
                    "bare COPY": await bare(plain, learners(f"C{r:03d}", n), copy=True),
                    "bare executemany": await bare(plain, learners(f"E{r:03d}", n), copy=False),
                    "service (no HTTP)": await service_only(sessionmaker, learners(f"S{r:03d}", n)),
                }
                records = learners(f"A{r:03d}", n)
                timings["API"] = await api(client, headers, records, "created", f"create-{r}")
                timings["API, all unchanged"] = await api(client, headers, records, "unchanged", f"again-{r}")
                timings["API, replayed key"] = await api(client, headers, records, "created", f"create-{r}")
                for name, seconds in timings.items():
                    best[name] = min(best.get(name, seconds), seconds)
                print(f"round {r + 1}: " + ", ".join(f"{k} {v:.3f}s" for k, v in timings.items()), flush=True)
    print("\nservice steps (one batch):")
    for step, seconds in (await phases(sessionmaker, learners("PHASE", n))).items():
        print(f"    {step:48s} {seconds:7.3f}s")
    await engine.dispose()
    print(f"\n{n} learners, best of {args.rounds} rounds (rows/s; ratio = bare time / this time):")
    for base in ("bare COPY", "bare executemany"):
        print(f"  vs {base}:")
        for name, seconds in best.items():
            print(
                f"    {name:22s} {seconds:7.3f}s {n / seconds:9.0f} rows/s  ratio {best[base] / seconds:.3f}"
            )
    print(
        f"\nheadline: API / bare executemany = {best['bare executemany'] / best['API']:.3f}, "
        f"API / bare COPY = {best['bare COPY'] / best['API']:.3f}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--tiny", action="store_true", help="the CI smoke size: it runs, figures mean nothing"
    )
    args = parser.parse_args()
    if args.tiny:
        args.learners, args.rounds = 20, 1
    asyncio.run(main(args))
