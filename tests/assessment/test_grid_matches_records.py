"""The cohort grid is graded as a cohort (unit outcomes shared between learners with the same attempts,
`grade_cohort` for the qualification, a plain tuple per criterion: issue 18). Each of its rows must
still say what that learner's own record says, cell by cell: on a varied cohort (nothing handed in,
one assignment judged, both, every mix of bands achieved, pending and released, a retake), the grid's
statuses, unit grades and qualification grade equal the learner record's, and its JSON is the
declared schema's."""

from __future__ import annotations

import pytest

from app.assessment import records, schemas
from tests.assessment.fixtures import GROUP_AB, GROUP_C, issue, issued_brief, make_brief, registered_learner
from tests.assessment.test_decisions import decide, handed_in, iv_done, released  # noqa: F401 (iv_done: a fixture)
from tests.programmes.fixtures import principal

PATTERNS = [
    lambda code: True,
    lambda code: ".P" in code,
    lambda code: ".D" not in code,
    lambda code: False,
    lambda code: code.endswith("P1"),
    lambda code: code != "A.P1",
]


@pytest.mark.usefixtures("iv_done")
async def test_every_grid_row_says_what_the_learners_record_says(session, client, auth, world):
    ab = await issued_brief(session, world, GROUP_AB)
    c = await issued_brief(session, world, GROUP_C)
    learners = []
    for i in range(14):
        learner = await registered_learner(session, world, n=i)
        learners.append(learner)
        if i % 7 == 6:
            continue  # nothing handed in: every criterion targeted
        d = await decide(session, ab, await handed_in(session, world, ab, learner), PATTERNS[i % 6])
        if i % 3 == 0:
            await released(session, d)
        if i % 2 == 0:
            dc = await decide(session, c, await handed_in(session, world, c, learner), PATTERNS[(i + 1) % 6])
            if i % 4 == 0:
                await released(session, dc)
    # Two learners with a retake of the first assignment (R-32: it counts with the other's criteria).
    retake = await issue(
        session,
        await make_brief(session, world, GROUP_AB, retake_of_id=ab.id, scenario="A different business."),
    )
    for learner in (learners[3], learners[9]):
        await released(
            session, await decide(session, retake, await handed_in(session, world, retake, learner))
        )
    await session.commit()

    r = await client.get(f"/v1/programmes/{world.programme_id}/tracking-grid", headers=auth("qn"))
    assert r.status_code == 200, r.text
    grid = schemas.CohortGrid.model_validate_json(r.content)  # the declared schema, exactly
    assert grid.model_dump(mode="json") == r.json()
    assert len(grid.rows) == 14
    keys = [(col.unit_number, col.code) for col in grid.columns]
    patterns = set()
    for row in grid.rows:
        record = await records.learner_record(session, principal("qn"), row.learner_id, world.programme_id)
        cells = {(u.unit_number, c.code): c.status for u in record.units for c in u.criteria}
        assert row.statuses == [cells[key] for key in keys]
        assert row.unit_grades == {str(u.unit_number): u.grade for u in record.units}
        assert row.qualification_grade == record.qualification_grade
        patterns.add((tuple(row.statuses), row.qualification_grade))
    assert len(patterns) >= 6  # the cohort is varied, not 14 copies of one row
