"""Standard Webhooks signatures: `v1,` + base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}`.

The secret is `whsec_` + base64 of 32 random bytes (the spec allows 24 to 64). While a rotated-out
secret is still in its overlap, every delivery carries two signatures separated by a space, so a
receiver that has either secret verifies it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import Any

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


def generate_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def _key(secret: str) -> bytes:
    raw = secret[len(SECRET_PREFIX) :] if secret.startswith(SECRET_PREFIX) else secret
    return base64.b64decode(raw)


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = msg_id.encode() + b"." + str(timestamp).encode() + b"." + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signature_header(signing_secrets: list[str], msg_id: str, timestamp: int, body: bytes) -> str:
    return " ".join(sign(s, msg_id, timestamp, body) for s in signing_secrets)


def encode_body(envelope: dict[str, Any]) -> bytes:
    """The exact bytes stored once and sent on every attempt (compact JSON, UTF-8)."""
    return json.dumps(envelope, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
