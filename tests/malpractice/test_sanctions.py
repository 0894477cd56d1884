"""R-74: the centre's penalties, applied through the service so the record stays consistent (a repeat
allows a new attempt, a withdrawal ends the enrolment, a cancelled unit voids its decisions), and what
the person concerned reads once told of the outcome."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.assessment import schemas as aschemas
from app.assessment import submissions
from app.assessment.models import AssessmentDecision
from app.core.errors import RuleViolation
from app.learners.models import Learner
from app.malpractice import sanctions, schemas, service
from app.malpractice.schemas import SanctionKind, StageKind
from app.programmes.models import Enrolment
from tests.assessment.fixtures import ASSESSOR
from tests.malpractice.test_cases import HOC, TODAY, _draft_from_concern, _open_case, _stage
from tests.programmes.fixtures import principal
from tests.verification.fixtures import batch


async def _proven(session, world):
    brief, made = await batch(session, world, [(ASSESSOR, "P")])
    d, case_id = await _draft_from_concern(session, made)
    await _open_case(session, world, case_id)
    await service.record_stage(
        session, HOC, case_id, _stage(StageKind.told_of_allegation, response_due_on=TODAY)
    )
    await service.record_stage(session, HOC, case_id, _stage(StageKind.response))
    await service.record_stage(session, HOC, case_id, _stage(StageKind.outcome, proven=True))
    return brief, d, case_id


def _sanction(kind, **kw):
    return schemas.SanctionCreate(kind=kind, imposed_on=TODAY, note=f"{kind.value}.", **kw)


async def test_r74_a_repeat_voids_the_work_and_allows_a_new_attempt(session, world, clock):
    brief, d, case_id = await _proven(session, world)
    learner = await session.get(Learner, d.learner_id)
    lp = principal("learner", subject=learner.idp_subject)
    with pytest.raises(RuleViolation) as refused:  # the deadline of the new attempt is part of it
        await sanctions.record_sanction(
            session, HOC, case_id, _sanction(SanctionKind.repeat_assignment, brief_id=brief.id)
        )
    assert {e.field for e in refused.value.errors} == {"body.repeat_deadline"}
    await sanctions.record_sanction(
        session,
        HOC,
        case_id,
        _sanction(
            SanctionKind.repeat_assignment, brief_id=brief.id, repeat_deadline=TODAY + dt.timedelta(days=21)
        ),
    )
    again = await submissions.create_submission(session, lp, aschemas.SubmissionCreate(brief_id=brief.id))
    assert again.attempt_kind == "resubmission" and again.deadline == TODAY + dt.timedelta(days=21)


async def test_r74_withdrawal_from_the_qualification_ends_the_enrolment(session, world, clock):
    brief, d, case_id = await _proven(session, world)
    await sanctions.record_sanction(
        session,
        HOC,
        case_id,
        _sanction(SanctionKind.withdraw_qualification, qualification_id=brief.qualification_id),
    )
    statuses = (
        await session.scalars(select(Enrolment.status).where(Enrolment.learner_id == d.learner_id))
    ).all()
    assert statuses == ["withdrawn"]


async def test_r74_cancelling_a_unit_voids_every_decision_on_it(session, world, clock):
    brief, d, case_id = await _proven(session, world)
    case = await sanctions.record_sanction(
        session,
        HOC,
        case_id,
        _sanction(
            SanctionKind.cancel_unit,
            qualification_id=brief.qualification_id,
            unit_number=brief.unit_numbers[0],
        ),
    )
    assert case.sanctions[0].voided_decision_ids == [d.id]
    row = await session.get(AssessmentDecision, d.id)
    await session.refresh(row)
    assert row.released_version == row.current_version == 2


async def test_r71_the_person_concerned_reads_the_outcome_and_sanctions_once_told(session, world, clock):
    _, d, case_id = await _proven(session, world)
    await sanctions.record_sanction(session, HOC, case_id, _sanction(SanctionKind.awarding_body_warning))
    learner = await session.get(Learner, d.learner_id)
    lp = principal("learner", subject=learner.idp_subject)
    before = await service.get_case(session, lp, case_id)
    assert before.outcome_proven is None and before.sanctions == []
    assert [s.kind for s in before.stages] == [StageKind.told_of_allegation, StageKind.response]
    await service.record_stage(session, HOC, case_id, _stage(StageKind.told_of_outcome))
    after = await service.get_case(session, lp, case_id)
    assert after.outcome_proven is True and [s.kind for s in after.sanctions] == [
        SanctionKind.awarding_body_warning
    ]
    assert StageKind.outcome not in [s.kind for s in after.stages]  # the reasons reach them as told
