"""R-70..R-74: malpractice cases from the authenticity chain, confidentiality, stages, the JCQ report,
withholding on release and certification, the review flags of a staff case, sanctions and penalties."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select, update

from app.assessment import authenticity, decisions, iv_gate, submissions
from app.assessment import schemas as aschemas
from app.assessment.models import AssessmentDecision, DecisionVersion
from app.assignments.models import AssignmentBrief
from app.core.errors import NotFound, RuleViolation
from app.events.models import OutboxEvent
from app.malpractice import holds, reporting, sanctions, schemas, service
from app.malpractice.schemas import CaseStatus, StageKind
from app.verification.models import ReviewFlag
from tests.assessment.fixtures import ASSESSOR, IV, as_staff
from tests.assessment.test_declaration import _add_transcript, _open, hand_in
from tests.assessment.test_submissions import learner_p
from tests.programmes.fixtures import principal
from tests.verification.fixtures import batch

HOC = principal("hoc")
QN = principal("qn")
TODAY = dt.date(2025, 10, 15)  # the frozen clock's


async def _draft_from_concern(session, made):
    """A concern on the first learner's handed-in work (the assessor), returning the case id."""
    decision = made[0]
    d = await session.get(AssessmentDecision, decision.id)
    raised = await authenticity.raise_concern(
        session,
        as_staff(*ASSESSOR),
        d.submission_id,
        aschemas.AuthenticityConcern(concern="Style and vocabulary unlike the learner's class work."),
    )
    return d, raised.case_id


async def _open_case(session, world, case_id, investigators=None):
    case = await service.get_case(session, HOC, case_id)
    return await service.open_case(
        session,
        HOC,
        case_id,
        schemas.CaseOpen(investigator_staff_ids=investigators or [world.liv]),
        case.version,
    )


def _stage(kind, on=TODAY, **kw):
    return schemas.StageCreate(kind=kind, occurred_on=on, note=f"{kind.value} recorded.", **kw)


async def test_r70_an_authenticity_concern_opens_a_draft_case_linked_to_the_submission(session, world, clock):
    _, made = await batch(session, world, [(ASSESSOR, "P"), (ASSESSOR, "M")])
    d, case_id = await _draft_from_concern(session, made)
    case = await service.get_case(session, HOC, case_id)
    assert case.status is CaseStatus.draft and case.learner_id == d.learner_id
    assert case.case_type is schemas.CaseType.plagiarism
    assert {(link.kind, link.target_id) for link in case.links} == {
        (schemas.LinkKind.submission, d.submission_id),
        (schemas.LinkKind.decision, d.id),
    }
    # The MIS hears of it without the allegation and without whom it concerns.
    ev = (
        await session.scalars(select(OutboxEvent).where(OutboxEvent.event_type == "malpractice_case.created"))
    ).one()
    assert "Style" not in str(ev.payload) and str(d.learner_id) not in str(ev.payload)


async def test_r70_a_declared_ai_use_the_brief_does_not_allow_opens_an_ai_misuse_case(
    session, world, june, test_settings, tmp_path
):
    learner, s = await _open(session, world)
    await session.execute(
        update(AssignmentBrief).where(AssignmentBrief.id == s.brief_id).values(ai_use_allowed=False)
    )
    await _add_transcript(session, learner, s, test_settings, tmp_path)
    await session.flush()
    await submissions.hand_in(
        session,
        learner_p(learner),
        s.id,
        hand_in(ai_used=True, ai_tools="ChatGPT", ai_use="Wrote section 2."),
    )
    (case,) = await service.list_cases(session, HOC, learner_id=learner.id)
    assert case.case_type is schemas.CaseType.ai_misuse and "ChatGPT" in (case.allegation or "")
    assert (schemas.LinkKind.submission, s.id) in {(x.kind, x.target_id) for x in case.links}
    # R-73 (default policy): the learner's results are withheld from the moment the case exists.
    assert [w.case_id for w in await holds.results_withheld(session, learner.id)] == [case.id]


