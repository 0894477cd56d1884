"""Programmes over REST: a visible qualification version, the centre's academic year and sites, and staff
who hold the roles the programme gives them."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import or_, select

from app.audit.models import AuditEvent
from app.events.models import OutboxEvent
from app.qualifications.models import QualificationVersion
from tests.conftest import CENTRE_B
from tests.programmes.fixtures import make_staff

pytestmark = pytest.mark.usefixtures("centres")


def body(world, **over):
    return {
        "name": "BTEC Y13",
        "code": "X123",
        "qualification_id": str(world.award_id),
        "academic_year_id": str(world.year_id),
        "subject_area": "Business",
        "site_ids": [str(s) for s in world.site_ids],
        "programme_leader_id": str(world.leader),
        "lead_internal_verifier_id": str(world.liv),
        "assessor_ids": [str(world.assessor)],
        "internal_verifier_ids": [str(world.iv)],
        **over,
    }


async def test_create_read_update_programme(client, auth, world, session):
    created = await client.post("/v1/programmes", json=body(world), headers=auth("qn"))
    assert created.status_code == 201, created.text
    programme = created.json()
    assert programme["delivery_model"] == "academic_year" and programme["version"] == 1
    assert sorted(programme["site_ids"]) == sorted(str(s) for s in world.site_ids)
    assert created.headers["etag"] == '"1"'
    got = await client.get(f"/v1/programmes/{programme['id']}", headers=auth("assessor"))
    assert got.json() == programme

    url = f"/v1/programmes/{programme['id']}"
    patched = await client.patch(
        url,
        json={"assessor_ids": [str(world.assessor), str(world.leader)]},
        headers={**auth("hoc"), "If-Match": '"1"'},
    )
    assert patched.status_code == 200, patched.text
    assert sorted(patched.json()["assessor_ids"]) == sorted([str(world.assessor), str(world.leader)])
    assert patched.headers["etag"] == '"2"'  # new staff alone make a new version
    stale = await client.patch(url, json={"name": "Other"}, headers={**auth("hoc"), "If-Match": '"1"'})
    assert stale.status_code == 412
    same = await client.patch(url, json={"name": "BTEC Y13"}, headers={**auth("hoc"), "If-Match": '"2"'})
    assert same.status_code == 200 and same.headers["etag"] == '"2"'  # nothing changed: no new version

    audit = (
        await session.scalars(
            select(AuditEvent.action).where(AuditEvent.subject_id == programme["id"]).order_by(AuditEvent.seq)
        )
    ).all()
    assert audit == ["programme.created", "programme.updated"]
    events = (
        await session.scalars(
            select(OutboxEvent).where(
                OutboxEvent.event_type.like("programme.%"),
                or_(
                    OutboxEvent.payload["id"].astext == programme["id"],
                    OutboxEvent.payload["after"]["id"].astext == programme["id"],
                ),
            )
        )
    ).all()
    assert sorted(e.event_type for e in events) == ["programme.created", "programme.updated"]
    update = next(e for e in events if e.event_type == "programme.updated")
    assert (
        len(update.payload["before"]["assessor_ids"]) == 1
        and len(update.payload["after"]["assessor_ids"]) == 2
    )


async def test_each_named_member_of_staff_must_hold_the_role(client, auth, world, session):
    r = await client.post(
        "/v1/programmes",
        json=body(
            world,
            programme_leader_id=str(world.iv),
            assessor_ids=[str(world.assessor), str(world.liv)],
            internal_verifier_ids=[str(world.assessor)],
        ),
        headers=auth("hoc"),
    )
    assert r.status_code == 422, r.text
    problems = {(e["field"], e["code"]) for e in r.json()["errors"]}
    assert problems == {
        ("body.programme_leader_id", "staff_role_missing"),
        ("body.assessor_ids.1", "staff_role_missing"),
        ("body.internal_verifier_ids.0", "staff_role_missing"),
    }
    # The LIV must hold the liv role too.
    r = await client.post(
        "/v1/programmes", json=body(world, lead_internal_verifier_id=str(world.iv)), headers=auth("hoc")
    )
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [
        ("body.lead_internal_verifier_id", "staff_role_missing")
    ]
    # Staff of another centre are simply unknown here.
    other = await make_staff(session, CENTRE_B, "elsewhere", "assessor")
    r = await client.post(
        "/v1/programmes", json=body(world, assessor_ids=[str(other.id)]), headers=auth("hoc")
    )
    assert r.status_code == 404 and r.json()["errors"][0]["field"] == "body.assessor_ids.0"


async def test_the_qualification_must_be_visible_to_the_centre(client, auth, world, session):
    # Another centre's own qualification version is not in this centre's catalogue.
    theirs = QualificationVersion(
        centre_id=CENTRE_B,
        key="theirs",
        version=1,
        awarding_body="pearson",
        title="Theirs",
        level=3,
        specification={},
        content_hash="0" * 64,
        imported_by="test",
    )
    session.add(theirs)
    await session.flush()
    r = await client.post(
        "/v1/programmes", json=body(world, qualification_id=str(theirs.id)), headers=auth("hoc")
    )
    assert r.status_code == 404 and r.json()["errors"][0]["field"] == "body.qualification_id"
    r = await client.post(
        "/v1/programmes", json=body(world, qualification_id=str(uuid.uuid4())), headers=auth("hoc")
    )
    assert r.status_code == 404
    # The platform catalogue (PLATFORM_CENTRE) is visible to every centre.
    r = await client.post(
        "/v1/programmes", json=body(world, qualification_id=str(world.diploma_id)), headers=auth("hoc")
    )
    assert r.status_code == 201, r.text


async def test_unknown_sites_and_years_and_duplicate_names(client, auth, world):
    r = await client.post(
        "/v1/programmes",
        json=body(world, site_ids=[str(world.site_ids[0]), str(uuid.uuid4())]),
        headers=auth("hoc"),
    )
    assert r.status_code == 404 and r.json()["errors"][0]["field"] == "body.site_ids.1"
    r = await client.post(
        "/v1/programmes", json=body(world, academic_year_id=str(uuid.uuid4())), headers=auth("hoc")
    )
    assert r.status_code == 404 and r.json()["errors"][0]["field"] == "body.academic_year_id"
    r = await client.post("/v1/programmes", json=body(world, site_ids=[]), headers=auth("hoc"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.site_ids"
    r = await client.post(
        "/v1/programmes", json=body(world, name="BTEC Customer Communications Y12"), headers=auth("hoc")
    )
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "body.name"
    # The qualification of a programme is fixed: moving learners elsewhere is a transfer.
    r = await client.patch(
        f"/v1/programmes/{world.programme_id}",
        json={"qualification_id": str(world.diploma_id)},
        headers={**auth("hoc"), "If-Match": '"1"'},
    )
    assert r.status_code == 422


async def test_tenancy_and_roles(client, auth, world):
    other = auth("hoc", centre=CENTRE_B)
    assert (await client.get(f"/v1/programmes/{world.programme_id}", headers=other)).status_code == 404
    assert (await client.get("/v1/programmes", headers=other)).json()["items"] == []
    assert (
        await client.post("/v1/programmes", json=body(world), headers=auth("assessor"))
    ).status_code == 403
    assert (await client.get("/v1/programmes", headers=auth("learner"))).status_code == 403
    listed = (
        await client.get(
            "/v1/programmes", params={"qualification_id": str(world.diploma_id)}, headers=auth("iv")
        )
    ).json()["items"]
    assert [p["id"] for p in listed] == [str(world.other_programme_id)]
