"""Malpractice cases (R-70, R-71): opening (by the HoC or QN, or by the authenticity chain), what a case
concerns, its dated stages and closing. Reporting is app.malpractice.reporting, sanctions
app.malpractice.sanctions, and what release and certification read app.malpractice.holds.

Every change goes through the write path; the events carry no allegation and no person (events.py).
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.assessment.models import AssessmentDecision, EvidenceItem, Submission
from app.auth.principal import Principal
from app.calendars.service import centre_calendar
from app.centres.models import StaffMember
from app.core import clock
from app.core.calendar import working_days_between
from app.core.concurrency import IfMatch, check_version
from app.core.errors import (
    Conflict,
    FieldProblem,
    NotFound,
    RuleViolation,
    ValidationFailed,
    field_problem,
)
from app.core.ids import uuid7
from app.core.visibility import get_visible
from app.events.write import Change, recorded
from app.learners.models import Learner
from app.malpractice import events, repository, schemas
from app.malpractice.models import CaseLink, CaseStage, MalpracticeCase, Policy, Sanction
from app.malpractice.schemas import CaseStatus, StageKind, SubjectKind

DEFAULT_POLICY = schemas.PolicyWrite()


# ---- policy (R-72, R-73) -------------------------------------------------------------------------------


async def policy_of(session: AsyncSession, centre_id: uuid.UUID) -> schemas.PolicyWrite:
    row = await session.scalar(select(Policy).where(Policy.centre_id == centre_id))
    if row is None:
        return DEFAULT_POLICY
    return schemas.PolicyWrite(
        withhold_results=row.withhold_results, report_within_working_days=row.report_within_working_days
    )


def _own_centre(p: Principal, centre_id: uuid.UUID) -> None:
    if centre_id != p.centre_id:
        raise NotFound("No such centre.")


async def get_policy(session: AsyncSession, p: Principal, centre_id: uuid.UUID) -> schemas.Policy:
    _own_centre(p, centre_id)
    row = await session.scalar(select(Policy).where(Policy.centre_id == p.centre_id))
    if row is None:
        return schemas.Policy(**DEFAULT_POLICY.model_dump(), version=0)
    return schemas.Policy.model_validate(row)


async def put_policy(
    session: AsyncSession,
    p: Principal,
    centre_id: uuid.UUID,
    data: schemas.PolicyWrite,
    expected: int | IfMatch,
) -> schemas.Policy:
    _own_centre(p, centre_id)
    row = await session.scalar(select(Policy).where(Policy.centre_id == p.centre_id).with_for_update())
    if row is None:
        # The defaults are version 0 (getMalpracticePolicy's ETag): setting them is a change too.
        check_version(0, expected)
        row = Policy(id=uuid7(), centre_id=p.centre_id, updated_by=p.subject, **data.model_dump())
        session.add(row)
        await session.flush()
        out = schemas.Policy.model_validate(row)
        await recorded(
            session, p, Change.created(events.PolicyCreated(**dict(out)), "malpractice_policy", row.id)
        )
        return out
    check_version(row.version, expected)
    before = schemas.Policy.model_validate(row)
    if before.withhold_results == data.withhold_results and (
        before.report_within_working_days == data.report_within_working_days
    ):
        return before
    row.withhold_results, row.report_within_working_days = (
        data.withhold_results,
        data.report_within_working_days,
    )
    row.updated_by = p.subject
    await session.flush()
    after = schemas.Policy.model_validate(row)
    await recorded(
        session,
        p,
        Change.changed(events.PolicyUpdated(before=before, after=after), "malpractice_policy", row.id),
    )
    return after


# ---- reading ------------------------------------------------------------------------------------------


async def _is_investigator(session: AsyncSession, p: Principal, case: MalpracticeCase) -> bool:
    if not case.investigator_staff_ids:
        return False
    return (
        await session.scalar(
            select(StaffMember.id).where(
                StaffMember.centre_id == p.centre_id,
                StaffMember.idp_subject == p.subject,
                StaffMember.id.in_(case.investigator_staff_ids),
            )
        )
    ) is not None


async def report_overdue(session: AsyncSession, case: MalpracticeCase, today: dt.date | None = None) -> bool:
    """R-72: a case not closed and not reported more than the policy's working days after it was opened
    (not reporting is itself malpractice)."""
    if case.status is CaseStatus.closed or case.reported_on is not None:
        return False
    policy = await policy_of(session, case.centre_id)
    cal = await centre_calendar(session, case.centre_id)
    today = today or clock.today()
    if today <= case.opened_on:
        return False
    return working_days_between(cal, case.opened_on, today) > policy.report_within_working_days


async def case_out(session: AsyncSession, p: Principal, case: MalpracticeCase) -> schemas.Case:
    full = repository.case_wide(p) or await _is_investigator(session, p, case)
    stages = (
        await session.scalars(
            select(CaseStage)
            .where(CaseStage.case_id == case.id)
            .order_by(CaseStage.occurred_on, CaseStage.id)
        )
    ).all()
    told_outcome = any(s.kind is StageKind.told_of_outcome for s in stages)
    shown = [schemas.Stage.model_validate(s) for s in stages if full or s.kind in schemas.TOLD_STAGES]
    links: list[schemas.CaseLink] = []
    sanctions: list[schemas.Sanction] = []
    if full:
        links = [
            schemas.CaseLink.model_validate(link)
            for link in (
                await session.scalars(
                    select(CaseLink).where(CaseLink.case_id == case.id).order_by(CaseLink.id)
                )
            ).all()
        ]
    if full or told_outcome:
        sanctions = [
            schemas.Sanction.model_validate(s)
            for s in (
                await session.scalars(
                    select(Sanction).where(Sanction.case_id == case.id).order_by(Sanction.id)
                )
            ).all()
        ]
    return schemas.Case(
        id=case.id,
        subject_kind=case.subject_kind,
        learner_id=case.learner_id,
        staff_id=case.staff_id,
        case_type=case.case_type,
        allegation=case.allegation,
        raised_by=case.raised_by if full else None,
        status=case.status,
        opened_on=case.opened_on,
        withhold_results=case.withhold_results,
        investigator_staff_ids=list(case.investigator_staff_ids) if full else [],
        outcome_proven=case.outcome_proven if full or told_outcome else None,
        reported_on=case.reported_on if full else None,
        report_reference=case.report_reference if full else None,
        report_overdue=await report_overdue(session, case) if full else False,
        links=links,
        stages=shown,
        sanctions=sanctions,
        closed_on=case.closed_on,
        version=case.version,
    )


async def get_case_row(session: AsyncSession, p: Principal, case_id: uuid.UUID) -> MalpracticeCase:
    return await get_visible(session, repository.cases(p), MalpracticeCase, case_id, "malpractice case")


async def managed_case(
    session: AsyncSession, p: Principal, case_id: uuid.UUID, *, lock: bool = True
) -> MalpracticeCase:
    """A case `p` works on (HoC/QN, or named investigator), locked for the change; 404 otherwise, the
    same answer as for a case that does not exist."""
    stmt = repository.managed_cases(p).where(MalpracticeCase.id == case_id)
    case = await session.scalar(stmt.with_for_update(of=MalpracticeCase) if lock else stmt)
    if case is None:
        raise NotFound("No such malpractice case.")
    return case


async def get_case(session: AsyncSession, p: Principal, case_id: uuid.UUID) -> schemas.Case:
    return await case_out(session, p, await get_case_row(session, p, case_id))


async def list_cases(
    session: AsyncSession,
    p: Principal,
    status: CaseStatus | None = None,
    subject_kind: SubjectKind | None = None,
    learner_id: uuid.UUID | None = None,
    staff_id: uuid.UUID | None = None,
    report_overdue_only: bool | None = None,
) -> list[schemas.Case]:
    stmt = repository.cases(p)
    if status is not None:
        stmt = stmt.where(MalpracticeCase.status == status)
    if subject_kind is not None:
        stmt = stmt.where(MalpracticeCase.subject_kind == subject_kind)
    if learner_id is not None:
        stmt = stmt.where(MalpracticeCase.learner_id == learner_id)
    if staff_id is not None:
        stmt = stmt.where(MalpracticeCase.staff_id == staff_id)
    rows = (await session.scalars(stmt.order_by(MalpracticeCase.id))).all()
    out = [await case_out(session, p, r) for r in rows]
    if report_overdue_only is not None:
        out = [c for c in out if c.report_overdue == report_overdue_only]
    return out


# ---- opening ------------------------------------------------------------------------------------------


def _notice(event: type[events._CaseNotice], case: MalpracticeCase, **extra: object) -> events._CaseNotice:
    return event(id=case.id, subject_kind=case.subject_kind, status=case.status, on=clock.today(), **extra)


def _snapshot(case: MalpracticeCase) -> dict:
    """The audit's record of the case (the HoC and QN read the audit trail): everything but the links."""
    return {
        "id": str(case.id),
        "subject_kind": case.subject_kind.value,
        "learner_id": str(case.learner_id) if case.learner_id else None,
        "staff_id": str(case.staff_id) if case.staff_id else None,
        "case_type": case.case_type.value,
        "allegation": case.allegation,
        "raised_by": case.raised_by,
        "status": case.status.value,
        "opened_on": case.opened_on.isoformat(),
        "withhold_results": case.withhold_results,
        "investigator_staff_ids": [str(s) for s in case.investigator_staff_ids],
        "outcome_proven": case.outcome_proven,
        "reported_on": case.reported_on.isoformat() if case.reported_on else None,
        "report_reference": case.report_reference,
        "closed_on": case.closed_on.isoformat() if case.closed_on else None,
    }


