"""The service with the outbox rows left out of the write path's statement: the baseline of issue 18's
"a write with its outbox event vs the same write without it" (bench/webhooks_bench.py). Served by uvicorn
exactly as the service is (bench/_serve.py); the audit row is still written. Never used outside bench/.
"""

from __future__ import annotations

from fastapi import FastAPI

import app.events.write as write_path
from app.main import create_app as create_service


def _no_events(rows: list) -> tuple[list[None], list[None], list[None]]:
    return [None] * len(rows), [None] * len(rows), [None] * len(rows)


def create_app() -> FastAPI:
    write_path._events = _no_events  # type: ignore[assignment]
    return create_service()
