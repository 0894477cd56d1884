"""The identity provider's signing keys, fetched from its JWKS URL and kept for a while.

A token whose `kid` is not among the cached keys may mean the provider rotated its keys, so the set is
fetched again once; if the key is still unknown the token is refused. Refetches are spaced at least
`min_refresh_seconds` apart and concurrent requests share one fetch: a stream of tokens with made-up
`kid`s cannot turn every request into a request to the identity provider.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import httpx
import jwt

log = logging.getLogger("verity.auth")
MAX_JWKS_BYTES = 256 * 1024


class JwksKeys:
    def __init__(
        self,
        url: str,
        *,
        lifespan_seconds: float = 300.0,
        min_refresh_seconds: float = 10.0,
        timeout_seconds: float = 5.0,
    ) -> None:
        self.url = url
        self.lifespan = lifespan_seconds
        self.min_refresh = min_refresh_seconds
        self.timeout = timeout_seconds
        self._keys: dict[str, Any] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0  # how many times the provider was asked: visible to tests and metrics

    def _age(self) -> float:
        return float("inf") if self._fetched_at is None else time.monotonic() - self._fetched_at

    async def key(self, kid: str) -> Any:
        if self._age() > self.lifespan:
            await self._refresh(min_age=self.lifespan)
        if kid not in self._keys:
            # Perhaps rotated: one refetch, unless one happened a moment ago.
            await self._refresh(min_age=self.min_refresh)
        try:
            return self._keys[kid]
        except KeyError:
            raise jwt.InvalidTokenError(f"no signing key with kid {kid!r}") from None

    async def _refresh(self, *, min_age: float) -> None:
        async with self._lock:
            # Whoever waited on the lock reuses the fetch the holder just made.
            if self._age() <= min_age:
                return
            self._fetched_at = time.monotonic()
            self.fetches += 1
            try:
                self._keys = await self._fetch()
            except (httpx.HTTPError, ValueError, jwt.PyJWTError) as exc:
                # Keep the keys we had: an identity provider's hiccup must not log everyone out.
                log.warning("JWKS fetch from %s failed: %s", self.url, exc)

    async def _fetch(self) -> dict[str, Any]:
        async with (
            httpx.AsyncClient(timeout=self.timeout, follow_redirects=False) as client,
            client.stream("GET", self.url, headers={"Accept": "application/json"}) as r,
        ):
            r.raise_for_status()
            body = bytearray()
            async for chunk in r.aiter_bytes():
                body += chunk
                if len(body) > MAX_JWKS_BYTES:
                    raise ValueError(f"JWKS larger than {MAX_JWKS_BYTES} bytes")
        document = json.loads(bytes(body))
        keys: dict[str, Any] = {}
        for entry in document.get("keys", []) if isinstance(document, dict) else []:
            if not isinstance(entry, dict) or entry.get("use", "sig") != "sig" or not entry.get("kid"):
                continue
            try:
                keys[str(entry["kid"])] = jwt.PyJWK(entry).key
            except jwt.PyJWTError as exc:
                log.warning("JWKS key %s skipped: %s", entry.get("kid"), exc)
        return keys
