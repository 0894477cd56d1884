"""R-95 "the employer is in the qualification's sector": the sector is the qualification's, stated in
its specification and imported with it; the plan has no sector of its own. An employer of another
sector is refused with RFC 9457 problem details naming the field and the rule."""

from __future__ import annotations

import datetime as dt

from app.qualifications.specification import load_shipped
from tests.programmes.fixtures import BTEC_AWARD, OCR_DIPLOMA


def test_r95_the_shipped_qualifications_state_their_sector():
    assert load_shipped(OCR_DIPLOMA).sector == "Customer service"  # 003 §5
    assert load_shipped(BTEC_AWARD).sector == "Customer service"
    assert load_shipped(OCR_DIPLOMA).to_dict()["sector"] == "Customer service"


async def test_r95_the_qualification_carries_its_sector_over_rest(client, auth, world):
    got = await client.get(f"/v1/qualifications/{world.award_id}", headers=auth("hoc"))
    assert got.status_code == 200, got.text
    assert got.json()["sector"] == "Customer service"


async def test_r95_an_employer_of_another_sector_is_refused_with_problem_details(client, auth, world):
    hoc = auth("hoc")
    bakery = await client.post("/v1/employers", json={"name": "Bakery", "sector": "Food"}, headers=hoc)
    plan = await client.post(
        "/v1/employer-involvement-plans",
        json={
            "programme_id": str(world.programme_id),
            "planned_on": "2025-09-01",
            "summary": "All learners.",
        },
        headers=hoc,
    )
    assert plan.status_code == 201, plan.text
    assert plan.json()["sector"] == "Customer service"  # derived from the qualification
    refused = await client.post(
        "/v1/employer-activities",
        json={
            "plan_id": plan.json()["id"],
            "employer_id": bakery.json()["id"],
            "activity_type": "placement",
            "title": "A week at the bakery",
            "planned_on": "2025-11-05",
        },
        headers=hoc,
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert [(e["field"], e["code"]) for e in refused.json()["errors"]] == [("body.employer_id", "R-95")]


async def test_r95_the_plan_takes_no_sector_of_its_own(client, auth, world):
    sent = await client.post(
        "/v1/employer-involvement-plans",
        json={
            "programme_id": str(world.programme_id),
            "planned_on": dt.date(2025, 9, 1).isoformat(),
            "summary": "All learners.",
            "sector": "Food",
        },
        headers=auth("hoc"),
    )
    assert sent.status_code == 422, sent.text
    assert any(e["field"] == "body.sector" for e in sent.json()["errors"])
