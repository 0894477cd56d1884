"""Bearer JWT verification following RFC 8725.

- The algorithm list is pinned here, never read from the token: RS256/ES256 for the identity
  provider's keys (a JWKS URL or a PEM file); HS256 only when `auth_mode` is "development".
- `exp`, `iss`, `aud` and `sub` are required and checked; Verity's own claims are `centre_id` and `roles`.
- A token over MAX_TOKEN_BYTES is refused before any parsing; `exp`, `iat` and `nbf` must be JSON numbers
  (PyJWT would take the string "9999999999").
- Every 401 says the same thing: the library's reason goes to the log, never to the caller, so a probe
  learns nothing about which check failed.
"""

from __future__ import annotations

import logging
import secrets
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

from app.auth.jwks import JwksKeys
from app.auth.principal import Principal
from app.auth.scopes import Role
from app.core.config import Settings
from app.core.errors import Unauthenticated

IDP_ALGORITHMS = ["RS256", "ES256"]
DEVELOPMENT_ALGORITHMS = ["HS256"]
REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub"]
NUMERIC_DATE_CLAIMS = ("exp", "iat", "nbf")
# Real OIDC tokens are well under 2 KiB; a bigger one is refused before base64 or JSON sees it.
MAX_TOKEN_BYTES = 8 * 1024
INVALID_TOKEN = "The bearer token is not valid."
log = logging.getLogger("verity.auth")


class ConfigurationError(RuntimeError):
    pass


def development_secret(settings: Settings) -> str:
    """The HS256 key of development mode: configured, or generated once into the data folder."""
    if settings.dev_jwt_secret:
        return settings.dev_jwt_secret
    path = Path(settings.data_dir) / "dev-jwt-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


@dataclass
class TokenVerifier:
    settings: Settings

    def __post_init__(self) -> None:
        s = self.settings
        self._jwks: JwksKeys | None = None
        self._pem: str | None = None
        if s.auth_mode == "development":
            self._algorithms = DEVELOPMENT_ALGORITHMS
            self._secret = development_secret(s)
        else:
            self._algorithms = IDP_ALGORITHMS
            if s.jwks_url:
                self._jwks = JwksKeys(
                    s.jwks_url,
                    lifespan_seconds=s.jwks_lifespan_seconds,
                    min_refresh_seconds=s.jwks_min_refresh_seconds,
                )
            elif s.jwt_public_key_file:
                self._pem = Path(s.jwt_public_key_file).read_text()
            else:
                raise ConfigurationError(
                    "VERITY_AUTH_MODE=oidc needs VERITY_JWKS_URL or VERITY_JWT_PUBLIC_KEY_FILE; "
                    "set VERITY_AUTH_MODE=development for local development tokens"
                )

    async def _key(self, token: str) -> Any:  # a PEM or a secret (str), or a JWK's key object
        if self.settings.auth_mode == "development":
            return self._secret
        if self._pem is not None:
            return self._pem
        assert self._jwks is not None
        kid = jwt.get_unverified_header(token).get("kid")
        if not isinstance(kid, str) or not kid:
            raise jwt.InvalidTokenError("the token names no `kid`")
        return await self._jwks.key(kid)

    async def verify(self, token: str) -> Principal:
        if len(token) > MAX_TOKEN_BYTES:
            log.info("bearer token refused: %d bytes", len(token))
            raise Unauthenticated(INVALID_TOKEN)
        try:
            key = await self._key(token)
            claims = jwt.decode(
                token,
                key,
                algorithms=self._algorithms,
                audience=self.settings.jwt_audience,
                issuer=self.settings.jwt_issuer,
                leeway=self.settings.token_leeway_seconds,
                options={"require": REQUIRED_CLAIMS, "verify_signature": True},
            )
            _require_numeric_dates(claims)
        except jwt.PyJWTError as exc:
            log.info("bearer token refused: %s", exc)
            raise Unauthenticated(INVALID_TOKEN) from exc
        return principal_from_claims(claims)


def _require_numeric_dates(claims: dict) -> None:
    # RFC 7519 §2 NumericDate: a JSON number. bool is an int to Python, so it is named here.
    for name in NUMERIC_DATE_CLAIMS:
        if name in claims:
            value = claims[name]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise jwt.InvalidTokenError(f"`{name}` must be a number")


def principal_from_claims(claims: dict) -> Principal:
    try:
        centre_id = uuid.UUID(str(claims["centre_id"]))
    except (KeyError, ValueError) as exc:
        raise Unauthenticated("The token must carry a `centre_id` claim (a UUID).") from exc
    raw_roles = claims.get("roles")
    if not isinstance(raw_roles, list) or not raw_roles:
        raise Unauthenticated("The token must carry a non-empty `roles` claim.")
    try:
        roles = frozenset(Role(r) for r in raw_roles)
    except ValueError as exc:
        raise Unauthenticated(f"The token names an unknown role: {exc}.") from exc
    subject = claims["sub"]
    if not isinstance(subject, str) or not subject:
        raise Unauthenticated("The token's `sub` must be a non-empty string.")
    return Principal.of(subject, centre_id, roles)


def mint_development_token(
    settings: Settings, *, subject: str, centre_id: uuid.UUID, roles: list[str], ttl_seconds: int = 8 * 3600
) -> str:
    """`verity token`: a token the development mode accepts. Refused outside development mode."""
    if settings.auth_mode != "development":
        raise ConfigurationError("development tokens are only minted with VERITY_AUTH_MODE=development")
    for r in roles:
        Role(r)
    now = int(time.time())  # real time, not app.core.clock: PyJWT checks iat/exp against it
    claims = {
        "sub": subject,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "nbf": now,
        "exp": now + ttl_seconds,
        "centre_id": str(centre_id),
        "roles": roles,
    }
    return jwt.encode(claims, development_secret(settings), algorithm="HS256")
