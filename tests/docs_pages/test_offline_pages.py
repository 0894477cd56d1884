"""Swagger UI, ReDoc and GraphiQL render in a real headless browser that can reach nothing but this
host: every script and stylesheet is served by Verity itself (fastapi-offline, app/api/ide.py)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import threading
import time

import httpx
import pytest
import uvicorn

from app.core.config import Settings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# In CI the browser is installed by .ci/run: its absence is a failure there, not a skip.
if CHROMIUM is None and os.environ.get("CI"):
    raise RuntimeError("chromium is not installed: .ci/run installs it (apt-get install chromium)")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (CI installs it)")

ASSET = re.compile(r"""<(?:script|link)\b[^>]*?(?:src|href)\s*=\s*["']([^"']+)["']""", re.I)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    from app.api.ide import ASSETS_DIR
    from app.main import create_app

    if not (ASSETS_DIR / "graphiql").is_dir():  # a fresh clone: `uv run pytest` installs the pinned assets
        subprocess.run(
            ["npm", "ci", "--prefix", str(ASSETS_DIR.parent), "--ignore-scripts", "--no-audit", "--no-fund"],
            check=True,
            capture_output=True,
            timeout=300,
        )

    settings = Settings(
        database_url="postgresql://verity@127.0.0.1:1/unused",  # the pages never touch the database
        auth_mode="development",
        dev_jwt_secret="docs-pages-" + "x" * 32,
        data_dir=tmp_path_factory.mktemp("docs"),
    )
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def render(url: str, tmp_path) -> str:
    """The DOM after scripts ran, with every host but 127.0.0.1 unresolvable (a CDN would fail)."""
    assert CHROMIUM is not None
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--proxy-server=http://127.0.0.1:9",  # nothing listens: only direct loopback works
            "--proxy-bypass-list=<-loopback>;127.0.0.1",
            "--virtual-time-budget=15000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def assert_assets_local(base_url: str, path: str, accept: str = "text/html") -> None:
    html = httpx.get(base_url + path, headers={"Accept": accept}).text
    urls = ASSET.findall(html)
    assert urls, f"{path} names no script or stylesheet"
    for url in urls:
        if url.startswith("data:"):
            continue  # inline, fetched from nowhere
        assert url.startswith("/") and not url.startswith("//"), f"{path} loads {url} from elsewhere"
        assert httpx.get(base_url + url).status_code == 200, url


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_openapi_pages_use_only_local_assets(base_url, path):
    assert_assets_local(base_url, path)


def test_graphiql_uses_only_local_assets(base_url):
    assert_assets_local(base_url, "/graphql")


def test_swagger_ui_renders_offline(base_url, tmp_path):
    dom = render(base_url + "/docs", tmp_path)
    assert 'class="swagger-ui' in dom and "opblock" in dom, dom[-2000:]
    assert "Verity" in dom


def test_redoc_renders_offline(base_url, tmp_path):
    dom = render(base_url + "/redoc", tmp_path)
    assert "redoc-wrap" in dom or "api-content" in dom, dom[-2000:]


def test_graphiql_renders_offline(base_url, tmp_path):
    dom = render(base_url + "/graphql", tmp_path)
    assert "graphiql-editors" in dom or "graphiql-query-editor" in dom, dom[-2000:]
