"""R-97: the real run deletes every kind the dry-run says goes (assessment and IV records, appeal records,
employer-involvement records), erases their audit payloads, keeps the chain verifiable, and never
deletes what is held or not yet due. Dates from the injectable clock."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from app.audit.service import verify
from app.core.ids import uuid7
from app.employers import schemas as employer_schemas
from app.employers import service as employers
from app.malpractice import schemas as malpractice_schemas
from app.malpractice import service as malpractice
from app.records import people, retention
from app.records.schemas import LegalHoldIn, RecordKind
from tests.programmes.fixtures import principal
from tests.records.test_retention import CERTIFIED, _appeals_closed, _at, _of
from tests.verification.fixtures import as_staff

DUE = retention.Period(years=3).after(CERTIFIED)  # assessment records: 3 years after certification
QN, HOC = principal("qn"), principal("hoc")


async def _count(session, table: str, where: str, **params) -> int:
    return int(
        (await session.execute(text(f"SELECT count(*) FROM {table} WHERE {where}"), params)).scalar_one()
    )


async def _payloads(session, subject_type: str, subject_id) -> list[tuple]:
    rows = await session.execute(
        text("SELECT before, after FROM audit_events WHERE subject_type = :t AND subject_id = :i"),
        {"t": subject_type, "i": str(subject_id)},
    )
    return [tuple(r) for r in rows]


async def test_r97_the_real_run_deletes_assessment_iv_and_appeal_records(session, world, certified, clock):
    mine, other, _ = world
    await _appeals_closed(session, mine, other)
    action_iv = (
        await session.execute(
            text("SELECT iv_record_id FROM iv_remedial_actions WHERE id = :i"), {"i": mine.action}
        )
    ).scalar_one()
    assert await _count(session, "iv_sample_items", "decision_id = :d", d=mine.decision) == 1
    assert await _payloads(session, "assessment_decision", mine.decision)
    clock.set(_at(DUE - dt.timedelta(days=1)))
    assert not _of(await retention.assess(session), RecordKind.assessment_records, mine.decision).goes
    clock.set(_at(DUE))
    verdicts = await retention.assess(session)
    assert _of(verdicts, RecordKind.assessment_records, mine.decision).goes
    assert _of(verdicts, RecordKind.appeal_records, mine.appeal).goes  # closed 2025-12-20, 18 months
    assert not _of(verdicts, RecordKind.assessment_records, other.decision).goes  # not certified

    purges = await retention.purge(session, verdicts)
    by_kind = {p.counts.kind: p.counts for p in purges}
    assert by_kind[RecordKind.assessment_records].rows >= 3  # the decision, its version, its IV record...
    assert by_kind[RecordKind.assessment_records].audit_events_erased >= 1
    assert by_kind[RecordKind.appeal_records].rows >= 2  # the appeal and its stage
    d = mine.decision
    assert await _count(session, "assessment_decisions", "id = :d", d=d) == 0
    assert await _count(session, "assessment_decision_versions", "decision_id = :d", d=d) == 0
    assert await _count(session, "iv_records", "decision_id = :d", d=d) == 0
    assert await _count(session, "iv_record_versions", "record_id = :r", r=mine.iv_record) == 0
    assert await _count(session, "iv_sample_items", "decision_id = :d", d=d) == 0
    assert await _count(session, "resubmission_authorisations", "decision_id = :d", d=d) == 0
    if action_iv == mine.iv_record:
        assert await _count(session, "iv_remedial_actions", "id = :a", a=mine.action) == 0
    assert await _count(session, "appeals", "id = :a", a=mine.appeal) == 0
    assert await _count(session, "appeal_stages", "appeal_id = :a", a=mine.appeal) == 0
    # Not yet due: the other learner's records remain, with their payloads.
    assert await _count(session, "assessment_decisions", "id = :d", d=other.decision) == 1
    assert await _count(session, "iv_records", "id = :r", r=other.iv_record) == 1
    assert all(
        b is not None or a is not None
        for b, a in await _payloads(session, "assessment_decision", other.decision)
    )

    # The erased payloads cannot be read back; the chain still verifies; one purge event, counts only.
    for subject_type, subject_id in (
        ("assessment_decision", d),
        ("iv_record", mine.iv_record),
    ):
        rows = await _payloads(session, subject_type, subject_id)
        assert rows and all(b is None and a is None for b, a in rows), subject_type
    centre = purges[0].centre_id
    assert (await verify(session, centre)).ok
    events = (
        (
            await session.execute(
                text("SELECT after FROM audit_events WHERE action = 'records.purged' AND centre_id = :c"),
                {"c": centre},
            )
        )
        .scalars()
        .all()
    )
    kinds = sorted(e["kind"] for e in events)
    assert kinds.count("assessment_records") == 1 and kinds.count("appeal_records") == 1
    assert all(set(e) == {"kind", "rows", "files", "audit_events_erased"} for e in events)


async def test_r97_an_open_appeal_keeps_assessment_records(session, world, certified, clock):
    mine, _, _ = world  # the object world's appeal on the decision is open
    clock.set(_at(DUE))
    v = _of(await retention.assess(session), RecordKind.assessment_records, mine.decision)
    assert not v.goes and v.why == f"held: open appeal {mine.appeal}"
    await retention.purge(session, await retention.assess(session))
    assert await _count(session, "assessment_decisions", "id = :d", d=mine.decision) == 1
    assert await _count(session, "appeals", "id = :a", a=mine.appeal) == 1


async def test_r97_a_legal_hold_keeps_assessment_and_appeal_records(session, world, certified, clock):
    mine, other, _ = world
    await _appeals_closed(session, mine, other)
    hold = await people.set_legal_hold(session, QN, LegalHoldIn(learner_id=mine.learner, reason="Claim"))
    clock.set(_at(DUE))
    verdicts = await retention.assess(session)
    for kind, record_id in (
        (RecordKind.assessment_records, mine.decision),
        (RecordKind.appeal_records, mine.appeal),
    ):
        v = _of(verdicts, kind, record_id)
        assert not v.goes and v.why == "held: legal hold: Claim"
    await retention.purge(session, verdicts)
    assert await _count(session, "assessment_decisions", "id = :d", d=mine.decision) == 1
    assert await _count(session, "appeals", "id = :a", a=mine.appeal) == 1
    await people.release_legal_hold(session, QN, hold.id)
    assert _of(await retention.assess(session), RecordKind.assessment_records, mine.decision).goes


async def test_r97_an_open_malpractice_case_keeps_assessment_records(session, world, certified, clock):
    mine, other, _ = world
    await _appeals_closed(session, mine, other)
    await malpractice.create_case(
        session,
        HOC,
        malpractice_schemas.CaseCreate(
            subject_kind="learner",
            learner_id=mine.learner,
            case_type="plagiarism",
            allegation="Copied from a published source.",
            raised_by="assessor",
        ),
    )
    clock.set(_at(DUE))
    verdicts = await retention.assess(session)
    for kind, record_id in (
        (RecordKind.assessment_records, mine.decision),
        (RecordKind.appeal_records, mine.appeal),
    ):
        v = _of(verdicts, kind, record_id)
        assert not v.goes and v.why.startswith("held: malpractice: R-73")
    await retention.purge(session, verdicts)
    assert await _count(session, "assessment_decisions", "id = :d", d=mine.decision) == 1


async def test_r97_a_decision_whose_appeal_record_is_kept_is_kept_too(session, world, certified, clock):
    """The appeal refers to the decision: it is kept until the appeal record itself goes (FK-safe)."""
    mine, other, _ = world
    await _appeals_closed(session, mine, other)
    await session.execute(
        text("UPDATE appeals SET closed_on = :on WHERE id = :a"),
        {"on": DUE - dt.timedelta(days=30), "a": mine.appeal},
    )
    clock.set(_at(DUE))
    verdicts = await retention.assess(session)
    v = _of(verdicts, RecordKind.assessment_records, mine.decision)
    assert not v.goes and v.why == f"kept: appeal {mine.appeal} of it is kept"
    await retention.purge(session, verdicts)
    assert await _count(session, "assessment_decisions", "id = :d", d=mine.decision) == 1


PL = as_staff("leader", "programme_leader")


async def _involvement(session, world, mine, clock):
    """A plan for the world's programme, one confirmed activity the learner took part in, a declaration."""
    plan = await employers.create_plan(
        session,
        PL,
        employer_schemas.PlanCreate(
            programme_id=mine.programme,
            planned_on=dt.date(2025, 9, 10),
            summary="A project.",
        ),
    )
    employer = await employers.create_employer(
        session, HOC, employer_schemas.EmployerCreate(name="CallCo", sector="Customer service")
    )
    activity = await employers.create_activity(
        session,
        PL,
        employer_schemas.ActivityCreate(
            plan_id=plan.id,
            employer_id=employer.id,
            activity_type="industry_project",
            title="A brief set with CallCo",
            planned_on=dt.date(2025, 11, 5),
        ),
    )
    await employers.confirm_activity(
        session, PL, activity.id, employer_schemas.ActivityConfirm(confirmed_on=dt.date(2025, 10, 14))
    )
    clock.set(dt.datetime(2025, 11, 6, 10, tzinfo=dt.UTC))
    await employers.add_participants(
        session, PL, activity.id, employer_schemas.ParticipationAdd(learner_ids=[mine.learner])
    )
    await employers.declare(
        session,
        PL,
        plan.id,
        employer_schemas.DeclarationCreate(moderation_on=dt.date(2025, 11, 6), statement="As shown."),
    )
    return plan, activity, employer


