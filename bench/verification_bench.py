"""Internal verification: the IV sample and the coverage report for a programme of 2,000 learners,
12 assessors and 3 sites, each as a ratio to a baseline measured in the same run.

    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
        uv run python bench/verification_bench.py [--learners 2000] [--assessors 12] [--sites 3] [--rounds 7]

1. The pure sampler (app.verification.sampling.draw) over the programme's 2 x learners decisions
   (two briefs per learner): stratified by assessor, grade and site, risk-weighted (2 new assessors at
   100%, 1 with disagreements at 50%, the rest at 20%). Baseline: `random.Random(seed).sample` of the
   same population and the same sample size -- what a naive, unstratified draw costs.
2. The DB-backed coverage report (app.verification.coverage.coverage) of that programme, with ~20% of
   the decisions IV'd. Baseline: one plain `SELECT count(*)` over the same IV rows (iv_records joined
   to iv_sample_items for the programme) -- the least any report over those rows must read.

A database of its own (verity_bench_verification) is created, migrated and bulk-seeded with Core
inserts (as the migration owner, for speed); the timed reads run as the application role.
Headline: ratios (medians of --rounds), because absolute times depend on this machine (2 shared cores).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import make_engine
from app.core.ids import uuid7
from bench._serve import database_name
from tests.conftest import APP_ROLE, CENTRE_A, _server_url, migrate, recreate_database, system_actor

GRADE_OF = {"P": lambda c: ".P" in c, "M": lambda c: ".D" not in c, "D": lambda c: True, "U": lambda c: False}


async def seed(
    url: str,
    learners: int,
    assessors: int,
    sites: int,
    centre=CENTRE_A,
    number="11111",
    shipped=False,
    briefs: int = 2,
    enrol: bool = False,
):
    """A programme of `learners` learners, each with a decision on each of `briefs` briefs (alternately
    criteria groups A/B and C), ~20 % IV'd; with `enrol`, each learner registered on the programme (the
    tracking grid reads the cohort's enrolments)."""
    from app.assessment.models import AssessmentDecision, DecisionVersion, Submission
    from app.centres import schemas as centre_schemas
    from app.centres import service as centres
    from app.centres.schemas import CentreCreate, Nation
    from app.learners.models import Learner
    from app.programmes.models import Enrolment, ProgrammeSite, ProgrammeStaff
    from app.qualifications.models import PLATFORM_CENTRE
    from app.qualifications.service import ensure_shipped
    from app.verification.models import IvRecord, IvRecordVersion, IvSample, IvSampleItem
    from tests.assessment.fixtures import GROUP_AB, GROUP_C, issued_brief
    from tests.programmes.fixtures import make_staff, make_world, principal

    engine = make_engine(url, pool_size=2)
    async with AsyncSession(engine, expire_on_commit=False) as session:
        if not shipped:
            await ensure_shipped(session, system_actor(PLATFORM_CENTRE))
        await centres.create_centre(
            session,
            system_actor(centre),
            CentreCreate(centre_number=number, name="Bench", nation=Nation.england_wales),
        )
        world = await make_world(session, centre)
        site_ids = list(world.site_ids)
        while len(site_ids) < sites:
            site = await centres.create_site(
                session,
                principal("hoc", centre=centre),
                centre_schemas.SiteCreate(name=f"Site {len(site_ids) + 1}"),
            )
            site_ids.append(site.id)
        extra_sites = [
            {"programme_id": world.programme_id, "site_id": s, "centre_id": centre} for s in site_ids[1:sites]
        ]
        if extra_sites:  # an empty executemany would be one INSERT .. DEFAULT VALUES
            await session.execute(insert(ProgrammeSite), extra_sites)
        staff = [world.assessor, world.leader]
        for i in range(assessors - len(staff)):
            staff.append((await make_staff(session, centre, f"assessor{i}", "assessor")).id)
        await session.execute(
            insert(ProgrammeStaff),
            [
                {"programme_id": world.programme_id, "role": "assessor", "staff_id": s, "centre_id": centre}
                for s in staff[2:]
            ],
        )
        brief_count = briefs
        briefs = [await issued_brief(session, world, GROUP_AB), await issued_brief(session, world, GROUP_C)]
        # More briefs are copies of these two, written as rows: through the service a unit takes only so
        # many briefs, and the reads benchmarked need only their decisions.
        for i in range(2, brief_count):
            source = briefs[i % 2]
            copy_id = uuid7()
            await session.execute(
                text(
                    "INSERT INTO assignment_briefs SELECT (jsonb_populate_record(NULL::assignment_briefs, "
                    "to_jsonb(b) || jsonb_build_object('id', CAST(:new AS uuid)))).* "
                    "FROM assignment_briefs b WHERE b.id = :old"
                ),
                {"new": copy_id, "old": source.id},
            )
            briefs.append(
                SimpleNamespace(id=copy_id, criteria=source.criteria, completion_date=source.completion_date)
            )
        enrolment_rows = []
        rnd = random.Random(1)
        learner_rows, sub_rows, dec_rows, ver_rows, candidates = [], [], [], [], []
        for i in range(learners):
            lid = uuid7()
            learner_rows.append(
                {
                    "id": lid,
                    "centre_id": centre,
                    "given_name": f"L{i}",
                    "family_name": "Bench",
                    "date_of_birth": dt.date(2008, 1, 1),
                    "version": 1,
                }
            )
            assessor = staff[i % assessors]
            site = site_ids[i % sites]
            if enrol:
                enrolment_rows.append(
                    {
                        "id": uuid7(),
                        "centre_id": centre,
                        "learner_id": lid,
                        "programme_id": world.programme_id,
                        "qualification_id": world.award_id,
                        "status": "registered",
                        "enrolled_on": dt.date(2025, 9, 8),
                        "identity_checked_by": "bench",
                        "registration_deadline": dt.date(2025, 12, 1),
                        "registration_number": f"RB{i:06d}",
                        "registered_on": dt.date(2025, 10, 1),
                        "site_id": site,
                        "version": 1,
                    }
                )
            for brief in briefs:
                sid, did = uuid7(), uuid7()
                grade = rnd.choice("UPPPPMMD")
                sub_rows.append(
                    {
                        "id": sid,
                        "centre_id": centre,
                        "brief_id": brief.id,
                        "learner_id": lid,
                        "attempt_kind": "first",
                        "status": "submitted",
                        "deadline": brief.completion_date,
                        "submitted_at": dt.datetime.now(dt.UTC),
                        "late": False,
                        "declaration_signed_on": dt.date(2025, 11, 1),
                        "created_by": "bench",
                        "version": 1,
                    }
                )
                dec_rows.append(
                    {
                        "id": did,
                        "centre_id": centre,
                        "programme_id": world.programme_id,
                        "brief_id": brief.id,
                        "learner_id": lid,
                        "submission_id": sid,
                        "attempt_kind": "first",
                        "assessor_staff_id": assessor,
                        "status": "submitted_for_iv",
                        "current_version": 1,
                        "version": 1,
                    }
                )
                ver_rows.append(
                    {
                        "decision_id": did,
                        "number": 1,
                        "centre_id": centre,
                        "unit_grades": {},
                        "criteria": [
                            {
                                "unit_number": 1,
                                "code": c["code"],
                                "achieved": GRADE_OF[grade](c["code"]),
                                "evidence_location": "p.1",
                            }
                            for c in brief.criteria
                        ],
                        "feedback": "ok",
                        "authenticity_confirmed": True,
                        "can_improve_without_guidance": False,
                        "assessed_on": dt.date(2025, 11, 20),
                        "recorded_by": "bench",
                        "made_by": assessor,
                    }
                )
                candidates.append((did, assessor, site, brief.id, grade))
        for rows, model in (
            (learner_rows, Learner),
            (enrolment_rows, Enrolment),
            (sub_rows, Submission),
            (dec_rows, AssessmentDecision),
            (ver_rows, DecisionVersion),
        ):
            for k in range(0, len(rows), 1000):
                await session.execute(insert(model), rows[k : k + 1000])
        # ~20% IV'd: a sample per brief and IV records of its items.
        for brief in briefs:
            mine = [c for c in candidates if c[3] == brief.id]
            picked = rnd.sample(mine, len(mine) // 5)
            sample_id = uuid7()
            await session.execute(
                insert(IvSample).values(
                    id=sample_id,
                    centre_id=centre,
                    programme_id=world.programme_id,
                    brief_id=brief.id,
                    seed=1,
                    number=1,
                    kind="first",
                    inputs_digest="0" * 64,
                    policy={},
                    population=[c[0] for c in mine],
                    drawn_by="bench",
                )
            )
            await session.execute(
                insert(IvSampleItem),
                [
                    {
                        "sample_id": sample_id,
                        "decision_id": c[0],
                        "centre_id": centre,
                        "assessor_staff_id": c[1],
                        "grade": c[4],
                        "site_id": c[2],
                        "rationale": ["bench"],
                        "methods": [],
                        "support_needs": [],
                    }
                    for c in picked
                ],
            )
            recs = [
                {
                    "id": uuid7(),
                    "centre_id": centre,
                    "programme_id": world.programme_id,
                    "brief_id": brief.id,
                    "decision_id": c[0],
                    "assessor_staff_id": c[1],
                    "current_version": 1,
                    "outcome": "agree",
                    "decision_version": 1,
                    "version": 1,
                }
                for c in picked
            ]
            await session.execute(insert(IvRecord), recs)
            await session.execute(
                insert(IvRecordVersion),
                [
                    {
                        "record_id": r["id"],
                        "number": 1,
                        "centre_id": centre,
                        "outcome": "agree",
                        "decision_version": 1,
                        "criteria_comments": [],
                        "feedback_to_assessor": "ok",
                        "reassess_batch": False,
                        "verifier_staff_id": world.iv,
                        "verified_on": dt.date(2025, 12, 1),
                        "recorded_by": "bench",
                    }
                    for r in recs
                ],
            )
        await session.commit()
    await engine.dispose()
    return world, staff, candidates


def median_time(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def amedian_time(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        await fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bench_sampler(staff, candidates, rounds: int) -> dict:
    from fractions import Fraction

    from app.verification.sampling import AssessorRisk, Candidate, SamplingPolicy, draw

    population = [Candidate(str(d), str(a), g, str(s)) for d, a, s, _, g in candidates]
    risks = {
        str(staff[0]): AssessorRisk(new=True),
        str(staff[1]): AssessorRisk(new=True),
        str(staff[2]): AssessorRisk(recent_disagreements=2),
    }
    policy = SamplingPolicy(default_rate=Fraction(1, 5))
    sample = draw(population, policy, risks=risks, seed=11)
    k = len(sample.items)
    ours = median_time(lambda: draw(population, policy, risks=risks, seed=11), rounds)
    naive = median_time(lambda: random.Random(11).sample(population, k), rounds)
    return {
        "population": len(population),
        "sampled": k,
        "sampler_ms": ours * 1000,
        "baseline_ms": naive * 1000,
        "ratio": ours / naive,
    }


async def bench_coverage(url: str, world, rounds: int) -> dict:
    from app.programmes.models import Programme
    from app.verification import coverage
    from tests.programmes.fixtures import principal

    engine = make_engine(url, role=APP_ROLE, pool_size=1)
    p = principal("liv", subject="staff-liv")
    count_sql = text(
        "SELECT count(*) FROM iv_records r LEFT JOIN iv_sample_items i ON i.decision_id = r.decision_id "
        "WHERE r.programme_id = :p"
    )
    async with AsyncSession(engine, expire_on_commit=False) as session:
        report = await coverage.coverage(session, p, world.programme_id)
        rows = (await session.execute(count_sql, {"p": world.programme_id})).scalar()

        async def ours():
            session.expunge_all()
            await coverage.coverage(session, p, world.programme_id)

        async def baseline():
            await session.execute(count_sql, {"p": world.programme_id})

        await ours(), await baseline()  # warm
        t_ours = await amedian_time(ours, rounds)
        t_base = await amedian_time(baseline, rounds)
        _ = Programme
    await engine.dispose()
    untouched = {k: len(v) for k, v in report.untouched.items()}
    return {
        "iv_rows": rows,
        "lines": len(report.lines),
        "untouched": untouched,
        "coverage_ms": t_ours * 1000,
        "baseline_ms": t_base * 1000,
        "ratio": t_ours / t_base,
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--assessors", type=int, default=12)
    parser.add_argument("--sites", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument(
        "--tiny", action="store_true", help="the CI smoke size: it runs, figures mean nothing"
    )
    args = parser.parse_args()
    if args.tiny:
        args.learners, args.assessors, args.sites, args.rounds = 12, 3, 1, 1
    url = await recreate_database(_server_url(), database_name("verity_bench_verification"))
    await asyncio.to_thread(migrate, url)
    print("seeding …", flush=True)
    started = time.perf_counter()
    world, staff, candidates = await seed(url, args.learners, args.assessors, args.sites)
    print(f"seeded {len(candidates)} decisions in {time.perf_counter() - started:.1f}s", flush=True)
    s = bench_sampler(staff, candidates, args.rounds)
    print(
        f"sampler: {s['population']} decisions -> {s['sampled']} sampled; {s['sampler_ms']:.1f} ms vs "
        f"random.sample {s['baseline_ms']:.2f} ms; ratio {s['ratio']:.0f}x"
    )
    c = await bench_coverage(url, world, args.rounds)
    print(
        f"coverage: {c['lines']} lines over {c['iv_rows']} IV rows, untouched {c['untouched']}; "
        f"{c['coverage_ms']:.1f} ms vs SELECT count {c['baseline_ms']:.2f} ms; ratio {c['ratio']:.1f}x"
    )


if __name__ == "__main__":
    asyncio.run(main())
