"""Where evidence files live: one interface, a local folder by default, an S3-compatible bucket by
configuration (plain httpx + AWS Signature Version 4; no SDK).

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
from pathlib import Path
from typing import Protocol
from urllib.parse import quote, urlsplit

import httpx

from app.core.config import Settings


class EvidenceStore(Protocol):
    async def put(self, key: str, data: bytes, media_type: str) -> None: ...
    async def get(self, key: str) -> bytes: ...


class LocalEvidenceStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"key escapes the store: {key!r}")
        return path

    async def put(self, key: str, data: bytes, media_type: str) -> None:
        path = self._path(key)

        def write() -> None:
            if path.exists():
                return  # content-addressed: the same key is the same bytes
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)  # atomic: a reader never sees half a file

        await asyncio.to_thread(write)

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self._path(key).read_bytes)


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
) -> dict[str, str]:
    """AWS Signature Version 4 for one request (path-style URL); returns the headers to send."""
    now = now or dt.datetime.now(dt.UTC)  # real time, not app.core.clock: S3 checks it against its own
    amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    parts = urlsplit(url)
    payload_hash = hashlib.sha256(payload).hexdigest()
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
    ) -> None:
        self.endpoint, self.bucket, self.region = endpoint.rstrip("/"), bucket, region
        self.access_key, self.secret_key = access_key, secret_key
        self.client = client or httpx.AsyncClient(timeout=30.0)

    def _url(self, key: str) -> str:
        return f"{self.endpoint}/{self.bucket}/{quote(key, safe='/')}"

    async def put(self, key: str, data: bytes, media_type: str) -> None:
        url = self._url(key)
        headers = sigv4_headers(
            "PUT", url, self.region, self.access_key, self.secret_key, data, {"content-type": media_type}
        )
        r = await self.client.put(url, content=data, headers=headers)
        r.raise_for_status()

    async def get(self, key: str) -> bytes:
        url = self._url(key)
        r = await self.client.get(
            url, headers=sigv4_headers("GET", url, self.region, self.access_key, self.secret_key, b"")
        )
        r.raise_for_status()
        return r.content


def evidence_store(settings: Settings) -> EvidenceStore:
    if settings.evidence_storage == "s3":
        missing = [
            n
            for n in ("s3_endpoint_url", "s3_bucket", "s3_access_key_id", "s3_secret_access_key")
            if not getattr(settings, n)
        ]
        if missing:
            raise RuntimeError(f"evidence_storage=s3 needs {', '.join(missing)}")
        return S3EvidenceStore(
            settings.s3_endpoint_url,
            settings.s3_bucket,
            settings.s3_region,  # type: ignore[arg-type]
            settings.s3_access_key_id,
            settings.s3_secret_access_key,
        )  # type: ignore[arg-type]
    return LocalEvidenceStore(settings.data_dir / "evidence")