async def test_r97_employer_involvement_goes_3_years_after_the_plans_last_event(session, world, clock):
    mine, other, _ = world
    plan, activity, employer = await _involvement(session, world, mine, clock)
    year_end = (
        await session.execute(
            text(
                "SELECT y.end_date FROM programmes p JOIN academic_years y ON y.id = p.academic_year_id "
                "WHERE p.id = :p"
            ),
            {"p": mine.programme},
        )
    ).scalar_one()
    ended = max(year_end, dt.date(2025, 11, 6))
    due = retention.Period(years=3).after(ended)
    clock.set(_at(due - dt.timedelta(days=1)))
    v = _of(await retention.assess(session), RecordKind.employer_involvement, plan.id)
    assert not v.goes and v.why.startswith(f"kept until {due}") and v.record.learners == (mine.learner,)

    clock.set(_at(due))
    v = _of(await retention.assess(session), RecordKind.employer_involvement, plan.id)
    assert not v.goes and v.why == f"held: open appeal {mine.appeal}"  # a participant's open appeal
    await _appeals_closed(session, mine, other)
    hold = await people.set_legal_hold(session, QN, LegalHoldIn(learner_id=mine.learner, reason="Claim"))
    v = _of(await retention.assess(session), RecordKind.employer_involvement, plan.id)
    assert not v.goes and v.why == "held: legal hold: Claim"
    await retention.purge(session, await retention.assess(session))
    assert await _count(session, "employer_involvement_plans", "id = :p", p=plan.id) == 1
    await people.release_legal_hold(session, QN, hold.id)

    verdicts = await retention.assess(session)
    assert _of(verdicts, RecordKind.employer_involvement, plan.id).goes
    purges = await retention.purge(session, verdicts)
    [counts] = [p.counts for p in purges if p.counts.kind == RecordKind.employer_involvement]
    assert counts.rows == 4  # the plan, its activity, the participation, the declaration
    assert await _count(session, "employer_involvement_plans", "id = :p", p=plan.id) == 0
    assert await _count(session, "employer_activities", "id = :a", a=activity.id) == 0
    assert await _count(session, "employer_activity_participants", "activity_id = :a", a=activity.id) == 0
    assert await _count(session, "employer_involvement_declarations", "plan_id = :p", p=plan.id) == 0
    assert (
        await _count(session, "employers", "id = :e", e=employer.id) == 1
    )  # the employer is not a record of it
    for subject_type, subject_id in (
        ("employer_involvement_plan", plan.id),
        ("employer_activity", activity.id),
    ):
        rows = await _payloads(session, subject_type, subject_id)
        assert rows and all(b is None and a is None for b, a in rows), subject_type
    assert (await verify(session, purges[0].centre_id)).ok


