"""Where evidence files live: one interface, a local folder by default, an S3-compatible bucket by
configuration (plain httpx + AWS Signature Version 4; no SDK).

Uploads are never held in memory: `receive()` spools the body to a file in the store's spool folder
as it arrives, hashing and counting it, and stops at the cap; only then is the file checked and moved
(or sent) to its key.

Keys are content-addressed within a centre (`<centre>/<sha256>`): the same bytes are stored once, and
a stored object is never overwritten with different content, which suits R-22 (nothing changed after
submission). Objects are not deleted here: learner work is kept until 12 weeks after certification
(R-97), which a retention job will enforce.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import os
import sys
import tempfile
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import quote, urlsplit

import httpx

from app.core.config import Settings

# httpcore asks `import sniffio` on every request (httpcore._synchronization.current_async_library) and,
# without sniffio installed, the failed import searches sys.path each time (issue 18 measured it as
# most of a webhook delivery's CPU, when deliveries still went through httpx). A None in sys.modules
# makes that import fail at once; httpcore then assumes asyncio, which is what the service runs on.
try:
    import sniffio  # type: ignore[import-not-found]  # noqa: F401
except ImportError:
    sys.modules["sniffio"] = None  # type: ignore[assignment]


class EvidenceStore(Protocol):
    spool: Path

    async def put_file(self, key: str, received: Received, media_type: str) -> None: ...
    async def get(self, key: str) -> bytes: ...
    async def delete(self, key: str) -> None:
        """Remove the object (retention, R-97); no error when it is already gone."""
        ...

    async def open(self, key: str) -> AsyncIterator[bytes]:
        """The stored object as blocks, never whole in memory; raises FileNotFoundError (before the
        first block is asked for) when there is no such object."""
        ...


class FileTooLarge(Exception):
    pass


@dataclass
class Received:
    """An upload spooled to disk: where, how big, its SHA-256 and first bytes (for the type check)."""

    path: Path
    size: int
    sha256: str
    head: bytes

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


async def receive(
    chunks: AsyncIterable[bytes], spool: Path, max_bytes: int, head_bytes: int = 16
) -> Received:
    """Write the body to a spool file as it arrives; FileTooLarge as soon as it passes `max_bytes`."""
    spool.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=spool, suffix=".part")
    path = Path(name)
    digest, size, head = hashlib.sha256(), 0, b""
    try:
        with os.fdopen(fd, "wb") as f:
            async for chunk in chunks:
                if not chunk:
                    continue
                size += len(chunk)
                if size > max_bytes:
                    raise FileTooLarge(max_bytes)
                digest.update(chunk)
                if len(head) < head_bytes:
                    head = (head + chunk)[:head_bytes]
                await asyncio.to_thread(f.write, chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Received(path=path, size=size, sha256=digest.hexdigest(), head=head)


class LocalEvidenceStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        # Inside the root, so that the final move is a rename on the same file system.
        self.spool = root / ".incoming"

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"key escapes the store: {key!r}")
        return path

    async def put_file(self, key: str, received: Received, media_type: str) -> None:
        path = self._path(key)

        def move() -> None:
            if path.exists():
                received.discard()  # content-addressed: the same key is the same bytes
                return
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(received.path, path)  # atomic: a reader never sees half a file

        await asyncio.to_thread(move)

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self._path(key).read_bytes)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, True)

    async def open(self, key: str) -> AsyncIterator[bytes]:
        f = await asyncio.to_thread(self._path(key).open, "rb")  # FileNotFoundError now, not mid-stream
        return _blocks_of(f)


def _sign(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def sigv4_headers(
    method: str,
    url: str,
    region: str,
    access_key: str,
    secret_key: str,
    payload: bytes,
    headers: dict[str, str] | None = None,
    now: dt.datetime | None = None,
    service: str = "s3",
    payload_hash: str | None = None,
) -> dict[str, str]:
    """AWS Signature Version 4 for one request (path-style URL); returns the headers to send.
    A streamed payload passes its `payload_hash` (hex SHA-256) instead of its bytes."""
    now = now or dt.datetime.now(dt.UTC)  # real time, not app.core.clock: S3 checks it against its own
    amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    parts = urlsplit(url)
    payload_hash = payload_hash or hashlib.sha256(payload).hexdigest()
    signed = {
        **{k.lower(): v.strip() for k, v in (headers or {}).items()},
        "host": parts.netloc,
        "x-amz-content-sha256": payload_hash,
        "x-amz-date": amz_date,
    }
    names = sorted(signed)
    canonical = "\n".join(
        [
            method,
            quote(parts.path or "/", safe="/-_.~"),
            parts.query,
            "".join(f"{n}:{signed[n]}\n" for n in names),
            ";".join(names),
            payload_hash,
        ]
    )
    scope = f"{day}/{region}/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = _sign(_sign(_sign(_sign(f"AWS4{secret_key}".encode(), day), region), service), "aws4_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    out = {k: v for k, v in signed.items() if k != "host"}
    out["authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={access_key}/{scope}, SignedHeaders={';'.join(names)}, "
        f"Signature={signature}"
    )
    return out


class S3EvidenceStore:
    """PUT/GET of whole objects on an S3-compatible endpoint, path-style (works with AWS and MinIO)."""

    def __init__(
        self,
        endpoint: str,
        bucket: str,
        region: str,
        access_key: str,
        secret_key: str,
        client: httpx.AsyncClient | None = None,
        spool: Path | None = None,
    ) -> None:
        self.spool = spool or Path(tempfile.gettempdir()) / "verity-evidence-spool"
        self.endpoint, self.bucket, self.region = endpoint.rstrip("/"), bucket, region
        self.access_key, self.secret_key = access_key, secret_key
        self.client = client or httpx.AsyncClient(timeout=30.0)

    def _url(self, key: str) -> str:
        return f"{self.endpoint}/{self.bucket}/{quote(key, safe='/')}"

    async def put_file(self, key: str, received: Received, media_type: str) -> None:
        url = self._url(key)
        headers = sigv4_headers(
            "PUT",
            url,
            self.region,
            self.access_key,
            self.secret_key,
            b"",
            {"content-type": media_type},
            payload_hash=received.sha256,
        )
        headers["content-length"] = str(received.size)
        try:
            r = await self.client.put(url, content=_file_blocks(received.path), headers=headers)
            r.raise_for_status()
        finally:
            received.discard()

    async def get(self, key: str) -> bytes:
        url = self._url(key)
        r = await self.client.get(
            url, headers=sigv4_headers("GET", url, self.region, self.access_key, self.secret_key, b"")
        )
        r.raise_for_status()
        return r.content

    async def delete(self, key: str) -> None:
        url = self._url(key)
        r = await self.client.delete(
            url, headers=sigv4_headers("DELETE", url, self.region, self.access_key, self.secret_key, b"")
        )
        if r.status_code != 404:
            r.raise_for_status()

    async def open(self, key: str) -> AsyncIterator[bytes]:
        url = self._url(key)
        request = self.client.build_request(
            "GET", url, headers=sigv4_headers("GET", url, self.region, self.access_key, self.secret_key, b"")
        )
        r = await self.client.send(request, stream=True)
        if r.status_code == 404:
            await r.aclose()
            raise FileNotFoundError(key)
        if r.is_error:
            await r.aclose()
            r.raise_for_status()

        async def blocks() -> AsyncIterator[bytes]:
            try:
                async for block in r.aiter_bytes(1024 * 1024):
                    yield block
            finally:
                await r.aclose()

        return blocks()


async def _blocks_of(f: BinaryIO, size: int = 1024 * 1024) -> AsyncIterator[bytes]:
    try:
        while block := await asyncio.to_thread(f.read, size):
            yield block
    finally:
        f.close()


async def _file_blocks(path: Path, size: int = 1024 * 1024) -> AsyncIterator[bytes]:
    with path.open("rb") as f:
        while block := await asyncio.to_thread(f.read, size):
            yield block


def evidence_store(settings: Settings) -> EvidenceStore:
    if settings.evidence_storage == "s3":
        endpoint, bucket = settings.s3_endpoint_url, settings.s3_bucket
        access_key, secret_key = settings.s3_access_key_id, settings.s3_secret_access_key
        if not (endpoint and bucket and access_key and secret_key):
            given = {
                "s3_endpoint_url": endpoint,
                "s3_bucket": bucket,
                "s3_access_key_id": access_key,
                "s3_secret_access_key": secret_key,
            }
            missing = [n for n, v in given.items() if not v]
            raise RuntimeError(f"evidence_storage=s3 needs {', '.join(missing)}")
        return S3EvidenceStore(
            endpoint,
            bucket,
            settings.s3_region,
            access_key,
            secret_key,
            spool=settings.data_dir / "evidence-spool",
        )
    return LocalEvidenceStore(settings.data_dir / "evidence")
