"""Schemathesis over the verification slice's REST operations, with the same checks as tests/api
(schema-valid data refused only by a domain rule), with a token of the roles that may call them."""
from __future__ import annotations

import asyncio
import re

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app.auth.tokens import mint_development_token
from tests.api.test_schemathesis import FUZZ_CENTRE, _ensure_centre, valid_data_refused_only_by_a_domain_rule
from app.main import create_app


@pytest.fixture(scope="module")
def api_client(test_settings, database_url):
    asyncio.run(_ensure_centre(database_url))
    app = create_app(test_settings)
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="module")
def api_schema(api_client):
    schema = schemathesis.openapi.from_asgi("/openapi.json", api_client.app)

    class Bearer:
        def get(self, case, context):
            return mint_development_token(api_client.app.state.settings, subject="fuzzer", centre_id=FUZZ_CENTRE,
                                          roles=["hoc", "liv", "assessor"])

        def set(self, case, data, context):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    schema.auth()(Bearer)
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")
OURS = re.compile(r"/(iv-|liv-|release-decisions)")


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_verification_api_conforms_to_its_contract(case, api_client):
    if not OURS.search(case.path):
        return  # the other slices are fuzzed by tests/api
    case.call_and_validate(session=api_client, excluded_checks=[positive_data_acceptance],
                           additional_checks=[valid_data_refused_only_by_a_domain_rule])
