"""`verity serve` on a fresh clone: no settings, the embedded server, and nothing left running after it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[2]
NOTICE = "Development mode:"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _postmaster_pid(pgdata: Path) -> int | None:
    pid_file = pgdata / "postmaster.pid"
    if not pid_file.exists():
        return None
    return int(pid_file.read_text().splitlines()[0])


def test_plain_serve_starts_in_development_mode_and_stops_its_embedded_server(tmp_path):
    port = _free_port()
    # A fresh clone: no VERITY_* settings, no DATABASE_URL; only the data folder moved out of .var/.
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "VERITY_DATA_DIR": str(tmp_path),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port)]
        if (ROOT / "app" / "__main__.py").exists()
        else [str(Path(sys.executable).parent / "verity"), "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    postmaster: int | None = None
    try:
        deadline = time.monotonic() + 120
        healthy = False
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                healthy = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                healthy = False
            if healthy:
                break
            time.sleep(0.5)
        assert healthy, "verity serve never answered /health with 200"
        postmaster = _postmaster_pid(tmp_path / "pgdata")
        assert postmaster is not None and psutil.pid_exists(postmaster)
    finally:
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=60)
    notices = [line for line in output.splitlines() if line.startswith(NOTICE)]
    assert len(notices) == 1, output
    assert "Traceback" not in output, output
    assert "RuntimeDirWarning" not in output and "XDG_RUNTIME_DIR" not in output, output
    # The embedded PostgreSQL it started is gone with it.
    assert postmaster is not None
    assert not psutil.pid_exists(postmaster) or psutil.Process(postmaster).status() == psutil.STATUS_ZOMBIE
    assert not (tmp_path / "pgdata" / "postmaster.pid").exists(), output
