"""Learners over GraphQL: the same service, the same rules, errors carrying the REST slug."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("centres")

CREATE = (
    """mutation($input: LearnerCreateInput!) { createLearner(input: $input) { id familyName version } }"""
)
UPDATE = """mutation($id: UUID!, $v: Int!, $input: LearnerUpdateInput!) {
  updateLearner(id: $id, version: $v, input: $input) { id familyName givenName version } }"""
LIST = """query($first: Int!, $after: String) { learners(first: $first, after: $after) {
  nodes { familyName } pageInfo { hasNextPage endCursor } } }"""


async def gql(client, headers, query, **variables):
    r = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def learner_input(**over):
    return {"givenName": "Chloe", "familyName": "Dunn", "dateOfBirth": "2007-11-23", **over}


async def test_create_update_and_list(client, auth):
    created = await gql(client, auth("exams_officer"), CREATE, input=learner_input())
    learner = created["data"]["createLearner"]
    assert learner["familyName"] == "Dunn" and learner["version"] == 1
    updated = await gql(
        client, auth("exams_officer"), UPDATE, id=learner["id"], v=1, input={"familyName": "Dunne"}
    )
    assert updated["data"]["updateLearner"] == {
        "id": learner["id"],
        "familyName": "Dunne",
        "givenName": "Chloe",
        "version": 2,
    }
    stale = await gql(client, auth("exams_officer"), UPDATE, id=learner["id"], v=1, input={"familyName": "X"})
    assert stale["errors"][0]["extensions"]["code"] == "precondition-failed"
    page = await gql(client, auth("assessor"), LIST, first=10)
    assert page["data"]["learners"]["nodes"] == [{"familyName": "Dunne"}]


async def test_errors_carry_problem_slugs_and_fields(client, auth):
    bad = await gql(client, auth("hoc"), CREATE, input=learner_input(uln="12"))
    ext = bad["errors"][0]["extensions"]
    assert ext["code"] == "validation-failed" and ext["errors"][0]["field"] == "input.uln"
    assert (await gql(client, {}, LIST, first=5))["errors"][0]["extensions"]["code"] == "unauthenticated"
    forbidden = await gql(client, auth("assessor"), CREATE, input=learner_input())
    assert forbidden["errors"][0]["extensions"]["code"] == "forbidden"


async def test_a_failed_mutation_leaves_nothing_behind(client, auth):
    await gql(client, auth("hoc"), CREATE, input=learner_input(misId="M1"))
    clash = await gql(client, auth("hoc"), CREATE, input=learner_input(misId="M1", givenName="Other"))
    assert clash["errors"][0]["extensions"]["code"] == "conflict"
    page = await gql(client, auth("hoc"), LIST, first=10)
    assert len(page["data"]["learners"]["nodes"]) == 1


async def test_sibling_fields_share_the_request_safely(client, auth):
    # Several root fields resolve concurrently: they must queue for the one session, not collide.
    for i in range(3):
        await gql(client, auth("hoc"), CREATE, input=learner_input(misId=f"M{i}"))
    query = (
        "{ a: learners(first: 1) { nodes { id } } b: learners(first: 2) { nodes { id } } me { roles } "
        "c: sites { nodes { id } } d: staff { nodes { id } } }"
    )
    data = (await gql(client, auth("hoc"), query))["data"]
    assert len(data["a"]["nodes"]) == 1 and len(data["b"]["nodes"]) == 2 and data["me"]["roles"] == ["hoc"]


async def test_query_limits(client, auth):
    deep = "{ " + "learners { nodes { " * 1 + "id } } " + "}"
    assert "errors" not in await gql(client, auth("hoc"), deep)
    aliases = "{ " + " ".join(f"a{i}: me {{ subject }}" for i in range(40)) + " }"
    assert (await gql(client, auth("hoc"), aliases))["errors"][0]["extensions"][
        "code"
    ] == "graphql-validation"
