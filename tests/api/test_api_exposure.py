"""In production (oidc) the API does not describe itself to strangers: no introspection, no GraphiQL,
no /docs, /redoc or /openapi.json, no "Did you mean ..." suggestions, unless VERITY_EXPOSE_API_DOCS
turns them on. In development they are all on. The committed contracts are exported either way."""

from __future__ import annotations

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from app.core.config import Settings

INTROSPECTION = "query { __schema { queryType { name } } }"
TYPO = "query { mee { subject } }"
DOC_PAGES = ("/docs", "/redoc", "/openapi.json")


@pytest.fixture(scope="module")
def public_key_file(tmp_path_factory):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path_factory.mktemp("idp") / "idp.pem"
    path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return path


def client_for(settings: Settings, sessionmaker) -> httpx.AsyncClient:
    from app.main import create_app

    app = create_app(settings, sessionmaker=sessionmaker)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://verity.test")


@pytest.fixture
def production(test_settings, public_key_file) -> Settings:
    return test_settings.model_copy(
        update={"auth_mode": "oidc", "jwt_public_key_file": public_key_file, "expose_api_docs": None}
    )


async def graphql(client: httpx.AsyncClient, query: str) -> dict:
    r = await client.post("/graphql", json={"query": query})
    assert r.status_code == 200, r.text
    return r.json()


async def test_production_hides_introspection_ide_docs_and_suggestions(production, sessionmaker):
    async with client_for(production, sessionmaker) as client:
        refused = await graphql(client, INTROSPECTION)
        assert refused.get("data") is None and "introspection" in refused["errors"][0]["message"].lower()
        typo = await graphql(client, TYPO)
        assert typo["errors"][0]["extensions"]["code"] == "graphql-validation"
        assert "did you mean" not in typo["errors"][0]["message"].lower()
        ide = await client.get("/graphql", headers={"Accept": "text/html"})
        assert "graphiql" not in ide.text.lower()
        for page in DOC_PAGES:
            assert (await client.get(page)).status_code == 404, page


async def test_production_can_expose_them_by_setting(production, sessionmaker):
    async with client_for(production.model_copy(update={"expose_api_docs": True}), sessionmaker) as client:
        assert (await graphql(client, INTROSPECTION))["data"]["__schema"]["queryType"]["name"] == "Query"
        assert "did you mean" in (await graphql(client, TYPO))["errors"][0]["message"].lower()
        for page in DOC_PAGES:
            assert (await client.get(page)).status_code == 200, page


async def test_development_exposes_them(test_settings, sessionmaker):
    assert test_settings.auth_mode == "development"
    async with client_for(test_settings, sessionmaker) as client:
        assert (await graphql(client, INTROSPECTION))["data"]["__schema"]["queryType"]["name"] == "Query"
        assert "did you mean" in (await graphql(client, TYPO))["errors"][0]["message"].lower()
        assert "graphiql" in (await client.get("/graphql", headers={"Accept": "text/html"})).text.lower()
        for page in DOC_PAGES:
            assert (await client.get(page)).status_code == 200, page


def test_contracts_export_regardless_of_the_mode(production, monkeypatch):
    from app.cli import current_contracts

    for name, value in {"VERITY_AUTH_MODE": "oidc", "VERITY_EXPOSE_API_DOCS": "false"}.items():
        monkeypatch.setenv(name, value)
    openapi, sdl = current_contracts()
    assert '"/v1/learners"' in openapi and "type Query" in sdl
