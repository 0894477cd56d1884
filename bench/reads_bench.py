"""Reads that stay flat (issue 18): each list and report endpoint on a big centre, as a ratio to the same
endpoint on a 20-learner centre, over HTTP to real uvicorn servers, in the same run.

    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
        uv run python bench/reads_bench.py [--learners 2000] [--audit-rows 500000] [--rounds 3]

Two databases, migrated to head and seeded alike (bench/verification_bench.py's seed: a programme of
`--learners` learners, two briefs each, so two decisions a learner, ~20 % IV'd; then `--audit-rows`
audit rows spread over the learners, written by the owner as filler, not through the chain): "big"
with `--learners` and `--audit-rows`, "small" with 20 learners and a proportional share of audit rows
(at least 1,000). One server per database, both started as `verity serve` starts them, same pool and
settings; each endpoint is requested `--requests` times by 4 keep-alive clients, small then big, then
big then small in the next round; the ratio is big/small of the median rates. A ratio >= 0.8 is flat.

The issue's size is 2,000 learners / 40,000 decisions / 500,000 audit rows in one centre; this seed
gives 2 decisions a learner (4,000 at 2,000 learners): the decision lists page by key, so their cost
does not depend on the count, and the reports (grid, coverage) read every decision of the programme.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from sqlalchemy import text

from app.auth.tokens import mint_development_token
from app.core.config import Settings
from app.core.db import make_engine
from bench import verification_bench
from bench._serve import SECRET, database_name, served, service_env
from tests.conftest import CENTRE_A, _server_url, migrate, recreate_database

FILL_AUDIT = text("""
WITH l AS (SELECT array_agg(id::text ORDER BY id) AS ids, count(*) AS n FROM learners WHERE centre_id = :c),
     h AS (SELECT coalesce(max(seq), 0) AS base FROM audit_events WHERE centre_id = :c)
INSERT INTO audit_events (centre_id, seq, occurred_at, actor, actor_role, action, subject_type, subject_id,
                          before, after, request_id, prev_hash, hash)
SELECT :c, h.base + g, now(), 'bench', 'system', 'learner.updated', 'learner', l.ids[1 + (g % l.n)],
       NULL, jsonb_build_object('n', g), NULL, repeat('0', 64), repeat('0', 64)
FROM generate_series(1, :rows) AS g, l, h
""")


async def seed(name: str, learners: int, audit_rows: int) -> tuple[str, dict]:
    url = await recreate_database(_server_url(), database_name(name))
    await asyncio.to_thread(migrate, url)
    world, _staff, _candidates = await verification_bench.seed(url, learners, min(12, learners), 1)
    owner = make_engine(url, pool_size=1)
    async with owner.begin() as conn:
        await conn.execute(FILL_AUDIT, {"c": CENTRE_A, "rows": audit_rows})
        learner = (
            await conn.execute(
                text("SELECT id FROM learners WHERE centre_id = :c ORDER BY id LIMIT 1"), {"c": CENTRE_A}
            )
        ).scalar_one()
    async with owner.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("ANALYZE"))
    await owner.dispose()
    return url, {"programme": world.programme_id, "learner": learner}


def endpoints(ids: dict) -> dict[str, str]:
    p, learner = ids["programme"], ids["learner"]
    return {
        "learners, first page": "/v1/learners?limit=50",
        "audit events, first page": "/v1/audit-events?limit=50",
        "audit events for a subject": f"/v1/audit-events?subject_type=learner&subject_id={learner}&limit=50",
        "decisions by programme": f"/v1/assessment-decisions?programme_id={p}&limit=50",
        "submissions, first page": "/v1/submissions?limit=50",
        "tracking grid (report)": f"/v1/programmes/{p}/tracking-grid",
        "IV coverage (report)": f"/v1/programmes/{p}/iv-coverage",
    }


async def rate(base: str, path: str, headers: dict, requests: int, clients: int = 4) -> float:
    left = [requests]

    async def worker() -> None:
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as c:
            while left[0] > 0:
                left[0] -= 1
                r = await c.get(path)
                if r.status_code != 200:
                    raise SystemExit(f"{path}: {r.status_code} {r.text[:300]}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return requests / (time.perf_counter() - started)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--audit-rows", type=int, default=500_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument(
        "--tiny", action="store_true", help="the CI smoke size: it runs, figures mean nothing"
    )
    args = parser.parse_args()
    if args.tiny:
        args.learners, args.audit_rows, args.rounds, args.requests = 30, 2000, 1, 4
    small_learners = min(20, args.learners)
    small_audit = max(1000, args.audit_rows * small_learners // args.learners)
    print("seeding …", flush=True)
    started = time.perf_counter()
    big_url, big_ids = await seed("verity_bench_reads_big", args.learners, args.audit_rows)
    small_url, small_ids = await seed("verity_bench_reads_small", small_learners, small_audit)
    print(f"seeded in {time.perf_counter() - started:.0f}s", flush=True)
    settings = Settings(auth_mode="development", dev_jwt_secret=SECRET)
    token = mint_development_token(
        settings, subject="staff-liv", centre_id=CENTRE_A, roles=["hoc", "qn", "liv"]
    )
    headers = {"Authorization": f"Bearer {token}"}
    big_paths, small_paths = endpoints(big_ids), endpoints(small_ids)
    rates: dict[str, dict[str, list[float]]] = {name: {"big": [], "small": []} for name in big_paths}
    with (
        served("app.main:create_app", service_env(big_url)) as big,
        served("app.main:create_app", service_env(small_url)) as small,
    ):
        for name in big_paths:  # warm both: connections, statement caches, the planner's statistics
            await rate(big, big_paths[name], headers, 2, 1)
            await rate(small, small_paths[name], headers, 2, 1)
        for r in range(args.rounds):
            for name in big_paths:
                order = [("small", small, small_paths), ("big", big, big_paths)]
                for which, base, paths in order if r % 2 == 0 else reversed(order):
                    rates[name][which].append(await rate(base, paths[name], headers, args.requests))
    med = statistics.median
    print(
        f"\ncpus={os.cpu_count()} big: {args.learners} learners, {2 * args.learners} decisions, "
        f"{args.audit_rows} audit rows; small: {small_learners} learners, {small_audit} audit rows; "
        f"{args.rounds} rounds x {args.requests} requests, 4 clients (req/s, medians)"
    )
    ratios = {}
    for name, by in rates.items():
        ratios[name] = med(by["big"]) / med(by["small"])
        print(
            f"  {name:30s} small {med(by['small']):7.1f}  big {med(by['big']):7.1f}  ratio {ratios[name]:.2f}"
        )
    worst = min(ratios, key=lambda k: ratios[k])
    lists = {k: v for k, v in ratios.items() if "(report)" not in k}
    print(f"slowest ratio: {ratios[worst]:.2f} ({worst}); slowest list: {min(lists.values()):.2f}")


if __name__ == "__main__":
    asyncio.run(main())
