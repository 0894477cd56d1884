"""Drill (issue 18): the lag-tolerant reads on a real streaming standby, then on the primary alone.

    uv run python bench/replica_drill.py [--requests 200] [--port 55431]

1. A PostgreSQL 15 primary of its own (initdb under /tmp, a free port >= 55000; never the shared server),
   migrated to head, one centre; a streaming standby of it (`pg_basebackup -R`) on the next port.
2. `verity serve` (uvicorn, as bench/_serve.py starts it) with VERITY_DATABASE_URL on the primary and
   VERITY_REPLICA_DATABASE_URL on the standby. `--requests` GET /v1/sv-samples (a lag-tolerant read):
   each answer's `Verity-Read-Source`, the standby's pg_stat_activity (the service's connections,
   application_name `verity-replica-reads`), the replay lag, and `verity_db_reads` from /metrics.
3. The standby is stopped (fast shutdown) and the same reads run again: served by the primary, the
   first one after the connection is refused, the rest without trying the standby again
   (VERITY_REPLICA_RETRY_SECONDS). A write is made throughout on the primary (a centre created).

Run as root, the PostgreSQL binaries run as the `postgres` user (runuser). Everything is removed at exit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg
import httpx

from app.auth.tokens import mint_development_token
from app.core.config import Settings
from app.core.replica import APPLICATION_NAME, SOURCE_HEADER
from bench._serve import SECRET, served, service_env

BIN = Path("/usr/lib/postgresql/15/bin")
CENTRE = uuid.UUID("0190a1b2-0000-7000-8000-0000000000d1")


def free_pair() -> int:
    """A port >= 55000 that is free, and the next one too (the standby's)."""
    for port in range(55000 + os.getpid() % 2000 * 2, 60000, 2):
        with socket.socket() as a, socket.socket() as b:
            try:
                a.bind(("127.0.0.1", port))
                b.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
            return port
    raise SystemExit("no free pair of ports >= 55000")


def _pg(*cmd: str) -> None:
    """A PostgreSQL binary, as `postgres` when we are root (initdb refuses to run as root)."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, str(BIN / cmd[0]), *cmd[1:]], check=True, stdout=subprocess.DEVNULL)


@contextlib.contextmanager
def cluster(port: int) -> Iterator[tuple[str, str, Path]]:
    """A primary on `port` and its streaming standby on `port + 1`; yields their URLs and the folder."""
    root = Path(tempfile.mkdtemp(prefix="verity_replica_drill_"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    primary, standby = root / "primary", root / "standby"
    opts = "-c listen_addresses=127.0.0.1 -c unix_socket_directories={} -c port={}"
    try:
        _pg("initdb", "-D", str(primary), "-U", "postgres", "--auth=trust", "--no-sync")
        _pg("pg_ctl", "-D", str(primary), "-l", str(root / "primary.log"), "-w", "start",
            "-o", opts.format(root, port))  # fmt: skip
        _pg("pg_basebackup", "-D", str(standby), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
            "-R", "-X", "stream", "--no-sync")  # fmt: skip
        _pg("pg_ctl", "-D", str(standby), "-l", str(root / "standby.log"), "-w", "start",
            "-o", opts.format(root, port + 1) + " -c hot_standby_feedback=on")  # fmt: skip
        yield (
            f"postgresql://postgres@127.0.0.1:{port}/verity",
            f"postgresql://postgres@127.0.0.1:{port + 1}/verity",
            root,
        )
    finally:
        for data in (standby, primary):
            if (data / "postmaster.pid").exists():
                with contextlib.suppress(subprocess.CalledProcessError):
                    _pg("pg_ctl", "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(root, ignore_errors=True)


def stop_standby(root: Path) -> None:
    _pg("pg_ctl", "-D", str(root / "standby"), "-m", "fast", "-w", "stop")


async def prepare(primary: str, standby: str) -> None:
    """The database, migrated; one centre; and wait until the standby has replayed it."""
    from tests.conftest import migrate

    admin = await asyncpg.connect(primary.replace("/verity", "/postgres"))
    await admin.execute("CREATE DATABASE verity")
    await admin.close()
    await asyncio.to_thread(migrate, primary)
    conn = await asyncpg.connect(primary)
    await conn.execute(
        "INSERT INTO centres (id, centre_number, name, nation, version) VALUES ($1, '55555', 'Drill centre', "
        "'england_wales', 1)",
        CENTRE,
    )
    await conn.close()
    for _ in range(100):
        with contextlib.suppress(OSError, asyncpg.PostgresError):
            replica = await asyncpg.connect(standby)
            found = await replica.fetchval("SELECT count(*) FROM centres WHERE id = $1", CENTRE)
            await replica.close()
            if found:
                return
        await asyncio.sleep(0.1)
    raise SystemExit("the standby never replayed the centre")


async def reads(base: str, headers: dict, n: int) -> tuple[Counter, list[float]]:
    sources: Counter = Counter()
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
        for _ in range(n):
            started = time.perf_counter()
            r = await client.get("/v1/sv-samples")
            latencies.append((time.perf_counter() - started) * 1000)
            if r.status_code != 200:
                raise SystemExit(f"GET /v1/sv-samples: {r.status_code} {r.text[:300]}")
            sources[r.headers.get(SOURCE_HEADER, "?")] += 1
    return sources, latencies


def metric(base: str) -> str:
    text = httpx.get(base + "/metrics", timeout=10).text
    found = re.findall(r'^verity_db_reads\{served_by="(\w+)"\} ([0-9.]+)', text, re.M)
    return ", ".join(f"{by} {float(n):.0f}" for by, n in found)


def figures(label: str, sources: Counter, latencies: list[float]) -> None:
    served_by = ", ".join(f"{k}: {v}" for k, v in sorted(sources.items()))
    print(
        f"{label}: {sum(sources.values())} reads, served by {served_by}; latency median "
        f"{statistics.median(latencies):.1f} ms, first {latencies[0]:.1f} ms, max {max(latencies):.1f} ms"
    )


async def main(args: argparse.Namespace) -> None:
    with cluster(args.port) as (primary, standby, root):
        await prepare(primary, standby)
        settings = Settings(auth_mode="development", dev_jwt_secret=SECRET)
        token = mint_development_token(settings, subject="drill-qn", centre_id=CENTRE, roles=["hoc", "qn"])
        headers = {"Authorization": f"Bearer {token}"}
        env = service_env(
            primary,
            pool_size=4,
            VERITY_REPLICA_DATABASE_URL=standby,
            VERITY_REPLICA_CONNECT_TIMEOUT_SECONDS="1",
            VERITY_REPLICA_RETRY_SECONDS="5",
        )
        with served("app.main:create_app", env) as base:
            sources, latencies = await reads(base, headers, args.requests)
            figures("primary + standby", sources, latencies)
            replica = await asyncpg.connect(standby)
            seen = await replica.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", APPLICATION_NAME
            )
            conn = await asyncpg.connect(primary)
            # The lag a reader sees: a commit on the primary, polled for on the standby.
            number = f"{uuid.uuid4().int % 10**5:05d}"
            committed = time.perf_counter()
            await conn.execute(
                "INSERT INTO centres (id, centre_number, name, nation, version) "
                "VALUES (gen_random_uuid(), $1, 'Lag probe', 'england_wales', 1)",
                number,
            )
            while not await replica.fetchval("SELECT count(*) FROM centres WHERE centre_number = $1", number):
                await asyncio.sleep(0.001)
            visible_ms = (time.perf_counter() - committed) * 1000
            await replica.close()
            replication = await conn.fetchrow(
                "SELECT state, sync_state, replay_lag FROM pg_stat_replication LIMIT 1"
            )
            await conn.close()
            print(
                f"standby: {seen} connection(s) of the service ({APPLICATION_NAME}) in its "
                f"pg_stat_activity; primary's pg_stat_replication: {replication['state']}, "
                f"{replication['sync_state']}, replay lag {replication['replay_lag']}; "
                f"a commit on the primary visible on the standby after {visible_ms:.1f} ms"
            )
            print(f"verity_db_reads: {metric(base)}")

            stop_standby(root)
            print("standby stopped")
            sources, latencies = await reads(base, headers, args.requests)
            figures("primary alone", sources, latencies)
            print(f"verity_db_reads: {metric(base)}")
            if sources.get("replica") or not sources.get("primary"):
                raise SystemExit("the reads did not fall back to the primary")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--port", type=int, default=0, help="the primary's (default: a free one >= 55000)")
    parser.add_argument("--tiny", action="store_true", help="the CI smoke size")
    args = parser.parse_args()
    args.port = args.port or free_pair()
    if args.tiny:
        args.requests = 5
    asyncio.run(main(args))
