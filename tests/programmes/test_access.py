"""Who may change which field of a programme (R-98, docs/access.md): the per-field policy of
app/programmes/service.py, over REST as the SPA calls it."""

from __future__ import annotations

from tests.api.object_world import other_programme
from tests.programmes.fixtures import make_staff


async def _patch(client, auth, programme_id, body, role, subject=None):
    url = f"/v1/programmes/{programme_id}"
    version = (await client.get(url, headers=auth("hoc"))).json()["version"]
    return await client.patch(
        url, json=body, headers={**auth(role, subject=subject), "If-Match": f'"{version}"'}
    )


def _refused(r, *fields):
    assert r.status_code == 403, r.text
    assert sorted(e["field"] for e in r.json()["errors"]) == sorted(f"body.{f}" for f in fields)
    assert {e["code"] for e in r.json()["errors"]} == {"field_not_permitted"}


async def test_r98_a_programme_leader_cannot_make_themselves_leader_of_another_programme(
    client, auth, world, session
):
    other = await other_programme(session, world)
    r = await _patch(
        client, auth, other, {"programme_leader_id": str(world.leader)}, "programme_leader", "staff-leader"
    )
    _refused(r, "programme_leader_id")
    # Nor of their own programme's LIV or team: leadership and staffing are the HoC's and QN's.
    r = await _patch(
        client,
        auth,
        world.programme_id,
        {"lead_internal_verifier_id": str(world.liv), "assessor_ids": [str(world.leader)]},
        "programme_leader",
        "staff-leader",
    )
    _refused(r, "assessor_ids")  # the LIV is unchanged: only a changing field is judged


async def test_r98_a_programme_leader_edits_delivery_fields_of_their_own_programme_only(
    client, auth, world, session
):
    other = await other_programme(session, world)
    own = await _patch(
        client,
        auth,
        world.programme_id,
        {"name": "BTEC Customer Communications Y12 (A)", "site_ids": [str(s) for s in world.site_ids]},
        "programme_leader",
        "staff-leader",
    )
    assert own.status_code == 200, own.text
    _refused(
        await _patch(client, auth, other, {"name": "Mine now"}, "programme_leader", "staff-leader"), "name"
    )
    # The awarding body's code is a registration field: the exams officer's, not the PL's.
    _refused(
        await _patch(client, auth, world.programme_id, {"code": "ZZZ1"}, "programme_leader", "staff-leader"),
        "code",
    )


async def test_r98_the_exams_officer_keeps_registration_fields_and_does_not_staff_programmes(
    client, auth, world, session
):
    r = await _patch(client, auth, world.programme_id, {"code": "XYZ2"}, "exams_officer")
    assert r.status_code == 200 and r.json()["code"] == "XYZ2", r.text
    newcomer = await make_staff(session, world.centre, "newcomer", "assessor", "iv")
    await session.commit()
    r = await _patch(
        client,
        auth,
        world.programme_id,
        {"assessor_ids": [str(newcomer.id)], "internal_verifier_ids": [str(newcomer.id)]},
        "exams_officer",
    )
    _refused(r, "assessor_ids", "internal_verifier_ids")


async def test_r98_the_liv_staffs_their_own_programmes_and_hoc_qn_lead_them(client, auth, world, session):
    other = await other_programme(session, world)
    newcomer = await make_staff(session, world.centre, "newcomer", "assessor", "iv")
    await session.commit()
    team = {"assessor_ids": [str(world.assessor), str(newcomer.id)]}
    r = await _patch(client, auth, world.programme_id, team, "liv", "staff-liv")
    assert r.status_code == 200, r.text
    _refused(await _patch(client, auth, other, team, "liv", "staff-liv"), "assessor_ids")
    # The subject area decides whose LIV the programme falls under: not the LIV's own call.
    r = await _patch(client, auth, world.programme_id, {"subject_area": "Retail"}, "liv", "staff-liv")
    _refused(r, "subject_area")
    r = await _patch(client, auth, other, {"programme_leader_id": str(world.leader)}, "qn")
    assert r.status_code == 200 and r.json()["programme_leader_id"] == str(world.leader), r.text


async def test_r98_only_the_hoc_or_qn_create_a_programme(client, auth, world):
    from tests.programmes.test_programmes import body

    for role in ("exams_officer", "programme_leader", "liv"):
        assert (await client.post("/v1/programmes", json=body(world), headers=auth(role))).status_code == 403
    r = await client.post("/v1/programmes", json=body(world, name="New group"), headers=auth("hoc"))
    assert r.status_code == 201, r.text
