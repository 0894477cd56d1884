"""Learners over REST: create, read, list, update with ETags, tenancy and self-access."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("centres")

AMARA = {
    "given_name": "Amara",
    "family_name": "Bello",
    "date_of_birth": "2008-03-14",
    "candidate_number": "0001",
    "mis_id": "MIS-1",
}


async def test_create_read_update_learner(client, auth):
    created = await client.post("/v1/learners", json=AMARA, headers=auth("exams_officer"))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["family_name"] == "Bello" and body["version"] == 1
    assert created.headers["etag"] == '"1"'

    got = await client.get(f"/v1/learners/{body['id']}", headers=auth("assessor"))
    assert got.status_code == 200 and got.json()["candidate_number"] == "0001"

    patched = await client.patch(
        f"/v1/learners/{body['id']}",
        json={"family_name": "Bello-Okoro"},
        headers={**auth("exams_officer"), "If-Match": got.headers["etag"]},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["family_name"] == "Bello-Okoro" and patched.headers["etag"] == '"2"'


async def _create(client, auth, **over):
    r = await client.post("/v1/learners", json={**AMARA, **over}, headers=auth("hoc"))
    assert r.status_code == 201, r.text
    return r.json()


async def test_update_needs_if_match_and_refuses_a_stale_one(client, auth):
    learner = await _create(client, auth)
    url = f"/v1/learners/{learner['id']}"
    missing = await client.patch(url, json={"given_name": "A"}, headers=auth("hoc"))
    assert missing.status_code == 428
    ok = await client.patch(url, json={"given_name": "Ama"}, headers={**auth("hoc"), "If-Match": '"1"'})
    assert ok.status_code == 200
    stale = await client.patch(url, json={"given_name": "Amy"}, headers={**auth("hoc"), "If-Match": '"1"'})
    assert stale.status_code == 412
    assert (await client.get(url, headers=auth("hoc"))).json()["given_name"] == "Ama"


async def test_update_refuses_null_for_required_fields_but_clears_optional_ones(client, auth):
    learner = await _create(client, auth)
    url = f"/v1/learners/{learner['id']}"
    bad = await client.patch(url, json={"family_name": None}, headers={**auth("hoc"), "If-Match": '"1"'})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body.family_name"
    cleared = await client.patch(url, json={"mis_id": None}, headers={**auth("hoc"), "If-Match": '"1"'})
    assert cleared.status_code == 200 and cleared.json()["mis_id"] is None


async def test_list_paginates_with_a_cursor_and_filters(client, auth):
    names = ["Adams", "Baker", "Bakewell", "Clark", "Davies"]
    for i, name in enumerate(names):
        await _create(client, auth, family_name=name, candidate_number=f"C{i}", mis_id=f"M{i}")
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/learners", params=params, headers=auth("assessor"))).json()
        assert len(page["items"]) <= 2
        seen += [i["family_name"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == names  # creation order, nothing skipped or repeated
    bak = (await client.get("/v1/learners", params={"family_name": "BAKE"}, headers=auth("iv"))).json()
    assert sorted(i["family_name"] for i in bak["items"]) == ["Baker", "Bakewell"]
    one = (await client.get("/v1/learners", params={"mis_id": "M3"}, headers=auth("iv"))).json()
    assert [i["family_name"] for i in one["items"]] == ["Clark"]
    wild = (await client.get("/v1/learners", params={"family_name": "%"}, headers=auth("iv"))).json()
    assert wild["items"] == []  # a LIKE wildcard is searched for literally
    bad = await client.get("/v1/learners", params={"cursor": "!!"}, headers=auth("iv"))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "query.cursor"


async def test_another_centres_learner_is_not_found(client, auth):
    learner = await _create(client, auth)
    from tests.conftest import CENTRE_B

    other = auth("hoc", centre=CENTRE_B)
    assert (await client.get(f"/v1/learners/{learner['id']}", headers=other)).status_code == 404
    r = await client.patch(
        f"/v1/learners/{learner['id']}", json={"given_name": "X"}, headers={**other, "If-Match": '"1"'}
    )
    assert r.status_code == 404
    assert (await client.get("/v1/learners", headers=other)).json()["items"] == []


async def test_a_learner_sees_only_themselves(client, auth):
    me = await _create(client, auth, idp_subject="learner-amara")
    other = await _create(
        client,
        auth,
        given_name="Ben",
        family_name="Carter",
        candidate_number="0002",
        mis_id="MIS-2",
        idp_subject="learner-ben",
    )
    mine = auth("learner", subject="learner-amara")
    listed = (await client.get("/v1/learners", headers=mine)).json()["items"]
    assert [i["id"] for i in listed] == [me["id"]]
    assert (await client.get(f"/v1/learners/{me['id']}", headers=mine)).status_code == 200
    assert (await client.get(f"/v1/learners/{other['id']}", headers=mine)).status_code == 404
    assert (
        await client.patch(
            f"/v1/learners/{me['id']}", json={"given_name": "X"}, headers={**mine, "If-Match": '"1"'}
        )
    ).status_code == 403
    who = (await client.get("/v1/me", headers=mine)).json()
    assert who["learner_id"] == me["id"] and who["roles"] == ["learner"]
