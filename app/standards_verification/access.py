"""R-52: how a standards verifier signs in, and what they may then read.

Two ways, both ending in a live grant (not revoked, not expired: checked on every request, so a
revocation acts at once):

- a Verity token for one grant (`svt_` + 43 random characters), shown to the QN once when issued and
  stored only as its SHA-256, so a verifier outside the centre's identity provider works on day one;
- a token of the centre's own identity provider with the role standards_verifier, whose `sub` is the
  subject of a live grant with the centre's issuer (`jwt_issuer`);
- a JWT of the awarding body's configured issuer (`sv_jwt_issuer`, its JWKS URL or PEM key; RS256/ES256,
  `exp`, `iat`, `iss`, `aud`, `sub` required, as app/auth/tokens.py), whose `sub` is the subject of a
  live grant. A subject granted by several centres acts for the centre of its newest grant.

Either gives a Principal with the role standards_verifier (whose only scope is the verifier API) and
`grants` = the (sample, grant) pairs it may read. A token that is neither falls through to the centre's
own identity provider (app/auth/dependencies.authenticate). Expired or revoked: 401.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import jwt
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.auth.jwks import JwksKeys
from app.auth.principal import Principal
from app.auth.scopes import Role
from app.auth.tokens import IDP_ALGORITHMS, MAX_TOKEN_BYTES, REQUIRED_CLAIMS
from app.core import clock
from app.core.config import Settings
from app.core.errors import Unauthenticated
from app.standards_verification.models import Grant

TOKEN_PREFIX = "svt_"
NO_GRANT = "The verifier's grant is not live: it has expired, been revoked or never existed."
log = logging.getLogger("verity.auth")


def new_token() -> tuple[str, str]:
    """A Verity verifier token and the hash that is all Verity keeps of it."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def live(grant: Grant) -> bool:
    return grant.revoked_at is None and grant.expires_at > clock.now()


def verifier_principal(grants: list[Grant]) -> Principal:
    newest = max(grants, key=lambda g: g.id)
    mine = [g for g in grants if g.centre_id == newest.centre_id]
    subject = newest.subject or f"sv-grant:{newest.id}"
    p = Principal.of(subject, newest.centre_id, frozenset({Role.standards_verifier}))
    return Principal(
        p.subject, p.centre_id, p.roles, p.scopes, grants=frozenset((g.sample_id, g.id) for g in mine)
    )


@dataclass
class GrantAuthenticator:
    settings: Settings
    _jwks: JwksKeys | None = field(default=None, init=False)
    _pem: str | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        s = self.settings
        if s.sv_jwks_url:
            self._jwks = JwksKeys(
                s.sv_jwks_url,
                lifespan_seconds=s.jwks_lifespan_seconds,
                min_refresh_seconds=s.jwks_min_refresh_seconds,
            )
        elif s.sv_jwt_public_key_file:
            self._pem = Path(s.sv_jwt_public_key_file).read_text()

    async def authenticate(
        self, sessionmaker: async_sessionmaker[AsyncSession], token: str
    ) -> Principal | None:
        if token.startswith(TOKEN_PREFIX):
            async with sessionmaker() as session:
                grants = await self._by_token(session, token)
        else:
            subject = await self._issuer_subject(token)
            if subject is None:
                return None
            async with sessionmaker() as session:
                grants = await self._by_subject(session, subject)
        grants = [g for g in grants if live(g)]
        if not grants:
            raise Unauthenticated(NO_GRANT)
        return verifier_principal(grants)

    async def with_grants(self, sessionmaker: async_sessionmaker[AsyncSession], p: Principal) -> Principal:
        """A standards verifier of the centre's own identity provider: its live grants whose issuer is
        the centre's (`jwt_issuer`) and subject its `sub`. None at all: it reads nothing; only
        expired or revoked ones: 401, as for the other ways in."""
        async with sessionmaker() as session:
            stmt = select(Grant).where(
                Grant.centre_id == p.centre_id,
                Grant.issuer == self.settings.jwt_issuer,
                Grant.subject == p.subject,
            )
            grants = list((await session.scalars(stmt)).all())
        if not grants:
            return p
        mine = [g for g in grants if live(g)]
        if not mine:
            raise Unauthenticated(NO_GRANT)
        return replace(p, grants=frozenset((g.sample_id, g.id) for g in mine))

    async def _by_token(self, session: AsyncSession, token: str) -> list[Grant]:
        if len(token) > 200:
            return []
        return list((await session.scalars(select(Grant).where(Grant.token_hash == token_hash(token)))).all())

    async def _by_subject(self, session: AsyncSession, subject: str) -> list[Grant]:
        stmt = select(Grant).where(Grant.issuer == self.settings.sv_jwt_issuer, Grant.subject == subject)
        return list((await session.scalars(stmt)).all())

    async def _issuer_subject(self, token: str) -> str | None:
        """The verified `sub` of a token of the configured issuer; None for any other token."""
        issuer = self.settings.sv_jwt_issuer
        if issuer is None or len(token) > MAX_TOKEN_BYTES or (self._jwks is None and self._pem is None):
            return None
        try:
            claimed = jwt.decode(token, options={"verify_signature": False}).get("iss")
        except jwt.PyJWTError:
            return None
        if claimed != issuer:
            return None
        try:
            claims = jwt.decode(
                token,
                await self._key(token),
                algorithms=IDP_ALGORITHMS,
                audience=self.settings.sv_jwt_audience,
                issuer=issuer,
                leeway=self.settings.token_leeway_seconds,
                options={"require": REQUIRED_CLAIMS, "verify_signature": True},
            )
        except jwt.PyJWTError as exc:
            log.info("verifier token refused: %s", exc)
            raise Unauthenticated("The bearer token is not valid.") from exc
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise Unauthenticated("The bearer token is not valid.")
        return subject

    async def _key(self, token: str) -> Any:
        if self._pem is not None:
            return self._pem
        assert self._jwks is not None
        kid = jwt.get_unverified_header(token).get("kid")
        if not isinstance(kid, str) or not kid:
            raise jwt.InvalidTokenError("the token names no `kid`")
        return await self._jwks.key(kid)


def granted_samples(p: Principal) -> set:
    return {sample_id for sample_id, _ in p.grants}


def grant_for(p: Principal, sample_id: Any) -> Any:
    return next((g for s, g in p.grants if s == sample_id), None)
