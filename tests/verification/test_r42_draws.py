"""R-42 draws from the database: the service's seed, the first draw official, a redraw only by the LIV
with a reason, every draw kept, the R-25 gate reading the official draw; CAMERA's Methods and
Candidates' needs as strata."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

import pydantic
import pytest
from sqlalchemy import select

from app.core.errors import RuleViolation
from app.programmes.models import PriorLearning, ReasonableAdjustment, SpecialConsideration
from app.verification import draws, records, sampling, schemas
from app.verification.models import IvSample
from tests.programmes.fixtures import gql
from tests.verification.fixtures import ASSESSOR, IV, LIV, as_staff, batch

ON = dt.date(2025, 12, 1)
REASON = "The first draw missed the annexe's evening group: redrawn at the LIV's request."


def agree(decision_id):
    return schemas.IvRecordCreate(
        decision_id=decision_id, outcome="agree", verified_on=ON, feedback_to_assessor="Agreed."
    )


async def test_r42_the_client_gives_no_seed_the_service_chooses_and_stores_it(session, world):
    with pytest.raises(pydantic.ValidationError):
        schemas.SampleCreate.model_validate({"seed": 42})
    brief, _ = await batch(session, world, [(ASSESSOR, "P")] * 5)
    sample = await draws.draw_sample(session, as_staff(*IV), brief.id, schemas.SampleCreate())
    row = await session.get(IvSample, sample.id)
    assert 0 <= sample.seed < 2**53 and row.seed == sample.seed
    assert (sample.number, sample.kind, sample.official, sample.supersedes_id) == (1, "first", True, None)
    again = await draws.draw_sample(session, as_staff(*LIV), brief.id, schemas.SampleCreate(reason=REASON))
    assert again.seed != sample.seed  # a fresh seed from secrets: equal once in 2**53


async def test_r42_an_iv_cannot_redraw_until_the_sample_avoids_an_unverified_decision(session, world):
    """The defect: an IV drew again and again until the sample missed a decision they had not verified."""
    brief, _ = await batch(session, world, [(ASSESSOR, "P")] * 10)
    first = await draws.draw_sample(session, as_staff(*IV), brief.id, schemas.SampleCreate())
    for data in (schemas.SampleCreate(), schemas.SampleCreate(reason=REASON)):
        with pytest.raises(RuleViolation) as refused:
            await draws.draw_sample(session, as_staff(*IV), brief.id, data)
        fields = {e.field for e in refused.value.errors}
        assert "principal" in fields and (data.reason is not None or "body.reason" in fields)
        assert all(e.code == "R-42" for e in refused.value.errors)
    # Not even the LIV redraws without a reason.
    with pytest.raises(RuleViolation) as refused:
        await draws.draw_sample(session, as_staff(*LIV), brief.id, schemas.SampleCreate())
    assert {e.field for e in refused.value.errors} == {"body.reason"}
    kept = await draws.list_samples(session, as_staff(*IV), brief.id)
    assert [s.id for s in kept] == [first.id] and kept[0].official
    reasons = (await records.iv_status(session, as_staff(*IV), brief.id)).reasons
    assert {f"sampled decision {i.decision_id} has no IV record" for i in first.items} <= set(reasons)


async def test_r42_the_livs_redraw_is_kept_and_becomes_the_official_draw_the_gate_reads(session, world):
    brief, _ = await batch(session, world, [(ASSESSOR, "P")] * 10)
    first = await draws.draw_sample(
        session, as_staff(*IV), brief.id, schemas.SampleCreate(), seed_source=lambda: 1
    )
    taken = {i.decision_id for i in first.items}
    population = (await session.get_one(IvSample, first.id)).population

    def another_seed() -> int:
        """Seeds 1 and 2 drew the same two of ten once in CI (decision ids are fresh each run): take the
        first seed whose lowest-ranked decision -- always sampled, it covers the one assessor, grade and
        site -- the first draw did not take, so the redraw differs whatever the ids are."""
        return next(
            s
            for s in itertools.count(2)
            if min(population, key=lambda d: sampling.rank(s, str(d))) not in taken
        )

    second = await draws.draw_sample(
        session, as_staff(*LIV), brief.id, schemas.SampleCreate(reason=REASON), seed_source=another_seed
    )
    missed = taken - {i.decision_id for i in second.items}
    assert missed, "the two seeds must give different samples for this test to mean anything"
    assert (second.number, second.kind, second.reason, second.supersedes_id) == (
        2,
        "redraw",
        REASON,
        first.id,
    )
    kept = await draws.list_samples(session, as_staff(*IV), brief.id)
    assert [(s.id, s.official) for s in kept] == [(first.id, False), (second.id, True)]
    assert (await draws.get_sample(session, as_staff(*IV), first.id)).official is False
    assert (await draws.official_sample(session, as_staff(*IV), brief.id)).id == second.id
    # R-25 reads the official draw: the items of the superseded draw need nothing.
    for i in second.items:
        await records.record_iv(session, as_staff(*IV), agree(i.decision_id))
    assert (await records.iv_status(session, as_staff(*IV), brief.id)).complete


async def test_r42_decisions_submitted_after_the_draw_extend_it_with_the_same_seed(session, world):
    brief, _ = await batch(session, world, [(ASSESSOR, "P")] * 4)
    first = await draws.draw_sample(session, as_staff(*IV), brief.id, schemas.SampleCreate())
    await batch(session, world, [(ASSESSOR, "D")], brief=brief)
    extended = await draws.draw_sample(session, as_staff(*IV), brief.id, schemas.SampleCreate())
    assert (extended.kind, extended.number, extended.seed) == ("extended", 2, first.seed)
    assert extended.population_size == 5 and "D" in {i.grade for i in extended.items}
    # Once extended, the population is covered again: drawing once more is a redraw.
    with pytest.raises(RuleViolation):
        await draws.draw_sample(session, as_staff(*IV), brief.id, schemas.SampleCreate())


async def test_r42_redraws_over_rest_and_graphql(client, auth, session, world):
    brief, _ = await batch(session, world, [(ASSESSOR, "P")] * 3)
    await session.commit()
    iv, liv = auth("iv", subject="staff-iv"), auth("liv", subject="staff-liv")
    url = f"/v1/assignment-briefs/{brief.id}/iv-samples"
    assert (await client.post(url, json={}, headers=iv)).status_code == 201
    r = await client.post(url, json={"reason": REASON}, headers=iv)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"].endswith("rule-violation") and r.json()["errors"][0]["code"] == "R-42", r.text
    bad = await gql(client, iv, f'mutation {{ drawIvSample(briefId: "{brief.id}") {{ id }} }}')
    assert bad["errors"][0]["extensions"]["code"] == "rule-violation", bad
    ok = await gql(
        client,
        liv,
        "mutation($b: UUID!, $r: String) { drawIvSample(briefId: $b, reason: $r) { number kind official } }",
        b=str(brief.id),
        r=REASON,
    )
    assert ok["data"]["drawIvSample"] == {"number": 2, "kind": "redraw", "official": True}, ok
    listed = (await client.get(url, headers=iv)).json()
    assert [(s["number"], s["official"]) for s in listed] == [(1, False), (2, True)]
    shown = await gql(
        client, iv, f'query {{ ivSamples(briefId: "{brief.id}") {{ nodes {{ number reason }} }} }}'
    )
    assert shown["data"]["ivSamples"]["nodes"] == [
        {"number": 1, "reason": None},
        {"number": 2, "reason": REASON},
    ]


async def test_r42_every_assessment_method_and_support_need_present_is_sampled(session, world):
    kinds = [["reference"]] * 12 + [
        ["observation_record"],
        ["witness_statement"],
        ["questioning_record", "reference"],
    ]
    brief, made = await batch(session, world, [(ASSESSOR, "P")] * len(kinds), evidence=kinds)
    learners = [d.learner_id for d in made]
    session.add_all(
        [
            ReasonableAdjustment(
                id=uuid.uuid4(),
                centre_id=world.centre,
                learner_id=learners[3],
                adjustment="Extra time (25%)",
                normal_way_of_working="Extra time in all classwork",
                agreed_on=dt.date(2025, 9, 10),
                applies_from=dt.date(2025, 9, 10),
                agreed_by="hoc",
            ),
            SpecialConsideration(
                id=uuid.uuid4(),
                centre_id=world.centre,
                learner_id=learners[5],
                assessment_date=dt.date(2025, 11, 3),
                applied_on=dt.date(2025, 11, 3),
                circumstances="Bereavement",
                applied_by="exams",
                status="authorised",
                decided_by="hoc",
                decided_on=dt.date(2025, 11, 4),
            ),
            PriorLearning(
                id=uuid.uuid4(),
                centre_id=world.centre,
                learner_id=learners[7],
                qualification_id=brief.qualification_id,
                unit_number=1,
                description="Customer service role, two years",
                status="to_be_assessed",
                recorded_by="assessor",
            ),
        ]
    )
    await session.flush()
    sample = await draws.draw_sample(session, as_staff(*IV), brief.id, schemas.SampleCreate())
    methods = {m for i in sample.items for m in i.methods}
    needs = {n for i in sample.items for n in i.support_needs}
    assert methods == {"product", "observation", "witness", "questioning", "rpl"}
    assert needs == {"reasonable_adjustment", "special_consideration"}
    by_learner = {i.learner_id: i for i in sample.items}
    assert any(r.startswith("covers support need") for r in by_learner[learners[5]].rationale)
    assert "rpl" in by_learner[learners[7]].methods
    stored = (await session.scalars(select(IvSample).where(IvSample.brief_id == brief.id))).one()
    assert stored.inputs_digest == sample.inputs_digest
