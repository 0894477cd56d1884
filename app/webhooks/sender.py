"""One HTTP attempt: sign, POST the stored bytes, classify the answer. Never raises for the receiver's faults.

The HTTP itself is app/webhooks/client.py: the SSRF guard sits in its connections (the host is resolved
and checked when a connection opens, and the socket connects to the address checked), TLS verifies the
certificate against the host name, redirects are never followed, proxies from the environment are
ignored, and the whole attempt (connect, send, the answer) has one deadline, held here.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import ssl
import time
from dataclasses import dataclass

from app.core.config import Settings
from app.webhooks import urls
from app.webhooks.client import Client, HttpError
from app.webhooks.signing import signature_header

EXCERPT_BYTES = 1024
USER_AGENT = "Verity-Webhooks/1"


def make_client(settings: Settings, concurrency: int) -> Client:
    """One per worker: keep-alive connections pooled per receiver (scheme, host, port)."""
    return Client(
        settings,
        connect_timeout=min(5.0, settings.webhooks_timeout_seconds),
        read_timeout=settings.webhooks_timeout_seconds,
        user_agent=USER_AGENT,
        excerpt_bytes=EXCERPT_BYTES,
        max_idle_per_origin=concurrency,
    )


@dataclass(frozen=True)
class Outcome:
    succeeded: bool
    status_code: int | None
    latency_ms: int
    response_excerpt: str | None = None
    error: str | None = None
    retry_after: float | None = None  # seconds, from the receiver's Retry-After

    @property
    def gone(self) -> bool:
        return self.status_code == 410


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Retry-After is delay-seconds or an HTTP-date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


async def send(
    client: Client,
    settings: Settings,
    url: str,
    msg_id: str,
    body: bytes,
    signing_secrets: list[str],
) -> Outcome:
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        parts = urls.parse(url, settings)  # the scheme rule may have tightened since the endpoint was saved
    except urls.UrlRefused as exc:
        return Outcome(False, None, elapsed(), error=f"{exc.code}: {exc.message}")
    timestamp = int(time.time())  # real time, not app.core.clock: receivers check it against theirs
    headers = (
        ("content-type", "application/json"),
        ("webhook-id", msg_id),
        ("webhook-timestamp", str(timestamp)),
        ("webhook-signature", signature_header(signing_secrets, msg_id, timestamp, body)),
    )
    try:
        async with asyncio.timeout(settings.webhooks_timeout_seconds):
            response = await client.post(parts, headers, body)
    except urls.UrlRefused as exc:
        return Outcome(False, None, elapsed(), error=f"{exc.code}: {exc.message}")
    except TimeoutError:
        return Outcome(False, None, elapsed(), error=f"timeout after {settings.webhooks_timeout_seconds:g} s")
    except (HttpError, OSError, ssl.SSLError) as exc:
        return Outcome(False, None, elapsed(), error=f"{type(exc).__name__}: {exc}"[:500])
    status = response.status
    text = response.excerpt.decode("utf-8", errors="replace").replace("\x00", "")
    ok = 200 <= status < 300
    error = None
    if not ok:
        error = (
            f"redirect to {response.headers.get('location', '?')} not followed"
            if 300 <= status < 400
            else f"HTTP {status}"
        )[:500]
    return Outcome(
        ok,
        status,
        elapsed(),
        text,
        error,
        None if ok else parse_retry_after(response.headers.get("retry-after")),
    )
