"""An HTTP request's ASGI scope, for tests that ask the app's routes what they match."""

from __future__ import annotations

from typing import Any


def http_scope(app: Any, method: str, path: str) -> dict[str, Any]:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "root_path": "",
        "app": app,
        "headers": [],
        "query_string": b"",
        "server": ("t", 80),
        "scheme": "http",
    }
