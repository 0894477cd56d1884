"""R-42 at a programme taught at several sites: each learner's site comes from their enrolment, the
sample covers every site present, and the coverage report counts them."""

from __future__ import annotations

import uuid

from sqlalchemy import insert

from app.programmes.models import ProgrammeSite
from app.verification import coverage, draws, schemas
from tests.verification.fixtures import ASSESSOR, IV, as_staff, batch


async def _second_site(session, world) -> uuid.UUID:
    await session.execute(
        insert(ProgrammeSite).values(
            programme_id=world.programme_id, site_id=world.site_ids[1], centre_id=world.centre
        )
    )
    return world.site_ids[1]


async def test_the_sample_covers_every_site_of_a_multi_site_programme(session, world):
    main, annexe = world.site_ids[0], await _second_site(session, world)
    # Six decisions by one assessor, all at Pass: only the site stratum separates the annexe's one learner.
    sites = [main, main, main, main, main, annexe]
    brief, made = await batch(session, world, [(ASSESSOR, "P")] * 6, sites=sites)
    sample = await draws.draw_sample(
        session, as_staff(*IV), brief.id, schemas.SampleCreate(), seed_source=lambda: 3
    )
    assert {i.site_id for i in sample.items} == {main, annexe}
    assert len(sample.items) < len(made)  # a sample, not everything: the site stratum forced the annexe in


async def test_an_enrolment_names_one_of_the_programmes_sites(client, auth, world, session):
    from tests.programmes.fixtures import make_learner

    learner = await make_learner(session)
    other = await client.post(
        "/v1/enrolments",
        headers=auth("hoc"),
        json={
            "learner_id": str(learner.id),
            "programme_id": str(world.programme_id),
            "enrolled_on": "2025-09-08",
            "identity_checked": True,
            "site_id": str(world.site_ids[1]),
        },
    )
    assert other.status_code == 404 and other.json()["errors"][0]["field"] == "body.site_id"
    single = await client.post(
        "/v1/enrolments",
        headers=auth("hoc"),
        json={
            "learner_id": str(learner.id),
            "programme_id": str(world.programme_id),
            "enrolled_on": "2025-09-08",
            "identity_checked": True,
        },
    )
    assert single.status_code == 201 and single.json()["site_id"] == str(world.site_ids[0])


async def test_coverage_counts_a_site_only_once_iv_has_touched_it(session, world):
    main, annexe = world.site_ids[0], await _second_site(session, world)
    brief, _ = await batch(session, world, [(ASSESSOR, "P")] * 3, sites=[main, main, annexe])
    await draws.draw_sample(session, as_staff(*IV), brief.id, schemas.SampleCreate(), seed_source=lambda: 1)
    report = await coverage.coverage(session, as_staff(*IV), world.programme_id)
    # Sampled but not yet verified does not count (coverage.py): both sites are still to be touched.
    assert set(report.untouched["site"]) == {str(main), str(annexe)}
