"""Reads that stay flat (issue 18): each list and report endpoint on a big centre, as a ratio to the same
endpoint on a 20-learner centre, over HTTP to real uvicorn servers, in the same run.

    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
        uv run python bench/reads_bench.py [--learners 2000] [--audit-rows 500000] [--rounds 3]

Two databases, migrated to head and seeded alike: a programme of 20 learners (the "measured
programme"), each registered on it with a decision on each of `--briefs` briefs (20: the issue's 20
decisions a learner), ~20 % IV'd (bench/verification_bench.py's seed), and `--audit-rows` audit rows
spread over the learners, written by the owner as filler, not through the chain. "big" adds copies of
the measured programme (its briefs, learners, enrolments, submissions, decisions and versions) until it
has `--learners` learners: 2,000 learners, 40,000 decisions and 500,000 audit rows in one centre by
default; "small" is the measured programme alone with a proportional share of audit rows (at least
1,000). The lists page by key over the whole centre; the reports (tracking grid, IV coverage) are of the
measured programme, the same 20 learners in both centres, so a ratio below 1 is the centre's size
leaking into a programme's report. One server per database, both started as `verity serve` starts
them, same pool and settings; in each of `--rounds` rounds each endpoint is asked of both centres at
the same time, 2 keep-alive clients each, for `--seconds` (side_by_side: the two share the cores at
every instant, so other load on the machine slows both alike); the ratio is the median over the rounds
of big/small. A ratio >= 0.8 is flat.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
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


def _copy(table: str, source: str, changes: str, join: str) -> str:
    """Insert a copy of each `source` row of `table` with the columns `changes` (a jsonb object built
    from the joined maps) replaced: the rest of every row is kept as it is."""
    return (
        f"INSERT INTO {table} SELECT (jsonb_populate_record(NULL::{table}, to_jsonb(t) || {changes})).* "
        f"FROM {table} t {join} WHERE {source}"
    )


# The rest of the big centre: `:n` copies of the measured programme, each with its own briefs, learners,
# enrolments, submissions, decisions and versions (new ids, the learners' unique MIS/IdP ids cleared).
CLONE = [
    "CREATE TEMP TABLE pm ON COMMIT DROP AS SELECT k, gen_random_uuid() AS new FROM generate_series(1, :n) k",
    _copy(
        "programmes",
        "t.id = :p",
        "jsonb_build_object('id', pm.new, 'name', t.name || ' copy ' || pm.k)",
        "CROSS JOIN pm",
    ),
    "CREATE TEMP TABLE bm ON COMMIT DROP AS SELECT pm.k, pm.new AS programme, b.id AS old, "
    "gen_random_uuid() AS new FROM assignment_briefs b CROSS JOIN pm WHERE b.programme_id = :p",
    _copy(
        "assignment_briefs",
        "true",
        "jsonb_build_object('id', bm.new, 'programme_id', bm.programme)",
        "JOIN bm ON bm.old = t.id",
    ),
    "CREATE TEMP TABLE lm ON COMMIT DROP AS SELECT pm.k, pm.new AS programme, e.learner_id AS old, "
    "gen_random_uuid() AS new FROM enrolments e CROSS JOIN pm WHERE e.programme_id = :p",
    _copy(
        "learners",
        "true",
        "jsonb_build_object('id', lm.new, 'mis_id', NULL, 'idp_subject', NULL, 'candidate_number', NULL)",
        "JOIN (SELECT DISTINCT old, new FROM lm) lm ON lm.old = t.id",
    ),
    _copy(
        "enrolments",
        "t.programme_id = :p",
        "jsonb_build_object('id', gen_random_uuid(), 'learner_id', lm.new, 'programme_id', lm.programme, "
        "'mis_id', NULL)",
        "JOIN lm ON lm.old = t.learner_id",
    ),
    "CREATE TEMP TABLE sm ON COMMIT DROP AS SELECT bm.k, s.id AS old, gen_random_uuid() AS new, "
    "bm.new AS brief, lm.new AS learner FROM submissions s JOIN bm ON bm.old = s.brief_id "
    "JOIN lm ON lm.old = s.learner_id AND lm.k = bm.k",
    _copy(
        "submissions",
        "true",
        "jsonb_build_object('id', sm.new, 'brief_id', sm.brief, 'learner_id', sm.learner)",
        "JOIN sm ON sm.old = t.id",
    ),
    "CREATE TEMP TABLE dm ON COMMIT DROP AS SELECT d.id AS old, gen_random_uuid() AS new, sm.new AS sub, "
    "sm.brief, sm.learner, pm.new AS programme FROM assessment_decisions d JOIN sm ON sm.old = d.submission_id "
    "JOIN pm ON pm.k = sm.k",
    _copy(
        "assessment_decisions",
        "true",
        "jsonb_build_object('id', dm.new, 'submission_id', dm.sub, 'brief_id', dm.brief, "
        "'learner_id', dm.learner, 'programme_id', dm.programme)",
        "JOIN dm ON dm.old = t.id",
    ),
    _copy(
        "assessment_decision_versions",
        "true",
        "jsonb_build_object('decision_id', dm.new)",
        "JOIN dm ON dm.old = t.decision_id",
    ),
]


async def seed(
    name: str, learners: int, audit_rows: int, programme_learners: int, briefs: int
) -> tuple[str, dict]:
    """The measured programme has `programme_learners` learners with a decision on each of `briefs`
    briefs, in both centres; the big centre adds copies of it until it has `learners` learners."""
    url = await recreate_database(_server_url(), database_name(name))
    await asyncio.to_thread(migrate, url)
    world, _staff, _candidates = await verification_bench.seed(
        url, programme_learners, min(12, programme_learners), 1, briefs=briefs, enrol=True
    )
    owner = make_engine(url, pool_size=1)
    async with owner.begin() as conn:
        copies = learners // programme_learners - 1
        if copies > 0:
            for statement in CLONE:
                await conn.execute(text(statement), {"n": copies, "p": world.programme_id})
        await conn.execute(FILL_AUDIT, {"c": CENTRE_A, "rows": audit_rows})
        ids = dict(
            (await conn.execute(text(IDS), {"c": CENTRE_A, "p": world.programme_id, "staff": world.assessor}))
            .mappings()
            .one()
        )
    async with owner.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("ANALYZE"))
    await owner.dispose()
    return url, ids


# Path parameters a list or report is read under, all of the measured programme.
IDS = """
SELECT CAST(:c AS uuid) AS centre_id, CAST(:p AS uuid) AS programme_id, CAST(:staff AS uuid) AS staff_id,
  p.academic_year_id, p.qualification_id,
  (SELECT learner_id FROM enrolments WHERE programme_id = p.id ORDER BY learner_id LIMIT 1) AS learner_id,
  (SELECT id FROM assignment_briefs WHERE programme_id = p.id ORDER BY id LIMIT 1) AS brief_id,
  (SELECT id FROM assessment_decisions WHERE programme_id = p.id ORDER BY id LIMIT 1) AS decision_id
