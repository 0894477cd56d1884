"""Decisions (R-10, R-24..R-26), the R-25 release gate, resubmission (R-30, R-31, R-33), retake (R-32),
exam resits, and the views (learner record; cohort grid with a pinned statement count)."""

from __future__ import annotations

import datetime as dt

import pytest

from app.assessment import decisions, iv_gate, records, resubmissions, schemas, submissions
from app.core import calendar as cal
from app.core import clock as service_clock
from app.core.errors import Forbidden, NotFound, ProblemError, RuleViolation, ValidationFailed
from tests.assessment.fixtures import (
    ASSESSOR,
    GROUP_AB,
    GROUP_C,
    LIV,
    as_staff,
    content,
    issue,
    issued_brief,
    make_brief,
    registered_learner,
)
from tests.programmes.fixtures import make_learner, principal
from tests.statement_counting import own, statements_of


def lp(learner):
    return principal("learner", subject=learner.idp_subject)


async def handed_in(session, world, brief, learner, *, on=None):
    s = await submissions.create_submission(session, lp(learner), schemas.SubmissionCreate(brief_id=brief.id))
    await submissions.add_evidence_reference(
        session,
        lp(learner),
        s.id,
        schemas.EvidenceReferenceCreate(kind="reference", description="Report", reference="Portfolio p.1-12"),
    )
    return await submissions.hand_in(
        session,
        lp(learner),
        s.id,
        schemas.HandIn(
            declaration_signed=True, ai_used=False, declaration_signed_on=on or service_clock.today()
        ),
    )


# A Wednesday in the world's autumn term (tests/programmes/fixtures.py), weeks before it ends: the
# R-31 window of 10 working days fits inside the term.
IN_AUTUMN_TERM = dt.datetime(2025, 11, 12, 10, 0, tzinfo=dt.UTC)


async def decide(session, brief, submission, achieved=lambda code: True, **over):
    return await decisions.record_decision(
        session,
        as_staff(*ASSESSOR),
        schemas.DecisionCreate(submission_id=submission.id, **content(brief, achieved, **over)),
    )


@pytest.fixture
def iv_done(monkeypatch):
    """Stands in for the IV module (not built yet): the gate is the one function it will fill."""

    async def complete(session, brief, decision_ids=None):
        return iv_gate.IvGate(True)

    monkeypatch.setattr(iv_gate, "iv_complete_for_brief", complete)


async def released(session, decision):
    await decisions.submit_for_iv(session, as_staff(*ASSESSOR), decision.id)
    return await decisions.release(session, as_staff(*ASSESSOR), decision.id)


async def test_r10_and_only_the_programmes_assessor(session, world):
    brief = await issued_brief(session, world)
    learner = await registered_learner(session, world)
    s = await handed_in(session, world, brief, learner)
    from tests.programmes.fixtures import make_staff

    await make_staff(session, world.centre, "outsider", "assessor")
    # An assessor not on this programme does not even see the submission (object-level, repository).
    with pytest.raises(NotFound):
        await decisions.record_decision(
            session,
            as_staff("outsider", "assessor"),
            schemas.DecisionCreate(submission_id=s.id, **content(brief)),
        )
    # an enrolled but unregistered learner's work is not formally assessed.
    from app.programmes import enrolments
    from app.programmes import schemas as ps

    other = await make_learner(session, world.centre, idp_subject="unreg")
    await enrolments.create_enrolment(
        session,
        principal("hoc"),
        ps.EnrolmentCreate(
            learner_id=other.id,
            programme_id=world.programme_id,
            enrolled_on=dt.date(2025, 9, 8),
            identity_checked=True,
        ),
    )
    s2 = await handed_in(session, world, brief, other)
    with pytest.raises(RuleViolation) as exc:
        await decide(session, brief, s2)
    assert exc.value.errors[0].code == "R-10"


