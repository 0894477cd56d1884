"""Bench (issue 18): one API process against two, sharing one database.

    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
        uv run python bench/scale_bench.py [--clients 12] [--decisions 600] [--rounds 2]

The assessment bench's hot path (POST /v1/assessment-decisions, 11 criteria, R-10 check, audit row,
outbox event; bench/assessment_bench.py seeds it) served by `verity serve` with 1 uvicorn process and
with 2 (`--workers 2`: two processes, two pools, one database), interleaved round by round with
`--clients` keep-alive clients. Reported: decisions/s each, and the ratio. Worker processes (1 vs 2
`verity worker`) are measured by bench/webhooks_bench.py (`--worker-processes 2`).

On this machine (2 shared cores, PostgreSQL on the same cores) the ratio says how much of a core a
second process finds, not what a second machine would add; docs/scaling.md draws the capacity model.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.auth.tokens import mint_development_token
from app.core.config import Settings
from bench._serve import SECRET, database_name, served, service_env
from bench.assessment_bench import body, run_clients, seed
from tests.conftest import APP_ROLE, CENTRE_A, _server_url, migrate, recreate_database


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--decisions", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--tiny", action="store_true", help="the CI smoke size: it runs, figures mean nothing"
    )
    args = parser.parse_args()
    if args.tiny:
        args.clients, args.decisions, args.rounds = 2, 8, 1
    url = await recreate_database(_server_url(), database_name("verity_bench_scale"))
    await asyncio.to_thread(migrate, url)
    print("seeding …", flush=True)
    _world, grid_subs, load_subs, _load_learners = await seed(url, 2, args.decisions + 4)
    settings = Settings(
        database_url=url, auth_mode="development", dev_jwt_secret=SECRET, database_role=APP_ROLE
    )
    token = mint_development_token(settings, subject="staff-assessor", centre_id=CENTRE_A, roles=["assessor"])
    assessor = {"Authorization": f"Bearer {token}"}
    env = service_env(url)
    # Each timed run gets its own submissions: a decision is recorded once per submission.
    chunks = iter([load_subs[i :: 2 * args.rounds] for i in range(2 * args.rounds)])
    rates: dict[int, list[float]] = {1: [], 2: []}
    with (
        served("app.main:create_app", env, workers=1) as one,
        served("app.main:create_app", env, workers=2) as two,
    ):
        warm = [("POST", "/v1/assessment-decisions", assessor, body(s, b)) for s, b in grid_subs]
        await run_clients(one, warm[:1], 1)
        await run_clients(two, warm[1:], 2)
        for r in range(args.rounds):
            for processes, base in ((1, one), (2, two)) if r % 2 == 0 else ((2, two), (1, one)):
                reqs = [("POST", "/v1/assessment-decisions", assessor, body(s, b)) for s, b in next(chunks)]
                rates[processes].append(await run_clients(base, reqs, args.clients))
            print(
                f"  round {r + 1}: 1 process {rates[1][-1]:.1f}/s, 2 processes {rates[2][-1]:.1f}/s",
                flush=True,
            )
    med = statistics.median
    print(f"cpus={os.cpu_count()} clients={args.clients} decisions/run={len(load_subs) // (2 * args.rounds)}")
    print(f"record decision, 1 API process:  {med(rates[1]):8.1f} decisions/s")
    print(f"record decision, 2 API processes: {med(rates[2]):8.1f} decisions/s")
    print(f"ratio 2/1 API processes: {med(rates[2]) / med(rates[1]):.2f}")


if __name__ == "__main__":
    asyncio.run(main())
