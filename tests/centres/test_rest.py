"""Centres, sites and staff over REST and GraphQL."""

from __future__ import annotations

import pytest

from tests.conftest import CENTRE_A, CENTRE_B

pytestmark = pytest.mark.usefixtures("centres")


async def test_a_token_sees_its_own_centre_only(client, auth):
    page = (await client.get("/v1/centres", headers=auth("qn"))).json()
    assert [c["id"] for c in page["items"]] == [str(CENTRE_A)]
    assert (await client.get(f"/v1/centres/{CENTRE_B}", headers=auth("hoc"))).status_code == 404


async def test_hoc_updates_the_centre_with_if_match(client, auth):
    got = await client.get(f"/v1/centres/{CENTRE_A}", headers=auth("hoc"))
    r = await client.patch(
        f"/v1/centres/{CENTRE_A}",
        json={"nation": "scotland", "name": "New name"},
        headers={**auth("hoc"), "If-Match": got.headers["etag"]},
    )
    assert r.status_code == 200, r.text
    assert (r.json()["nation"], r.json()["name"], r.json()["version"]) == ("scotland", "New name", 2)
    bad = await client.patch(
        f"/v1/centres/{CENTRE_A}",
        json={"nation": "wales"},
        headers={**auth("hoc"), "If-Match": r.headers["etag"]},
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body.nation"


async def test_sites_are_unique_by_name_within_a_centre(client, auth):
    first = await client.post(
        "/v1/sites", json={"name": "Main campus", "address": "1 High St"}, headers=auth("hoc")
    )
    assert first.status_code == 201
    clash = await client.post("/v1/sites", json={"name": "Main campus"}, headers=auth("hoc"))
    assert clash.status_code == 409 and clash.json()["errors"][0]["field"] == "body.name"
    # the same name in another centre is another site
    other = await client.post("/v1/sites", json={"name": "Main campus"}, headers=auth("hoc", centre=CENTRE_B))
    assert other.status_code == 201
    listed = (await client.get("/v1/sites", headers=auth("assessor"))).json()["items"]
    assert [s["name"] for s in listed] == ["Main campus"]
    renamed = await client.patch(
        f"/v1/sites/{first.json()['id']}", json={"address": None}, headers={**auth("hoc"), "If-Match": '"1"'}
    )
    assert renamed.status_code == 200 and renamed.json()["address"] is None


async def test_staff_roles_and_filters(client, auth):
    created = await client.post(
        "/v1/staff",
        headers=auth("hoc"),
        json={
            "idp_subject": "idp|asha",
            "given_name": "Asha",
            "family_name": "Sorensen",
            "email": "asha@example.org",
            "roles": ["assessor", "iv", "assessor"],
        },
    )
    assert created.status_code == 201, created.text
    member = created.json()
    assert member["roles"] == ["assessor", "iv"]  # one grant per role
    learner_grant = await client.post(
        "/v1/staff",
        headers=auth("hoc"),
        json={"idp_subject": "idp|x", "given_name": "X", "family_name": "Y", "roles": ["learner"]},
    )
    assert learner_grant.status_code == 422  # learners are not staff
    ivs = (await client.get("/v1/staff", params={"role": "iv"}, headers=auth("liv"))).json()["items"]
    assert [s["id"] for s in ivs] == [member["id"]]
    r = await client.patch(
        f"/v1/staff/{member['id']}",
        json={"active": False, "roles": ["liv"]},
        headers={**auth("hoc"), "If-Match": '"1"'},
    )
    assert r.status_code == 200 and r.json()["roles"] == ["liv"] and r.json()["active"] is False
    assert (
        await client.get("/v1/staff", params={"active": "true", "role": "liv"}, headers=auth("hoc"))
    ).json()["items"] == []
    me = (await client.get("/v1/me", headers=auth("liv", subject="idp|asha"))).json()
    assert me["staff_member_id"] == member["id"]


async def test_graphql_sites_and_staff(client, auth):
    mutation = """mutation { createSite(input: {name: "North"}) { id version }
      createStaffMember(input: {idpSubject: "idp|n", givenName: "N", familyName: "M", roles: [iv]}) { id roles } }"""
    data = (await client.post("/graphql", json={"query": mutation}, headers=auth("hoc"))).json()["data"]
    assert data["createStaffMember"]["roles"] == ["iv"]
    update = """mutation($id: UUID!) { updateSite(id: $id, version: 1, input: {name: "North wing"}) { name version } }"""
    r = (
        await client.post(
            "/graphql",
            json={"query": update, "variables": {"id": data["createSite"]["id"]}},
            headers=auth("hoc"),
        )
    ).json()
    assert r["data"]["updateSite"] == {"name": "North wing", "version": 2}
    nulled = """mutation($id: UUID!) { updateSite(id: $id, version: 2, input: {name: null}) { name } }"""
    r = (
        await client.post(
            "/graphql",
            json={"query": nulled, "variables": {"id": data["createSite"]["id"]}},
            headers=auth("hoc"),
        )
    ).json()
    assert r["errors"][0]["extensions"]["code"] == "validation-failed"