async def test_who_sees_the_work_and_who_may_decide_it(session, world):
    """The facts record_decision gathers in one statement answer as the separate reads did: staff who
    see the work but do not assess on its programme are refused (403), the same assessor's subject
    in another centre does not see it (404); the statement is shared by every caller of one role set
    (app/auth/statements.py), so each caller's own subject and centre decide."""
    from tests.conftest import CENTRE_B

    brief = await issued_brief(session, world)
    s = await handed_in(session, world, brief, await registered_learner(session, world))
    body = schemas.DecisionCreate(submission_id=s.id, **content(brief))
    for who in (
        as_staff("iv", "iv", "assessor"),
        as_staff("liv", "liv", "assessor"),
        as_staff("qn", "qn", "assessor"),
    ):
        with pytest.raises(Forbidden):
            await decisions.record_decision(session, who, body)
    with pytest.raises(NotFound):
        await decisions.record_decision(session, as_staff(*ASSESSOR, centre=CENTRE_B), body)
    d = await decisions.record_decision(session, as_staff(*ASSESSOR), body)
    assert d.current.criteria and d.assessor_staff_id is not None


async def test_versions_release_gate_and_learner_view(session, world):
    brief = await issued_brief(session, world)
    learner = await registered_learner(session, world)
    s = await handed_in(session, world, brief, learner)
    with pytest.raises(
        ValidationFailed
    ) as missing:  # every targeted criterion, with where when achieved
        await decisions.record_decision(
            session,
            as_staff(*ASSESSOR),
            schemas.DecisionCreate(
                submission_id=s.id, **{**content(brief), "criteria": content(brief)["criteria"][:2]}
            ),
        )
    assert {p.code for p in missing.value.errors} == {"R-24"}
    d = await decide(session, brief, s, achieved=lambda c: ".D" not in c)
    assert (d.status, d.current_version) == ("draft", 1)
    amended = await decisions.amend_decision(
        session,
        as_staff(*ASSESSOR),
        d.id,
        schemas.DecisionAmendment(**content(brief), reason="AB.D1 evidence found on p.9 at standardisation"),
        d.version,
    )
    assert amended.current_version == 2
    history = await decisions.list_versions(session, as_staff(*ASSESSOR), d.id)
    assert [(v.number, v.reason) for v in history] == [
        (1, None),
        (2, "AB.D1 evidence found on p.9 at standardisation"),
    ]
    assert [c.achieved for c in history[0].criteria if c.code == "AB.D1"] == [False]  # never overwritten
    # The learner never sees a draft.
    with pytest.raises(NotFound):
        await decisions.get_decision(session, lp(learner), d.id)
    await decisions.submit_for_iv(session, as_staff(*ASSESSOR), d.id)
    # no IV sample is drawn nor IV recorded yet, so release is refused, naming R-25.
    with pytest.raises(RuleViolation) as gate:
        await decisions.release(session, as_staff(*ASSESSOR), d.id)
    assert gate.value.errors[0].code == "R-25"
    record = await records.learner_record(session, lp(learner), learner.id, world.programme_id)
    assert record.released_only and record.units[0].grade is None


async def test_release_and_grades(session, world, iv_done):
    brief = await issued_brief(session, world)
    learner = await registered_learner(session, world)
    d = await released(session, await decide(session, brief, await handed_in(session, world, brief, learner)))
    assert d.status == "released"
    assert (await decisions.get_decision(session, lp(learner), d.id)).status == "released"
    record = await records.learner_record(session, lp(learner), learner.id, world.programme_id)
    # Only the AB group is assessed so far: the C Pass criteria are missing, so the unit is U.
    assert record.units[0].grade == "U"
    achieved = {c.code for c in record.units[0].criteria if c.status == "achieved"}
    assert achieved == {c for _, c in GROUP_AB}


async def test_late_work_is_never_capped_r23(session, world, iv_done):
    ab = await issued_brief(session, world, completion=dt.date(2025, 11, 14))
    c = await issued_brief(session, world, GROUP_C, completion=dt.date(2025, 12, 12))
    learner = await registered_learner(session, world)
    for brief in (ab, c):
        s = await handed_in(session, world, brief, learner)
        assert s.late is True
        await released(session, await decide(session, brief, s))
    record = await records.learner_record(session, principal("qn"), learner.id, world.programme_id)
    assert record.units[0].grade == "D" and record.qualification_grade == "D"


