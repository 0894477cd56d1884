"""Learners over REST: create, read, list, update with ETags, tenancy and self-access."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("centres")

AMARA = {"given_name": "Amara", "family_name": "Bello", "date_of_birth": "2008-03-14",
         "candidate_number": "0001", "mis_id": "MIS-1"}


async def test_create_read_update_learner(client, auth):
    created = await client.post("/v1/learners", json=AMARA, headers=auth("exams_officer"))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["family_name"] == "Bello" and body["version"] == 1
    assert created.headers["etag"] == '"1"'

    got = await client.get(f"/v1/learners/{body['id']}", headers=auth("assessor"))
    assert got.status_code == 200 and got.json()["candidate_number"] == "0001"

    patched = await client.patch(f"/v1/learners/{body['id']}", json={"family_name": "Bello-Okoro"},
                                 headers={**auth("exams_officer"), "If-Match": got.headers["etag"]})
    assert patched.status_code == 200, patched.text
    assert patched.json()["family_name"] == "Bello-Okoro" and patched.headers["etag"] == '"2"'
