"""GraphQL execution under concurrency and failure: every error carries its code, one failing root field
never poisons the others, and no SQL ever reaches a client."""

from __future__ import annotations

import asyncio
import uuid

import pytest

pytestmark = pytest.mark.usefixtures("centres")

# A NUL character is refused by PostgreSQL itself: the read fails in the database, not in Python.
DB_ERROR = 'query { learners(first: 5, familyName: "a\\u0000b") { nodes { id } } }'
UNKNOWN = "query($id: UUID!) { learner(id: $id) { id } }"
OK = "query { learners(first: 5) { nodes { familyName } } }"
TWO_UNKNOWN = "query($a: UUID!, $b: UUID!) { one: learner(id: $a) { id } two: learner(id: $b) { id } }"
TWO_DB_ERRORS = """query { one: learners(first: 5, familyName: "a\\u0000") { nodes { id } }
  two: learners(first: 5, familyName: "b\\u0000") { nodes { id } } }"""
MIXED = """query($a: UUID!) { bad: learners(first: 5, familyName: "a\\u0000") { nodes { id } }
  missing: learner(id: $a) { id } fine: learners(first: 5) { nodes { familyName } } }"""


def assert_clean(errors: list[dict]) -> None:
    for error in errors:
        assert error.get("extensions", {}).get("code"), error
        text = str(error).lower()
        assert "select " not in text and "[sql:" not in text and "parameters:" not in text, error


async def post(client, headers, query, **variables):
    return await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)


async def test_concurrent_failing_and_succeeding_requests_each_get_their_own_errors(committed, auth):
    # Real concurrency needs a connection per request: the committed world, not the test transaction.
    headers = auth("exams_officer", centre=committed.centre)
    queries = [(DB_ERROR, {}), (UNKNOWN, {"id": str(uuid.uuid4())}), (OK, {})] * 10
    answers = await asyncio.gather(*(post(committed.client, headers, q, **v) for q, v in queries))
    for (query, _), answer in zip(queries, answers):
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert_clean(body.get("errors", []))
        if query is OK:
            assert "errors" not in body and body["data"]["learners"]["nodes"] == []
        elif query is UNKNOWN:
            assert [e["extensions"]["code"] for e in body["errors"]] == ["not-found"]
        else:
            assert [e["extensions"]["code"] for e in body["errors"]] == ["internal-error"]


async def test_two_unknown_ids_answer_one_error_each(client, auth):
    r = await post(client, auth("exams_officer"), TWO_UNKNOWN, a=str(uuid.uuid4()), b=str(uuid.uuid4()))
    assert r.status_code == 200, r.text
    assert sorted(e["path"][0] for e in r.json()["errors"]) == ["one", "two"]
    assert {e["extensions"]["code"] for e in r.json()["errors"]} == {"not-found"}


async def test_two_database_errors_in_one_query_answer_200_with_one_error_each(client, auth):
    r = await post(client, auth("exams_officer"), TWO_DB_ERRORS)
    assert r.status_code == 200, r.text
    errors = r.json()["errors"]
    assert sorted(e["path"][0] for e in errors) == ["one", "two"]
    assert_clean(errors)


async def test_a_failing_read_leaves_its_sibling_fields_answered(client, auth):
    r = await post(client, auth("exams_officer"), MIXED, a=str(uuid.uuid4()))
    assert r.status_code == 200, r.text
    body = r.json()
    assert sorted(e["path"][0] for e in body["errors"]) == ["bad", "missing"]
    assert body["data"]["fine"] == {"nodes": []}
    assert_clean(body["errors"])


CREATE_TWO = """mutation($a: LearnerCreateInput!, $b: LearnerCreateInput!) {
  first: createLearner(input: $a) { id familyName } second: createLearner(input: $b) { id } }"""


def learner(family: str, **over) -> dict:
    return {"givenName": "Ann", "familyName": family, "dateOfBirth": "2008-02-01", **over}


async def test_a_committed_mutation_field_is_reported_as_done_when_a_later_one_fails(client, auth):
    headers = auth("exams_officer")
    r = await post(
        client, headers, CREATE_TWO, a=learner("Kept", misId="M-1"), b=learner("Clash", misId="M-1")
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["data"]["first"]["familyName"] == "Kept" and body["data"]["second"] is None
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [(["second"], "conflict")]
    listed = await post(client, headers, OK)
    assert listed.json()["data"]["learners"]["nodes"] == [{"familyName": "Kept"}]


async def test_a_failing_first_mutation_field_leaves_the_next_one_done(client, auth):
    headers = auth("exams_officer")
    r = await post(client, headers, CREATE_TWO, a=learner("Bad", uln="12"), b=learner("Done"))
    body = r.json()
    assert body["data"]["first"] is None and body["data"]["second"]["id"]
    assert [e["extensions"]["code"] for e in body["errors"]] == ["validation-failed"]
    listed = await post(client, headers, OK)
    assert listed.json()["data"]["learners"]["nodes"] == [{"familyName": "Done"}]


async def test_over_a_real_server_concurrent_requests_each_get_their_own_errors(committed, auth):
    """The same, through uvicorn over TCP: requests interleave as they do in production."""
    import httpx
    import uvicorn

    server = uvicorn.Server(
        uvicorn.Config(
            committed.client._transport.app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"
        )
    )
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]
        headers = auth("exams_officer", centre=committed.centre)
        queries = [(DB_ERROR, {}), (UNKNOWN, {"id": str(uuid.uuid4())}), (OK, {})] * 10
        # Thirty requests at once on two loaded cores: what is checked is each answer, not its speed.
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            answers = await asyncio.gather(*(post(client, headers, q, **v) for q, v in queries))
        for (query, _), answer in zip(queries, answers):
            assert answer.status_code == 200, answer.text
            errors = answer.json().get("errors", [])
            assert_clean(errors)
            expected = {OK: [], UNKNOWN: ["not-found"], DB_ERROR: ["internal-error"]}[query]
            assert [e["extensions"]["code"] for e in errors] == expected
    finally:
        server.should_exit = True
        await serving


async def test_a_field_cancelled_mid_step_finishes_its_savepoint_first(session):
    """graphql-core cancels the siblings of a failed non-null field; a step cut off between SAVEPOINT
    and RELEASE would leave the request's session unable to commit."""
    from sqlalchemy import text

    from app.api.gql_context import Context

    context = Context(session=session, principal=None)
    inside, finished = asyncio.Event(), []

    async def step(s):
        await s.execute(text("SELECT 1"))
        inside.set()
        await asyncio.sleep(0.2)
        await s.execute(text("SELECT 2"))
        finished.append(True)

    field = asyncio.create_task(context.read(step))
    await inside.wait()
    field.cancel()
    with pytest.raises(asyncio.CancelledError):
        await field
    assert finished == [True] and session.get_nested_transaction() is None
    assert await context.read(lambda s: s.scalar(text("SELECT 3"))) == 3
    await session.commit()