async def _check_links(
    session: AsyncSession, p: Principal, links: list[schemas.LinkIn], field: str
) -> list[FieldProblem]:
    """R-70: what a case concerns exists in the centre (a claim is certification's: a kind and an id)."""
    tables: dict[schemas.LinkKind, type[Submission] | type[EvidenceItem] | type[AssessmentDecision]] = {
        schemas.LinkKind.submission: Submission,
        schemas.LinkKind.evidence: EvidenceItem,
        schemas.LinkKind.decision: AssessmentDecision,
    }
    problems = []
    for i, link in enumerate(links):
        table = tables.get(link.kind)
        if table is None:
            continue
        found = await session.scalar(
            select(table.id).where(table.id == link.target_id, table.centre_id == p.centre_id)
        )
        if found is None:
            problems.append(
                field_problem(f"{field}.{i}.target_id", "not_found", f"no such {link.kind.value}")
            )
    if len({(x.kind, x.target_id) for x in links}) != len(links):
        problems.append(field_problem(field, "duplicate", "a link is listed twice"))
    return problems


async def _add_links(session: AsyncSession, case: MalpracticeCase, links: list[schemas.LinkIn]) -> None:
    for link in links:
        session.add(
            CaseLink(
                id=uuid7(),
                centre_id=case.centre_id,
                case_id=case.id,
                kind=link.kind,
                target_id=link.target_id,
            )
        )