async def test_r30_names_every_failed_condition(session, world, iv_done):
    brief = await issued_brief(session, world)
    learner = await registered_learner(session, world)
    s = await handed_in(session, world, brief, learner)  # late: the deadline has passed
    d = await decide(
        session,
        brief,
        s,
        achieved=lambda c: c == "A.P1",
        authenticity_confirmed=False,
        can_improve_without_guidance=False,
    )
    body = schemas.ResubmissionCreate(result_received_on=dt.date(2025, 12, 1), reason="Can reach Pass")
    with pytest.raises(Forbidden):  # the LIV only, not the assessor (BTEC policy)
        await resubmissions.authorise(session, as_staff(*ASSESSOR), d.id, body)
    with pytest.raises(RuleViolation) as exc:
        await resubmissions.authorise(session, as_staff(*LIV), d.id, body)
    codes = {p.code for p in exc.value.errors}
    assert {
        "R-30.result_not_released",
        "R-30.deadline_missed",
        "R-30.cannot_improve_without_guidance",
        "R-30.not_authenticated",
    } <= codes


async def test_r30_r31_authorised_once_then_resubmitted(session, world, iv_done, clock):
    from app.calendars.service import centre_calendar

    clock.set(IN_AUTUMN_TERM)
    today = clock.today()
    brief = await issued_brief(session, world, completion=today + dt.timedelta(days=1))
    learner = await registered_learner(session, world)
    s = await handed_in(session, world, brief, learner)
    assert s.late is False
    d = await released(
        session, await decide(session, brief, s, achieved=lambda c: c not in ("B.P4", "AB.D1"))
    )
    auth = await resubmissions.authorise(
        session,
        as_staff(*LIV),
        d.id,
        schemas.ResubmissionCreate(result_received_on=today, reason="B.P4 can be met"),
    )
    expected = cal.resubmission_deadline(await centre_calendar(session, world.centre), today, 10)
    assert auth.deadline == expected.due and auth.within_term_time  # R-31, on the centre calendar
    assert cal.working_days_between(await centre_calendar(session, world.centre), today, auth.deadline) == 10
    with pytest.raises(RuleViolation) as again:
        await resubmissions.authorise(
            session,
            as_staff(*LIV),
            d.id,
            schemas.ResubmissionCreate(result_received_on=today, reason="again"),
        )
    assert "R-30.limit" in {p.code for p in again.value.errors}
    # The resubmission is a second submission with the resubmission's deadline; its decision counts.
    s2 = await handed_in(session, world, brief, learner)
    assert (s2.attempt_kind, s2.deadline) == ("resubmission", auth.deadline)
    d2 = await released(session, await decide(session, brief, s2))
    assert d2.attempt_kind == "resubmission"
    with pytest.raises(RuleViolation) as loop:  # never an iterative loop
        await resubmissions.authorise(
            session,
            as_staff(*LIV),
            d2.id,
            schemas.ResubmissionCreate(result_received_on=today, reason="again"),
        )
    assert "R-30.not_first_attempt" in {p.code for p in loop.value.errors}


async def test_r33_ocr_resubmission_by_the_assessor(session, world, iv_done, clock):
    """R-33: OCR's policy gives the resubmission to the assessor, at a date they set (no window)."""
    clock.set(IN_AUTUMN_TERM)
    today = clock.today()
    brief = await issued_brief(
        session,
        world,
        [],
        units=(3,),
        programme_id=world.other_programme_id,
        completion=today + dt.timedelta(days=1),
    )
    learner = await registered_learner(session, world, programme_id=world.other_programme_id)
    s = await handed_in(session, world, brief, learner)
    d = await decisions.record_decision(
        session,
        as_staff(*ASSESSOR),
        schemas.DecisionCreate(
            submission_id=s.id,
            criteria=[],
            unit_grades=[schemas.UnitGradeInput(unit_number=3, grade="U")],
            feedback="Not yet at Pass.",
            authenticity_confirmed=True,
            can_improve_without_guidance=True,
            assessed_on=today,
        ),
    )
    d = await released(session, d)
    with pytest.raises(Forbidden):
        await resubmissions.authorise(
            session, as_staff(*LIV), d.id, schemas.ResubmissionCreate(result_received_on=today, reason="x")
        )
    with pytest.raises(RuleViolation) as no_date:
        await resubmissions.authorise(
            session,
            as_staff(*ASSESSOR),
            d.id,
            schemas.ResubmissionCreate(result_received_on=today, reason="Reflect on feedback"),
        )
    assert {p.code for p in no_date.value.errors} == {"R-33"}
    auth = await resubmissions.authorise(
        session,
        as_staff(*ASSESSOR),
        d.id,
        schemas.ResubmissionCreate(
            result_received_on=today, reason="Reflect on feedback", deadline=today + dt.timedelta(days=14)
        ),
    )
    assert auth.authorised_role == "assessor"


