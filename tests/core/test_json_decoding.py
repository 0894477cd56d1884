"""The service's jsonb decoder (app.core.db.json_loads, pydantic-core's parser, the standard library behind it)
gives exactly what the standard library gives: same values, same types, integers wider than 64 bits
kept exact (orjson, say, would make them floats)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from app.core.db import json_loads
from tests.conftest import examples

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**63 - 10, max_value=2**70)
    | st.integers(min_value=-(2**70), max_value=-(2**63) + 10)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
    max_leaves=30,
)


def _typed(value: Any) -> Any:
    """The value with every leaf's type beside it (1 == 1.0 == True in Python; not here)."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, value)


@settings(max_examples=examples(200, 2000))
@given(_VALUES, st.sampled_from([None, 0]))
def test_json_loads_agrees_with_the_standard_library(value, indent):
    document = json.dumps(value, indent=indent)
    assert _typed(json_loads(document)) == _typed(json.loads(document))


async def test_a_wide_integer_in_jsonb_stays_an_exact_integer(connection):
    row = await connection.execute(
        text('SELECT CAST(\'{"n": 123456789012345678901234567890, "f": 0.1}\' AS jsonb) AS doc')
    )
    doc = row.scalar_one()
    assert doc == {"n": 123456789012345678901234567890, "f": 0.1}
    assert isinstance(doc["n"], int)