async def create_case(session: AsyncSession, p: Principal, data: schemas.CaseCreate) -> schemas.Case:
    """R-70: a draft case about a learner or a member of staff, with its type, the allegation in writing,
    who raised it and what it concerns. The HoC or QN then opens it (R-71)."""
    problems: list[FieldProblem] = []
    if data.subject_kind is SubjectKind.learner:
        if data.learner_id is None:
            problems.append(field_problem("body.learner_id", "required", "a learner case names the learner"))
        if data.staff_id is not None:
            problems.append(field_problem("body.staff_id", "R-70", "a learner case names no member of staff"))
        elif (
            data.learner_id is not None
            and await session.scalar(
                select(Learner.id).where(Learner.id == data.learner_id, Learner.centre_id == p.centre_id)
            )
            is None
        ):
            problems.append(field_problem("body.learner_id", "not_found", "no such learner in the centre"))
        if data.case_type not in schemas.LEARNER_TYPES:
            problems.append(field_problem("body.case_type", "R-70", "a type of staff malpractice"))
    else:
        if data.staff_id is None:
            problems.append(
                field_problem("body.staff_id", "required", "a staff case names the member of staff")
            )
        if data.learner_id is not None:
            problems.append(field_problem("body.learner_id", "R-70", "a staff case names no learner"))
        elif (
            data.staff_id is not None
            and await session.scalar(
                select(StaffMember.id).where(
                    StaffMember.id == data.staff_id, StaffMember.centre_id == p.centre_id
                )
            )
            is None
        ):
            problems.append(field_problem("body.staff_id", "not_found", "no such member of staff"))
        if data.case_type in schemas.LEARNER_TYPES:
            problems.append(field_problem("body.case_type", "R-70", "a type of learner malpractice"))
    problems += await _check_links(session, p, data.links, "body.links")
    if problems:
        raise ValidationFailed("The case cannot be opened as given.", errors=problems)
    return await case_out(session, p, await _create(session, p, data))


