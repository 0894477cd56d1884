"""Grade a synthetic cohort of the 003 diploma through the cohort function, against baselines.

    uv run python bench/grading_bench.py [--learners 100000] [--rounds 5] [--seed 2025]

Everything runs in one process on the same seeded data, rounds interleaved, and the median of each
method is reported. The headline is a ratio, because this machine is shared and noisy: learners/s moves
with the neighbours, the ratio much less.

Methods:
  naive        sum each learner's unit points from a dict: no rule applied, no breakdown (a floor)
  per-learner  grade_qualification() for each learner: the plain reading of R-03/R-04
  cohort       grade_cohort(): tables precomputed per specification, equal outcomes shared
  cohort-flat  grade_cohort(share_outcomes=False): the tables alone, every learner computed
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.qualifications.grades import UnitGrade
from app.qualifications.grading import grade_cohort, grade_qualification, grading_tables
from app.qualifications.specification import shipped_specifications

DIPLOMA = shipped_specifications()["ocr-l2-cambridge-technical-diploma-customer-service"]
PMD_WEIGHTS = {UnitGrade.U: 5, UnitGrade.P: 45, UnitGrade.M: 35, UnitGrade.D: 15}
MISSING_RATE = 0.02  # a unit not yet graded


def synthetic_cohort(learners: int, seed: int) -> dict[int, dict[int, UnitGrade]]:
    """Each learner's best result per unit, as the service reads them: seeded, so every run is alike."""
    rng = random.Random(seed)
    pmd, weights = list(PMD_WEIGHTS), list(PMD_WEIGHTS.values())
    cohort = {}
    for learner in range(learners):
        results = {}
        for unit in DIPLOMA.units:
            if rng.random() < MISSING_RATE:
                continue
            if unit.number == 1:  # achieved / not achieved exam
                results[1] = UnitGrade.achieved if rng.random() < 0.93 else UnitGrade.not_achieved
            else:
                results[unit.number] = rng.choices(pmd, weights)[0]
        cohort[learner] = results
    return cohort


def naive(cohort: dict[int, dict[int, UnitGrade]]) -> dict[int, int]:
    points = {
        unit.number: {
            grade: DIPLOMA.points.points(unit.grading_scheme, unit.glh, grade) for grade in unit.grades
        }  # type: ignore[union-attr]
        for unit in DIPLOMA.units
    }
    return {learner: sum(points[n][g] for n, g in results.items()) for learner, results in cohort.items()}


def per_learner(cohort: dict[int, dict[int, UnitGrade]]) -> dict:
    return {learner: grade_qualification(DIPLOMA, results) for learner, results in cohort.items()}


def cohort_shared(cohort: dict[int, dict[int, UnitGrade]]) -> dict:
    grading_tables.cache_clear()  # building the tables is part of the cost
    return grade_cohort(DIPLOMA, cohort)


def cohort_flat(cohort: dict[int, dict[int, UnitGrade]]) -> dict:
    grading_tables.cache_clear()
    return grade_cohort(DIPLOMA, cohort, share_outcomes=False)


METHODS: dict[str, Callable[[dict], dict]] = {
    "naive": naive,
    "per-learner": per_learner,
    "cohort": cohort_shared,
    "cohort-flat": cohort_flat,
}


def timed(method: Callable[[dict], dict], cohort: dict) -> float:
    gc.collect()
    start = time.perf_counter()
    method(cohort)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--tiny", action="store_true", help="the CI smoke size: it runs, figures mean nothing"
    )
    args = parser.parse_args()
    if args.tiny:
        args.learners, args.rounds = 200, 1

    cohort = synthetic_cohort(args.learners, args.seed)
    expected = per_learner(cohort)
    assert cohort_shared(cohort) == expected and cohort_flat(cohort) == expected, "cohort disagrees"
    grades = Counter(outcome.grade.value for outcome in expected.values())
    rules = Counter(outcome.decided_by.value for outcome in expected.values())
    distinct = len({tuple(results.get(u.number) for u in DIPLOMA.units) for results in cohort.values()})

    seconds: dict[str, list[float]] = {name: [] for name in METHODS}
    for round_number in range(args.rounds):
        order = list(METHODS) if round_number % 2 == 0 else list(reversed(METHODS))
        for name in order:
            seconds[name].append(timed(METHODS[name], cohort))
    median = {name: statistics.median(times) for name, times in seconds.items()}

    print(f"003 diploma, {args.learners:,} learners, seed {args.seed}, {args.rounds} rounds (median)")
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    print(f"distinct unit-result combinations: {distinct:,}")
    print(f"grades: {dict(sorted(grades.items()))}; decided by: {dict(sorted(rules.items()))}")
    print(f"{'method':<12} {'seconds':>8} {'learners/s':>12} {'min..max s':>16}")
    for name in METHODS:
        spread = f"{min(seconds[name]):.3f}..{max(seconds[name]):.3f}"
        print(f"{name:<12} {median[name]:>8.3f} {args.learners / median[name]:>12,.0f} {spread:>16}")
    print("throughput ratios (higher is faster):")
    print(f"  cohort / per-learner      = {median['per-learner'] / median['cohort']:.1f}x")
    print(f"  cohort-flat / per-learner = {median['per-learner'] / median['cohort-flat']:.1f}x")
    print(f"  cohort / naive            = {median['naive'] / median['cohort']:.2f}x")


if __name__ == "__main__":
    main()
