"""The worker's HTTP/1.1 client (app/webhooks/client.py) against real local servers over TCP and TLS.

Each server here is a real socket server on 127.0.0.1 run by a script of what to answer; the client
under test is the one the worker delivers with. Nothing asserts a duration: a timeout is shown by the
error the client reports when the server never answers.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.core.config import Settings
from app.webhooks import sender, urls
from app.webhooks.client import Client, HttpError, ProtocolError

Answer = Callable[["Request", asyncio.StreamWriter], Awaitable[bool]]  # False: close the connection


@dataclass(frozen=True)
class Request:
    line: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Server:
    """A scripted HTTP/1.1 server: `answer` writes the response to each request it reads."""

    answer: Answer
    ssl_context: ssl.SSLContext | None = None
    requests: list[Request] = field(default_factory=list)
    connections: int = 0
    server_names: list[str | None] = field(default_factory=list)
    port: int = 0
    _server: asyncio.Server | None = None

    async def start(self) -> None:
        if self.ssl_context is not None:
            self.ssl_context.sni_callback = lambda _sock, name, _ctx: self.server_names.append(name)
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=self.ssl_context)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                line, *rest = head[:-4].split("\r\n")
                headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in rest)}
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                request = Request(line, headers, body)
                self.requests.append(request)
                if not await self.answer(request, writer):
                    break
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()


def answering(response: bytes, keep_open: bool = True) -> Answer:
    async def answer(_request: Request, writer: asyncio.StreamWriter) -> bool:
        writer.write(response)
        return keep_open

    return answer


NO_CONTENT = b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n"
HEADERS = [("content-type", "application/json"), ("webhook-id", "msg_1")]


@pytest.fixture
def settings(dev_settings: Settings) -> Settings:
    return dev_settings


def client_for(settings: Settings, **kwargs) -> Client:
    options = {"connect_timeout": 2.0, "read_timeout": 5.0, "user_agent": "Verity-Webhooks/1", **kwargs}
    return Client(settings, **options)


@pytest.fixture
async def serve() -> AsyncIterator[Callable[..., Awaitable[Server]]]:
    servers: list[Server] = []

    async def start(answer: Answer, ssl_context: ssl.SSLContext | None = None) -> Server:
        server = Server(answer, ssl_context)
        await server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.stop()


def url(server: Server, path: str = "/hook", scheme: str = "http", host: str = "127.0.0.1"):
    return urlsplit(f"{scheme}://{host}:{server.port}{path}")


# ---- keep-alive, framing ---------------------------------------------------------------------------


async def test_a_post_carries_the_body_and_headers_and_the_connection_is_kept(settings, serve):
    server = await serve(answering(NO_CONTENT))
    async with client_for(settings) as client:
        for n in range(3):
            response = await client.post(url(server, "/hook?n=1"), HEADERS, b'{"n":%d}' % n)
            assert response.status == 204 and response.excerpt == b""
        assert client.connections_opened == 1
    assert server.connections == 1
    first = server.requests[0]
    assert first.line == "POST /hook?n=1 HTTP/1.1"
    assert first.headers["host"] == f"127.0.0.1:{server.port}"
    assert first.headers["content-type"] == "application/json" and first.headers["webhook-id"] == "msg_1"
    assert first.headers["user-agent"] == "Verity-Webhooks/1"
    assert [r.body for r in server.requests] == [b'{"n":0}', b'{"n":1}', b'{"n":2}']


async def test_a_chunked_answer_is_read_and_the_connection_reused(settings, serve):
    chunked = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n6\r\n world\r\n0\r\nt: 1\r\n\r\n"
    server = await serve(answering(chunked))
    async with client_for(settings) as client:
        assert (await client.post(url(server), HEADERS, b"{}")).excerpt == b"hello world"
        assert (await client.post(url(server), HEADERS, b"{}")).excerpt == b"hello world"
    assert server.connections == 1


async def test_informational_answers_are_skipped(settings, serve):
    server = await serve(answering(b"HTTP/1.1 100 Continue\r\n\r\n" + NO_CONTENT))
    async with client_for(settings) as client:
        assert (await client.post(url(server), HEADERS, b"{}")).status == 204


async def test_connection_close_is_honoured(settings, serve):
    closing = b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nok"
    server = await serve(answering(closing, keep_open=False))
    async with client_for(settings) as client:
        for _ in range(2):
            assert (await client.post(url(server), HEADERS, b"{}")).excerpt == b"ok"
        assert client.connections_opened == 2


async def test_a_kept_connection_the_receiver_dropped_is_replaced(settings, serve):
    """The receiver closes after answering without saying so: the next post still gets through."""
    server = await serve(answering(NO_CONTENT, keep_open=False))
    async with client_for(settings) as client:
        for _ in range(3):
            assert (await client.post(url(server), HEADERS, b"{}")).status == 204
    assert len(server.requests) == 3 and server.connections == 3


async def test_a_receiver_that_closes_mid_answer_is_an_error(settings, serve):
    server = await serve(answering(b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc", keep_open=False))
    async with client_for(settings) as client:
        with pytest.raises(ProtocolError):
            await client.post(url(server), HEADERS, b"{}")
    assert len(server.requests) == 1  # answered: not sent again


async def test_an_answer_that_is_not_http_is_an_error(settings, serve):
    server = await serve(answering(b"SSH-2.0-OpenSSH_9.6\r\n\r\n"))
    async with client_for(settings) as client:
        with pytest.raises(ProtocolError):
            await client.post(url(server), HEADERS, b"{}")


# ---- no redirects, bounded reading, timeouts ---------------------------------------------------------


async def test_a_redirect_is_returned_not_followed(settings, serve):
    server = await serve(
        answering(b"HTTP/1.1 302 Found\r\nlocation: /elsewhere\r\ncontent-length: 0\r\n\r\n")
    )
    async with client_for(settings) as client:
        response = await client.post(url(server), HEADERS, b"{}")
    assert response.status == 302 and response.headers["location"] == "/elsewhere"
    assert [r.line for r in server.requests] == ["POST /hook HTTP/1.1"]


async def test_an_oversize_body_is_cut_to_the_excerpt_and_the_connection_dropped(settings, serve):
    async def huge(_request: Request, writer: asyncio.StreamWriter) -> bool:
        writer.write(b"HTTP/1.1 500 Oops\r\ncontent-length: 100000000\r\n\r\n")
        for _ in range(64):  # far less than promised: a client that read it through would wait
            writer.write(b"x" * 65536)
            await writer.drain()
        return True

    server = await serve(huge)
    async with client_for(settings, drain_bytes=64 * 1024) as client:
        response = await client.post(url(server), HEADERS, b"{}")
        assert response.status == 500 and response.excerpt == b"x" * 1024
        await client.post(url(server), HEADERS, b"{}")
        assert client.connections_opened == 2  # never reused with the rest unread


async def test_an_oversize_chunked_body_or_one_without_length_is_bounded(settings, serve):
    chunk = b"10000\r\n" + b"y" * 0x10000 + b"\r\n"

    async def chunked(_request: Request, writer: asyncio.StreamWriter) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
        for _ in range(8):
            writer.write(chunk)
            await writer.drain()
        return True  # never the last chunk

    async def unframed(_request: Request, writer: asyncio.StreamWriter) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\n\r\n")
        for _ in range(8):
            writer.write(b"z" * 65536)
            await writer.drain()
        return True  # never closes

    for answer, byte in ((chunked, b"y"), (unframed, b"z")):
        server = await serve(answer)
        async with client_for(settings, drain_bytes=64 * 1024) as client:
            response = await client.post(url(server), HEADERS, b"{}")
        assert response.excerpt == byte * 1024


async def test_headers_beyond_the_limit_are_refused(settings, serve):
    server = await serve(answering(b"HTTP/1.1 200 OK\r\n" + b"x-pad: " + b"p" * 70_000 + b"\r\n\r\n"))
    async with client_for(settings) as client:
        with pytest.raises(ProtocolError):
            await client.post(url(server), HEADERS, b"{}")


async def test_a_receiver_that_never_answers_meets_the_read_timeout(settings, serve):
    async def silent(_request: Request, _writer: asyncio.StreamWriter) -> bool:
        await asyncio.sleep(30)
        return False

    server = await serve(silent)
    async with client_for(settings, read_timeout=0.2) as client:
        with pytest.raises(HttpError, match="read timeout"):
            await client.post(url(server), HEADERS, b"{}")


async def test_the_attempts_deadline_bounds_a_slow_receiver(settings, serve):
    async def trickle(_request: Request, writer: asyncio.StreamWriter) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n")
        for _ in range(100):  # a byte at a time: every read is quick, the whole is not
            writer.write(b"x")
            await writer.drain()
            await asyncio.sleep(0.1)
        return True

    server = await serve(trickle)
    quick = settings.model_copy(update={"webhooks_timeout_seconds": 0.5})
    async with sender.make_client(quick, 1) as client:
        outcome = await sender.send(
            client, quick, f"http://127.0.0.1:{server.port}/hook", "msg_1", b"{}", ["whsec_" + "A" * 44]
        )
    assert not outcome.succeeded and outcome.error == "timeout after 0.5 s"


async def test_a_tls_handshake_that_never_comes_meets_the_connect_timeout(settings, serve, monkeypatch):
    async def silent(_request: Request, _writer: asyncio.StreamWriter) -> bool:
        return True

    server = await serve(silent)  # plain TCP: accepts, never speaks TLS
    pin(monkeypatch, "hooks.test")
    async with client_for(settings, connect_timeout=0.3) as client:
        with pytest.raises(HttpError, match="connect timeout"):
            await client.post(url(server, scheme="https", host="hooks.test"), HEADERS, b"{}")


async def test_a_header_injection_is_refused_before_anything_is_sent(settings, serve):
    server = await serve(answering(NO_CONTENT))
    async with client_for(settings) as client:
        with pytest.raises(ProtocolError):
            await client.post(url(server), [("webhook-id", "msg_1\r\nx-evil: 1")], b"{}")
    assert server.requests == []


# ---- the SSRF guard ---------------------------------------------------------------------------------


async def test_a_private_address_is_refused_without_connecting(test_settings: Settings, serve):
    server = await serve(answering(NO_CONTENT))
    production = test_settings.model_copy(update={"webhooks_allow_http": True})  # loopback still refused
    async with client_for(production) as client:
        with pytest.raises(urls.UrlRefused) as refused:
            await client.post(url(server), HEADERS, b"{}")
    assert refused.value.code == "url_not_allowed"
    assert server.connections == 0


async def test_connections_are_kept_per_receiver(settings, serve):
    """A kept connection to one receiver is never used for another (host and port are the key)."""
    one, two = await serve(answering(NO_CONTENT)), await serve(answering(NO_CONTENT))
    async with client_for(settings) as client:
        for server in (one, two, one, two):
            await client.post(url(server), HEADERS, b"{}")
    assert (one.connections, len(one.requests), two.connections, len(two.requests)) == (1, 2, 1, 2)


# ---- TLS ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pki:
    ca: Path
    server: ssl.SSLContext


def make_pki(tmp_path: Path, name: str) -> Pki:
    """A private CA and a server certificate for `name` signed by it."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, cert_path, key_path = tmp_path / "ca.pem", tmp_path / "cert.pem", tmp_path / "key.pem"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_path, key_path)
    return Pki(ca_path, server)


