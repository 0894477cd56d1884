"""Relay connections (issue 11, app/api/gql_pagination.py): every list that grows with the centre is a
connection with `first`/`after`, `edges`, `nodes`, a complete `pageInfo` and `totalCount`, and pages
walk a real list without overlap or gap, through a list a service returns (page_of) and through a
service that paginates for REST (paged)."""

from __future__ import annotations

from app.api.gql_pagination import FIRST_MAX
from app.api.gql_schema import build_schema
from app.employers import schemas as employer_schemas
from app.employers import service as employer_service
from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType
from tests.programmes.fixtures import gql, make_learner, make_world, principal

# Root lists that stay plain lists, each with its reason.
ALLOWED_ROOT_LISTS = {
    "briefChecklist": "the fixed R-21 question set shipped with the code, not the centre's data",
    "webhookEventTypes": "the event catalogue shipped with the code, not the centre's data",
}
# Nested lists that grow with the centre (with a brief's cohort): they must be connections too.
GROWING_NESTED = {("AssignmentBrief", "decisions"), ("AssignmentBrief", "ivRecords")}


def _unwrap(t):
    while isinstance(t, GraphQLNonNull):
        t = t.of_type
    return t


def _named(t):
    while isinstance(t, GraphQLNonNull | GraphQLList):
        t = t.of_type
    return t


def _schema(test_settings):
    return build_schema(test_settings)._schema


def test_every_query_list_is_a_connection(test_settings):
    query = _schema(test_settings).query_type
    bare = sorted(n for n, f in query.fields.items() if isinstance(_unwrap(f.type), GraphQLList))
    assert bare == sorted(ALLOWED_ROOT_LISTS)


def test_growing_nested_lists_are_connections(test_settings):
    schema = _schema(test_settings)
    for owner, name in GROWING_NESTED:
        assert _unwrap(schema.type_map[owner].fields[name].type).name.endswith("Connection"), (owner, name)


def test_every_connection_is_complete_and_takes_first_and_after(test_settings):
    schema = _schema(test_settings)
    connections = {n: t for n, t in schema.type_map.items() if n.endswith("Connection")}
    assert len(connections) > 40
    for name, t in connections.items():
        assert isinstance(t, GraphQLObjectType)
        assert set(t.fields) == {"edges", "nodes", "pageInfo", "totalCount"}, name
        edge = _named(t.fields["edges"].type)
        assert set(edge.fields) == {"cursor", "node"}, name
    page_info = schema.type_map["PageInfo"]
    assert set(page_info.fields) == {"hasNextPage", "hasPreviousPage", "startCursor", "endCursor"}
    for tname, t in schema.type_map.items():
        if not isinstance(t, GraphQLObjectType) or tname.startswith("__"):
            continue
        for fname, f in t.fields.items():
            if _named(f.type).name in connections:
                assert {"first", "after"} <= set(f.args), f"{tname}.{fname}"
                assert f.args["first"].default_value == 50, f"{tname}.{fname}"
    assert "connections" in (schema.type_map["CentreConnection"].description or "")


async def _walk(client, headers, field: str, first: int, selection: str = "id") -> tuple[list, list]:
    pages, after = [], None
    while True:
        q = (
            f"query($after: String) {{ {field}(first: {first}, after: $after) {{ totalCount "
            f"edges {{ cursor node {{ {selection} }} }} nodes {{ {selection} }} "
            "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"
        )
        body = await gql(client, headers, q, after=after)
        assert "errors" not in body, body
        page = body["data"][field]
        pages.append(page)
        assert [e["node"] for e in page["edges"]] == page["nodes"]
        info = page["pageInfo"]
        assert info["hasPreviousPage"] is (after is not None)
        assert info["startCursor"] == (page["edges"][0]["cursor"] if page["edges"] else None)
        assert info["endCursor"] == (page["edges"][-1]["cursor"] if page["edges"] else None)
        assert len(page["nodes"]) <= first
        if not info["hasNextPage"]:
            return pages, [n for p in pages for n in p["nodes"]]
        after = info["endCursor"]
        assert len(pages) < 20


async def test_pages_of_a_service_list_neither_overlap_nor_miss(client, session, auth, centres):
    await make_world(session)
    hoc = principal("hoc")
    for i in range(7):
        await employer_service.create_employer(
            session, hoc, employer_schemas.EmployerCreate(name=f"Employer {(i * 5) % 7}", sector="Retail")
        )
    await session.commit()
    whole = (await gql(client, auth("hoc"), "{ employers(first: 500) { nodes { id name } } }"))["data"]
    everything = whole["employers"]["nodes"]
    pages, walked = await _walk(client, auth("hoc"), "employers", 3, "id name")
    assert walked == everything and len(everything) >= 7
    assert len({n["id"] for n in walked}) == len(walked)
    assert [len(p["nodes"]) for p in pages][:-1] == [3] * (len(pages) - 1)
    assert {p["totalCount"] for p in pages} == {len(everything)}


async def test_pages_of_a_keyset_list_neither_overlap_nor_miss(client, session, auth, centres):
    await make_world(session)
    for i in range(5):
        await make_learner(session, family_name=f"Pager{i}")
    await session.commit()
    whole = (await gql(client, auth("hoc"), "{ learners(first: 500) { nodes { id } totalCount } }"))["data"]
    everything = whole["learners"]["nodes"]
    assert whole["learners"]["totalCount"] == len(everything) >= 5
    pages, walked = await _walk(client, auth("hoc"), "learners", 2)
    assert walked == everything
    assert {p["totalCount"] for p in pages} == {len(everything)}
    filtered = await gql(
        client, auth("hoc"), '{ learners(first: 1, familyName: "Pager3") { totalCount nodes { id } } }'
    )
    assert filtered["data"]["learners"]["totalCount"] == 1


async def test_first_above_the_maximum_is_refused_with_its_problem_code(client, session, auth, centres):
    await make_world(session)
    await session.commit()
    for field in ("learners", "employers"):
        for first in (FIRST_MAX + 1, -1):
            body = await gql(client, auth("hoc"), f"{{ {field}(first: {first}) {{ nodes {{ id }} }} }}")
            assert body["data"] == {field: None}, body
            (error,) = body["errors"]
            assert error["extensions"]["code"] == "page-too-large", error
            assert error["extensions"]["errors"][0]["field"] == "first"


async def test_first_zero_counts_without_nodes_and_a_foreign_cursor_is_refused(
    client, session, auth, centres
):
    await make_world(session)
    await make_learner(session, family_name="Counted")
    await session.commit()
    body = await gql(
        client, auth("hoc"), "{ learners(first: 0) { totalCount nodes { id } pageInfo { hasNextPage } } }"
    )
    assert body["data"]["learners"]["nodes"] == [] and body["data"]["learners"]["totalCount"] >= 1
    assert body["data"]["learners"]["pageInfo"]["hasNextPage"] is True
    bad = await gql(client, auth("hoc"), '{ employers(after: "not a cursor!") { nodes { id } } }')
    assert bad["errors"][0]["extensions"]["code"] == "validation-failed", bad
