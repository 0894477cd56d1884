"""The catalogue over REST and GraphQL: shipped qualifications, imports, versions, predictions."""

from __future__ import annotations

import copy

import pytest

from app.qualifications.specification import load_shipped

pytestmark = pytest.mark.usefixtures("centres")
BTEC = "pearson-btec-intl-l3-award-investigating-customer-communications"
OCR = "ocr-l2-cambridge-technical-diploma-customer-service"


async def _by_key(client, auth, key):
    page = (await client.get("/v1/qualifications", params={"key": key}, headers=auth("assessor"))).json()
    assert len(page["items"]) == 1, page
    return page["items"][0]


async def test_shipped_qualifications_are_in_the_catalogue(client, auth):
    page = (await client.get("/v1/qualifications", headers=auth("iv"))).json()
    assert {i["key"] for i in page["items"]} >= {BTEC, OCR}
    btec = await _by_key(client, auth, BTEC)
    detail = (await client.get(f"/v1/qualifications/{btec['id']}", headers=auth("iv"))).json()
    unit = detail["units"][0]
    assert len(unit["criteria"]) == 11 and unit["assignments"]["max_summative_assignments"] == 2
    assert any(c["code"] == "AB.D1" and c["outcomes"] == ["A", "B"] for c in unit["criteria"])
    ocr = (
        await client.get(f"/v1/qualifications/{(await _by_key(client, auth, OCR))['id']}", headers=auth("iv"))
    ).json()
    assert len(ocr["units"]) == 7 and {u["criteria_status"] for u in ocr["units"][1:]} == {"awaiting"}
    assert ocr["grade_table"][-1]["grade"] == "D*" and ocr["grade_table"][-1]["min_points"] == 107


async def test_prediction_reproduces_003_example_b(client, auth):
    ocr = await _by_key(client, auth, OCR)
    units = [
        {"unit_number": 1, "grade": "achieved"},
        {"unit_number": 2, "grade": "U"},
        {"unit_number": 3, "grade": "D"},
        {"unit_number": 4, "grade": "M"},
        {"unit_number": 5, "grade": "M"},
        {"unit_number": 6, "grade": "M"},
        {"unit_number": 7, "grade": "P"},
    ]
    r = await client.post(
        f"/v1/qualifications/{ocr['id']}/predictions", json={"units": units}, headers=auth("assessor")
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["grade"], body["total_points"], body["decided_by"]) == ("U", 91, "mandatory_unit_below_pass")
    assert body["grade_on_points"] == "P" and body["mandatory_units_below_pass"] == [2]
    # a resubmission that reaches Pass: the best attempt counts
    units.append({"unit_number": 2, "grade": "P"})
    body = (
        await client.post(
            f"/v1/qualifications/{ocr['id']}/predictions", json={"units": units}, headers=auth("assessor")
        )
    ).json()
    assert (body["grade"], body["total_points"]) == ("P", 98) or body["total_points"] == 98


async def test_prediction_from_criteria_explains_what_is_missing(client, auth):
    btec = await _by_key(client, auth, BTEC)
    achieved = ["A.P1", "A.P2", "B.P3", "B.P4", "C.P5", "C.P6", "A.M1"]
    r = await client.post(
        f"/v1/qualifications/{btec['id']}/predictions",
        headers=auth("learner") | auth("iv"),
        json={"units": [{"unit_number": 1, "criteria_achieved": achieved}]},
    )
    body = r.json()
    assert r.status_code == 200, body
    unit = body["unit_outcomes"][0]
    assert unit["grade"] == "P" and unit["next_grade"] == "M"
    assert set(unit["missing_for_next_grade"]) and "A.M1" not in unit["missing_for_next_grade"]
    assert body["grade"] == "P" and body["decided_by"] == "single_unit_award"


async def test_prediction_refuses_results_that_do_not_fit(client, auth):
    btec = await _by_key(client, auth, BTEC)
    r = await client.post(
        f"/v1/qualifications/{btec['id']}/predictions",
        headers=auth("iv"),
        json={"units": [{"unit_number": 9, "grade": "P"}, {"unit_number": 1, "criteria_achieved": ["Z.P9"]}]},
    )
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"body.units.0.unit_number", "body.units.1"} <= fields
    both = await client.post(
        f"/v1/qualifications/{btec['id']}/predictions",
        headers=auth("iv"),
        json={"units": [{"unit_number": 1, "grade": "P", "criteria_achieved": ["A.P1"]}]},
    )
    assert both.status_code == 422


