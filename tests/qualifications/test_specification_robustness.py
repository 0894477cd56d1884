"""A specification from the outside world never crashes the checker: it is accepted or refused with
problems (the API answers 422, never 500)."""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.qualifications.specification import InvalidSpecification, load_shipped, parse_specification

SHIPPED = load_shipped("ocr-l2-cambridge-technical-diploma-customer-service").to_dict()

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 200) | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


PATHS = [p for p in _paths(SHIPPED) if p]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(PATHS), replacement=json_values)
def test_any_one_field_replaced_by_any_json_is_accepted_or_refused(path, replacement):
    document = copy.deepcopy(SHIPPED)
    target = document
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = replacement
    try:
        parse_specification(document)
    except InvalidSpecification as exc:
        assert exc.problems and all(p.code for p in exc.problems)
