"""Tokens that verify but must still be refused: an unknown or reserved centre, an oversized token,
dates given as strings, a `kid` the identity provider never published; and 401s that leak nothing."""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from app.auth.tokens import MAX_TOKEN_BYTES, TokenVerifier
from app.core.config import Settings
from app.core.errors import Unauthenticated
from app.qualifications.models import PLATFORM_CENTRE
from tests.conftest import CENTRE_A

ISS, AUD = "https://idp.example", "verity"
FIXED_DETAIL = "The bearer token is not valid."


def claims(**over):
    now = int(time.time())
    base = {
        "sub": "u1",
        "iss": ISS,
        "aud": AUD,
        "iat": now,
        "exp": now + 600,
        "centre_id": str(CENTRE_A),
        "roles": ["hoc"],
    }
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


def dev_token(test_settings, **over) -> str:
    body = claims(**{"iss": test_settings.jwt_issuer, "aud": test_settings.jwt_audience, **over})
    return jwt.encode(body, test_settings.dev_jwt_secret, algorithm="HS256")


@pytest.mark.usefixtures("centres")
async def test_token_for_a_centre_that_does_not_exist_is_401_on_reads_and_writes(client, auth):
    nowhere = auth("hoc", centre=uuid.uuid4())
    r = await client.get("/v1/learners", headers=nowhere)
    assert r.status_code == 401 and r.json()["detail"] == FIXED_DETAIL
    r = await client.post(
        "/v1/learners",
        headers=nowhere,
        json={"given_name": "A", "family_name": "B", "date_of_birth": "2008-01-01"},
    )
    assert r.status_code == 401, r.text
    r = await client.post("/graphql", headers=nowhere, json={"query": "{ me { subject } }"})
    assert r.json()["errors"][0]["extensions"]["code"] == "unauthenticated"
    # The same caller with a real centre is fine: the check is the centre, not the token.
    assert (await client.get("/v1/learners", headers=auth("hoc"))).status_code == 200


@pytest.mark.usefixtures("centres")
async def test_no_token_acts_as_the_platform_catalogue_centre(client, auth):
    platform = auth("hoc", centre=PLATFORM_CENTRE)
    r = await client.post("/v1/qualifications", headers=platform, json={"code": "X"})
    assert r.status_code == 401, r.text
    assert (await client.get("/v1/qualifications", headers=platform)).status_code == 401


@pytest.mark.usefixtures("centres")
async def test_an_oversized_token_is_refused_before_verification(client, test_settings):
    token = dev_token(test_settings, padding="x" * MAX_TOKEN_BYTES)
    assert len(token) > MAX_TOKEN_BYTES
    r = await client.get("/v1/learners", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401 and r.json()["detail"] == FIXED_DETAIL
    # Just under the limit, the same claims pass.
    ok = dev_token(test_settings, padding="x" * (MAX_TOKEN_BYTES * 3 // 4 - 500))
    assert (await client.get("/v1/learners", headers={"Authorization": f"Bearer {ok}"})).status_code == 200


@pytest.mark.parametrize(
    "dates",
    [
        {"exp": str(int(time.time()) + 600)},
        {"iat": str(int(time.time()))},
        {"nbf": str(int(time.time()) - 10)},
        {"exp": True},
        {"iat": None},
    ],
)
async def test_numeric_dates_must_be_numbers(test_settings, dates):
    verifier = TokenVerifier(test_settings)
    with pytest.raises(Unauthenticated) as exc:
        await verifier.verify(dev_token(test_settings, **dates))
    assert exc.value.detail == FIXED_DETAIL


@pytest.mark.usefixtures("centres")
async def test_401_detail_never_echoes_the_library_reason(client, test_settings):
    expired = dev_token(test_settings, exp=int(time.time()) - 3600, iat=int(time.time()) - 7200)
    wrong_audience = dev_token(test_settings, aud="someone-else")
    for token in (expired, wrong_audience, "junk", "a.b.c"):
        r = await client.get("/v1/learners", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401 and r.json()["detail"] == FIXED_DETAIL, r.text
        assert "expired" not in r.text.lower() and "audience" not in r.text.lower()


class RotatingJwks:
    """A real JWKS endpoint on a localhost port whose keys the test rotates."""

    def __init__(self) -> None:
        self.keys: list[dict] = []
        self.hits = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.hits += 1
                body = json.dumps({"keys": outer.keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/jwks.json"

    def publish(self, **keys: ec.EllipticCurvePrivateKey) -> None:
        published = []
        for kid, key in keys.items():
            jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
            jwk.update(kid=kid, use="sig", alg="ES256")
            published.append(jwk)
        self.keys = published

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def jwks():
    server = RotatingJwks()
    yield server
    server.stop()


def es256(key, kid: str) -> str:
    return jwt.encode(claims(), key, algorithm="ES256", headers={"kid": kid})


async def test_an_unknown_kid_refetches_the_jwks_once_then_401(jwks):
    k1, k2 = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    jwks.publish(k1=k1)
    settings = Settings(
        auth_mode="oidc", jwt_issuer=ISS, jwt_audience=AUD, jwks_url=jwks.url, jwks_min_refresh_seconds=0
    )
    verifier = TokenVerifier(settings)
    assert (await verifier.verify(es256(k1, "k1"))).subject == "u1"
    assert (await verifier.verify(es256(k1, "k1"))).subject == "u1"
    assert jwks.hits == 1  # cached

    # The provider rotates: the new kid is unknown to the cache, one refetch finds it.
    jwks.publish(k2=k2)
    assert (await verifier.verify(es256(k2, "k2"))).subject == "u1"
    assert jwks.hits == 2

    # A kid nobody published: exactly one refetch, then 401 with the fixed detail.
    with pytest.raises(Unauthenticated) as exc:
        await verifier.verify(es256(k2, "k-never"))
    assert jwks.hits == 3 and exc.value.detail == FIXED_DETAIL
    # A token with no kid at all does not reach the provider.
    with pytest.raises(Unauthenticated):
        await verifier.verify(jwt.encode(claims(), k2, algorithm="ES256"))
    assert jwks.hits == 3


async def test_unknown_kids_cannot_make_every_request_fetch_the_jwks(jwks):
    k1 = ec.generate_private_key(ec.SECP256R1())
    jwks.publish(k1=k1)
    settings = Settings(
        auth_mode="oidc", jwt_issuer=ISS, jwt_audience=AUD, jwks_url=jwks.url, jwks_min_refresh_seconds=60
    )
    verifier = TokenVerifier(settings)
    assert (await verifier.verify(es256(k1, "k1"))).subject == "u1"
    for n in range(20):
        with pytest.raises(Unauthenticated):
            await verifier.verify(es256(k1, f"made-up-{n}"))
    assert jwks.hits == 1
