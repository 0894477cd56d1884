"""R-43 remedial actions are due in the centre's working days, by R-31's definition (term days)."""

from __future__ import annotations

import datetime as dt

import pytest

from app.core.errors import RuleViolation
from app.verification import records, schemas
from tests.verification.fixtures import ASSESSOR, IV, as_staff, batch


def disagreement(decision_id, verified_on: dt.date, *days: int) -> schemas.IvRecordCreate:
    return schemas.IvRecordCreate(
        decision_id=decision_id,
        outcome="disagree",
        verified_on=verified_on,
        feedback_to_assessor="The comparison is descriptive, not analytical.",
        actions=[
            schemas.RemedialActionCreate(description=f"Action {n}", due_in_working_days=n) for n in days
        ],
    )


async def test_r31_remedial_action_due_dates_pause_over_the_christmas_holiday(session, world):
    brief, made = await batch(session, world, [(ASSESSOR, "M")])
    # The world's 2025/26 autumn term runs 3 Sep - 19 Dec; verified on Fri 12 Dec 2025: 15-19 Dec are
    # five term days, then the spring term from Mon 5 Jan 2026.
    await records.record_iv(session, as_staff(*IV), disagreement(made[0].id, dt.date(2025, 12, 12), 5, 6))
    actions = await records.list_actions(session, as_staff(*IV), brief_id=brief.id)
    assert sorted(a.due_on for a in actions) == [dt.date(2025, 12, 19), dt.date(2026, 1, 5)]


async def test_r31_remedial_action_past_the_calendar_is_refused_naming_the_rule(session, world):
    _, made = await batch(session, world, [(ASSESSOR, "M")])
    # The world's calendar ends with the summer term on Fri 17 Jul 2026: four term days after Mon 13 Jul.
    with pytest.raises(RuleViolation) as refused:
        await records.record_iv(session, as_staff(*IV), disagreement(made[0].id, dt.date(2026, 7, 13), 4, 5))
    assert [(e.field, e.code) for e in refused.value.errors] == [
        ("body.actions.1.due_in_working_days", "R-31")
    ]
