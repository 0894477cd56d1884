"""Schemathesis over the outcomes group of REST operations (tests/api/fuzzing.py)."""

from __future__ import annotations

from tests.api.fuzzing import conforms, fuzz_settings, fuzzed

schema = fuzzed("outcomes")


@schema.parametrize()
@fuzz_settings
def test_outcomes_api_conforms_to_its_contract(case, api_client):
    conforms(case, api_client)