async def _create(session: AsyncSession, p: Principal, data: schemas.CaseCreate) -> MalpracticeCase:
    policy = await policy_of(session, p.centre_id)
    case = MalpracticeCase(
        id=uuid7(),
        centre_id=p.centre_id,
        subject_kind=data.subject_kind,
        learner_id=data.learner_id,
        staff_id=data.staff_id,
        case_type=data.case_type,
        allegation=data.allegation,
        raised_by=data.raised_by,
        status=CaseStatus.draft,
        opened_on=clock.today(),
        withhold_results=policy.withhold_results,
        investigator_staff_ids=[],
        recorded_by=p.subject,
    )
    session.add(case)
    await session.flush()
    await _add_links(session, case, data.links)
    await session.flush()
    after = {**_snapshot(case), "links": [link.model_dump(mode="json") for link in data.links]}
    await recorded(
        session, p, Change(_notice(events.CaseCreated, case), "malpractice_case", case.id, None, after)
    )
    return case


async def open_from_signal(
    session: AsyncSession,
    p: Principal,
    *,
    learner_id: uuid.UUID,
    case_type: schemas.CaseType,
    allegation: str,
    raised_by: str,
    links: list[schemas.LinkIn],
) -> uuid.UUID:
    """The authenticity chain's draft case (app.malpractice.hooks): the links already checked by the
    caller, which found them."""
    data = schemas.CaseCreate(
        subject_kind=SubjectKind.learner,
        learner_id=learner_id,
        case_type=case_type,
        allegation=allegation,
        raised_by=raised_by[:100],
        links=links,
    )
    return (await _create(session, p, data)).id


async def _staff_ids(
    session: AsyncSession, p: Principal, ids: list[uuid.UUID], field: str
) -> list[FieldProblem]:
    known = set(
        (
            await session.scalars(
                select(StaffMember.id).where(StaffMember.centre_id == p.centre_id, StaffMember.id.in_(ids))
            )
        ).all()
    )
    problems = [
        field_problem(f"{field}.{i}", "not_found", "no such member of staff")
        for i, s in enumerate(ids)
        if s not in known
    ]
    if len(set(ids)) != len(ids):
        problems.append(field_problem(field, "duplicate", "a member of staff is listed twice"))
    return problems


async def open_case(
    session: AsyncSession, p: Principal, case_id: uuid.UUID, data: schemas.CaseOpen, expected: int | IfMatch
) -> schemas.Case:
    """R-71: the HoC or QN confirms a draft case and names its investigators (never the person it
    concerns). R-73: a staff case flags that person's decisions for review, and so for the IV sample."""
    from app.verification.review_flags import flag_for_review
    from app.verification.schemas import ReviewCause

    case = await managed_case(session, p, case_id)
    check_version(case.version, expected)
    if case.status is not CaseStatus.draft:
        raise Conflict(
            f"A {case.status.value} case cannot be opened.",
            errors=[field_problem("status", "R-71", "not a draft")],
        )
    problems = await _staff_ids(session, p, data.investigator_staff_ids, "body.investigator_staff_ids")
    if case.staff_id is not None and case.staff_id in data.investigator_staff_ids:
        problems.append(
            field_problem("body.investigator_staff_ids", "R-71", "the person concerned cannot investigate")
        )
    if data.case_type is not None and (data.case_type in schemas.LEARNER_TYPES) != (
        case.subject_kind is SubjectKind.learner
    ):
        problems.append(field_problem("body.case_type", "R-70", "not a type for whom the case concerns"))
    if problems:
        raise ValidationFailed("The investigators cannot be named as given.", errors=problems)
    before = _snapshot(case)
    case.status, case.investigator_staff_ids = CaseStatus.open, list(data.investigator_staff_ids)
    case.case_type = data.case_type or case.case_type
    await session.flush()
    if case.staff_id is not None:
        decisions = (
            await session.scalars(
                select(AssessmentDecision.id).where(
                    AssessmentDecision.centre_id == p.centre_id,
                    AssessmentDecision.assessor_staff_id == case.staff_id,
                )
            )
        ).all()
    await recorded(
        session,
        p,
        Change(_notice(events.CaseOpened, case), "malpractice_case", case.id, before, _snapshot(case)),
    )
    if case.staff_id is not None:
        # The reason is what the IV reads in the sample's rationale: never the allegation.
        await flag_for_review(
            session,
            p,
            decisions,
            ReviewCause.malpractice,
            case.id,
            "R-73: the assessor's decisions are under review",
        )
    return await case_out(session, p, case)