async def test_r70_a_case_is_confidential_404_to_everyone_else_until_the_person_is_told(
    session, world, clock
):
    _, made = await batch(session, world, [(ASSESSOR, "P")])
    d, case_id = await _draft_from_concern(session, made)
    learner = principal("learner", subject=await _subject(session, d.learner_id))
    for outsider in (as_staff(*ASSESSOR), as_staff(*IV), learner, principal("exams_officer")):
        with pytest.raises(NotFound):
            await service.get_case(session, outsider, case_id)
        assert await service.list_cases(session, outsider) == []
    assert (await service.get_case(session, QN, case_id)).allegation
    await _open_case(session, world, case_id)
    # A named investigator (the LIV) reads it; the IV still does not.
    assert (await service.get_case(session, as_staff("liv", "liv"), case_id)).links
    with pytest.raises(NotFound):
        await service.get_case(session, as_staff(*IV), case_id)
    await service.record_stage(
        session,
        HOC,
        case_id,
        _stage(StageKind.told_of_allegation, response_due_on=TODAY + dt.timedelta(days=7)),
    )
    seen = await service.get_case(session, learner, case_id)
    assert (
        seen.allegation and seen.links == [] and seen.investigator_staff_ids == [] and seen.raised_by is None
    )
    assert [s.kind for s in seen.stages] == [StageKind.told_of_allegation]


async def _subject(session, learner_id):
    from app.learners.models import Learner

    return (await session.get(Learner, learner_id)).idp_subject


async def test_r71_stages_in_order_and_r73_release_withholds_only_the_learner_in_the_case(
    session, world, clock
):
    brief, made = await batch(session, world, [(ASSESSOR, "P"), (ASSESSOR, "M")])
    d, case_id = await _draft_from_concern(session, made)
    held = await holds.release_holds(session, await session.get(AssignmentBrief, brief.id))
    assert list(held) == [d.id] and "malpractice" not in held[d.id][0].lower()
    assert d.id in await iv_gate.holds_of(session, await session.get(AssignmentBrief, brief.id))
    await _open_case(session, world, case_id)
    with pytest.raises(RuleViolation) as refused:
        await service.record_stage(session, HOC, case_id, _stage(StageKind.outcome, proven=True))
    assert "R-71" in {e.code for e in refused.value.errors}
    await service.record_stage(
        session,
        HOC,
        case_id,
        _stage(StageKind.told_of_allegation, response_due_on=TODAY + dt.timedelta(days=5)),
    )
    # The person may still respond: no outcome before the due date without a response.
    with pytest.raises(RuleViolation):
        await service.record_stage(session, HOC, case_id, _stage(StageKind.outcome, proven=True))
    await service.record_stage(session, as_staff("liv", "liv"), case_id, _stage(StageKind.response))
    await service.record_stage(session, as_staff("liv", "liv"), case_id, _stage(StageKind.investigation))
    case = await service.record_stage(session, HOC, case_id, _stage(StageKind.outcome, proven=False))
    with pytest.raises(RuleViolation):
        await service.close_case(session, HOC, case_id, schemas.CaseClose(reason="Not proven."), case.version)
    case = await service.record_stage(session, HOC, case_id, _stage(StageKind.told_of_outcome))
    case = await service.close_case(
        session, HOC, case_id, schemas.CaseClose(reason="Not proven."), case.version
    )
    assert case.status is CaseStatus.closed
    assert await holds.results_withheld(session, d.learner_id) == []
    stages = (
        await session.scalars(
            select(OutboxEvent.event_type).where(OutboxEvent.event_type.like("malpractice_case.%"))
        )
    ).all()
    assert stages.count("malpractice_case.stage_recorded") == 5 and "malpractice_case.closed" in stages


async def test_r73_no_withholding_when_the_centre_policy_says_so(session, world, clock):
    await service.put_policy(session, HOC, HOC.centre_id, schemas.PolicyWrite(withhold_results=False), 0)
    _, made = await batch(session, world, [(ASSESSOR, "P")])
    d, _ = await _draft_from_concern(session, made)
    assert await holds.results_withheld(session, d.learner_id) == []


