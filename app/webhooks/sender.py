"""One HTTP attempt: sign, POST the stored bytes, classify the answer. Never raises for the receiver's faults.

The SSRF guard sits in the connection itself: the transport's network backend resolves the host, refuses
unless every address is allowed, and connects to the address it checked. TLS still verifies the
certificate against the host name, redirects are never followed, proxies from the environment are
ignored, and the whole attempt (connect, send, first bytes of the answer) has one deadline.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import select
import socket
import sys
import time
import typing
from dataclasses import dataclass

import httpcore
import httpx

# httpcore asks `import sniffio` on every request (httpcore._synchronization.current_async_library) and,
# without sniffio installed, the failed import searches sys.path each time: most of a delivery's CPU
# (issue 18). A None in sys.modules makes that import fail at once; httpcore then assumes asyncio,
# which is what the worker runs on.
try:
    import sniffio  # type: ignore[import-not-found]  # noqa: F401
except ImportError:
    sys.modules["sniffio"] = None  # type: ignore[assignment]

from app.core.config import Settings
from app.webhooks import urls
from app.webhooks.signing import signature_header

EXCERPT_BYTES = 1024
USER_AGENT = "Verity-Webhooks/1"


def _readable(sock: socket.socket | None) -> bool:
    """An idle keep-alive socket with something to read has been closed by the server."""
    if sock is None or sock.fileno() == -1:
        return True
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


class _Stream(httpcore.AsyncNetworkStream):
    """The anyio stream with its raw socket looked up once. The pool asks every connection
    `is_readable` each time a request comes or goes, and anyio rebuilds its attribute table on each
    ask: a fifth of a delivery's CPU (issue 18)."""

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._sock = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self, ssl_context: typing.Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> typing.Any:
        if info == "socket":
            return self._sock
        if info == "is_readable":
            return _readable(self._sock)
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        # Resolved here, checked here, and the socket opens to the address checked: a DNS answer
        # that changed since registration (rebinding) meets the same check. TLS and the Host header
        # keep the name, so the certificate is still verified against it.
        addresses = await urls.resolve(host, port)
        problem = urls.refusal(host, port, addresses, self._settings)
        if problem is not None:
            raise problem
        stream = await self._inner.connect_tcp(
            str(addresses[0]),
            port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,
        )
        return _Stream(stream)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    def __init__(self, settings: Settings, limits: httpx.Limits) -> None:
        super().__init__(limits=limits, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_GuardedBackend(settings),
        )


def make_client(settings: Settings, concurrency: int) -> httpx.AsyncClient:
    # No more connections than requests in flight: the pool walks every connection (some walks are
    # quadratic in httpcore 1.0) each time a request starts or ends.
    limits = httpx.Limits(
        max_connections=concurrency, max_keepalive_connections=concurrency, keepalive_expiry=30
    )
    timeout = httpx.Timeout(
        settings.webhooks_timeout_seconds, connect=min(5.0, settings.webhooks_timeout_seconds)
    )
    return httpx.AsyncClient(
        transport=GuardedTransport(settings, limits),
        follow_redirects=False,
        trust_env=False,
        timeout=timeout,
        headers={"user-agent": USER_AGENT},
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
    client: httpx.AsyncClient,
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
        urls.parse(url, settings)  # the scheme rule may have tightened since the endpoint was saved
    except urls.UrlRefused as exc:
        return Outcome(False, None, elapsed(), error=f"{exc.code}: {exc.message}")
    timestamp = int(time.time())  # real time, not app.core.clock: receivers check it against theirs
    headers = {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(signing_secrets, msg_id, timestamp, body),
    }
    try:
        async with asyncio.timeout(settings.webhooks_timeout_seconds):
            async with client.stream("POST", url, content=body, headers=headers) as response:
                excerpt = bytearray()
                async for chunk in response.aiter_bytes():
                    excerpt += chunk
                    if len(excerpt) >= EXCERPT_BYTES:
                        break
    except urls.UrlRefused as exc:
        return Outcome(False, None, elapsed(), error=f"{exc.code}: {exc.message}")
    except TimeoutError:
        return Outcome(False, None, elapsed(), error=f"timeout after {settings.webhooks_timeout_seconds:g} s")
    except httpx.HTTPError as exc:
        return Outcome(False, None, elapsed(), error=f"{type(exc).__name__}: {exc}"[:500])
    status = response.status_code
    text = bytes(excerpt[:EXCERPT_BYTES]).decode("utf-8", errors="replace").replace("\x00", "")
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