async def add_link(
    session: AsyncSession, p: Principal, case_id: uuid.UUID, data: schemas.LinkIn
) -> schemas.Case:
    case = await managed_case(session, p, case_id)
    if case.status is CaseStatus.closed:
        raise Conflict("A closed case is not changed.", errors=[field_problem("status", "R-71", "closed")])
    if problems := await _check_links(session, p, [data], "body"):
        raise ValidationFailed(
            "The link cannot be added.",
            errors=[field_problem("body.target_id", pr.code, pr.message) for pr in problems],
        )
    exists_ = await session.scalar(
        select(CaseLink.id).where(
            CaseLink.case_id == case.id, CaseLink.kind == data.kind, CaseLink.target_id == data.target_id
        )
    )
    if exists_ is not None:
        raise Conflict(
            "The case is already linked to it.",
            errors=[field_problem("body.target_id", "duplicate", "already linked")],
        )
    link = CaseLink(
        id=uuid7(), centre_id=case.centre_id, case_id=case.id, kind=data.kind, target_id=data.target_id
    )
    session.add(link)
    await session.flush()
    await recorded(
        session,
        p,
        Change(
            _notice(events.CaseLinked, case),
            "malpractice_case",
            case.id,
            None,
            data.model_dump(mode="json"),
            action="malpractice_case.linked",
        ),
    )
    return await case_out(session, p, case)


# ---- stages (R-71) ------------------------------------------------------------------------------------

INVESTIGATOR_STAGES = frozenset({StageKind.investigation, StageKind.response})


