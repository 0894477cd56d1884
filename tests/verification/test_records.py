"""IV samples from the database (R-42), IV records with versions (R-43, R-26), R-44, remedial actions
due in working days, batch reassessment; and brief verification in the same IV record shape (R-21)."""

from __future__ import annotations

import datetime as dt

import pydantic
import pytest
from sqlalchemy import func, insert, select, text

from app.assessment import decisions
from app.assessment import schemas as aschemas
from app.audit.models import AuditEvent
from app.calendars.service import centre_calendar
from app.core import calendar as cal
from app.core.errors import Conflict, Forbidden, RuleViolation, ValidationFailed
from app.programmes.models import ProgrammeStaff
from app.verification import draws, records, schemas
from tests.verification.fixtures import ASSESSOR, IV, LEADER, LIV, as_staff, batch, content

VERIFIED_ON = dt.date(2025, 12, 18)  # a Thursday before the Christmas holiday


def iv_body(decision_id, outcome="agree", **over):
    return schemas.IvRecordCreate(
        decision_id=decision_id,
        outcome=outcome,
        verified_on=VERIFIED_ON,
        feedback_to_assessor="Judgements are accurate and well referenced.",
        **over,
    )


async def test_sample_covers_every_assessor_and_grade_and_is_reproducible(session, world):
    plan = [(ASSESSOR, g) for g in "PPPPPPPMMD"] + [(LEADER, g) for g in "PPPU"]
    brief, made = await batch(session, world, plan)
    sample = await draws.draw_sample(
        session, as_staff(*IV), brief.id, schemas.SampleCreate(), seed_source=lambda: 42
    )
    assert sample.population_size == len(made) and sample.seed == 42
    assert {i.assessor_staff_id for i in sample.items} == {world.assessor, world.leader}
    assert {i.grade for i in sample.items} == {"U", "P", "M", "D"}
    assert {i.site_id for i in sample.items} == {world.site_ids[0]}
    assert all(i.rationale for i in sample.items)
    for rate in sample.assessor_rates:  # 20% by default, rounded up, at least one
        assert rate.sampled >= -(-rate.population // 5)
    # Reproducible: the stored seed and the same inputs give the same sample (a redraw fixed to it).
    again = await draws.draw_sample(
        session,
        as_staff(*LIV),
        brief.id,
        schemas.SampleCreate(reason="Check that the stored seed reproduces the draw."),
        seed_source=lambda: sample.seed,
    )
    assert again.id != sample.id and again.inputs_digest == sample.inputs_digest
    assert [i.decision_id for i in again.items] == [i.decision_id for i in sample.items]
    assert (await draws.official_sample(session, as_staff(*IV), brief.id)).id == again.id


async def test_new_assessor_sampled_in_full_by_the_iv_plan(session, world):
    from app.verification import plans

    await plans.put_plan(
        session,
        as_staff(*LIV),
        world.programme_id,
        schemas.IvPlanWrite(new_assessor_ids=[world.leader]),
        None,
    )
    brief, made = await batch(session, world, [(ASSESSOR, "P")] * 10 + [(LEADER, "P")] * 4)
    sample = await draws.draw_sample(
        session, as_staff(*IV), brief.id, schemas.SampleCreate(), seed_source=lambda: 7
    )
    leaders = {d.id for d in made[10:]}
    assert leaders <= {i.decision_id for i in sample.items}
    rates = {r.assessor_staff_id: r for r in sample.assessor_rates}
    assert rates[world.leader].why == "new assessor" and rates[world.assessor].sampled == 2


async def test_only_the_programmes_verifiers_sample_and_verify(session, world):
    brief, (d,) = await batch(session, world, [(ASSESSOR, "P")])
    with pytest.raises(Forbidden):
        await draws.draw_sample(session, as_staff(*ASSESSOR), brief.id, schemas.SampleCreate())
    with pytest.raises(Forbidden):
        await records.record_iv(session, as_staff(*LEADER), iv_body(d.id))


async def test_r44_nobody_verifies_their_own_decision(session, world):
    # The IV is also an assessor on the programme, and assessed this learner's work.
    await session.execute(
        insert(ProgrammeStaff).values(
            programme_id=world.programme_id, role="assessor", staff_id=world.iv, centre_id=world.centre
        )
    )
    _brief, (d,) = await batch(session, world, [(("iv", "assessor", "iv"), "P")])
    with pytest.raises(RuleViolation) as exc:
        await records.record_iv(session, as_staff("iv", "iv", "assessor"), iv_body(d.id))
    assert exc.value.errors[0].code == "R-44"
    # Someone else may.
    r = await records.record_iv(session, as_staff(*LIV), iv_body(d.id))
    assert r.outcome == "agree" and r.current.verifier_staff_id == world.liv


async def test_disagreement_versions_actions_in_working_days_and_batch_reassessment(session, world):
    brief, made = await batch(
        session, world, [(ASSESSOR, "M"), (ASSESSOR, "P"), (ASSESSOR, "D"), (LEADER, "P")]
    )
    target = made[0]
    with pytest.raises(ValidationFailed):  # only a disagreement triggers reassessment
        await records.record_iv(session, as_staff(*IV), iv_body(target.id, reassess_batch=True))
    r = await records.record_iv(
        session,
        as_staff(*IV),
        iv_body(
            target.id,
            "disagree",
            reassess_batch=True,
            criteria_comments=[
                schemas.CriterionComment(
                    unit_number=1,
                    code="A.M1",
                    agree=False,
                    comment="The comparison is descriptive, not analytical.",
                )
            ],
            actions=[
                schemas.RemedialActionCreate(
                    description="Reassess the batch against A.M1 with the IV", due_in_working_days=5
                )
            ],
        ),
    )
    assert (r.outcome, r.current_version, r.current.reassess_batch) == ("disagree", 1, True)
    assert r.current.criteria_comments[0].code == "A.M1"
    with pytest.raises(Conflict):
        await records.record_iv(session, as_staff(*IV), iv_body(target.id))
    (action,) = await records.list_actions(session, as_staff(*IV), brief_id=brief.id)
    calendar = await centre_calendar(session, world.centre)
    assert action.due_on == cal.add_working_days(calendar, VERIFIED_ON, 5)
    # Fri 19 Dec ends the autumn term; the count resumes with the spring term on Mon 5 Jan 2026:
    # 5, 6, 7, 8 -> Thu 8 Jan. The Christmas holiday is not working days.
    assert action.due_on == dt.date(2026, 1, 8)
    assert action.owner_staff_id == world.assessor
    # The assessor's other decisions of this brief are flagged; the leader's are not.
    status = await records.iv_status(session, as_staff(*IV), brief.id)
    flagged = {str(d.id) for d in made[1:3]}
    assert (
        sum(any(f in reason and "reassessment" in reason for f in flagged) for reason in status.reasons) == 2
    )
    assert not any(str(made[3].id) in reason and "reassessment" in reason for reason in status.reasons)
    # A change is a new version with a reason; the first stays.
    with pytest.raises(pydantic.ValidationError):
        schemas.IvRecordAmendment(
            outcome="agree", verified_on=VERIFIED_ON, feedback_to_assessor="ok", reason=""
        )
    amended = await records.amend_iv(
        session,
        as_staff(*IV),
        r.id,
        schemas.IvRecordAmendment(
            outcome="disagree",
            verified_on=VERIFIED_ON,
            feedback_to_assessor="See A.M1 comments; also B.M2.",
            reason="Second look at B.M2",
        ),
        r.version,
    )
    assert amended.current_version == 2
    versions = await records.iv_record_versions(session, as_staff(*ASSESSOR), r.id)
    assert [(v.number, v.reason) for v in versions] == [(1, None), (2, "Second look at B.M2")]
    events = (
        await session.scalars(select(AuditEvent.action).where(AuditEvent.subject_id == str(r.id)))
    ).all()
    assert sorted(events) == ["iv_record.amended", "iv_record.created"]


async def test_iv_records_and_versions_are_insert_only_for_the_app_role(session, world):
    _brief, (d,) = await batch(session, world, [(ASSESSOR, "P")])
    await records.record_iv(session, as_staff(*IV), iv_body(d.id))
    role = (await session.execute(text("SELECT current_user"))).scalar()
    for table in ("iv_record_versions", "iv_samples", "iv_sample_items", "iv_reassessment_flags"):
        for verb in ("UPDATE", "DELETE"):
            allowed = (
                await session.execute(
                    text("SELECT has_table_privilege(:r, :t, :v)"), {"r": role, "t": table, "v": verb}
                )
            ).scalar()
            assert allowed is False, (table, verb)


async def test_brief_verification_in_the_same_record_shape(session, world):
    brief, (d,) = await batch(session, world, [(ASSESSOR, "P")])
    await records.record_iv(session, as_staff(*IV), iv_body(d.id))
    shown = await records.brief_iv_records(session, as_staff(*ASSESSOR), brief.id)
    assert [r.subject_kind for r in shown] == ["assignment_brief", "assessment_decision"]
    assert shown[0].outcome == "agree" and shown[0].current.checklist
    assert shown[0].assessor_staff_id == world.assessor  # the brief's author
    total = await session.scalar(select(func.count()).select_from(AuditEvent))
    assert total > 0
    _ = (aschemas, decisions, content, LIV)