# R-31 deadline properties: tests/assessment/test_r31_deadlines.py.


async def test_r32_retake_capped_where_the_qualification_says(session, world, iv_done, monkeypatch):
    import dataclasses

    from app.assignments import service as brief_service

    real = brief_service.qualification_of

    async def capped(
        session, qid
    ):  # the shipped award has no cap: exercise the policy as OCR-like data would
        q = await real(session, qid)
        return dataclasses.replace(q, policies=dataclasses.replace(q.policies, retake_capped_at_pass=True))

    for module in ("app.assignments.service", "app.assessment.resubmissions", "app.assessment.decisions"):
        monkeypatch.setattr(f"{module}.qualification_of", capped)
    from app.assessment import records as records_module

    real_by_id = records_module.parsed_by_id

    async def capped_by_id(session, ids):
        return {
            i: dataclasses.replace(q, policies=dataclasses.replace(q.policies, retake_capped_at_pass=True))
            for i, q in (await real_by_id(session, ids)).items()
        }

    monkeypatch.setattr("app.assessment.records.parsed_by_id", capped_by_id)
    c = await issued_brief(session, world, GROUP_C)
    ab = await issued_brief(session, world, GROUP_AB)
    learner = await registered_learner(session, world)
    await released(session, await decide(session, c, await handed_in(session, world, c, learner)))
    await released(
        session,
        await decide(
            session, ab, await handed_in(session, world, ab, learner), achieved=lambda code: code == "A.P1"
        ),
    )
    retake = await issue(
        session,
        await make_brief(session, world, GROUP_AB, retake_of_id=ab.id, scenario="A different business."),
    )
    s = await handed_in(session, world, retake, learner)
    assert s.attempt_kind == "retake"
    await released(session, await decide(session, retake, s))
    record = await records.learner_record(session, principal("qn"), learner.id, world.programme_id)
    assert record.units[0].grade == "P" and record.units[0].capped_at_pass  # D on the criteria, capped
    with pytest.raises(ProblemError):  # one retake only
        await submissions.create_submission(
            session, lp(learner), schemas.SubmissionCreate(brief_id=retake.id)
        )


async def test_exam_resits_limited_and_best_counts(session, world):
    learner = await registered_learner(session, world, programme_id=world.other_programme_id)
    eo = principal("exams_officer")
    first = await decisions.record_exam_result(
        session,
        eo,
        schemas.ExamResultCreate(
            learner_id=learner.id,
            qualification_id=world.diploma_id,
            unit_number=2,
            series="January 2026",
            grade="U",
        ),
    )
    resit = await decisions.record_exam_result(
        session,
        eo,
        schemas.ExamResultCreate(
            learner_id=learner.id,
            qualification_id=world.diploma_id,
            unit_number=2,
            series="June 2026",
            grade="M",
        ),
    )
    assert (first.sitting, resit.sitting) == (1, 2)
    with pytest.raises(RuleViolation):
        await decisions.record_exam_result(
            session,
            eo,
            schemas.ExamResultCreate(
                learner_id=learner.id,
                qualification_id=world.diploma_id,
                unit_number=2,
                series="Jan 2027",
                grade="D",
            ),
        )
    record = await records.learner_record(session, principal("qn"), learner.id, world.other_programme_id)
    assert next(u for u in record.units if u.unit_number == 2).grade == "M"


async def _grid_statements(session, client, auth, world, n):
    brief = await issued_brief(session, world, programme_id=world.programme_id)
    for i in range(n):
        learner = await registered_learner(session, world, n=i)
        s = await handed_in(session, world, brief, learner)
        await decide(session, brief, s, achieved=lambda c, i=i: i % 2 == 0 or ".P" in c)
    await session.commit()
    # Warm what a process reads once (the token's centre, app/auth/centres.py; the parsed
    # specification): the pin is the grid's own.
    grid = f"/v1/programmes/{world.programme_id}/tracking-grid"
    assert (await client.get(grid, headers=auth("qn"))).status_code == 200
    async with statements_of(session) as statements:
        r = await client.get(grid, headers=auth("qn"))
    assert r.status_code == 200, r.text
    assert len(r.json()["rows"]) == n and len(r.json()["columns"]) == 11
    return own(statements)


