"""Schemathesis over the verification slice's REST operations, with the same checks as tests/api
(schema-valid data refused only by a domain rule), with a token of the roles that may call them."""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.api import test_schemathesis as _main_run
from tests.api.test_schemathesis import (
    SLOW_MACHINE_TIMEOUT,
    fuzzing_schema,
    valid_data_refused_only_by_a_domain_rule,
)

api_client = _main_run.api_client  # the fixture, shared with the main run (an import alone reads as unused)


@pytest.fixture(scope="module")
def api_schema(api_client):
    # The verification operations need the IV/LIV/assessor scopes the main run's token does not carry.
    return fuzzing_schema(api_client, ["hoc", "liv", "assessor"])


schema = schemathesis.pytest.from_fixture("api_schema")
OURS = re.compile(r"/(iv-|liv-|release-decisions)")


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_verification_api_conforms_to_its_contract(case, api_client):
    if not OURS.search(case.path):
        return  # the other slices are fuzzed by tests/api
    case.call_and_validate(
        session=api_client,
        excluded_checks=[positive_data_acceptance],
        additional_checks=[valid_data_refused_only_by_a_domain_rule],
        timeout=SLOW_MACHINE_TIMEOUT,
    )