@pytest.mark.parametrize("kind", ["assessment_records", "appeal_records", "employer_involvement"])
async def test_r97_the_purge_function_is_the_only_way_these_rows_go(session, world, kind):
    """The application role cannot delete them itself; the function is what it may call."""
    from sqlalchemy.exc import DBAPIError

    mine, _, _ = world
    table = {"assessment_records": "assessment_decisions", "appeal_records": "appeals"}.get(
        kind, "employer_involvement_plans"
    )
    with pytest.raises(DBAPIError, match="permission denied"):
        async with session.begin_nested():
            await session.execute(text(f"DELETE FROM {table} WHERE centre_id = :c"), {"c": mine.programme})


async def test_r97_a_decision_whose_rpl_was_carried_to_a_kept_record_is_kept(
    session, world, certified, clock
):
    """RPL the decision assessed goes with it, unless a later programme's RPL was carried from it."""
    mine, other, _ = world
    await _appeals_closed(session, mine, other)
    insert = text(
        "INSERT INTO prior_learning (id, centre_id, learner_id, qualification_id, unit_number, description, "
        "status, recorded_by, decision_id, carried_from_id, version, created_at, updated_at) "
        "SELECT :id, centre_id, learner_id, :q, 1, 'A course', :status, 'test', :d, :src, 1, now(), now() "
        "FROM assessment_decisions WHERE id = :decision"
    )
    source, carried = uuid7(), uuid7()
    common = {"q": mine.qualification, "decision": mine.decision}
    await session.execute(
        insert, {"id": source, "status": "assessed", "d": mine.decision, "src": None, **common}
    )
    clock.set(_at(DUE))
    assert _of(await retention.assess(session), RecordKind.assessment_records, mine.decision).goes
    await session.execute(
        insert, {"id": carried, "status": "to_be_assessed", "d": None, "src": source, **common}
    )
    verdicts = await retention.assess(session)
    v = _of(verdicts, RecordKind.assessment_records, mine.decision)
    assert not v.goes and v.why == f"kept: prior learning {carried} carried from it is kept"
    await retention.purge(session, verdicts)  # FK-safe: nothing refers to a deleted row
    assert await _count(session, "prior_learning", "id = :i", i=source) == 1
