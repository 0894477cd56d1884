"""The OpenAPI document is built once per process for the same routes (app/core/openapi.py): what an
app is given must be what building it afresh gives, and an app whose routes differ must get its own."""

from __future__ import annotations

from app.core import openapi
from app.core.config import Settings
from app.main import create_app


def _settings(**overrides) -> Settings:
    return Settings(
        auth_mode="development",
        dev_jwt_secret="memo-" + "x" * 32,
        database_url="postgresql://unused/x",
        **overrides,
    )


def test_a_remembered_document_is_what_a_fresh_build_gives():
    create_app(_settings()).openapi()  # remembered
    other = create_app(_settings(expose_api_docs=False))  # a plain FastAPI, not FastAPIOffline
    assert other.openapi() == openapi._build(other, {"QualificationSpecification": _published()})


def test_an_app_with_another_route_gets_a_document_of_its_own():
    plain = create_app(_settings())
    assert "/v1/memo-probe" not in plain.openapi()["paths"]
    probed = create_app(_settings())

    @probed.get("/v1/memo-probe", operation_id="memoProbe")
    async def memo_probe() -> dict[str, str]:
        return {}

    assert "/v1/memo-probe" in probed.openapi()["paths"]
    assert "/v1/memo-probe" not in create_app(_settings()).openapi()["paths"]


def test_changing_one_apps_document_leaves_the_next_apps_alone():
    first = create_app(_settings()).openapi()
    first["paths"].clear()
    first["info"]["title"] = "changed"
    second = create_app(_settings()).openapi()
    assert second["paths"] and second["info"]["title"] == "Verity"


def _published():
    from app.qualifications.specification import specification_schema

    return specification_schema()
