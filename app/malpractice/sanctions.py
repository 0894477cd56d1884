"""R-74: sanctions and penalties. The awarding body's sanctions on the person are recorded when
received; the centre's penalties (004 §7) are applied through the service, each leaving the record
consistent; sanctions on the centre are recorded and read by certification (holds.centre_sanctions).

- cancel_assignment: the learner's decisions on the brief are voided, each as a new version with the
  case as its reason (app.assessment.voiding);
- cancel_unit: likewise every decision of theirs on a brief covering the unit of the qualification;
- repeat_assignment: the decisions on the brief are voided and a new attempt allowed (a resubmission
  authorisation with the new deadline, so the learner may hand the work in again);
- withdraw_qualification / withdraw_all: their enrolments on the qualification (or all) are withdrawn
  (R-12, reported to the awarding body by the enrolment's own event).
"""

from __future__ import annotations

import uuid

from sqlalchemy import any_, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.assessment import events as assessment_events
from app.assessment.models import AssessmentDecision, ResubmissionAuthorisation
from app.assessment.voiding import void_decisions
from app.assignments.models import AssignmentBrief
from app.auth.principal import Principal
from app.calendars.service import centre_calendar
from app.core import clock
from app.core.calendar import in_term_time
from app.core.errors import FieldProblem, RuleViolation, field_problem
from app.core.ids import uuid7
from app.events.write import Change, recorded
from app.malpractice import events, schemas, service
from app.malpractice.models import MalpracticeCase, Sanction
from app.malpractice.schemas import CENTRE_PENALTIES, CaseStatus, SanctionKind, SubjectKind
from app.programmes import enrolments
from app.programmes import schemas as programme_schemas
from app.programmes.models import Enrolment, Programme

_NEEDS = {
    SanctionKind.cancel_assignment: ("brief_id",),
    SanctionKind.repeat_assignment: ("brief_id", "repeat_deadline"),
    SanctionKind.cancel_unit: ("qualification_id", "unit_number"),
    SanctionKind.withdraw_qualification: ("qualification_id",),
}
_TARGETS = ("brief_id", "qualification_id", "unit_number", "repeat_deadline")


def _problems(case: MalpracticeCase, data: schemas.SanctionCreate) -> list[FieldProblem]:
    problems = []
    needs = _NEEDS.get(data.kind, ())
    for name in _TARGETS:
        given = getattr(data, name) is not None
        if name in needs and not given:
            problems.append(field_problem(f"body.{name}", "required", f"required for {data.kind.value}"))
        if given and name not in needs:
            problems.append(field_problem(f"body.{name}", "R-74", f"not part of {data.kind.value}"))
    if data.in_force_until is not None and data.kind not in schemas.ON_CENTRE:
        problems.append(field_problem("body.in_force_until", "R-74", "only for a sanction on the centre"))
    if data.in_force_until is not None and data.in_force_until < data.imposed_on:
        problems.append(field_problem("body.in_force_until", "R-74", "before it was imposed"))
    if data.imposed_on > clock.today():
        problems.append(field_problem("body.imposed_on", "in_future", "recorded once imposed"))
    if data.kind in CENTRE_PENALTIES:
        if case.subject_kind is not SubjectKind.learner:
            problems.append(field_problem("body.kind", "R-74", "the centre's penalties apply to a learner"))
        if case.outcome_proven is not True:
            problems.append(field_problem("body.kind", "R-74", "a penalty follows a proven outcome"))
    return problems


async def _learner_decisions(session: AsyncSession, case: MalpracticeCase, *where: object) -> list[uuid.UUID]:
    rows = await session.scalars(
        select(AssessmentDecision.id)
        .join(AssignmentBrief, AssignmentBrief.id == AssessmentDecision.brief_id)
        .where(AssessmentDecision.learner_id == case.learner_id, *where)  # type: ignore[arg-type]
        .order_by(AssessmentDecision.id)
    )
    return list(rows)


