"""R-72: the HoC reports a case to the awarding body. The service renders the report from what it holds,
shaped on JCQ form M1 (a learner: suspected candidate malpractice) or M2(a)/M2(b) (a member of staff:
suspected centre staff malpractice, notification and report), as a PDF to read and sign, and records
when it was sent and under which reference. A staff case is reported before its investigation starts
(service.record_stage refuses the investigation until then)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.centres.models import Centre, StaffMember
from app.core import clock
from app.core.concurrency import IfMatch, check_version
from app.core.errors import Conflict, RuleViolation, field_problem
from app.events.write import Change, recorded, recorded_access
from app.learners.models import Learner
from app.malpractice import events, pdf, schemas, service
from app.malpractice.models import CaseLink, CaseStage, MalpracticeCase
from app.malpractice.schemas import CaseStatus, SubjectKind


async def record_report(
    session: AsyncSession, p: Principal, case_id: uuid.UUID, data: schemas.ReportSent, expected: int | IfMatch
) -> schemas.Case:
    case = await service.managed_case(session, p, case_id)
    check_version(case.version, expected)
    if case.reported_on is not None:
        raise Conflict(
            "The case was already reported.", errors=[field_problem("reported_on", "R-72", "reported")]
        )
    problems = []
    if case.status is not CaseStatus.open:
        problems.append(field_problem("status", "R-72", "a case is reported once the HoC has opened it"))
    if data.sent_on > clock.today():
        problems.append(field_problem("body.sent_on", "in_future", "recorded once sent"))
    if data.sent_on < case.opened_on:
        problems.append(field_problem("body.sent_on", "R-72", "before the case was opened"))
    if problems:
        raise RuleViolation("R-72: the report cannot be recorded.", errors=problems)
    before = service._snapshot(case)
    case.reported_on, case.report_reference = data.sent_on, data.reference
    await session.flush()
    await recorded(
        session,
        p,
        Change(
            service._notice(events.CaseReported, case),
            "malpractice_case",
            case.id,
            before,
            service._snapshot(case),
        ),
    )
    return await service.case_out(session, p, case)


async def report_lines(session: AsyncSession, case: MalpracticeCase) -> tuple[str, list[str]]:
    centre = await session.get_one(Centre, case.centre_id)
    if case.subject_kind is SubjectKind.learner:
        form = "JCQ M1 - Report of suspected candidate malpractice"
        learner = await session.get_one(Learner, case.learner_id)
        person = [
            f"Candidate name: {learner.given_name} {learner.family_name}",
            f"Candidate number: {learner.candidate_number or '-'}    ULN: {learner.uln or '-'}",
            f"Date of birth: {learner.date_of_birth.isoformat()}",
        ]
    else:
        form = "JCQ M2(a)/M2(b) - Notification and report of suspected centre staff malpractice"
        staff = await session.get_one(StaffMember, case.staff_id)
        person = [f"Member of staff: {staff.given_name} {staff.family_name}", f"Email: {staff.email or '-'}"]
    stages = (
        await session.scalars(
            select(CaseStage)
            .where(CaseStage.case_id == case.id)
            .order_by(CaseStage.occurred_on, CaseStage.id)
        )
    ).all()
    links = (
        await session.scalars(select(CaseLink).where(CaseLink.case_id == case.id).order_by(CaseLink.id))
    ).all()
    lines = [
        form,
        "",
        "Section A - Centre",
        f"Centre name: {centre.name}    Centre number: {centre.centre_number}",
        "",
        "Section B - Person concerned",
        *person,
        "",
        "Section C - Nature of the suspected malpractice",
        f"Type: {case.case_type.value.replace('_', ' ')}",
        f"Case opened: {case.opened_on.isoformat()}    Raised by: {case.raised_by}",
        "Allegation:",
        *case.allegation.splitlines(),
        "",
        "Material concerned:",
        *([f"- {link.kind.value} {link.target_id}" for link in links] or ["- none linked"]),
        "",
        "Section D - Stages (told of the allegation, response, investigation, outcome)",
    ]
    for s in stages:
        due = f" (response due {s.response_due_on.isoformat()})" if s.response_due_on else ""
        proven = "" if s.proven is None else (" - proven" if s.proven else " - not proven")
        lines += [
            f"{s.occurred_on.isoformat()} {s.kind.value.replace('_', ' ')}{due}{proven}:",
            *s.note.splitlines(),
        ]
    if not stages:
        lines.append("None recorded yet.")
    lines += [
        "",
        "Section E - Declaration by the head of centre",
        "I confirm that the information given in this report is accurate to the best of my knowledge.",
        "",
        "Signed: ____________________________________    Date: ______________",
        "Name (head of centre): ____________________________________",
        "",
        f"Case reference (centre): {case.id}",
        f"Awarding body reference: {case.report_reference or 'not yet sent'}",
    ]
    return form, lines


async def render_report(session: AsyncSession, p: Principal, case_id: uuid.UUID) -> bytes:
    """The report as a PDF (HoC): each rendering is on the audit record."""
    case = await service.managed_case(session, p, case_id, lock=False)
    title, lines = await report_lines(session, case)
    await recorded_access(session, p, events.ReportRendered(case_id=case.id), "malpractice_case", case.id)
    return pdf.render(title, lines)
