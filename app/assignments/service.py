"""Assessment plans (R-20) and assignment briefs: criteria validated against the programme's
qualification version (R-01, R-06, R-32), internally verified before issue (R-21) by someone other
than the author (R-44). Transitions: draft -> submitted_for_iv -> verified | returned -> issued -> closed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from app.assignments import events, rules, schemas
from app.assignments import repository as repo
from app.assignments.models import (
    AssessmentPlanEntry,
    AssessmentPlanSignOff,
    AssignmentBrief,
    BriefVerification,
)
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.core import clock
from app.core.concurrency import IfMatch, check_version
from app.core.errors import (
    Conflict,
    NotFound,
    PreconditionFailed,
    RuleViolation,
    ValidationFailed,
    field_problem,
)
from app.core.ids import uuid7
from app.core.visibility import get_visible
from app.events.changes import create_recorded, update_recorded
from app.events.write import Change, recorded
from app.programmes.access import programme_access, require_on_programme, visible_programme
from app.programmes.errors import InvalidTransition
from app.programmes.models import Programme
from app.programmes.service import get_row as programme_row
from app.qualifications.models import QualificationVersion
from app.qualifications.service import parsed, parsed_if_known
from app.qualifications.structure import Qualification

AUTHORS = ("assessor", "programme_leader")
PLANNERS = ("programme_leader", "lead_internal_verifier")
VERIFIERS = ("internal_verifier", "lead_internal_verifier")


async def _programme(session: AsyncSession, p: Principal, programme_id: uuid.UUID) -> Programme:
    try:
        return await programme_row(session, p, programme_id)
    except NotFound as exc:
        raise NotFound(
            exc.detail,
            errors=[field_problem("body.programme_id", "not_found", "no such programme in the centre")],
        ) from exc


async def qualification_of(session: AsyncSession, qualification_id: uuid.UUID) -> Qualification:
    row = await session.get_one(QualificationVersion, qualification_id)
    return parsed(row)


async def known_qualification(session: AsyncSession, qualification_id: uuid.UUID) -> Qualification:
    """`qualification_of` without a read once this process has parsed the version (versions are
    immutable: app/qualifications/service.py `parsed`); for a caller that already knows the id exists
    (a brief's, held by its foreign key). The hot write paths use it (issue 18)."""
    known = parsed_if_known(qualification_id)
    return known if known is not None else await qualification_of(session, qualification_id)


# ---- assessment plan (R-20) ---------------------------------------------------------------------------


async def get_plan(session: AsyncSession, p: Principal, programme_id: uuid.UUID) -> schemas.AssessmentPlan:
    await visible_programme(session, p, programme_id, Scope.assignments_read)
    rows = (
        await session.scalars(
            repo.plan_entries(p)
            .where(AssessmentPlanEntry.programme_id == programme_id)
            .order_by(AssessmentPlanEntry.hand_out_date, AssessmentPlanEntry.id)
        )
    ).all()
    latest = await _latest_sign_off(session, programme_id)
    return schemas.AssessmentPlan(
        programme_id=programme_id,
        entries=[schemas.PlanEntry.model_validate(r) for r in rows],
        signed_off=latest is not None and latest.entries == _plan_state(rows),
        sign_off=_sign_off_out(latest) if latest else None,
    )


# ---- plan sign-off (R-20) -----------------------------------------------------------------------------


def _plan_state(entries: Iterable[AssessmentPlanEntry]) -> list[dict[str, Any]]:
    """What a sign-off names: every entry of the plan at its row version, in id order."""
    return [{"id": str(e.id), "version": e.version} for e in sorted(entries, key=lambda e: e.id)]


def _sign_off_out(row: AssessmentPlanSignOff) -> schemas.PlanSignOff:
    return schemas.PlanSignOff(
        id=row.id,
        programme_id=row.programme_id,
        entry_ids=[uuid.UUID(e["id"]) for e in row.entries],
        signed_off_by_staff_id=row.signed_off_by_staff_id,
        signed_off_at=row.signed_off_at,
    )


async def _latest_sign_off(session: AsyncSession, programme_id: uuid.UUID) -> AssessmentPlanSignOff | None:
    return await session.scalar(
        select(AssessmentPlanSignOff)
        .where(AssessmentPlanSignOff.programme_id == programme_id)
        .order_by(AssessmentPlanSignOff.signed_off_at.desc(), AssessmentPlanSignOff.id.desc())
        .limit(1)
    )


async def _current_entries(session: AsyncSession, programme_id: uuid.UUID) -> list[AssessmentPlanEntry]:
    return list(
        (
            await session.scalars(
                select(AssessmentPlanEntry).where(AssessmentPlanEntry.programme_id == programme_id)
            )
        ).all()
    )


async def plan_signed_off(session: AsyncSession, programme_id: uuid.UUID) -> bool:
    """R-20: the LIV's latest sign-off names the plan exactly as it is now."""
    latest = await _latest_sign_off(session, programme_id)
    return latest is not None and latest.entries == _plan_state(await _current_entries(session, programme_id))


async def sign_off_plan(
    session: AsyncSession, p: Principal, programme_id: uuid.UUID
) -> schemas.AssessmentPlan:
    """R-20: the programme's LIV (and only they) signs off the assessment plan as it stands. A plan
    changed since its last sign-off is signed again; one already signed as it is answers 409."""
    programme = await visible_programme(session, p, programme_id, Scope.assignments_read)
    liv = require_on_programme(
        await programme_access(session, p, programme), "lead_internal_verifier", what="sign off its plan"
    )
    # Lock the programme: a plan entry written concurrently must not slip in under the sign-off.
    await session.execute(select(Programme.id).where(Programme.id == programme.id).with_for_update())
    entries = await _current_entries(session, programme.id)
    if not entries:
        raise RuleViolation(
            "R-20: the assessment plan has no entries to sign off.",
            errors=[field_problem("programme_id", "R-20", "the plan is empty")],
        )
    state = _plan_state(entries)
    latest = await _latest_sign_off(session, programme.id)
    if latest is not None and latest.entries == state:
        raise Conflict("R-20: the assessment plan is already signed off as it stands.")
    row = AssessmentPlanSignOff(
        id=uuid7(),
        centre_id=p.centre_id,
        programme_id=programme.id,
        entries=state,
        signed_off_by_staff_id=liv,
        signed_off_by_subject=p.subject,
        signed_off_at=clock.now(),
    )
    session.add(row)
    await session.flush()
    event = events.PlanSignedOff.model_validate(_sign_off_out(row).model_dump(mode="json"))
    await recorded(session, p, Change.created(event, "assessment_plan_sign_off", row.id))
    return await get_plan(session, p, programme.id)


def _check_plan_units(q: Qualification, unit_numbers: list[int]) -> None:
    known = {u.number for u in q.units}
    problems = [
        field_problem(f"body.unit_numbers.{i}", "unknown_unit", f"{q.key} has no unit {n}")
        for i, n in enumerate(unit_numbers)
        if n not in known
    ]
    if problems:
        raise ValidationFailed("The plan names units the qualification does not have.", errors=problems)


def _check_plan_dates(hand_out_date: date, deadline: date) -> None:
    """R-20: a deadline on or after the hand-out date. A rule of the plan, not of the body's shape: the
    contract cannot state it, so it answers with its own code (and on create and update alike)."""
    if hand_out_date > deadline:
        raise ValidationFailed(
            "The deadline is before the hand-out date.",
            errors=[field_problem("body.deadline", "before_hand_out", "must not be before hand_out_date")],
        )


def _check_brief_dates(start_date: date, completion_date: date) -> None:
    """R-21: a brief's completion date on or after its start date (create and update alike)."""
    if start_date > completion_date:
        raise ValidationFailed(
            "The completion date is before the start date.",
            errors=[field_problem("body.completion_date", "before_start", "must not be before start_date")],
        )


async def get_plan_entry(session: AsyncSession, p: Principal, entry_id: uuid.UUID) -> AssessmentPlanEntry:
    """One entry of a programme's assessment plan (R-20), for those who read the programme's plan."""
    return await get_visible(
        session, repo.plan_entries(p), AssessmentPlanEntry, entry_id, "assessment plan entry"
    )


async def create_plan_entry(
    session: AsyncSession, p: Principal, data: schemas.PlanEntryCreate
) -> AssessmentPlanEntry:
    programme = await _programme(session, p, data.programme_id)
    require_on_programme(
        await programme_access(session, p, programme), *PLANNERS, *AUTHORS, what="plan its assessment"
    )
    _check_plan_dates(data.hand_out_date, data.deadline)
    _check_plan_units(await qualification_of(session, programme.qualification_id), data.unit_numbers)
    entry = AssessmentPlanEntry(centre_id=p.centre_id, **data.model_dump())
    return await create_recorded(session, p, entry, events.PlanEntryCreated, "assessment_plan_entry")


async def update_plan_entry(
    session: AsyncSession,
    p: Principal,
    entry_id: uuid.UUID,
    data: schemas.PlanEntryUpdate,
    expected_version: int | IfMatch,
) -> AssessmentPlanEntry:
    entry = await get_visible(
        session, repo.plan_entries(p), AssessmentPlanEntry, entry_id, "assessment plan entry"
    )
    programme = await programme_row(session, p, entry.programme_id)
    require_on_programme(
        await programme_access(session, p, programme), *PLANNERS, *AUTHORS, what="plan its assessment"
    )
    changes = data.model_dump(exclude_unset=True)
    _check_plan_dates(
        changes.get("hand_out_date", entry.hand_out_date), changes.get("deadline", entry.deadline)
    )
    return await update_recorded(
        session, p, entry, changes, expected_version, events.PlanEntryUpdated, "assessment_plan_entry"
    )


# ---- briefs -------------------------------------------------------------------------------------------


def brief_out(brief: AssignmentBrief) -> schemas.Brief:
    return schemas.Brief.model_validate(brief)


async def get_brief(
    session: AsyncSession, p: Principal, brief_id: uuid.UUID, scope: Scope = Scope.assignments_read
) -> AssignmentBrief:
    return await get_visible(session, repo.briefs(p, scope), AssignmentBrief, brief_id, "assignment brief")


async def list_briefs(
    session: AsyncSession,
    p: Principal,
    limit: int,
    cursor: str | None,
    *,
    programme_id: uuid.UUID | None = None,
    status: str | None = None,
) -> tuple[list[AssignmentBrief], str | None]:
    from app.core.pagination import paginate

    stmt = repo.briefs(p)
    if programme_id:
        stmt = stmt.where(AssignmentBrief.programme_id == programme_id)
    if status:
        stmt = stmt.where(AssignmentBrief.status == status)
    return await paginate(session, stmt, AssignmentBrief.id, limit, cursor)


def _other(b: AssignmentBrief) -> rules.OtherBrief:
    return rules.OtherBrief(
        b.id, b.retake_of_id is not None, tuple((c["unit_number"], c["code"]) for c in b.criteria)
    )


async def _validate(
    session: AsyncSession,
    p: Principal,
    programme: Programme,
    q: Qualification,
    unit_numbers: list[int],
    criteria: list[tuple[int, str]],
    retake_of_id: uuid.UUID | None,
    exclude: uuid.UUID | None = None,
) -> None:
    """R-06/R-32 against the programme's other briefs (locked: two briefs written at once must not
    both take the last assignment of a unit)."""
    await session.execute(select(Programme.id).where(Programme.id == programme.id).with_for_update())
    others = (
        await session.scalars(
            select(AssignmentBrief).where(
                AssignmentBrief.programme_id == programme.id,
                AssignmentBrief.id != (exclude or uuid.UUID(int=0)),
            )
        )
    ).all()
    original = None
    if retake_of_id is not None:
        original = next((o for o in others if o.id == retake_of_id), None)
        if original is None:
            raise NotFound(
                f"No brief {retake_of_id} on this programme.",
                errors=[
                    field_problem(
                        "body.retake_of_id", "not_found", "the brief retaken must be on the same programme"
                    )
                ],
            )
    problems = rules.check_brief(
        q,
        unit_numbers,
        criteria,
        [_other(o) for o in others],
        _other(original) if original else None,
        original.unit_numbers if original else (),
    )
    if problems:
        rule = next((pr.code for pr in problems if pr.code.startswith("R-")), None)
        cls = RuleViolation if rule else ValidationFailed
        raise cls(
            f"{rule + ': ' if rule else ''}the brief's units or criteria do not fit {q.key}.", errors=problems
        )


async def _check_plan_entry(
    session: AsyncSession, p: Principal, programme: Programme, plan_entry_id: uuid.UUID | None
) -> None:
    if plan_entry_id is None:
        return
    entry = await session.scalar(
        repo.plan_entries(p).where(
            AssessmentPlanEntry.id == plan_entry_id, AssessmentPlanEntry.programme_id == programme.id
        )
    )
    if entry is None:
        raise NotFound(
            f"No plan entry {plan_entry_id} on this programme.",
            errors=[
                field_problem(
                    "body.plan_entry_id", "not_found", "no such entry in the programme's assessment plan"
                )
            ],
        )


async def create_brief(session: AsyncSession, p: Principal, data: schemas.BriefCreate) -> AssignmentBrief:
    programme = await _programme(session, p, data.programme_id)
    author = require_on_programme(
        await programme_access(session, p, programme), *AUTHORS, what="write its assignment briefs"
    )
    _check_brief_dates(data.start_date, data.completion_date)
    await _check_plan_entry(session, p, programme, data.plan_entry_id)
    q = await qualification_of(session, programme.qualification_id)
    criteria = [(c.unit_number, c.code) for c in data.criteria]
    await _validate(session, p, programme, q, data.unit_numbers, criteria, data.retake_of_id)
    brief = AssignmentBrief(
        id=uuid7(),
        centre_id=p.centre_id,
        programme_id=programme.id,
        qualification_id=programme.qualification_id,
        plan_entry_id=data.plan_entry_id,
        retake_of_id=data.retake_of_id,
        title=data.title,
        unit_numbers=data.unit_numbers,
        criteria=[{"unit_number": n, "code": c} for n, c in criteria],
        scenario=data.scenario,
        ai_use_allowed=data.ai_use_allowed,
        start_date=data.start_date,
        completion_date=data.completion_date,
        status="draft",
        brief_version=1,
        author_staff_id=author,
        author_subject=p.subject,
    )
    return await create_recorded(session, p, brief, events.BriefCreated, "assignment_brief")


async def reuse_brief(
    session: AsyncSession, p: Principal, brief_id: uuid.UUID, data: schemas.BriefReuse
) -> AssignmentBrief:
    """R-21: every brief in use is verified each year. A brief reused in another programme (the next
    academic year's) is a new draft with the same text: its earlier verification does not carry over,
    so it is submitted for IV and verified again before it can be issued."""
    source = await get_brief(session, p, brief_id)
    programme = await _programme(session, p, data.programme_id)
    author = require_on_programme(
        await programme_access(session, p, programme), *AUTHORS, what="write its assignment briefs"
    )
    if programme.id == source.programme_id:
        raise ValidationFailed(
            "A brief is reused in another programme; on its own programme it is edited or retaken.",
            errors=[field_problem("body.programme_id", "same_programme", "the brief is already on it")],
        )
    if programme.qualification_id != source.qualification_id:
        raise RuleViolation(
            "R-21: a brief is reused only for the same qualification version it was written against.",
            errors=[field_problem("body.programme_id", "R-21", "another qualification version")],
        )
    _check_brief_dates(data.start_date, data.completion_date)
    await _check_plan_entry(session, p, programme, data.plan_entry_id)
    q = await qualification_of(session, programme.qualification_id)
    criteria = [(c["unit_number"], c["code"]) for c in source.criteria]
    await _validate(session, p, programme, q, source.unit_numbers, criteria, None)
    brief = AssignmentBrief(
        id=uuid7(),
        centre_id=p.centre_id,
        programme_id=programme.id,
        qualification_id=programme.qualification_id,
        plan_entry_id=data.plan_entry_id,
        retake_of_id=None,
        reused_from_id=source.id,
        title=source.title,
        unit_numbers=list(source.unit_numbers),
        criteria=[dict(c) for c in source.criteria],
        scenario=source.scenario,
        ai_use_allowed=source.ai_use_allowed,
        start_date=data.start_date,
        completion_date=data.completion_date,
        status="draft",
        brief_version=1,
        author_staff_id=author,
        author_subject=p.subject,
    )
    return await create_recorded(session, p, brief, events.BriefCreated, "assignment_brief")


async def update_brief(
    session: AsyncSession,
    p: Principal,
    brief_id: uuid.UUID,
    data: schemas.BriefUpdate,
    expected_version: int | IfMatch,
) -> AssignmentBrief:
    brief = await get_brief(session, p, brief_id)
    programme = await programme_row(session, p, brief.programme_id)
    require_on_programme(await programme_access(session, p, programme), *AUTHORS, what="edit its briefs")
    check_version(brief.version, expected_version)
    if brief.status not in ("draft", "returned"):
        raise InvalidTransition(
            "R-21",
            f"A {brief.status} brief is not edited: only a draft or a returned one; "
            "what IV verified is what learners get.",
        )
    changes = data.model_dump(exclude_unset=True)
    if data.criteria is not None:  # present: the schema refuses null
        changes["criteria"] = [{"unit_number": c.unit_number, "code": c.code} for c in data.criteria]
    if "unit_numbers" in changes or "criteria" in changes:
        q = await qualification_of(session, brief.qualification_id)
        criteria = [(c["unit_number"], c["code"]) for c in changes.get("criteria", brief.criteria)]
        await _validate(
            session,
            p,
            programme,
            q,
            changes.get("unit_numbers", brief.unit_numbers),
            criteria,
            brief.retake_of_id,
            exclude=brief.id,
        )
    _check_brief_dates(
        changes.get("start_date", brief.start_date), changes.get("completion_date", brief.completion_date)
    )
    return await update_recorded(
        session, p, brief, changes, expected_version, events.BriefUpdated, "assignment_brief"
    )


async def _transition(
    session: AsyncSession,
    p: Principal,
    brief: AssignmentBrief,
    action: str,
    changes: dict,
    extra: dict | None = None,
) -> AssignmentBrief:
    before = brief_out(brief).model_dump(mode="json")
    for name, value in changes.items():
        setattr(brief, name, value)
    try:
        await session.flush()
    except StaleDataError as exc:
        raise PreconditionFailed("The brief changed while this transition was made; read it again.") from exc
    after = brief_out(brief).model_dump(mode="json")
    event = events.BRIEF_TRANSITIONS[action].model_validate(
        {"before": before, "after": after, **(extra or {})}
    )
    await recorded(session, p, Change.changed(event, "assignment_brief", brief.id))
    return brief


def _require_status(brief: AssignmentBrief, rule: str, action: str, *allowed: str) -> None:
    if brief.status not in allowed:
        raise InvalidTransition(
            rule, f"A {brief.status} brief cannot be {action} (it must be {' or '.join(allowed)})."
        )


async def submit_for_iv(session: AsyncSession, p: Principal, brief_id: uuid.UUID) -> AssignmentBrief:
    brief = await get_brief(session, p, brief_id)
    programme = await programme_row(session, p, brief.programme_id)
    require_on_programme(
        await programme_access(session, p, programme), *AUTHORS, what="submit its briefs for IV"
    )
    _require_status(brief, "R-21", "submitted for IV", "draft", "returned")
    # A returned brief comes back as its next version: the verification record names the text it saw.
    version = brief.brief_version + (1 if brief.status == "returned" else 0)
    return await _transition(
        session, p, brief, "submitted_for_iv", {"status": "submitted_for_iv", "brief_version": version}
    )


def _checklist(answers: list[schemas.ChecklistAnswer]) -> dict[str, bool]:
    given = {a.question: a.answer for a in answers}
    problems = [
        field_problem(f"body.checklist.{i}", "unknown_question", "not a question of the brief checklist")
        for i, a in enumerate(answers)
        if a.question not in rules.BRIEF_CHECKLIST
    ]
    problems += [
        field_problem("body.checklist", "unanswered", f"answer {q!r}")
        for q in rules.BRIEF_CHECKLIST
        if q not in given
    ]
    if len(given) != len(answers):
        problems.append(field_problem("body.checklist", "duplicate_question", "answer each question once"))
    if problems:
        raise ValidationFailed("The IV checklist is incomplete or has unknown questions.", errors=problems)
    return {q: given[q] for q in rules.BRIEF_CHECKLIST}


async def _verifier(session: AsyncSession, p: Principal, brief: AssignmentBrief) -> uuid.UUID:
    programme = await programme_row(session, p, brief.programme_id)
    access = await programme_access(session, p, programme)
    staff_id = require_on_programme(access, *VERIFIERS, what="verify its briefs")
    if staff_id == brief.author_staff_id or p.subject == brief.author_subject:
        raise RuleViolation(
            "R-44: nobody verifies their own brief.",
            errors=[
                field_problem(
                    "verifier", "R-44", "the internal verifier must be someone other than the brief's author"
                )
            ],
        )
    return staff_id


async def _record_verification(
    session: AsyncSession,
    p: Principal,
    brief: AssignmentBrief,
    staff_id: uuid.UUID,
    outcome: str,
    checklist: dict[str, bool],
    comments: str | None,
) -> BriefVerification:
    row = BriefVerification(
        id=uuid7(),
        centre_id=p.centre_id,
        brief_id=brief.id,
        brief_version=brief.brief_version,
        outcome=outcome,
        checklist=checklist,
        comments=comments,
        verifier_staff_id=staff_id,
        verifier_subject=p.subject,
    )
    session.add(row)
    await session.flush()
    return row


async def verify_brief(
    session: AsyncSession, p: Principal, brief_id: uuid.UUID, data: schemas.BriefVerificationCreate
) -> AssignmentBrief:
    """R-21: fit for purpose, every checklist question answered yes; R-44: not by the author."""
    brief = await get_brief(session, p, brief_id)
    _require_status(brief, "R-21", "verified", "submitted_for_iv")
    staff_id = await _verifier(session, p, brief)
    checklist = _checklist(data.checklist)
    failed = [q for q, ok in checklist.items() if not ok]
    if failed:
        raise RuleViolation(
            "R-21: a brief is verified only when every checklist answer is yes; return it with "
            "comments instead.",
            errors=[field_problem(f"body.checklist.{q}", "R-21", "answered no") for q in failed],
        )
    v = await _record_verification(session, p, brief, staff_id, "verified", checklist, data.comments)
    return await _transition(
        session,
        p,
        brief,
        "verified",
        {"status": "verified"},
        {"verification": schemas.BriefVerification.model_validate(v).model_dump(mode="json")},
    )


async def return_brief(
    session: AsyncSession, p: Principal, brief_id: uuid.UUID, data: schemas.BriefReturn
) -> AssignmentBrief:
    brief = await get_brief(session, p, brief_id)
    _require_status(brief, "R-21", "returned", "submitted_for_iv")
    staff_id = await _verifier(session, p, brief)
    v = await _record_verification(
        session, p, brief, staff_id, "returned", _checklist(data.checklist), data.comments
    )
    return await _transition(
        session,
        p,
        brief,
        "returned",
        {"status": "returned"},
        {"verification": schemas.BriefVerification.model_validate(v).model_dump(mode="json")},
    )


async def issue_brief(session: AsyncSession, p: Principal, brief_id: uuid.UUID) -> AssignmentBrief:
    """R-21: issued only once verified fit for purpose, for the text being issued, by someone other than
    the author (R-44) — checked again from the verification record, not from the status alone."""
    brief = await get_brief(session, p, brief_id)
    programme = await programme_row(session, p, brief.programme_id)
    require_on_programme(await programme_access(session, p, programme), *AUTHORS, what="issue its briefs")
    _require_status(brief, "R-21", "issued", "verified")
    # a brief is issued only against an entry of the programme's assessment plan, and only once
    # the LIV has signed that plan off as it stands.
    if brief.plan_entry_id is None:
        raise RuleViolation(
            "R-20: a brief is issued only against an entry of the programme's assessment plan.",
            errors=[field_problem("plan_entry_id", "R-20", "the brief names no assessment plan entry")],
        )
    if not await plan_signed_off(session, brief.programme_id):
        raise RuleViolation(
            "R-20: the programme's assessment plan is not signed off by its LIV as it stands.",
            errors=[field_problem("assessment_plan", "R-20", "not signed off by the LIV")],
        )
    verified = await session.scalar(
        select(BriefVerification).where(
            BriefVerification.brief_id == brief.id,
            BriefVerification.brief_version == brief.brief_version,
            BriefVerification.outcome == "verified",
            BriefVerification.verifier_staff_id != brief.author_staff_id,
        )
    )
    if verified is None:
        raise RuleViolation(
            "R-21: the brief has no internal verification of this version by someone other than its author.",
            errors=[field_problem("status", "R-21", "not verified")],
        )
    return await _transition(session, p, brief, "issued", {"status": "issued", "issued_at": clock.now()})


async def close_brief(session: AsyncSession, p: Principal, brief_id: uuid.UUID) -> AssignmentBrief:
    brief = await get_brief(session, p, brief_id)
    programme = await programme_row(session, p, brief.programme_id)
    require_on_programme(
        await programme_access(session, p, programme), *AUTHORS, *PLANNERS, what="close its briefs"
    )
    _require_status(brief, "R-21", "closed", "issued")
    return await _transition(session, p, brief, "closed", {"status": "closed", "closed_at": clock.now()})


async def list_verifications(
    session: AsyncSession, p: Principal, brief_id: uuid.UUID
) -> list[BriefVerification]:
    await get_brief(session, p, brief_id)
    return list(
        (
            await session.scalars(
                repo.verifications(p)
                .where(BriefVerification.brief_id == brief_id)
                .order_by(BriefVerification.brief_version)
            )
        ).all()
    )


def checklist_questions() -> list[schemas.ChecklistQuestion]:
    return [schemas.ChecklistQuestion(question=q, text=t) for q, t in rules.BRIEF_CHECKLIST.items()]