FROM programmes p WHERE p.id = :p
"""
# Not lists or reports: a calculation, a download, one's own record (a learner's token).
NOT_LISTS = ("/v1/working-days", "/v1/me", "/v1/me/record", "/v1/brief-checklist", "/v1/sv-policy")
CONTRACT = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"


def endpoints(ids: dict) -> tuple[dict[str, str], list[str]]:
    """Every list and report endpoint of the published contract: each GET under /v1 whose path does not
    end in an object's id, with its path parameters and required query parameters filled from the
    measured programme. Those whose parameters name an object the seed has none of are returned apart
    (they read one object's children: flat by construction, nothing of the centre's size to read)."""
    import json

    paths, unfilled = {}, []
    for path, ops in json.loads(CONTRACT.read_text())["paths"].items():
        op = ops.get("get")
        if op is None or not path.startswith("/v1/") or path in NOT_LISTS or path.endswith("}"):
            continue
        if any(path.endswith(suffix) for suffix in ("/content", ".pdf", ".csv", "/export", "/pack")):
            continue
        params = [p for p in op.get("parameters", []) if p["in"] in ("path", "query")]
        needed = [p["name"] for p in params if p["in"] == "path" or p.get("required")]
        if any(ids.get(n) is None for n in needed):
            unfilled.append(path)
            continue
        url = path.format(**{n: ids[n] for n in needed if "{" + n + "}" in path})
        query = [f"{n}={ids[n]}" for n in needed if "{" + n + "}" not in path]
        # A page of a list (at most 200 a page) is asked for 50; a window of another size (the chain
        # check's links) keeps its default.
        if any(p["name"] == "limit" and p["schema"].get("maximum", 0) <= 200 for p in params):
            query.append("limit=50")
        paths[path] = url + ("?" + "&".join(query) if query else "")
    return paths, unfilled


class RefusedError(Exception):
    """The endpoint refused the bench's staff token (a verifier's or a learner's own read)."""