def pin(monkeypatch, name: str) -> None:
    """`name` resolves to loopback (the server's address); the certificate is for the name."""

    async def resolve(host: str, port: int):
        return [ipaddress.ip_address("127.0.0.1")] if host == name else []

    monkeypatch.setattr(urls, "resolve", resolve)


def trusting(ca: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(ca))
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


async def test_https_verifies_the_certificate_for_the_host_name_with_sni(
    settings, serve, tmp_path, monkeypatch
):
    pki = make_pki(tmp_path, "hooks.test")
    server = await serve(answering(NO_CONTENT), pki.server)
    pin(monkeypatch, "hooks.test")
    async with client_for(settings, ssl_context=trusting(pki.ca)) as client:
        for _ in range(2):
            response = await client.post(url(server, scheme="https", host="hooks.test"), HEADERS, b"{}")
            assert response.status == 204
    assert server.server_names == ["hooks.test"] and server.connections == 1
    assert server.requests[0].headers["host"] == f"hooks.test:{server.port}"


async def test_https_refuses_a_certificate_nobody_trusted(settings, serve, tmp_path, monkeypatch):
    pki = make_pki(tmp_path, "hooks.test")
    server = await serve(answering(NO_CONTENT), pki.server)
    pin(monkeypatch, "hooks.test")
    async with client_for(settings) as client:  # the default roots: the private CA is not among them
        with pytest.raises(HttpError, match="CERTIFICATE_VERIFY_FAILED"):
            await client.post(url(server, scheme="https", host="hooks.test"), HEADERS, b"{}")
    assert server.requests == []


async def test_https_refuses_a_certificate_for_another_name(settings, serve, tmp_path, monkeypatch):
    pki = make_pki(tmp_path, "elsewhere.test")
    server = await serve(answering(NO_CONTENT), pki.server)
    pin(monkeypatch, "hooks.test")
    async with client_for(settings, ssl_context=trusting(pki.ca)) as client:
        with pytest.raises(HttpError, match="CERTIFICATE_VERIFY_FAILED"):
            await client.post(url(server, scheme="https", host="hooks.test"), HEADERS, b"{}")
    assert server.requests == []