async def test_import_keeps_versions_and_refuses_a_rewrite(client, auth):
    spec = load_shipped(BTEC).to_dict()
    spec["key"] = "centre-local-award"
    created = await client.post("/v1/qualifications", json=spec, headers=auth("qn"))
    assert created.status_code == 201, created.text
    again = await client.post("/v1/qualifications", json=spec, headers=auth("qn"))
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"]
    changed = copy.deepcopy(spec)
    changed["title"] = "Changed title"
    assert (await client.post("/v1/qualifications", json=changed, headers=auth("qn"))).status_code == 409
    changed["version"] = spec["version"] + 1
    v2 = await client.post("/v1/qualifications", json=changed, headers=auth("qn"))
    assert v2.status_code == 201
    latest = (
        await client.get("/v1/qualifications", params={"key": "centre-local-award"}, headers=auth("iv"))
    ).json()
    assert [i["version"] for i in latest["items"]] == [spec["version"] + 1]
    every = (
        await client.get(
            "/v1/qualifications",
            params={"key": "centre-local-award", "all_versions": "true"},
            headers=auth("iv"),
        )
    ).json()
    assert sorted(i["version"] for i in every["items"]) == [spec["version"], spec["version"] + 1]
    # the old version is still readable as it was
    old = (await client.get(f"/v1/qualifications/{created.json()['id']}", headers=auth("iv"))).json()
    assert old["title"] != "Changed title"


async def test_a_centres_import_is_invisible_to_another_centre(client, auth):
    from tests.conftest import CENTRE_B

    spec = load_shipped(BTEC).to_dict()
    spec["key"] = "private-award"
    row = (await client.post("/v1/qualifications", json=spec, headers=auth("hoc"))).json()
    other = auth("hoc", centre=CENTRE_B)
    assert (await client.get(f"/v1/qualifications/{row['id']}", headers=other)).status_code == 404
    assert (await client.get("/v1/qualifications", params={"key": "private-award"}, headers=other)).json()[
        "items"
    ] == []


async def test_a_bad_file_is_refused_whole_with_every_problem(client, auth):
    spec = load_shipped(BTEC).to_dict()
    spec["key"] = "broken-award"
    unit = spec["units"][0]
    unit["criteria"].append(dict(unit["criteria"][0]))  # duplicate code
    unit["criteria"].append({"code": "Q.P9", "text": "names an unknown outcome"})
    spec["units"][0] = unit
    r = await client.post("/v1/qualifications", json=spec, headers=auth("qn"))
    assert r.status_code == 422
    codes = {e["code"] for e in r.json()["errors"]}
    assert {"duplicate_criterion_code", "unknown_outcome"} <= codes
    assert all(e["field"].startswith("body") for e in r.json()["errors"])
    assert (
        await client.get("/v1/qualifications", params={"key": "broken-award"}, headers=auth("qn"))
    ).json()["items"] == []


async def test_graphql_catalogue_and_prediction(client, auth):
    btec = await _by_key(client, auth, BTEC)
    query = """query($id: UUID!) { qualification(id: $id) { title units { number criteria { code band } } }
      predictQualificationGrade(qualificationId: $id, units: [{unitNumber: 1, grade: P}]) {
        grade decidedBy unitOutcomes { grade missingByGrade { grade } } } }"""
    r = await client.post(
        "/graphql", json={"query": query, "variables": {"id": btec["id"]}}, headers=auth("assessor")
    )
    data = r.json()["data"]
    assert len(data["qualification"]["units"][0]["criteria"]) == 11
    assert data["predictQualificationGrade"]["grade"] == "P"
    assert data["predictQualificationGrade"]["unitOutcomes"][0]["missingByGrade"] == []  # a recorded grade
    # From criteria, typed (not JSON): each higher grade with the criteria it still needs, nearest first.
    criteria = data["qualification"]["units"][0]["criteria"]
    passed = [c["code"] for c in criteria if c["band"] == "P"]
    by_criteria = """query($id: UUID!, $codes: [String!]!) {
      predictQualificationGrade(qualificationId: $id, units: [{unitNumber: 1, criteriaAchieved: $codes}]) {
        unitOutcomes { grade nextGrade missingForNextGrade missingByGrade { grade criteria } } } }"""
    r = await client.post(
        "/graphql",
        json={"query": by_criteria, "variables": {"id": btec["id"], "codes": passed}},
        headers=auth("assessor"),
    )
    assert "errors" not in r.json(), r.json()
    (outcome,) = r.json()["data"]["predictQualificationGrade"]["unitOutcomes"]
    assert outcome["grade"] == "P" and [m["grade"] for m in outcome["missingByGrade"]] == ["M", "D"]
    assert outcome["missingByGrade"][0]["criteria"] == outcome["missingForNextGrade"]
    not_passed = {c["code"] for c in criteria} - set(passed)
    assert set(outcome["missingByGrade"][1]["criteria"]) == not_passed
