"""R-98, house rule 4 at object level: every read of one programme's records, for every role, on the
programme the caller works on and on another team's; the table is tests/api/expectations.py."""

from __future__ import annotations

import re
from dataclasses import asdict
from string import Template

import pytest

from tests.api.expectations import (
    ALL,
    CENTRE_LEVEL_READS,
    GRAPHQL,
    GRAPHQL_OBJECT_LISTS,
    GRAPHQL_OBJECT_READS,
    OBJECT_LISTS,
    OBJECT_READS,
    REST,
)
from tests.api.object_world import two_programmes
from tests.programmes.fixtures import make_world

# The world's team signs in as the staff records the programme names.
STAFF_SUBJECTS = {
    "assessor": "staff-assessor",
    "iv": "staff-iv",
    "liv": "staff-liv",
    "programme_leader": "staff-leader",
}


@pytest.fixture
async def objects(session, centres, app):
    from app.assessment.storage import evidence_store

    settings = app.state.settings
    store = app.state.__dict__.setdefault("evidence_store", evidence_store(settings))
    return await two_programmes(session, await make_world(session), store, settings)


def _headers(auth, role, mine):
    subject = mine.learner_subject if role == "learner" else STAFF_SUBJECTS.get(role)
    return auth(role, subject=subject)


def _expected(role, wide, team, own, *, mine: bool) -> bool:
    """Does `role` see the object of its own programme (mine) / of the other team's?"""
    return role in wide or (mine and (role in team or role in own))


def test_every_read_by_id_is_in_the_object_table(app):
    by_id = {
        op["operationId"]
        for path, item in app.openapi()["paths"].items()
        for method, op in item.items()
        if method == "get" and re.search(r"\{[^}]+\}", path)
    }
    assert by_id - OBJECT_READS.keys() - CENTRE_LEVEL_READS == set(), "reads missing from OBJECT_READS"
    assert (OBJECT_READS.keys() | OBJECT_LISTS.keys()) - REST.keys() == set()


async def test_r98_object_reads_answer_404_outside_the_callers_programmes(client, auth, objects):
    mine, other = objects
    failures = []
    for op, (path, wide, team, own) in OBJECT_READS.items():
        for role in sorted(REST[op] & ALL):
            for objs, is_mine in ((mine, True), (other, False)):
                url = path.format(**asdict(objs))
                r = await client.get(url, headers=_headers(auth, role, mine))
                want = 200 if _expected(role, wide, team, own, mine=is_mine) else 404
                if r.status_code != want:
                    which = "own programme" if is_mine else "other programme"
                    failures.append(f"{op} as {role} on {which}: {r.status_code}, expected {want}")
    assert failures == []


async def test_r98_lists_hold_only_the_callers_programmes(client, auth, objects):
    mine, other = objects
    failures = []
    for op, (path, key, wide, team, own) in OBJECT_LISTS.items():
        for role in sorted(REST[op] & ALL):
            r = await client.get(path, headers=_headers(auth, role, mine))
            assert r.status_code == 200, (op, role, r.text)
            body = r.json()
            ids = {row["id"] for row in (body["items"] if isinstance(body, dict) else body)}
            for objs, is_mine in ((mine, True), (other, False)):
                want = _expected(role, wide, team, own, mine=is_mine)
                if (str(getattr(objs, key)) in ids) != want:
                    which = "own programme's" if is_mine else "other programme's"
                    failures.append(f"{op} as {role}: {which} {key} {'missing' if want else 'listed'}")
    assert failures == []


async def test_r98_graphql_object_reads_answer_not_found_outside_the_callers_programmes(
    client, auth, objects
):
    mine, other = objects
    failures = []
    for key, (field, rest_op) in GRAPHQL_OBJECT_READS.items():
        _, wide, team, own = OBJECT_READS[rest_op]
        for role in sorted(GRAPHQL[key] & ALL):
            for objs, is_mine in ((mine, True), (other, False)):
                query = (
                    "query { "
                    + Template(field).substitute({k: str(v) for k, v in asdict(objs).items()})
                    + " }"
                )
                body = (
                    await client.post("/graphql", json={"query": query}, headers=_headers(auth, role, mine))
                ).json()
                codes = [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
                want = [] if _expected(role, wide, team, own, mine=is_mine) else ["not-found"]
                if codes != want:
                    which = "own programme" if is_mine else "other programme"
                    failures.append(f"{key} as {role} on {which}: {codes}, expected {want}")
    assert failures == []


async def test_r98_graphql_lists_hold_only_the_callers_programmes(client, auth, objects):
    mine, other = objects
    failures = []
    for key, (field, rest_op) in GRAPHQL_OBJECT_LISTS.items():
        _, obj, wide, team, own = OBJECT_LISTS[rest_op]
        name = key.split(".", 1)[1]
        for role in sorted(GRAPHQL[key] & ALL):
            body = (
                await client.post(
                    "/graphql", json={"query": f"query {{ {field} }}"}, headers=_headers(auth, role, mine)
                )
            ).json()
            assert body.get("errors") is None, (key, role, body)
            ids = {n["id"] for n in body["data"][name]["nodes"]}
            for objs, is_mine in ((mine, True), (other, False)):
                want = _expected(role, wide, team, own, mine=is_mine)
                if (str(getattr(objs, obj)) in ids) != want:
                    which = "own programme's" if is_mine else "other programme's"
                    failures.append(f"{key} as {role}: {which} {obj} {'missing' if want else 'listed'}")
    assert failures == []


async def test_r98_the_iv_dashboard_covers_only_the_callers_programmes(client, auth, objects):
    mine, other = objects
    for role, wide in (("hoc", True), ("qn", True), ("liv", False), ("iv", False), ("assessor", False)):
        r = await client.get("/v1/iv-dashboard", headers=_headers(auth, role, mine))
        assert r.status_code == 200, r.text
        covered = {c["programme_id"] for c in r.json()["coverage"]}
        actions = {a["id"] for a in r.json()["open_actions"]}
        assert str(mine.programme) in covered and str(mine.action) in actions, role
        assert (str(other.programme) in covered) == wide and (str(other.action) in actions) == wide, role
