"""Benchmarks that cannot rot (issue 18): every bench/ script runs at its `--tiny` size and prints its
figures. The figures themselves are never asserted: at this size, on shared cores, they mean nothing.
It costs one to three minutes, so it is not part of the suite (`uv run pytest` deselects the `bench`
marker): CI runs it as a step of its own, `uv run pytest -m bench --dist load tests/bench`.

The scripts run side by side (one process each), each in databases of its own named with this run's
suffix, dropped afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
import pytest

from tests.conftest import ROOT, _plain, _server_url

# Each script and a line of its output that carries its headline figure.
SCRIPTS = {
    "calendar_bench.py": "ratio naive/fast",
    "grading_bench.py": "cohort / per-learner",
    "assessment_bench.py": "record decision (11)",
    "bulk_sync_bench.py": "headline: API / bare executemany",
    "verification_bench.py": "coverage:",
    "webhooks_bench.py": "ratio with/without emit",
    "reads_bench.py": "slowest ratio",
    "scale_bench.py": "ratio 2/1 API processes",
    "replica_drill.py": "primary alone:",
}


def test_every_bench_script_is_smoke_tested() -> None:
    scripts = {p.name for p in [*(ROOT / "bench").glob("*_bench.py"), *(ROOT / "bench").glob("*_drill.py")]}
    assert scripts == set(SCRIPTS), "a bench script without a smoke test, or a test for a missing one"


async def _drop(suffix: str) -> None:
    conn = await asyncpg.connect(_plain(_server_url()))
    try:
        names = await conn.fetch("SELECT datname FROM pg_database WHERE datname LIKE $1", f"%{suffix}")
        for row in names:
            await conn.execute(f'DROP DATABASE IF EXISTS "{row["datname"]}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.mark.bench
@pytest.mark.parametrize("name", sorted(SCRIPTS))
async def test_the_bench_script_runs_at_a_tiny_size_and_prints_its_figures(name: str) -> None:
    """One script per test, so `--dist load` spreads them over the workers (nine side by side on two
    cores timed out at 300 s under load)."""
    suffix = f"_smoke_{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "VERITY_BENCH_DB_SUFFIX": suffix, "PYTHONPATH": str(ROOT)}
    env.setdefault("TEST_DATABASE_URL", _server_url())
    proc = subprocess.Popen(
        [sys.executable, str(Path("bench") / name), "--tiny"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        try:
            out, _ = proc.communicate(timeout=600)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
            raise AssertionError(f"{name} did not finish in 600 s:\n{out[-3000:]}") from None
        assert proc.returncode == 0 and SCRIPTS[name] in out, (
            f"{name} (exit {proc.returncode}):\n{out[-3000:]}"
        )
    finally:
        if proc.poll() is None:
            proc.kill()
        await _drop(suffix)
