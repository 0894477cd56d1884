"""The short path for leaf fields (app/api/gql_execution.py) answers exactly what graphql-core's general
path answers: the same data and the same errors (message, path, location), for values that fit their
type and for values that do not (null where non-null, an unknown enum value, a number where a string
is declared, a null inside a list of non-null items, an error object as the value)."""

from __future__ import annotations

import asyncio
from enum import Enum

import strawberry
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from app.api.gql_execution import FastLeavesExecutionContext
from app.api.gql_schema import build_schema
from app.core.config import Settings


@strawberry.enum
class Status(Enum):
    achieved = "achieved"
    not_achieved = "not_achieved"


@strawberry.type
class Unit:
    number: int
    grade: str | None


@strawberry.type
class Row:
    name: str
    nickname: str | None
    status: Status
    statuses: list[Status]
    maybe_statuses: list[Status] | None
    units: list[Unit]

    @strawberry.field
    def shout(self, times: int = 1) -> str:  # a resolver with arguments: the general path
        return self.name.upper() * times


ROWS: list[Row] = []


@strawberry.type
class Query:
    @strawberry.field
    def rows(self) -> list[Row | None]:
        return ROWS

    @strawberry.field
    def strict_rows(self) -> list[Row]:  # a resolver's list of non-null objects: the object short path
        return ROWS


def schema(context: type) -> strawberry.Schema:
    # Parsed and validated once per query text, as the service's schema does (app/api/gql_schema.py):
    # the queries are fixed, so only execution, what the two contexts differ in, runs per example.
    return strawberry.Schema(
        query=Query, execution_context_class=context, extensions=[ParserCache(), ValidationCache()]
    )


GENERAL = schema(StrawberryGraphQLCoreExecutionContext)
FAST = schema(FastLeavesExecutionContext)
QUERY = """{ rows { name nickname status statuses maybeStatuses units { number grade }
  shout(times: 2) again: name } }"""
# Every selected field of a row is a basic one: the rows themselves take the short path (the grid's
# `rows`), merged selections and @skip/@include included; `__typename` keeps the general path.
OBJECTS = """{ strictRows { name nickname status statuses maybeStatuses units { number grade }
  units { grade } again: name skipped: name @skip(if: true) } }"""
TYPENAME = "{ strictRows { name units { __typename number } } }"

# Mostly values of the declared type, sometimes not: what a buggy resolver or row could hand over.
status = st.sampled_from([Status.achieved, Status.not_achieved, "achieved", "bogus", None, 3])
# The error object is a fresh one per draw: graphql-core raises a resolved exception value, and one
# instance shared by every example (st.just) would gather every raise's frames in its __traceback__,
# so each logged error formatted a longer traceback than the last (the property took 50-70 s, 80% of
# it in traceback.format).
text = st.one_of(st.text(max_size=5), st.none(), st.integers(), st.builds(ValueError, st.just("boom")))
rows = st.lists(
    st.builds(
        Row,
        name=text,
        nickname=text,
        status=status,
        statuses=st.one_of(st.lists(status, max_size=4), st.none(), st.just("ab")),
        maybe_statuses=st.one_of(st.lists(status, max_size=3), st.none()),
        units=st.lists(st.builds(Unit, number=st.one_of(st.integers(), st.none()), grade=text), max_size=2),
    ),
    max_size=4,
)


def answer(s: strawberry.Schema, query: str = QUERY) -> tuple:
    result = asyncio.run(s.execute(query))
    errors = sorted(
        (e.message, tuple(e.path or ()), tuple((loc.line, loc.column) for loc in e.locations or ()))
        for e in result.errors or []
    )
    return result.data, errors


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows)
def test_the_short_path_answers_what_the_general_path_answers(generated):
    ROWS[:] = generated
    for query in (QUERY, OBJECTS, TYPENAME):
        assert answer(FAST, query) == answer(GENERAL, query)


def test_a_valid_grid_like_answer_is_unchanged():
    ROWS[:] = [
        Row(
            name="Ada",
            nickname=None,
            status=Status.achieved,
            statuses=[Status.achieved, Status.not_achieved],
            maybe_statuses=None,
            units=[Unit(number=1, grade="P")],
        ),
        Row(
            name="Bo",
            nickname="B",
            status=Status.not_achieved,
            statuses=[],
            maybe_statuses=[Status.achieved],
            units=[],
        ),
    ]
    data, errors = answer(FAST)
    assert errors == []
    assert data == answer(GENERAL)[0]
    assert data["rows"][0]["statuses"] == ["achieved", "not_achieved"]
    objects, errors = answer(FAST, OBJECTS)
    assert errors == [] and objects == answer(GENERAL, OBJECTS)[0]
    assert objects["strictRows"][0]["units"] == [{"number": 1, "grade": "P"}]


def test_a_list_of_valid_objects_takes_the_short_path(monkeypatch):
    """The rows are completed without graphql-core's per-object walk (what issue 18 measured)."""
    ROWS[:] = [
        Row(name="Ada", nickname=None, status=Status.achieved, statuses=[], maybe_statuses=None, units=[])
    ]
    walked = []
    real = StrawberryGraphQLCoreExecutionContext.complete_object_value

    def counting(self, *args, **kwargs):
        walked.append(args[0].name)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "complete_object_value", counting)
    assert answer(FAST, OBJECTS)[1] == [] and walked == []
    assert answer(GENERAL, OBJECTS)[1] == [] and walked == ["Row"]


def test_the_service_schema_uses_the_short_path():
    assert build_schema(Settings()).execution_context_class is FastLeavesExecutionContext


def test_a_repeated_query_is_validated_once(monkeypatch):
    """The depth and alias limits' rule classes are made once per limit (app/api/gql_schema.py
    QueryLimits): with a new class per request, ValidationCache never hit and every request validated
    its document afresh."""
    import strawberry.schema.schema as strawberry_schema

    calls = []
    real = strawberry_schema.validate  # what ValidationCache's cached function calls on a miss

    def counting(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(strawberry_schema, "validate", counting)
    service = build_schema(Settings())
    query = "query ValidatedOnce { __typename }"  # a text no other test sends: a cold cache entry
    for _ in range(3):
        assert asyncio.run(service.execute(query, context_value=None)).errors is None
    assert len(calls) <= 1, calls
