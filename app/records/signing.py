"""The checkpoint key (R-96): Ed25519, read from a file, never stored in the database.

The message signed is the canonical JSON (sorted keys, no spaces) of centre_id, seq, head_hash and
checkpointed_at (UTC, microseconds), so any verifier can rebuild it from a published checkpoint.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.core.config import Settings


class SigningKeyMissing(RuntimeError):
    pass


def message(centre_id: uuid.UUID, seq: int, head_hash: str, at: dt.datetime) -> bytes:
    body = {
        "centre_id": str(centre_id),
        "seq": seq,
        "head_hash": head_hash,
        "checkpointed_at": at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


@dataclass(frozen=True)
class Signer:
    private: Ed25519PrivateKey

    @property
    def key_id(self) -> str:
        return key_id(self.private.public_key())

    def sign(self, data: bytes) -> str:
        return base64.b64encode(self.private.sign(data)).decode()


def _development_key_path(settings: Settings) -> Path:
    return Path(settings.data_dir) / "audit-signing-key.pem"


def load_signer(settings: Settings) -> Signer:
    """The configured key; in development, one generated once into the data folder."""
    path = settings.audit_signing_key_file
    if path is None:
        if settings.auth_mode != "development":
            raise SigningKeyMissing("VERITY_AUDIT_SIGNING_KEY_FILE is not set: checkpoints cannot be signed")
        path = _development_key_path(settings)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            path.write_bytes(pem)
            path.chmod(0o600)
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyMissing(f"{path} is not an Ed25519 private key")
    return Signer(key)


def load_verify_key(settings: Settings) -> Ed25519PublicKey:
    """The public key: configured on its own (a verifier without the private key), or derived."""
    if settings.audit_verify_key_file is not None:
        key = serialization.load_pem_public_key(Path(settings.audit_verify_key_file).read_bytes())
        if not isinstance(key, Ed25519PublicKey):
            raise SigningKeyMissing(f"{settings.audit_verify_key_file} is not an Ed25519 public key")
        return key
    return load_signer(settings).private.public_key()


def signature_valid(public: Ed25519PublicKey, data: bytes, signature: str) -> bool:
    try:
        public.verify(base64.b64decode(signature), data)
    except (InvalidSignature, ValueError):
        return False
    return True
