"""R-50: the sample-size reference table, the proposed sample (every available grade and assessor),
its adjustment with a reason, the LIV's authenticity declaration, the QN's submission, further
requests that extend the same sample, and late answers."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from app.core import clock
from app.core.errors import (
    Forbidden,
    PreconditionFailed,
    PreconditionRequired,
    RuleViolation,
    ValidationFailed,
)
from app.events.models import OutboxEvent
from app.standards_verification import schemas, service
from app.standards_verification.sizes import SizeTable, units_required
from tests.standards_verification.fixtures import (
    LIV_P,
    PLAN,
    QN,
    as_staff,
    declared_and_submitted,
    released,
    sample,
)

TABLE = SizeTable()
S, E = schemas.Measure.standard, schemas.Measure.enhanced


@pytest.mark.parametrize(
    ("learners", "standard", "enhanced"),
    [
        (0, 0, 0),
        (5, 5, 5),
        (6, 6, 9),
        (25, 6, 9),
        (26, 9, 12),
        (100, 9, 12),
        (101, 12, 15),
        (200, 12, 15),
        (201, 24, 30),
        (300, 24, 30),
        (301, 36, 45),
    ],
)
def test_r50_reference_figures(learners, standard, enhanced):
    assert TABLE.required(S, learners) == standard
    assert TABLE.required(E, learners) == enhanced


@given(st.integers(0, 5000), st.integers(0, 5000))
def test_r50_sample_size_never_falls_as_the_cohort_grows_and_enhanced_asks_at_least_as_much(a, b):
    lo, hi = sorted((a, b))
    for measure in (S, E):
        assert TABLE.required(measure, lo) <= TABLE.required(measure, hi)
    assert TABLE.required(S, hi) <= TABLE.required(E, hi)
    assert units_required(E) == 2 and units_required(S) == 1


async def test_r50_the_reference_table_is_a_policy_setting(session, world):
    assert (await service.get_policy(session, QN)).version == 0
    changed = await service.put_policy(
        session, QN, schemas.SamplePolicyWrite(standard_sizes=[7, 9, 12]), None
    )
    assert changed.standard_sizes == [7, 9, 12] and changed.version == 1
    with pytest.raises(ValidationFailed):
        await service.put_policy(session, QN, schemas.SamplePolicyWrite(standard_sizes=[7, 9]), 1)
    with pytest.raises(PreconditionRequired):  # once set, a change names its version
        await service.put_policy(session, QN, schemas.SamplePolicyWrite(), None)
    with pytest.raises(PreconditionFailed):
        await service.put_policy(session, QN, schemas.SamplePolicyWrite(), 7)


async def test_r50_the_proposed_sample_covers_every_grade_and_assessor(session, world):
    _, _made = await released(session, world, PLAN)
    a, s = await sample(session, world)
    assert a.learner_count == 12 and a.required_sample_size == 6 and s.required_size == 6
    items = await service.list_items(session, QN, s.id)
    assert len(items) >= 6
    assert {i.grade for i in items} == {"D", "M", "P", "U"}
    assert len({i.assessor_staff_id for i in items}) == 2
    assert all(i.rationale for i in items)
    types = (await session.scalars(select(OutboxEvent.event_type))).all()
    assert "sv_sample.requested" in types and "sv_sample_item.added" in types


async def test_r50_the_liv_declares_authenticity_before_the_qn_submits(session, world):
    await released(session, world, PLAN[:4])
    _, s = await sample(session, world)
    with pytest.raises(RuleViolation) as refused:
        await service.submit_sample(session, QN, s.id)
    assert {e.code for e in refused.value.errors} == {"R-50"}
    items = await service.list_items(session, QN, s.id)
    with pytest.raises(Forbidden):  # the QN adjusts the sample but only the LIV declares
        await service.declare_authentic(session, QN, items[0].id)
    out = await declared_and_submitted(session, s.id)
    assert out.status is schemas.SampleStatus.submitted and not out.late
    assert all(r.answered_on == clock.today() for r in out.requests)


async def test_r50_adjusting_the_sample_takes_a_reason_and_stops_at_submission(session, world):
    brief, made = await released(session, world, PLAN[:8])
    _, s = await sample(session, world)
    items = await service.list_items(session, QN, s.id)
    sampled = {(i.learner_id, i.brief_id) for i in items}
    outside = next(d for d in made if (d.learner_id, brief.id) not in sampled)
    added = await service.add_item(
        session,
        LIV_P,
        s.id,
        schemas.SampleItemAdd(learner_id=outside.learner_id, brief_id=brief.id, reason="New site"),
    )
    assert added.rationale == "added: New site"
    await service.remove_item(session, QN, added.id, schemas.SampleItemRemove(reason="Duplicate evidence"))
    with pytest.raises(RuleViolation):  # nobody else's work, and only released work
        await service.add_item(
            session, QN, s.id, schemas.SampleItemAdd(learner_id=world.centre, brief_id=brief.id, reason="x")
        )
    await declared_and_submitted(session, s.id)
    with pytest.raises(RuleViolation):
        await service.add_item(
            session,
            QN,
            s.id,
            schemas.SampleItemAdd(learner_id=outside.learner_id, brief_id=brief.id, reason="late"),
        )


async def test_r50_further_requests_extend_the_same_sample_and_late_answers_are_flagged(session, world):
    await released(session, world, PLAN)
    _, s = await sample(session, world, due_in=-1)  # due yesterday: already late
    assert s.late and s.requests[0].late
    first = await declared_and_submitted(session, s.id)
    assert first.late  # answered after the due date
    today = clock.today()
    more = await service.further_request(
        session,
        QN,
        s.id,
        schemas.FurtherRequest(
            requested_on=today, due_on=today + dt.timedelta(days=3), count=3, grade="Merit"
        ),
    )
    assert more.id == s.id and more.status is schemas.SampleStatus.requested and len(more.requests) == 2
    added = [i for i in await service.list_items(session, QN, s.id) if i.request_id == more.requests[1].id]
    assert added and all(i.grade == "M" for i in added) and len(added) <= 3
    again = await declared_and_submitted(session, s.id)
    assert again.requests[1].late is False and again.requests[0].late is True


async def test_r50_dates_of_a_request_are_checked(session, world):
    from tests.standards_verification.fixtures import allocation

    a = await allocation(session, world)
    today = clock.today()
    with pytest.raises(ValidationFailed):
        await service.request_sample(
            session,
            QN,
            schemas.SampleCreate(
                allocation_id=a.id, source="qn", requested_on=today, due_on=today - dt.timedelta(days=1)
            ),
        )
    _ = as_staff