async def test_r73_a_staff_case_flags_their_decisions_and_r72_is_reported_before_investigation(
    session, world, clock
):
    _, made = await batch(session, world, [(ASSESSOR, "P"), (ASSESSOR, "M")])
    case = await service.create_case(
        session,
        HOC,
        schemas.CaseCreate(
            subject_kind=schemas.SubjectKind.staff,
            staff_id=world.assessor,
            case_type=schemas.CaseType.invented_marks,
            allegation="Marks changed after IV without a new version.",
            raised_by="the LIV",
        ),
    )
    case = await _open_case(session, world, case.id)
    flagged = (
        await session.scalars(select(ReviewFlag.decision_id).where(ReviewFlag.cause_id == case.id))
    ).all()
    assert set(flagged) == {d.id for d in made}
    with pytest.raises(RuleViolation) as refused:
        await service.record_stage(session, HOC, case.id, _stage(StageKind.investigation))
    assert "R-72" in {e.code for e in refused.value.errors}
    pdf = await reporting.render_report(session, HOC, case.id)
    text = _pdf_text(pdf)
    assert "M2(a)/M2(b)" in text and "Marks changed after IV" in text and "Signed:" in text
    case = await reporting.record_report(
        session, HOC, case.id, schemas.ReportSent(sent_on=TODAY, reference="AB-2025-0042"), case.version
    )
    assert case.reported_on == TODAY and not case.report_overdue
    await service.record_stage(session, HOC, case.id, _stage(StageKind.investigation))


async def test_r72_a_case_open_without_a_report_past_the_working_days_is_flagged(session, world, clock):
    _, made = await batch(session, world, [(ASSESSOR, "P")])
    _, case_id = await _draft_from_concern(session, made)
    assert not (await service.get_case(session, HOC, case_id)).report_overdue
    clock.advance(dt.timedelta(days=14))  # more than 5 working days on
    assert (await service.get_case(session, HOC, case_id)).report_overdue
    assert [c.id for c in await service.list_cases(session, HOC, report_overdue_only=True)] == [case_id]


def _pdf_text(pdf: bytes) -> str:
    """Parse the PDF back: header, xref offsets pointing at their objects, and the text shown."""
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    start = int(re.search(rb"startxref\n(\d+)", pdf).group(1))
    assert pdf[start:].startswith(b"xref")
    count = int(re.search(rb"xref\n0 (\d+)", pdf).group(1))
    offsets = re.findall(rb"(\d{10}) 00000 n", pdf[start:])
    assert len(offsets) == count - 1
    for n, off in enumerate(offsets, start=1):
        assert pdf[int(off) :].startswith(b"%d 0 obj" % n)
    shown = re.findall(rb"\(((?:\\.|[^\\)])*)\) '", pdf)
    return "\n".join(s.decode("latin-1").replace("\\(", "(").replace("\\)", ")") for s in shown)


async def test_r74_cancelling_the_assignment_voids_its_decisions_and_centre_sanctions_are_read(
    session, world, clock
):
    brief, made = await batch(session, world, [(ASSESSOR, "P")])
    d, case_id = await _draft_from_concern(session, made)
    await _open_case(session, world, case_id)
    await service.record_stage(
        session, HOC, case_id, _stage(StageKind.told_of_allegation, response_due_on=TODAY)
    )
    await service.record_stage(session, HOC, case_id, _stage(StageKind.response))
    with pytest.raises(RuleViolation):  # a penalty follows a proven outcome
        await sanctions.record_sanction(
            session,
            HOC,
            case_id,
            schemas.SanctionCreate(
                kind=schemas.SanctionKind.cancel_assignment, imposed_on=TODAY, note="x", brief_id=brief.id
            ),
        )
    await service.record_stage(session, HOC, case_id, _stage(StageKind.outcome, proven=True))
    case = await sanctions.record_sanction(
        session,
        HOC,
        case_id,
        schemas.SanctionCreate(
            kind=schemas.SanctionKind.cancel_assignment,
            imposed_on=TODAY,
            note="Work cancelled.",
            brief_id=brief.id,
        ),
    )
    assert case.sanctions[0].voided_decision_ids == [d.id]
    row = await session.get(AssessmentDecision, d.id)
    await session.refresh(row)
    v = await session.get(DecisionVersion, (d.id, row.current_version))
    assert row.current_version == 2 and row.released_version == 2 and str(case_id) in v.reason
    assert not any(c["achieved"] for c in v.criteria)
    out = await decisions.get_decision(session, as_staff(*ASSESSOR), d.id)
    assert out.status == "released"
    await sanctions.record_sanction(
        session,
        HOC,
        case_id,
        schemas.SanctionCreate(
            kind=schemas.SanctionKind.improvement_plan,
            imposed_on=TODAY,
            note="Centre improvement plan for authentication.",
            in_force_until=TODAY + dt.timedelta(days=90),
        ),
    )
    (s,) = await holds.centre_sanctions(session, world.centre)
    assert (s.case_id, s.kind) == (case_id, "improvement_plan")
    clock.advance(dt.timedelta(days=91))
    assert await holds.centre_sanctions(session, world.centre) == []