async def _allow_repeat(
    session: AsyncSession, p: Principal, case: MalpracticeCase, data: schemas.SanctionCreate
) -> None:
    """A new attempt at the brief: an authorisation the submission service reads (R-30's record)."""
    assert data.brief_id is not None and data.repeat_deadline is not None and case.learner_id is not None
    decision = await session.scalar(
        select(AssessmentDecision.id).where(
            AssessmentDecision.brief_id == data.brief_id, AssessmentDecision.learner_id == case.learner_id
        )
    )
    if decision is None:
        raise RuleViolation(
            "R-74: the learner has no decision on this assignment to repeat.",
            errors=[field_problem("body.brief_id", "R-74", "no decision of the learner on the brief")],
        )
    number = (
        await session.execute(
            select(func.coalesce(func.max(ResubmissionAuthorisation.number), 0)).where(
                ResubmissionAuthorisation.brief_id == data.brief_id,
                ResubmissionAuthorisation.learner_id == case.learner_id,
            )
        )
    ).scalar_one() + 1
    cal = await centre_calendar(session, p.centre_id)
    row = ResubmissionAuthorisation(
        id=uuid7(),
        centre_id=p.centre_id,
        brief_id=data.brief_id,
        learner_id=case.learner_id,
        decision_id=decision,
        number=number,
        result_received_on=data.imposed_on,
        deadline=data.repeat_deadline,
        within_term_time=in_term_time(cal, data.repeat_deadline),
        reason=f"R-74: repeat of the assignment, malpractice case {case.id}",
        authorised_by=p.subject,
        authorised_role=p.audit_role,
    )
    session.add(row)
    await session.flush()
    event = assessment_events.ResubmissionAuthorised.of(row)
    await recorded(session, p, Change.created(event, "resubmission_authorisation", row.id))


async def _withdraw(
    session: AsyncSession, p: Principal, case: MalpracticeCase, data: schemas.SanctionCreate
) -> None:
    stmt = select(Enrolment.id).where(
        Enrolment.learner_id == case.learner_id, Enrolment.status.in_(("enrolled", "registered"))
    )
    if data.qualification_id is not None:
        stmt = stmt.join(Programme, Programme.id == Enrolment.programme_id).where(
            Programme.qualification_id == data.qualification_id
        )
    reason = f"R-74: withdrawn by the centre's malpractice penalty (case {case.id})"
    for enrolment_id in (await session.scalars(stmt.order_by(Enrolment.id))).all():
        await enrolments.withdraw(
            session,
            p,
            enrolment_id,
            programme_schemas.Withdrawal(withdrawn_on=data.imposed_on, reason=reason),
        )


async def record_sanction(
    session: AsyncSession, p: Principal, case_id: uuid.UUID, data: schemas.SanctionCreate
) -> schemas.Case:
    case = await service.managed_case(session, p, case_id)
    problems = _problems(case, data)
    if case.status is CaseStatus.draft:
        problems.append(field_problem("status", "R-74", "a sanction follows an opened case"))
    if problems:
        raise RuleViolation("R-74: the sanction cannot be recorded as given.", errors=problems)
    reason = f"R-74: malpractice case {case.id} ({data.kind.value})"
    voided: list[uuid.UUID] = []
    if data.kind in (SanctionKind.cancel_assignment, SanctionKind.repeat_assignment):
        voided = await void_decisions(
            session,
            p,
            await _learner_decisions(session, case, AssessmentDecision.brief_id == data.brief_id),
            reason,
        )
    elif data.kind is SanctionKind.cancel_unit:
        ids = await _learner_decisions(
            session,
            case,
            AssignmentBrief.qualification_id == data.qualification_id,
            literal(data.unit_number) == any_(AssignmentBrief.unit_numbers),
        )
        voided = await void_decisions(session, p, ids, reason)
    if data.kind is SanctionKind.repeat_assignment:
        await _allow_repeat(session, p, case, data)
    if data.kind in (SanctionKind.withdraw_qualification, SanctionKind.withdraw_all):
        await _withdraw(session, p, case, data)
    row = Sanction(
        id=uuid7(),
        centre_id=case.centre_id,
        case_id=case.id,
        kind=data.kind,
        imposed_on=data.imposed_on,
        note=data.note,
        brief_id=data.brief_id,
        qualification_id=data.qualification_id,
        unit_number=data.unit_number,
        in_force_until=data.in_force_until,
        voided_decision_ids=voided,
        recorded_by=p.subject,
    )
    session.add(row)
    await session.flush()
    event = events.SanctionRecorded(id=row.id, case_id=case.id, kind=row.kind, imposed_on=row.imposed_on)
    after = schemas.Sanction.model_validate(row).model_dump(mode="json")
    await recorded(session, p, Change(event, "malpractice_sanction", row.id, None, after))
    return await service.case_out(session, p, case)
