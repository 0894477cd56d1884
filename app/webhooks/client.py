"""The HTTP/1.1 client the worker delivers with: one POST per attempt, over pooled keep-alive connections.

Purpose-built (issue 18): httpx/httpcore spent most of a delivery's CPU on generality a webhook sender
never uses (a pool that inspects every connection on every request, anyio's attribute tables, h11's
per-event objects). This does one thing, and keeps every safety property the sender had:

- SSRF: a connection is opened only to an address that `urls.refusal` has just accepted for that host
  (resolved here, at connect time, so a DNS answer that changed since registration meets the same check);
  the socket connects to that address, never to the name again. A connection is reused only for the
  same scheme, host and port, and no longer than `max_connection_age`, so a changed DNS answer is looked
  at again within minutes even on a busy endpoint.
- TLS (https): the default context (certificate chain verified against certifi's roots, host name checked),
  with SNI and the check against the URL's host name, not the address connected to.
- Timeouts: connect (TCP and the TLS handshake), read (each wait for the receiver's bytes); the caller
  holds the whole attempt to its deadline (app/webhooks/sender.py).
- No redirects: a 3xx is returned as it is; nothing is ever requested but the URL given.
- Bounded reading: at most `MAX_HEAD_BYTES` of status line and headers, and of the body only the first
  `excerpt_bytes` are kept. A body is read to its end (so the connection can be reused) only up to
  `drain_bytes`; beyond that, or without a length, the connection is closed instead.
- No proxies from the environment, no cookies, no compression.

A connection reused from the pool that fails before the receiver's first byte (it closed the idle
connection as we sent) is retried once on a fresh connection: the receiver cannot have answered, and
delivery is at least once anyway.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import SplitResult, quote

from app.core.config import Settings
from app.webhooks import urls

MAX_HEAD_BYTES = 64 * 1024
MAX_LINE_BYTES = 8 * 1024  # one chunk-size line
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SAFE_TARGET = "!#$%&'()*+,/:;=?@[]~"  # left as they are in the request target; the rest is %-encoded


class HttpError(Exception):
    """The exchange failed: no connection, a reset, or an answer that is not HTTP/1.x."""


class ProtocolError(HttpError):
    pass


class _NoAnswer(HttpError):
    """The connection closed before the receiver's first byte (a reused one may be retried)."""


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    headers: dict[str, str]  # names lower-cased; a repeated header's values joined with ", "
    excerpt: bytes  # the first `excerpt_bytes` of the body


def default_ssl_context() -> ssl.SSLContext:
    """Verification on, host names checked, TLS 1.2 or later; the same roots httpx used (certifi)."""
    try:
        import certifi

        context = ssl.create_default_context(cafile=certifi.where())
    except ImportError:  # pragma: no cover - certifi comes with httpx
        context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_alpn_protocols(["http/1.1"])
    return context