async def record_stage(
    session: AsyncSession, p: Principal, case_id: uuid.UUID, data: schemas.StageCreate
) -> schemas.Case:
    """R-71, in order: told of the allegation and its consequences (with the date a response is due);
    the response; the investigation (a staff case only once reported, R-72); the outcome, proven or not,
    after the person had their chance to respond; told of the outcome and how to appeal."""
    case = await managed_case(session, p, case_id)
    if data.kind not in INVESTIGATOR_STAGES and not repository.case_wide(p):
        raise RuleViolation(
            "R-71: the HoC or QN records this stage.",
            errors=[field_problem("body.kind", "R-71", "not an investigator's stage")],
        )
    stages = (await session.scalars(select(CaseStage).where(CaseStage.case_id == case.id))).all()
    kinds = {s.kind for s in stages}
    told = [s for s in stages if s.kind is StageKind.told_of_allegation]
    problems: list[FieldProblem] = []
    today = clock.today()
    if case.status is not CaseStatus.open:
        problems.append(
            field_problem(
                "status", "R-71", f"the case is {case.status.value}: stages are recorded while it is open"
            )
        )
    if data.occurred_on > today:
        problems.append(
            field_problem("body.occurred_on", "in_future", "a stage is recorded once it happened")
        )
    if data.occurred_on < case.opened_on:
        problems.append(field_problem("body.occurred_on", "R-71", "before the case was opened"))
    if data.kind is StageKind.closed:
        problems.append(field_problem("body.kind", "R-71", "a case is closed with closeMalpracticeCase"))
    if (data.response_due_on is not None) != (data.kind is StageKind.told_of_allegation):
        problems.append(
            field_problem("body.response_due_on", "R-71", "given with told_of_allegation, and only then")
        )
    elif data.response_due_on is not None and data.response_due_on < data.occurred_on:
        problems.append(field_problem("body.response_due_on", "R-71", "before the person was told"))
    if (data.proven is not None) != (data.kind is StageKind.outcome):
        problems.append(field_problem("body.proven", "R-71", "given with outcome, and only then"))
    if data.kind is StageKind.response and not told:
        problems.append(field_problem("body.kind", "R-71", "the person has not been told of the allegation"))
    if (
        data.kind is StageKind.investigation
        and case.subject_kind is SubjectKind.staff
        and case.reported_on is None
    ):
        problems.append(
            field_problem(
                "body.kind", "R-72", "a staff case is reported to the awarding body before it is investigated"
            )
        )
    if data.kind is StageKind.outcome:
        if StageKind.outcome in kinds:
            problems.append(field_problem("body.kind", "R-71", "the outcome is already recorded"))
        if not told:
            problems.append(field_problem("body.kind", "R-71", "the person was never told of the allegation"))
        elif StageKind.response not in kinds and all(
            s.response_due_on is not None and data.occurred_on <= s.response_due_on for s in told
        ):
            problems.append(
                field_problem(
                    "body.occurred_on", "R-71", "before the response is due: the person may still respond"
                )
            )
    if data.kind is StageKind.told_of_outcome and StageKind.outcome not in kinds:
        problems.append(field_problem("body.kind", "R-71", "no outcome is recorded yet"))
    if problems:
        raise RuleViolation("R-71: the stage cannot be recorded.", errors=problems)
    await _add_stage(session, p, case, data)
    return await case_out(session, p, case)


async def _add_stage(
    session: AsyncSession, p: Principal, case: MalpracticeCase, data: schemas.StageCreate
) -> CaseStage:
    stage = CaseStage(
        id=uuid7(),
        centre_id=case.centre_id,
        case_id=case.id,
        kind=data.kind,
        occurred_on=data.occurred_on,
        note=data.note,
        response_due_on=data.response_due_on,
        proven=data.proven,
        recorded_by=p.subject,
    )
    session.add(stage)
    if data.kind is StageKind.outcome:
        case.outcome_proven = data.proven
    if data.kind is StageKind.closed:
        case.status, case.closed_on = CaseStatus.closed, data.occurred_on
    await session.flush()
    after = schemas.Stage.model_validate(stage).model_dump(mode="json")
    event = events.CaseClosed if data.kind is StageKind.closed else events.StageRecorded
    extra = {} if data.kind is StageKind.closed else {"stage": data.kind}
    await recorded(
        session,
        p,
        Change(_notice(event, case, **extra), "malpractice_case", case.id, None, after, action=event.type),
    )
    return stage


async def close_case(
    session: AsyncSession, p: Principal, case_id: uuid.UUID, data: schemas.CaseClose, expected: int | IfMatch
) -> schemas.Case:
    """R-71: a draft found to have no case to answer is closed at once; an open case once the person was
    told of the outcome and how to appeal."""
    case = await managed_case(session, p, case_id)
    check_version(case.version, expected)
    if not repository.case_wide(p):
        raise RuleViolation(
            "R-71: the HoC or QN closes a case.",
            errors=[field_problem("status", "R-71", "not closed by an investigator")],
        )
    if case.status is CaseStatus.closed:
        raise Conflict("The case is already closed.", errors=[field_problem("status", "R-71", "closed")])
    if case.status is CaseStatus.open:
        told = await session.scalar(
            select(CaseStage.id).where(
                CaseStage.case_id == case.id, CaseStage.kind == StageKind.told_of_outcome
            )
        )
        if told is None:
            raise RuleViolation(
                "R-71: the person is told of the outcome and how to appeal before the case is closed.",
                errors=[field_problem("stages", "R-71", "no told_of_outcome stage")],
            )
    await _add_stage(
        session,
        p,
        case,
        schemas.StageCreate(kind=StageKind.closed, occurred_on=clock.today(), note=data.reason),
    )
    return await case_out(session, p, case)
