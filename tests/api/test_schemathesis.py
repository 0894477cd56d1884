"""Schemathesis over every REST operation, with a valid token, against a real database: zero failures
of its default checks. Runs through TestClient(app) so the app's lifespan (its own engine) starts."""

from __future__ import annotations

import asyncio
import typing
import uuid

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from pydantic_core.core_schema import ErrorType
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import select

from app.auth.tokens import mint_development_token
from app.centres import service as centres
from app.centres.models import Centre
from app.centres.schemas import CentreCreate, Nation
from app.core.db import make_engine, make_sessionmaker
from tests.conftest import APP_ROLE, system_actor

FUZZ_CENTRE = uuid.UUID("0190a1b2-0000-7000-8000-0000000000ff")


async def _ensure_centre(database_url: str) -> None:
    engine = make_engine(database_url, role=APP_ROLE, pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            if await session.scalar(select(Centre.id).where(Centre.id == FUZZ_CENTRE)):
                return
            await centres.create_centre(
                session,
                system_actor(FUZZ_CENTRE),
                CentreCreate(centre_number="99999", name="Schemathesis centre", nation=Nation.scotland),
            )
    finally:
        await engine.dispose()


# Schemathesis waits 10 s for an answer by default; a loaded two-core CI machine was seen past it (a
# timeout, not a wrong answer). Correctness is what this checks; speed is measured in bench/.
SLOW_MACHINE_TIMEOUT = 120


@pytest.fixture(scope="module")
def api_client(test_settings, database_url):
    # Committed data, in its own centre: the other tests' centres never see it.
    asyncio.run(_ensure_centre(database_url))
    from app.main import create_app

    app = create_app(test_settings)
    with TestClient(app) as client:
        yield client


def fuzzing_schema(api_client, roles: list[str]):
    """The app's published contract, with a token of `roles` in the fuzz centre."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", api_client.app)
    token = mint_development_token(
        api_client.app.state.settings, subject="fuzzer", centre_id=FUZZ_CENTRE, roles=roles
    )

    class Bearer:
        """Through schemathesis's auth mechanism, not extra headers: cases that deliberately drop the
        Authorization header (negative testing, ignored_auth) then really go without it."""

        def get(self, case, context):
            return token

        def set(self, case, data, context):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    schema.auth()(Bearer)
    return schema


@pytest.fixture(scope="module")
def api_schema(api_client):
    # One run over every operation, with a token of every staff role an operation may need (the HoC
    # and exams officer for most, the LIV, IV and assessor for verification's): a second run for the
    # verification slice fuzzed every other operation again to throw the cases away (95 s).
    return fuzzing_schema(api_client, ["hoc", "exams_officer", "liv", "iv", "assessor"])


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_contract(case, api_client):
    case.call_and_validate(
        session=api_client,
        excluded_checks=[positive_data_acceptance],
        additional_checks=[valid_data_refused_only_by_a_domain_rule],
        timeout=SLOW_MACHINE_TIMEOUT,
    )


# Error codes that mean "the request does not fit the shape": Pydantic's, and the specification
# checker's JSON Schema codes. A schema-valid request refused with one of them is a contract bug.
SHAPE_CODES = frozenset(typing.get_args(ErrorType)) | {"value_error", "json_invalid"}


@schemathesis.check
def valid_data_refused_only_by_a_domain_rule(ctx, response, case):
    """Schemathesis's positive_data_acceptance, refined for a system of rules.

    A contract states shapes, not every rule: a date of birth in the future, a term overlapping another,
    a learner id that names nobody in the centre, an R-30 condition that fails — all fit the schema and
    must still be refused. So schema-valid data may be refused (422, or 412 for a stale If-Match) when,
    and only when, every listed error names a domain rule; a refusal for a shape reason (a Pydantic code,
    a JSON Schema code) means the published contract is wrong, and fails as the built-in check would.
    Everything else of the built-in check is kept: valid data must never get 400 or 428."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    status = response.status_code
    if 200 <= status < 400 or status in (401, 403, 404, 409, 429) or status >= 500:
        return None  # the built-in check's own allowances (5xx is not_a_server_error's to judge)
    if status == 412:
        return None
    codes = []
    if status == 422:
        codes = [e.get("code", "") for e in response.json().get("errors", [])]
        if codes and not any(c in SHAPE_CODES or c.startswith("schema_") for c in codes):
            return None
    raise AssertionError(
        f"Schema-valid request refused with {status} for a shape reason {codes}: "
        "the published contract does not say what the API accepts"
    )
