"""Assessment hot paths, as ratios to a bare FastAPI + SQLAlchemy single-row insert on the same machine.

    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
        uv run python bench/assessment_bench.py [--clients 12] [--decisions 600] [--rounds 3]

1. Recording decisions: POST /v1/assessment-decisions for a brief with the 11 criteria of the shipped
   BTEC unit (all 11 judged: two briefs of 7 and 4 criteria, alternately), R-10 check, audit row and
   outbox event included; `--clients` concurrent keep-alive httpx clients over HTTP against a real
   uvicorn (bench/_serve.py: the flags `verity serve` uses). Baseline, served the same way on another
   port and interleaved round by round: a bare FastAPI endpoint with one SQLAlchemy Core insert.
2. The cohort grid of `--learners` learners × 11 criteria (run at 30 and 300): REST vs a hand-written
   asyncpg query building the same JSON in PostgreSQL (bench/_bare_grid.py, served by the baseline app),
   and GraphQL nested vs REST.

A database of its own (verity_bench_assessment) is created, migrated and seeded; the app runs as the
application role, exactly as in production. Headline: ratios (this machine is 2 shared cores).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.db import make_engine
from bench import _bare
from bench._serve import SECRET, database_name, served, service_env
from tests.conftest import APP_ROLE, CENTRE_A, _server_url, migrate, recreate_database, system_actor


async def seed(url: str, learners: int, decisions: int):
    from app.assessment import schemas, submissions
    from app.qualifications.models import PLATFORM_CENTRE
    from app.qualifications.service import ensure_shipped
    from tests.assessment.fixtures import GROUP_AB, GROUP_C, issued_brief, registered_learner
    from tests.programmes.fixtures import make_world, principal

    engine = make_engine(url, role=APP_ROLE, pool_size=2)
    async with AsyncSession(engine, expire_on_commit=False) as session:
        await ensure_shipped(session, system_actor(PLATFORM_CENTRE))
        from app.centres import service
        from app.centres.schemas import CentreCreate, Nation

        await service.create_centre(
            session,
            system_actor(CENTRE_A),
            CentreCreate(centre_number="11111", name="Bench", nation=Nation.england_wales),
        )
        world = await make_world(session)
        ab = await issued_brief(session, world, GROUP_AB)
        c = await issued_brief(session, world, GROUP_C)
        grid_subs, load_subs, load_learners = [], [], []
        for i in range(learners + decisions // 2):
            learner = await registered_learner(session, world, n=i)
            if i >= learners:
                load_learners.append(learner.id)
            lp = principal("learner", subject=learner.idp_subject)
            for brief in (ab, c):
                s = await submissions.create_submission(
                    session, lp, schemas.SubmissionCreate(brief_id=brief.id)
                )
                await submissions.add_evidence_reference(
                    session,
                    lp,
                    s.id,
                    schemas.EvidenceReferenceCreate(kind="reference", description="Report", reference="p.1"),
                )
                s = await submissions.hand_in(
                    session,
                    lp,
                    s.id,
                    schemas.HandIn(
                        declaration_signed=True, declaration_signed_on=dt.date.today(), ai_used=False
                    ),
                )
                (grid_subs if i < learners else load_subs).append((s.id, brief))
            if i % 50 == 0:
                await session.commit()
        await session.commit()
    await engine.dispose()
    return world, grid_subs, load_subs, load_learners


async def analyze(url: str) -> None:
    """Planner statistics for the seeded tables, as autovacuum keeps them in production: the test
    server runs with autovacuum off, and unanalysed, the grid's queries (service and baseline alike)
    were planned for one-row tables (a nested loop over 900 decisions × 226 enrolments: 150 ms)."""
    owner = make_engine(url, pool_size=1)
    async with owner.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("ANALYZE"))
    await owner.dispose()


def body(sid, brief) -> dict:
    return {
        "submission_id": str(sid),
        "feedback": "Met on p.3.",
        "authenticity_confirmed": True,
        "can_improve_without_guidance": False,
        "assessed_on": str(dt.date.today()),
        "criteria": [
            {"unit_number": 1, "code": c["code"], "achieved": True, "evidence_location": "p.3"}
            for c in brief.criteria
        ],
    }


async def run_clients(base: str, requests: list[tuple[str, str, dict, dict | None]], clients: int) -> float:
    """`clients` keep-alive HTTP clients draining one queue against a real server; requests/s."""
    queue = list(requests)
    failures = []

    async def worker():
        async with httpx.AsyncClient(base_url=base, timeout=60) as c:
            while queue:
                method, url, headers, payload = queue.pop()
                r = await c.request(method, url, json=payload, headers=headers)
                if r.status_code >= 300:
                    failures.append(r.text[:300])

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{len(failures)} failures, e.g. {failures[0]}")
    return len(requests) / elapsed


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--decisions", type=int, default=600)
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--grid-requests", type=int, default=60)
    parser.add_argument(
        "--tiny", action="store_true", help="the CI smoke size: it runs, figures mean nothing"
    )
    args = parser.parse_args()
    if args.tiny:
        args.clients, args.decisions, args.learners, args.rounds, args.grid_requests = 2, 8, 3, 1, 2
    url = await recreate_database(_server_url(), database_name("verity_bench_assessment"))
    await asyncio.to_thread(migrate, url)
    owner = make_engine(url, pool_size=1)
    async with owner.begin() as conn:
        await conn.execute(text(_bare.CREATE))
        for grant in _bare.GRANTS:
            await conn.execute(text(grant.format(role=APP_ROLE)))
    await owner.dispose()
    print("seeding …", flush=True)
    world, grid_subs, load_subs, load_learners = await seed(url, args.learners, args.decisions)
    await analyze(url)

    from app.auth.tokens import mint_development_token

    settings = Settings(
        database_url=url, auth_mode="development", dev_jwt_secret=SECRET, database_role=APP_ROLE
    )
    assessor = {
        "Authorization": "Bearer "
        + mint_development_token(settings, subject="staff-assessor", centre_id=CENTRE_A, roles=["assessor"])
    }
    qn = {
        "Authorization": "Bearer "
        + mint_development_token(settings, subject="qn", centre_id=CENTRE_A, roles=["qn"])
    }
    env = service_env(url)
    with served("app.main:create_app", env) as api, served("bench._bare:create_app", env) as bare:
        # Grid subjects get decisions first (so the grid has content), outside the timed runs; the
        # baseline is warmed as much (its pool's connections opened), so round 1 times neither's start.
        warm = [("POST", "/v1/assessment-decisions", assessor, body(s, b)) for s, b in grid_subs]
        await run_clients(api, warm, args.clients)
        await run_clients(bare, [("POST", "/rows", {}, {"submission_id": "warm"})] * len(warm), args.clients)

        per_round = len(load_subs) // args.rounds
        decision_rates, bare_rates = [], []
        for r in range(args.rounds):
            chunk = load_subs[r * per_round : (r + 1) * per_round]
            reqs = [("POST", "/v1/assessment-decisions", assessor, body(s, b)) for s, b in chunk]
            bare_reqs = [("POST", "/rows", {}, {"submission_id": str(s)}) for s, _ in chunk]
            bare_rates.append(await run_clients(bare, bare_reqs, args.clients))
            decision_rates.append(await run_clients(api, reqs, args.clients))
            print(
                f"  round {r + 1}: bare {bare_rates[-1]:.1f} req/s, decision {decision_rates[-1]:.1f} req/s"
            )

        # The decision load's learners leave the programme (bench set-up, untimed) so the grid has
        # exactly `--learners` rows; withdrawn learners are not on the grid.
        owner = make_engine(url, pool_size=1)
        async with owner.begin() as conn:
            await conn.execute(
                text(
                    "UPDATE enrolments SET status = 'withdrawn', ended_on = current_date, status_reason = 'bench' WHERE learner_id = ANY(:ids)"
                ),
                {"ids": load_learners},
            )
        await owner.dispose()
        await analyze(url)
        grid_url = f"/v1/programmes/{world.programme_id}/tracking-grid"
        nested = {
            "query": "query($id: UUID!) { cohortTrackingGrid(programmeId: $id) { columns { unitNumber code } "
            "rows { learnerId givenName familyName statuses qualificationGrade "
            "unitGrades { unitNumber grade } } } }",
            "variables": {"id": str(world.programme_id)},
        }
        grid: dict[str, list[float]] = {"asyncpg": [], "rest": [], "graphql_nested": []}
        bare_grid = f"/grid/{world.programme_id}"
        async with httpx.AsyncClient(timeout=60) as c:  # same JSON? (statuses compared cell by cell)
            ours = (await c.get(api + grid_url, headers=qn)).json()["rows"]
            theirs = (await c.get(bare + bare_grid)).json()["rows"]
            same = sum(a["statuses"] == b["statuses"] for a, b in zip(ours, theirs, strict=True))
            print(f"  grid rows {len(ours)}, statuses equal in {same} (asyncpg baseline vs service)")
        for _ in range(args.rounds):
            grid["asyncpg"].append(
                await run_clients(bare, [("GET", bare_grid, {}, None)] * args.grid_requests, 4)
            )
            grid["rest"].append(await run_clients(api, [("GET", grid_url, qn, None)] * args.grid_requests, 4))
            grid["graphql_nested"].append(
                await run_clients(api, [("POST", "/graphql", qn, nested)] * args.grid_requests, 4)
            )
            print(
                f"  grid round {len(grid['rest'])}: asyncpg {grid['asyncpg'][-1]:.1f}, REST {grid['rest'][-1]:.1f}, "
                f"GraphQL nested {grid['graphql_nested'][-1]:.1f} req/s"
            )

    med = statistics.median
    print(f"cpus={os.cpu_count()} clients={args.clients} decisions/round={per_round} rounds={args.rounds}")
    print(f"bare insert            {med(bare_rates):8.1f} req/s")
    print(
        f"record decision (11)   {med(decision_rates):8.1f} req/s   ratio {med(decision_rates) / med(bare_rates):.2f}"
    )
    for name, rates in grid.items():
        print(
            f"grid {args.learners}x11 {name:15s} {med(rates):8.1f} req/s   ratio to REST {med(rates) / med(grid['rest']):.2f}"
        )
    print(f"grid {args.learners}x11 REST / asyncpg     ratio {med(grid['rest']) / med(grid['asyncpg']):.2f}")


if __name__ == "__main__":
    asyncio.run(main())
