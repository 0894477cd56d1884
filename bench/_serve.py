"""Real servers for the benches: uvicorn in a process of its own, started with the flags `verity serve`
uses (h11, proxy headers, the header limit), so every figure crosses a socket, an HTTP parser and the
ASGI server, as production requests do. The baseline apps run in the same way on another port.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-secret-" + "x" * 32


def database_name(name: str) -> str:
    """The bench's own database; the smoke test (tests/bench) adds a suffix so runs never collide."""
    return name + os.environ.get("VERITY_BENCH_DB_SUFFIX", "")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def service_env(url: str, pool_size: int = 10, **extra: str) -> dict[str, str]:
    """The environment a deployed API process reads (app.core.config.Settings), as the app role."""
    return {
        "VERITY_DATABASE_URL": url,
        "VERITY_AUTH_MODE": "development",
        "VERITY_DEV_JWT_SECRET": SECRET,
        "VERITY_DATABASE_ROLE": "verity_app",
        "VERITY_POOL_SIZE": str(pool_size),
        "VERITY_LOG_LEVEL": "WARNING",
        **extra,
    }


@contextlib.contextmanager
def served(factory: str, env: dict[str, str], workers: int = 1) -> Iterator[str]:
    """Run `factory` (module:function) under uvicorn as `verity serve` does; yields the base URL."""
    from app.cli import uvicorn_limits
    from app.core.config import Settings

    port = free_port()
    limits = uvicorn_limits(Settings())
    cmd = [
        sys.executable, "-m", "uvicorn", factory, "--factory", "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(workers), "--proxy-headers", "--log-level", "warning",
        "--http", limits["http"], "--h11-max-incomplete-event-size", str(limits["h11_max_incomplete_event_size"]),
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env, "PYTHONPATH": str(ROOT)})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"{factory} exited with {proc.returncode} before serving")
            try:
                httpx.get(base + "/health", timeout=1.0)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"{factory} did not start serving in 240 s") from None
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
