"""Schemathesis over every REST operation, with a valid token, against a real database: zero failures
of its default checks. Runs through TestClient(app) so the app's lifespan (its own engine) starts."""
from __future__ import annotations

import asyncio
import datetime as dt
import re
import uuid

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from sqlalchemy import select

from jsonschema import Draft202012Validator

from app.auth.tokens import mint_development_token
from app.centres import service as centres
from app.centres.schemas import CentreCreate, Nation
from app.centres.models import Centre
from app.core.db import make_engine, make_sessionmaker
from app.qualifications.specification import load_shipped, specification_schema
from app.webhooks.schemas import WebhookEndpointCreate
from tests.conftest import APP_ROLE, system_actor

URL_PATTERN = WebhookEndpointCreate.model_json_schema()["properties"]["url"]["pattern"]
FUZZ_CENTRE = uuid.UUID("0190a1b2-0000-7000-8000-0000000000ff")


async def _ensure_centre(database_url: str) -> None:
    engine = make_engine(database_url, role=APP_ROLE, pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            if await session.scalar(select(Centre.id).where(Centre.id == FUZZ_CENTRE)):
                return
            await centres.create_centre(session, system_actor(FUZZ_CENTRE), CentreCreate(
                centre_number="99999", name="Schemathesis centre", nation=Nation.scotland))
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def api_client(test_settings, database_url):
    # Committed data, in its own centre: the other tests' centres never see it.
    asyncio.run(_ensure_centre(database_url))
    from app.main import create_app
    app = create_app(test_settings)
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="module")
def api_schema(api_client):
    schema = schemathesis.openapi.from_asgi("/openapi.json", api_client.app)

    class Bearer:
        """Through schemathesis's auth mechanism, not extra headers: cases that deliberately drop the
        Authorization header (negative testing, ignored_auth) then really go without it."""

        def get(self, case, context):
            return fuzz_token(api_client.app.state.settings)

        def set(self, case, data, context):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    schema.auth()(Bearer)
    return schema


def fuzz_token(settings) -> str:
    return mint_development_token(settings, subject="fuzzer", centre_id=FUZZ_CENTRE, roles=["hoc", "exams_officer"])


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_contract(case, api_client):
    realistic(case)
    case.call_and_validate(session=api_client)


def realistic(case) -> None:
    """A contract states shapes, not every rule: a date of birth in the future or a specification
    whose criteria name unknown outcomes fit the schema yet are refused (422), which schemathesis would
    count as valid data rejected. Those rules have their own tests (tests/api/test_errors.py,
    tests/qualifications); here, schema-valid bodies are made meaningful and schema-invalid ones (the
    negative cases) are left exactly as generated."""
    body = case.body
    if not isinstance(body, dict):
        return
    if case.operation.label == "POST /v1/qualifications":
        if not list(Draft202012Validator(specification_schema()).iter_errors(body)):
            valid = load_shipped("pearson-btec-intl-l3-award-investigating-customer-communications").to_dict()
            case.body = {**valid, "key": f"fuzz-{uuid.uuid4().hex[:12]}"}
        return
    if case.operation.label.startswith(("POST /v1/webhook-endpoints", "PATCH /v1/webhook-endpoints")) and \
            isinstance(body.get("url"), str) and re.match(URL_PATTERN, body["url"]):
        # Whether a URL is acceptable depends on DNS (none here) and on configuration: use a public
        # address literal. Nothing is sent: no worker runs in this test.
        body["url"] = "https://1.1.1.1/verity-hooks"
        return
    value = body.get("date_of_birth")
    if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        try:
            born = dt.date.fromisoformat(value)
        except ValueError:
            return
        if not dt.date(1900, 1, 1) <= born <= dt.date(2020, 1, 1):
            body["date_of_birth"] = "2008-01-01"
