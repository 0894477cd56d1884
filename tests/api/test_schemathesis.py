"""Schemathesis over every REST operation no other group names (tests/api/fuzzing.py): a new endpoint is
fuzzed here until a group takes it. The groups partition the API: no operation in two, none in none."""

from __future__ import annotations

from pathlib import Path

from tests.api.fuzzing import GROUPS, conforms, fuzz_settings, fuzzed

schema = fuzzed(None)


@schema.parametrize()
@fuzz_settings
def test_api_conforms_to_its_contract(case, api_client):
    conforms(case, api_client)


def test_every_operation_is_in_exactly_one_group(api_schema):
    """Asked of the filters schemathesis applies, over the app's own published operations."""
    groups = {name: fuzzed(name) for name in GROUPS} | {"everything else": fuzzed(None)}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 100
    placed = {
        op.label: [name for name, lazy in groups.items() if lazy.filter_set.applies_to(op)]
        for op in operations
    }
    wrong = {label: names for label, names in placed.items() if len(names) != 1}
    assert not wrong, f"each operation must be fuzzed by exactly one group: {wrong}"
    for name in GROUPS:  # a group nobody runs, or that matches nothing, is a typo
        assert any(names == [name] for names in placed.values()), name
        assert Path(__file__).with_name(f"test_schemathesis_{name}.py").exists(), name
