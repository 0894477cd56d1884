"""RFC 8725: pinned algorithms, required claims, keys from PEM or JWKS, HS256 only in development."""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from app.auth.tokens import ConfigurationError, TokenVerifier, mint_development_token
from app.core.config import Settings
from app.core.errors import Unauthenticated

CENTRE = uuid.uuid4()
ISS, AUD = "https://idp.example", "verity"


def claims(**over):
    now = int(time.time())
    base = {
        "sub": "u1",
        "iss": ISS,
        "aud": AUD,
        "iat": now,
        "exp": now + 600,
        "centre_id": str(CENTRE),
        "roles": ["assessor"],
    }
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def pem_verifier(rsa_key, tmp_path):
    pem = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    path = tmp_path / "idp.pem"
    path.write_bytes(pem)
    return TokenVerifier(
        Settings(auth_mode="oidc", jwt_public_key_file=path, jwt_issuer=ISS, jwt_audience=AUD)
    )


async def test_valid_rs256_token_gives_principal(pem_verifier, rsa_key):
    p = await pem_verifier.verify(jwt.encode(claims(), rsa_key, algorithm="RS256"))
    assert p.subject == "u1" and p.centre_id == CENTRE and {r.value for r in p.roles} == {"assessor"}


@pytest.mark.parametrize("missing", ["exp", "iss", "aud", "sub", "iat"])
async def test_each_required_claim_is_required(pem_verifier, rsa_key, missing):
    with pytest.raises(Unauthenticated):
        await pem_verifier.verify(jwt.encode(claims(**{missing: None}), rsa_key, algorithm="RS256"))


@pytest.mark.parametrize(
    "bad",
    [
        {"iss": "https://evil.example"},
        {"aud": "other"},
        {"exp": 1000},
        {"roles": ["wizard"]},
        {"roles": []},
        {"centre_id": "not-a-uuid"},
        {"centre_id": None},
    ],
)
async def test_wrong_claims_are_refused(pem_verifier, rsa_key, bad):
    with pytest.raises(Unauthenticated):
        await pem_verifier.verify(jwt.encode(claims(**bad), rsa_key, algorithm="RS256"))


async def test_algorithm_comes_from_config_never_from_the_token(pem_verifier, rsa_key, tmp_path):
    # "alg": "none", and the classic confusion attack: HS256 signed with the public key as the secret.
    unsigned = jwt.encode(claims(), None, algorithm="none")
    with pytest.raises(Unauthenticated):
        await pem_verifier.verify(unsigned)
    hs = jwt.encode(claims(), "a-shared-secret-of-enough-length-0123456789", algorithm="HS256")
    with pytest.raises(Unauthenticated):
        await pem_verifier.verify(hs)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(Unauthenticated):
        await pem_verifier.verify(jwt.encode(claims(), other, algorithm="RS256"))


async def test_jwks_url_with_es256(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid="k1", use="sig", alg="ES256")
    body = json.dumps({"keys": [jwk]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        verifier = TokenVerifier(
            Settings(
                auth_mode="oidc",
                jwt_issuer=ISS,
                jwt_audience=AUD,
                jwks_url=f"http://127.0.0.1:{server.server_port}/jwks.json",
            )
        )
        token = jwt.encode(claims(roles=["iv", "assessor"]), key, algorithm="ES256", headers={"kid": "k1"})
        p = await verifier.verify(token)
        assert {r.value for r in p.roles} == {"iv", "assessor"}
        with pytest.raises(Unauthenticated):
            await verifier.verify(jwt.encode(claims(), key, algorithm="ES256", headers={"kid": "unknown"}))
    finally:
        server.shutdown()


def test_oidc_mode_needs_a_key_source():
    with pytest.raises(ConfigurationError):
        TokenVerifier(Settings(auth_mode="oidc"))


async def test_development_tokens_only_in_development_mode(tmp_path):
    dev = Settings(auth_mode="development", data_dir=tmp_path)
    token = mint_development_token(dev, subject="me", centre_id=CENTRE, roles=["hoc"])
    assert (await TokenVerifier(dev).verify(token)).subject == "me"
    # The generated development secret persists in the data folder, so `verity token` and `verity serve` agree.
    assert (tmp_path / "dev-jwt-secret").exists()
    with pytest.raises(ConfigurationError):
        mint_development_token(Settings(auth_mode="oidc"), subject="me", centre_id=CENTRE, roles=["hoc"])