async def rate(base: str, path: str, headers: dict, requests: int, clients: int = 4) -> float:
    left = [requests]

    async def worker() -> None:
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as c:
            while left[0] > 0:
                left[0] -= 1
                r = await c.get(path)
                if r.status_code != 200:
                    raise RefusedError(f"{path}: {r.status_code} {r.text[:200]}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return requests / (time.perf_counter() - started)


async def rate_until(clients: list[httpx.AsyncClient], path: str, deadline: float) -> float:
    """Requests/s of keep-alive `clients` (already connected) asking until `deadline` (perf_counter);
    the answers finished by then are counted."""
    done = [0]

    async def worker(c: httpx.AsyncClient) -> None:
        while time.perf_counter() < deadline:
            r = await c.get(path)
            if r.status_code != 200:
                raise RefusedError(f"{path}: {r.status_code} {r.text[:200]}")
            done[0] += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in clients))
    return done[0] / (time.perf_counter() - started)


async def side_by_side(
    small: tuple[list[httpx.AsyncClient], str], big: tuple[list[httpx.AsyncClient], str], seconds: float
) -> tuple[float, float]:
    """Both centres asked at the same time, 2 clients each, for `seconds`: they share the machine's
    cores at every instant, so a burst of other load slows both alike and their ratio is the cost of a
    request on one against the other (asked one after the other, 0.3 s apiece, a one-row list swung
    0.64-1.41 between runs under a helper's load)."""
    deadline = time.perf_counter() + seconds
    small_rate, big_rate = await asyncio.gather(rate_until(*small, deadline), rate_until(*big, deadline))
    return small_rate, big_rate


# The list a paged answer carries: a page's `items`, the LIV dashboard's programmes (`coverage`).
PAGED_LISTS = ("items", "coverage")


