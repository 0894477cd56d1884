"""REST and GraphQL answer through the one service: the same appeal, the same due dates, the same 404
outside what the caller may see, and a late appeal refused with the rule as a problem."""

from __future__ import annotations

import datetime as dt

from tests.appeals.helpers import released
from tests.programmes.fixtures import gql

GROUNDS = "M1 was met: see p.4 of my report."


async def test_r60_rest_and_graphql_read_the_same_appeal_and_hide_it_from_others(
    client, auth, session, world, clock
):
    _, (d,), (learner,) = await released(session, world)
    await session.flush()
    mine = auth("learner", subject=learner.subject)
    r = await client.post("/v1/appeals", json={"decision_id": str(d.id), "grounds": GROUNDS}, headers=mine)
    assert r.status_code == 201, r.text
    appeal = r.json()
    assert appeal["stages"][0]["due_on"] == "2025-10-22"
    data = await gql(
        client,
        mine,
        "query($id: UUID!) { appeal(id: $id) { id stages { number dueOn } } }",
        id=appeal["id"],
    )
    seen = data["data"]["appeal"]
    assert (seen["id"], seen["stages"]) == (appeal["id"], [{"number": 1, "dueOn": "2025-10-22"}])
    other = auth("iv", subject="staff-iv")
    assert (await client.get(f"/v1/appeals/{appeal['id']}", headers=other)).status_code == 404
    assert (await client.get("/v1/appeals", headers=other)).json() == []


async def test_r60_a_late_appeal_is_a_problem_naming_the_rule(client, auth, session, world, clock):
    _, (d,), (learner,) = await released(session, world)
    await session.flush()
    clock.set(dt.datetime(2025, 10, 30, 10, 0, tzinfo=dt.UTC))
    r = await client.post(
        "/v1/appeals",
        json={"decision_id": str(d.id), "grounds": GROUNDS},
        headers=auth("learner", subject=learner.subject),
    )
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["code"] == "R-60"