class Connection(asyncio.Protocol):
    """One TCP (or TLS) connection; reads into a buffer that the request coroutine parses."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._waiter: asyncio.Future[None] | None = None
        self._drained: asyncio.Future[None] | None = None
        self._closed = False
        self._error: BaseException | None = None
        self.opened_at = time.monotonic()
        self.idle_since = self.opened_at
        self.answered = False  # the receiver sent at least one byte during the current request

    # -- asyncio.Protocol ---------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        self.answered = True
        self._wake()

    def eof_received(self) -> bool:
        self._closed = True
        self._wake()
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        self._error = exc
        self._wake()
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)

    def pause_writing(self) -> None:
        self._drained = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)
        self._drained = None

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    # -- used by the client --------------------------------------------------------------------------

    def reusable(self, now: float, keepalive_expiry: float, max_age: float) -> bool:
        """Still open, nothing unasked-for in the buffer (an idle connection the receiver wrote to or
        closed is finished), and not too old."""
        return (
            not self._closed
            and not self._buffer
            and self.transport is not None
            and not self.transport.is_closing()
            and now - self.idle_since < keepalive_expiry
            and now - self.opened_at < max_age
        )

    def close(self) -> None:
        self._closed = True
        if self.transport is not None:
            self.transport.close()

    async def write(self, data: bytes) -> None:
        if self._closed or self.transport is None or self.transport.is_closing():
            raise _NoAnswer("the connection is closed")
        self.transport.write(data)
        if self._drained is not None:
            await self._drained

    async def _more(self, read_timeout: float) -> None:
        """Wait for more bytes (or the end of the connection), at most `read_timeout`."""
        if self._closed:
            if not self.answered:
                raise _NoAnswer(f"the connection closed before an answer ({self._error or 'EOF'})")
            raise ProtocolError("the connection closed in the middle of the answer")
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            async with asyncio.timeout(read_timeout):
                await self._waiter
        except TimeoutError:
            raise HttpError(f"read timeout after {read_timeout:g} s") from None
        finally:
            self._waiter = None

    async def read_until(self, marker: bytes, limit: int, read_timeout: float) -> bytes:
        """The bytes up to and including `marker`, consumed from the buffer."""
        start = 0
        while True:
            at = self._buffer.find(marker, start)
            if at >= 0:
                end = at + len(marker)
                if end > limit:
                    raise ProtocolError(f"more than {limit} bytes without a line end")
                data = bytes(self._buffer[:end])
                del self._buffer[:end]
                return data
            if len(self._buffer) > limit:
                raise ProtocolError(f"more than {limit} bytes without a line end")
            start = max(0, len(self._buffer) - len(marker) + 1)
            await self._more(read_timeout)

    async def read_some(self, most: int, read_timeout: float) -> bytes:
        """Up to `most` buffered bytes (waiting for some if there are none); b'' at the end."""
        if not self._buffer:
            if self._closed:
                return b""
            try:
                await self._more(read_timeout)
            except ProtocolError:
                return b""
            if not self._buffer:
                return b""
        data = bytes(self._buffer[:most])
        del self._buffer[:most]
        return data

    async def read_exactly(self, n: int, read_timeout: float) -> bytes:
        while len(self._buffer) < n:
            await self._more(read_timeout)
        data = bytes(self._buffer[:n])
        del self._buffer[:n]
        return data


async def open_connection(
    address: str,
    port: int,
    *,
    ssl_context: ssl.SSLContext | None,
    server_hostname: str | None,
    timeout: float,
) -> Connection:
    """TCP to exactly `address` (already checked; never resolved again), then TLS against the host name."""
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(timeout):
        _, connection = await loop.create_connection(
            Connection,
            host=address,
            port=port,
            ssl=ssl_context,
            server_hostname=server_hostname if ssl_context is not None else None,
            ssl_handshake_timeout=timeout if ssl_context is not None else None,
        )
    return connection


Origin = tuple[str, str, int]  # scheme, host, port


class Client:
    """Pooled HTTP/1.1 POSTs to the URLs webhook endpoints registered. Not shared across event loops."""

    def __init__(
        self,
        settings: Settings,
        *,
        connect_timeout: float,
        read_timeout: float,
        user_agent: str,
        excerpt_bytes: int = 1024,
        drain_bytes: int = 64 * 1024,
        max_idle_per_origin: int = 16,
        keepalive_expiry: float = 30.0,
        max_connection_age: float = 300.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._settings = settings
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self._user_agent = user_agent
        self.excerpt_bytes = excerpt_bytes
        self.drain_bytes = drain_bytes
        self._max_idle = max_idle_per_origin
        self._keepalive_expiry = keepalive_expiry
        self._max_age = max_connection_age
        self._ssl_context = ssl_context
        self._idle: dict[Origin, list[Connection]] = {}
        self._open: set[Connection] = set()
        self._last_sweep = time.monotonic()
        self.connections_opened = 0  # for tests and the bench: how often keep-alive did not apply

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        for connection in list(self._open):
            connection.close()
        self._open.clear()
        self._idle.clear()

    async def post(self, url: SplitResult, headers: Iterable[tuple[str, str]], body: bytes) -> Response:
        """POST `body` to `url` (already parsed and checked by `urls.parse`). A 3xx is an answer like any
        other: never followed."""
        host = (url.hostname or "").lower()
        if not host.isascii():
            try:
                host = host.encode("idna").decode("ascii")  # the name on the wire, in DNS and for TLS
            except UnicodeError:
                raise ProtocolError("a host name that cannot be encoded") from None
        scheme = url.scheme
        port = url.port or (443 if scheme == "https" else 80)
        request = self._request(url, host, port, scheme, headers, body)
        origin = (scheme, host, port)
        connection, reused = self._checkout(origin), True
        if connection is None:
            connection, reused = await self._connect(host, port, scheme), False
        try:
            response, keep = await self._exchange(connection, request)
        except _NoAnswer:
            self._discard(connection)
            if not reused:
                raise
            connection = await self._connect(host, port, scheme)
            try:
                response, keep = await self._exchange(connection, request)
            except BaseException:
                self._discard(connection)
                raise
        except BaseException:  # a timeout or cancellation mid-answer: the connection's state is unknown
            self._discard(connection)
            raise
        if keep:
            self._checkin(origin, connection)
        else:
            self._discard(connection)
        return response

    # -- the request ----------------------------------------------------------------------------------

    def _request(
        self,
        url: SplitResult,
        host: str,
        port: int,
        scheme: str,
        headers: Iterable[tuple[str, str]],
        body: bytes,
    ) -> bytes:
        target = quote(url.path or "/", safe=_SAFE_TARGET)
        if url.query:
            target += "?" + quote(url.query, safe=_SAFE_TARGET)
        authority = f"[{host}]" if ":" in host else host
        if port != (443 if scheme == "https" else 80):
            authority += f":{port}"
        lines = [
            f"POST {target} HTTP/1.1",
            f"host: {authority}",
            f"user-agent: {self._user_agent}",
            "accept: */*",
            f"content-length: {len(body)}",
        ]
        lines += [f"{name}: {value}" for name, value in headers]
        head = "\r\n".join(lines)
        if not head.isascii() or _CONTROL.search("".join(lines)):
            # urlsplit and our own header values never carry these: a header injection is refused.
            raise ProtocolError("a control or non-ASCII character in the request head")
        return head.encode("ascii") + b"\r\n\r\n" + body

    async def _exchange(self, connection: Connection, request: bytes) -> tuple[Response, bool]:
        connection.answered = False
        await connection.write(request)
        read_timeout = self.read_timeout
        while True:
            head = await connection.read_until(b"\r\n\r\n", MAX_HEAD_BYTES, read_timeout)
            connection.answered = True
            status, version, headers = _parse_head(head)
            if 100 <= status < 200:
                if status == 101:
                    raise ProtocolError("the receiver switched protocols")
                continue  # 100 Continue, 103 Early Hints: the answer follows
            break
        keep = version == "HTTP/1.1" and "close" not in headers.get("connection", "").lower()
        excerpt = bytearray()
        want = self.excerpt_bytes
        encoding = headers.get("transfer-encoding", "").lower()
        if status in (204, 304):
            return Response(status, headers, b""), keep
        if encoding:
            if encoding.replace(" ", "").split(",")[-1] != "chunked":
                raise ProtocolError(f"transfer-encoding {encoding!r} is not supported")
            finished = await self._chunked(connection, excerpt, want)
            return Response(status, headers, bytes(excerpt[:want])), keep and finished
        length = _content_length(headers)
        if length is None:
            # Delimited by the end of the connection: read up to the drain limit, never reuse.
            total = 0
            while total <= self.drain_bytes:
                data = await connection.read_some(64 * 1024, read_timeout)
                if not data:
                    break
                total += len(data)
                if len(excerpt) < want:
                    excerpt += data[: want - len(excerpt)]
            return Response(status, headers, bytes(excerpt)), False
        if length > self.drain_bytes:
            # Too big to read through: keep the first bytes and drop the connection.
            if want:
                excerpt += await connection.read_exactly(min(want, length), read_timeout)
            return Response(status, headers, bytes(excerpt)), False
        remaining = length
        while remaining:
            data = await connection.read_some(remaining, read_timeout)
            if not data:
                raise ProtocolError("the connection closed in the middle of the body")
            remaining -= len(data)
            if len(excerpt) < want:
                excerpt += data[: want - len(excerpt)]
        return Response(status, headers, bytes(excerpt)), keep

    async def _chunked(self, connection: Connection, excerpt: bytearray, want: int) -> bool:
        """Read a chunked body into `excerpt` (its first `want` bytes). False: over the drain limit,
        stopped early (the connection is not reusable)."""
        total = 0
        read_timeout = self.read_timeout
        while True:
            line = await connection.read_until(b"\r\n", MAX_LINE_BYTES, read_timeout)
            size_text = line.split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise ProtocolError("a malformed chunk size") from None
            if size < 0:
                raise ProtocolError("a malformed chunk size")
            if size == 0:
                while (await connection.read_until(b"\r\n", MAX_HEAD_BYTES, read_timeout)) != b"\r\n":
                    pass  # trailers, ignored
                return True
            total += size
            if total > self.drain_bytes:
                if len(excerpt) < want:
                    excerpt += await connection.read_exactly(min(size, want - len(excerpt)), read_timeout)
                return False
            data = await connection.read_exactly(size + 2, read_timeout)
            if data[-2:] != b"\r\n":
                raise ProtocolError("a chunk without its line end")
            if len(excerpt) < want:
                excerpt += data[: min(size, want - len(excerpt))]

    # -- the pool -------------------------------------------------------------------------------------

    def _checkout(self, origin: Origin) -> Connection | None:
        idle = self._idle.get(origin)
        if not idle:
            return None
        now = time.monotonic()
        while idle:
            connection = idle.pop()
            if connection.reusable(now, self._keepalive_expiry, self._max_age):
                return connection
            self._discard(connection)
        return None

    def _checkin(self, origin: Origin, connection: Connection) -> None:
        now = time.monotonic()
        connection.idle_since = now
        idle = self._idle.setdefault(origin, [])
        if len(idle) < self._max_idle:
            idle.append(connection)
        else:
            self._discard(connection)
        if now - self._last_sweep > 5.0:
            self._sweep(now)

    def _sweep(self, now: float) -> None:
        """Close connections idle past the keep-alive expiry (of endpoints no longer sent to)."""
        self._last_sweep = now
        for origin, idle in list(self._idle.items()):
            keep = [c for c in idle if c.reusable(now, self._keepalive_expiry, self._max_age)]
            for c in idle:
                if c not in keep:
                    self._discard(c)
            if keep:
                self._idle[origin] = keep
            else:
                del self._idle[origin]

    def _discard(self, connection: Connection) -> None:
        connection.close()
        self._open.discard(connection)

    async def _connect(self, host: str, port: int, scheme: str) -> Connection:
        # Resolved here, checked here, and the socket opens to the address checked: a DNS answer that
        # changed since registration (rebinding) meets the same check. TLS keeps the name, so the
        # certificate is verified against it.
        addresses = await urls.resolve(host, port)
        problem = urls.refusal(host, port, addresses, self._settings)
        if problem is not None:
            raise problem
        context = None
        if scheme == "https":
            if self._ssl_context is None:
                self._ssl_context = default_ssl_context()
            context = self._ssl_context
        try:
            connection = await open_connection(
                str(addresses[0]),
                port,
                ssl_context=context,
                server_hostname=host,
                timeout=self.connect_timeout,
            )
        except TimeoutError:
            raise HttpError(f"connect timeout after {self.connect_timeout:g} s") from None
        except (OSError, ssl.SSLError) as exc:
            raise HttpError(f"cannot connect: {exc}") from exc
        self.connections_opened += 1
        self._open.add(connection)
        return connection


def _parse_head(head: bytes) -> tuple[int, str, dict[str, str]]:
    try:
        text = head[:-4].decode("latin-1")
    except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes every byte
        raise ProtocolError("an undecodable response head") from None
    lines = text.split("\r\n")
    parts = lines[0].split(" ", 2)
    if (
        len(parts) < 2
        or parts[0] not in ("HTTP/1.1", "HTTP/1.0")
        or not (len(parts[1]) == 3 and parts[1].isdigit())
    ):
        raise ProtocolError(f"not an HTTP/1.x status line: {lines[0][:80]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip() or line[0] in " \t":
            raise ProtocolError(f"a malformed header line: {line[:80]!r}")
        name = name.lower()
        value = value.strip(" \t")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return int(parts[1]), parts[0], headers


def _content_length(headers: dict[str, str]) -> int | None:
    value = headers.get("content-length")
    if value is None:
        return None
    values = {v.strip() for v in value.split(",")}
    if len(values) != 1 or not (v := values.pop()).isdigit():
        raise ProtocolError(f"an invalid content-length: {value[:40]!r}")
    return int(v)