async def page_size(base: str, path: str, headers: dict) -> int | None:
    """How many items the answer's page holds, for a path that takes `limit`; None for any other."""
    if "limit=50" not in path:
        return None
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as c:
        body = (await c.get(path)).json()
    for key in PAGED_LISTS:
        if isinstance(body, dict) and isinstance(body.get(key), list):
            return max(1, len(body[key]))
    return None


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--briefs", type=int, default=20, help="decisions a learner (one a brief)")
    parser.add_argument("--audit-rows", type=int, default=500_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.0, help="each endpoint's side-by-side window")
    parser.add_argument(
        "--tiny", action="store_true", help="the CI smoke size: it runs, figures mean nothing"
    )
    args = parser.parse_args()
    if args.tiny:
        args.learners, args.briefs, args.audit_rows, args.rounds, args.seconds = 40, 2, 2000, 1, 0.2
    small_learners = min(20, args.learners)
    small_audit = max(1000, args.audit_rows * small_learners // args.learners)
    print("seeding …", flush=True)
    started = time.perf_counter()
    big_url, big_ids = await seed(
        "verity_bench_reads_big", args.learners, args.audit_rows, small_learners, args.briefs
    )
    small_url, small_ids = await seed(
        "verity_bench_reads_small", small_learners, small_audit, small_learners, args.briefs
    )
    print(f"seeded in {time.perf_counter() - started:.0f}s", flush=True)
    settings = Settings(auth_mode="development", dev_jwt_secret=SECRET)
    # Every staff role at once, so each staff list answers; the verifier's and a learner's own reads
    # refuse it and are listed as such.
    token = mint_development_token(
        settings,
        subject="staff-liv",
        centre_id=CENTRE_A,
        roles=["hoc", "qn", "liv", "iv", "assessor", "exams_officer", "programme_leader"],
    )
    headers = {"Authorization": f"Bearer {token}"}
    (big_paths, unfilled), (small_paths, _) = endpoints(big_ids), endpoints(small_ids)
    refused: list[str] = []
    pages: dict[str, int] = {}
    with (
        served("app.main:create_app", service_env(big_url)) as big,
        served("app.main:create_app", service_env(small_url)) as small,
    ):
        for name in list(big_paths):  # warm both: connections, statement caches, the planner's statistics
            try:
                await rate(big, big_paths[name], headers, 2, 1)
                await rate(small, small_paths[name], headers, 2, 1)
            except RefusedError as e:
                refused.append(str(e))
                del big_paths[name]
                continue
            # A paged list is compared page for page: both centres are asked for as many items as the
            # small centre's first page holds, so a ratio below 1 is the centre's size leaking into the
            # cost of a page, not a bigger page (the big centre's 50 programmes against the small one's 3).
            size = await page_size(small, small_paths[name], headers)
            if size is not None:
                pages[name] = size
                big_paths[name] = big_paths[name].replace("limit=50", f"limit={size}")
                small_paths[name] = small_paths[name].replace("limit=50", f"limit={size}")
        rates: dict[str, dict[str, list[float]]] = {name: {"big": [], "small": []} for name in big_paths}
        async with contextlib.AsyncExitStack() as stack:
            clients = {
                base: [
                    await stack.enter_async_context(
                        httpx.AsyncClient(base_url=base, headers=headers, timeout=120)
                    )
                    for _ in range(2)
                ]
                for base in (small, big)
            }
            for _ in range(args.rounds):
                for name in big_paths:
                    pair = await side_by_side(
                        (clients[small], small_paths[name]), (clients[big], big_paths[name]), args.seconds
                    )
                    rates[name]["small"].append(pair[0])
                    rates[name]["big"].append(pair[1])
    med = statistics.median
    print(
        f"\ncpus={os.cpu_count()} big: {args.learners} learners, {args.briefs * args.learners} decisions, "
        f"{args.audit_rows} audit rows; small: {small_learners} learners, {small_learners * args.briefs} "
        f"decisions, {small_audit} audit rows; {args.rounds} rounds x {args.seconds:g} s, both centres at once, 2 clients each "
        "(req/s, medians; ratio: median of the rounds' big/small)"
    )
    ratios = {}
    for name, by in rates.items():
        ratios[name] = med(b / s for b, s in zip(by["big"], by["small"], strict=True))
        page = f"page {pages[name]:3d}" if name in pages else "        "
        print(
            f"  {name:62s} {page} small {med(by['small']):7.1f}  big {med(by['big']):7.1f}  "
            f"ratio {ratios[name]:.2f}"
        )
    for line in refused:
        print(f"  refused the staff token: {line}")
    for path in unfilled:
        print(f"  not measured (reads one object's children; the seed has none): {path}")
    worst = min(ratios, key=lambda k: ratios[k])
    below = sorted(k for k, v in ratios.items() if v < 0.8)
    print(
        f"{len(ratios)} lists and reports; slowest ratio: {ratios[worst]:.2f} ({worst}); "
        f"below 0.8: {', '.join(below) or 'none'}"
    )


if __name__ == "__main__":
    asyncio.run(main())
