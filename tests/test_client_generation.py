"""Clients generate from the committed contract as the README says (npx, pinned versions)."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OPENAPI_TYPESCRIPT = "openapi-typescript@7.4.4"  # the version the README names


def test_openapi_typescript_generates_types_from_the_committed_contract(tmp_path):
    out = tmp_path / "verity-api.d.ts"
    result = subprocess.run(
        ["npx", "--yes", OPENAPI_TYPESCRIPT, str(ROOT / "openapi" / "openapi.json"), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    types = out.read_text()
    for operation in ("createWebhookEndpoint", "listWebhookEndpoints", "listWebhookEventTypes"):
        assert operation in types