@pytest.mark.parametrize("n", [3, 30])
async def test_grid_statement_count_is_pinned(session, client, auth, world, n):
    statements = await _grid_statements(session, client, auth, world, n)
    # the programme with its cohort's enrolments; briefs and decisions (no exam results to read: the
    # award has no externally assessed unit)
    assert len(statements) == 2, statements


async def test_recording_a_decision_is_three_statements(session, client, auth, world):
    """Issue 18: a decision over HTTP is one statement gathering its facts (the visible submission, its
    brief, the caller's access to the programme, R-10), one inserting the decision and its version,
    and the write path's one for its audit row and outbox event: whatever the number of criteria."""
    brief = await issued_brief(session, world)
    handed = [
        await handed_in(session, world, brief, await registered_learner(session, world, n=i))
        for i in range(2)
    ]
    await session.commit()
    assessor = auth("assessor", subject="staff-assessor")

    def body(s):
        judged = content(brief)
        return {
            "submission_id": str(s.id),
            "feedback": judged["feedback"],
            "authenticity_confirmed": True,
            "assessed_on": str(judged["assessed_on"]),
            "criteria": [c.model_dump() for c in judged["criteria"]],
        }

    # The first warms what a process reads once: the token's centre, the parsed specification.
    r = await client.post("/v1/assessment-decisions", headers=assessor, json=body(handed[0]))
    assert r.status_code == 201, r.text
    async with statements_of(session) as sent:
        r = await client.post("/v1/assessment-decisions", headers=assessor, json=body(handed[1]))
    assert r.status_code == 201, r.text
    assert len(r.json()["current"]["criteria"]) == len(brief.criteria)
    statements = own(sent)
    assert len(statements) == 3, statements
    assert "record_changes" in statements[-1]


async def test_graphql_grid_nested_and_json(session, client, auth, world):
    await _grid_statements(session, client, auth, world, 3)
    r = await client.post(
        "/graphql",
        headers=auth("qn"),
        json={
            "query": """
      query($id: UUID!) { cohortTrackingGrid(programmeId: $id) {
        columns { code } rows { familyName statuses qualificationGrade } rowsJson } }""",
            "variables": {"id": str(world.programme_id)},
        },
    )
    body = r.json()
    assert "errors" not in body, body
    grid = body["data"]["cohortTrackingGrid"]
    assert len(grid["rows"]) == 3 and len(grid["rowsJson"]) == 3
    assert grid["rows"][0]["statuses"] == [s.upper() if False else s for s in grid["rows"][0]["statuses"]]
    assert len(grid["rowsJson"][0]["statuses"]) == 11


async def test_a_second_decision_on_a_submission_is_a_conflict_and_the_transaction_lives_on(session, world):
    """One decision per submission: the second is 409 naming body.submission_id (the insert's ON
    CONFLICT, no savepoint), and the request's transaction is still usable after it."""
    from app.core.errors import Conflict

    brief = await issued_brief(session, world)
    learner = await registered_learner(session, world)
    s = await handed_in(session, world, brief, learner)
    first = await decide(session, brief, s)
    with pytest.raises(Conflict) as exc:
        await decide(session, brief, s)
    assert exc.value.errors[0].field == "body.submission_id"
    assert (await decisions.get_decision(session, as_staff(*ASSESSOR), first.id)).current_version == 1


async def test_the_grid_reads_exam_results_where_a_unit_is_externally_assessed(session, world):
    """The grid skips the exam read only where no unit is external: on the diploma (unit 2 is
    externally assessed) an exam result is the learner's unit grade."""
    learner = await registered_learner(session, world, programme_id=world.other_programme_id)
    await decisions.record_exam_result(
        session,
        principal("exams_officer"),
        schemas.ExamResultCreate(
            learner_id=learner.id,
            qualification_id=world.diploma_id,
            unit_number=2,
            series="January 2026",
            grade="M",
        ),
    )
    grid = await records.cohort_grid(session, principal("qn"), world.other_programme_id)
    row = next(r for r in grid.rows if r.learner_id == learner.id)
    assert row.unit_grades["2"] == "M"
