"""House rule 4: walk every REST operation and GraphQL root field for every role, and with no token."""

from __future__ import annotations

import re
import uuid

import pytest

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    Undefined,
    get_named_type,
)
from tests.api.expectations import ALL, GRAPHQL, PUBLIC, REST

pytestmark = pytest.mark.usefixtures("centres")
ROLES = sorted(ALL)


def rest_operations(app):
    """Every operation the published contract offers (the OpenAPI document is what clients see)."""
    for path, item in app.openapi()["paths"].items():
        for method, operation in item.items():
            yield operation["operationId"], method.upper(), path


def test_every_rest_operation_is_in_the_table(app):
    served = {op for op, _, _ in rest_operations(app)}
    assert served - REST.keys() == set(), "operations missing from tests/api/expectations.py"
    assert REST.keys() - served == set(), "the table names operations the app does not serve"


async def test_rest_role_table(app, client, auth):
    failures = []
    for op, method, path in rest_operations(app):
        url = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
        allowed = REST[op]
        kwargs = {"json": {}} if method in ("POST", "PATCH", "PUT") else {}
        anonymous = await client.request(method, url, **kwargs)
        if allowed == PUBLIC:
            if anonymous.status_code in (401, 403):
                failures.append(f"{op} anonymous: {anonymous.status_code}, expected public")
            continue
        if anonymous.status_code != 401:
            failures.append(f"{op} anonymous: {anonymous.status_code}, expected 401")
        for role in ROLES:
            r = await client.request(method, url, headers={**auth(role), "If-Match": '"1"'}, **kwargs)
            if role in allowed and r.status_code in (401, 403):
                failures.append(f"{op} as {role}: {r.status_code}, expected allowed")
            if role not in allowed and r.status_code != 403:
                failures.append(f"{op} as {role}: {r.status_code}, expected 403")
    assert failures == []


def _literal(gtype):
    """A syntactically valid value for a required argument, so only authorization decides."""
    if isinstance(gtype, GraphQLNonNull):
        return _literal(gtype.of_type)
    if isinstance(gtype, GraphQLList):
        return f"[{_literal(gtype.of_type)}]"
    if isinstance(gtype, GraphQLEnumType):
        return next(iter(gtype.values))
    if isinstance(gtype, GraphQLInputObjectType):
        parts = [
            f"{name}: {_literal(f.type)}"
            for name, f in gtype.fields.items()
            if isinstance(f.type, GraphQLNonNull) and f.default_value is Undefined
        ]
        return "{" + ", ".join(parts) + "}"
    if isinstance(gtype, GraphQLScalarType):
        return {
            "Int": "1",
            "Boolean": "true",
            "UUID": f'"{uuid.uuid4()}"',
            "Date": '"2008-01-01"',
            "DateTime": '"2008-01-01T00:00:00Z"',
            "Float": "1.5",
        }.get(gtype.name, '"x"')
    raise AssertionError(f"no literal for {gtype}")


def graphql_fields(app):
    schema = app.state.graphql_schema._schema
    for kind, root in (("Query", schema.query_type), ("Mutation", schema.mutation_type)):
        for name, field in root.fields.items():
            args = [
                f"{a}: {_literal(arg.type)}"
                for a, arg in field.args.items()
                if isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined
            ]
            call = f"{name}({', '.join(args)})" if args else name
            selection = (
                ""
                if isinstance(get_named_type(field.type), (GraphQLScalarType, GraphQLEnumType))
                else " { __typename }"
            )
            yield f"{kind}.{name}", f"{'mutation' if kind == 'Mutation' else 'query'} {{ {call}{selection} }}"


def test_every_graphql_root_field_is_in_the_table(app):
    served = {key for key, _ in graphql_fields(app)}
    assert served - GRAPHQL.keys() == set(), "fields missing from tests/api/expectations.py"
    assert GRAPHQL.keys() - served == set()


async def test_graphql_role_table(app, client, auth):
    failures = []
    for key, query in graphql_fields(app):
        allowed = GRAPHQL[key]

        async def code(headers, query=query, key=key):
            body = (await client.post("/graphql", json={"query": query}, headers=headers)).json()
            errors = body.get("errors") or []
            assert not any(e.get("extensions", {}).get("code") == "graphql-validation" for e in errors), (
                key,
                errors,
            )
            return errors[0]["extensions"]["code"] if errors else None

        if await code({}) != "unauthenticated":
            failures.append(f"{key} anonymous: expected unauthenticated")
        for role in ROLES:
            got = await code(auth(role))
            if role in allowed and got in ("unauthenticated", "forbidden"):
                failures.append(f"{key} as {role}: {got}, expected allowed")
            if role not in allowed and got != "forbidden":
                failures.append(f"{key} as {role}: {got}, expected forbidden")
    assert failures == []
