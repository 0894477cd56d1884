"""IV samples (R-42), IV records of assessment decisions (R-43, R-44, R-26), remedial actions, batch
reassessment, and the state of a brief's IV that the release gate (R-25) reads.

Who: the programme's internal verifiers and its LIV draw samples and record IV; nobody verifies their
own decision (R-44) -- neither the staff member who is the decision's assessor nor the subject who
recorded its current version.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy import Select, SQLColumnExpression, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from app.assessment import repository as assessment_repo
from app.assessment.models import AssessmentDecision, DecisionVersion
from app.assignments.models import AssignmentBrief, BriefVerification
from app.assignments.service import get_brief
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.core import clock
from app.core.concurrency import IfMatch, check_version
from app.core.errors import Conflict, PreconditionFailed, RuleViolation, ValidationFailed, field_problem
from app.core.ids import uuid7
from app.core.visibility import get_visible
from app.events.write import Change, recorded
from app.programmes.access import on_reachable_programmes, programme_access, require_on_programme
from app.programmes.errors import InvalidTransition
from app.programmes.models import Programme
from app.verification import actions, arbitration, draws, events, repository, schemas
from app.verification.models import (
    IvRecord,
    IvRecordVersion,
    IvSample,
    IvSampleItem,
    ReassessmentFlag,
    RemedialAction,
)

VERIFIERS = ("internal_verifier", "lead_internal_verifier")


async def _programme(session: AsyncSession, programme_id: uuid.UUID) -> Programme:
    return await session.get_one(Programme, programme_id)


async def verifier_on(session: AsyncSession, p: Principal, programme: Programme, what: str) -> uuid.UUID:
    return require_on_programme(await programme_access(session, p, programme), *VERIFIERS, what=what)


T = TypeVar("T")


def _reached(stmt: Select[T], column: SQLColumnExpression[uuid.UUID], p: Principal) -> Select[T]:
    """R-98: IV is read on the programmes the caller reaches (an assessor's, an IV's...); else 404."""
    clause = on_reachable_programmes(column, p, Scope.verification_read)
    return stmt if clause is None else stmt.where(clause)


# ---- IV records (R-43, R-44, R-26) --------------------------------------------------------------------


def _version_out(v: IvRecordVersion) -> schemas.IvRecordVersion:
    return schemas.IvRecordVersion(
        number=v.number,
        outcome=v.outcome,
        decision_version=v.decision_version,
        criteria_comments=[schemas.CriterionCommentOut(**c) for c in v.criteria_comments],
        feedback_to_assessor=v.feedback_to_assessor,
        developmental_recommendations=v.developmental_recommendations,
        reassess_batch=v.reassess_batch,
        reason=v.reason,
        verifier_staff_id=v.verifier_staff_id,
        verified_on=v.verified_on,
        recorded_by=v.recorded_by,
        recorded_at=v.recorded_at,
    )


def record_out(r: IvRecord, v: IvRecordVersion) -> schemas.IvRecord:
    return schemas.IvRecord(
        id=r.id,
        subject_kind="assessment_decision",
        programme_id=r.programme_id,
        brief_id=r.brief_id,
        decision_id=r.decision_id,
        assessor_staff_id=r.assessor_staff_id,
        outcome=r.outcome,
        current_version=r.current_version,
        current=_version_out(v),
        version=r.version,
    )


def brief_verification_out(
    b: BriefVerification, author_staff_id: uuid.UUID, programme_id: uuid.UUID
) -> schemas.IvRecord:
    """R-21's brief verification in the shared IV record shape: verified = agree, returned = disagree;
    the checklist answers are its per-question comments; one version per brief_version."""
    version = schemas.IvRecordVersion(
        number=b.brief_version,
        outcome="agree" if b.outcome == "verified" else "disagree",
        decision_version=None,
        criteria_comments=[],
        checklist=b.checklist,
        feedback_to_assessor=b.comments or "",
        reassess_batch=False,
        reason=None,
        verifier_staff_id=b.verifier_staff_id,
        verified_on=b.recorded_at.date(),
        recorded_by=b.verifier_subject,
        recorded_at=b.recorded_at,
    )
    return schemas.IvRecord(
        id=b.id,
        subject_kind="assignment_brief",
        programme_id=programme_id,
        brief_id=b.brief_id,
        decision_id=None,
        assessor_staff_id=author_staff_id,
        outcome=version.outcome,
        current_version=b.brief_version,
        current=version,
        version=1,
    )


def _records(p: Principal) -> Select[IvRecord]:
    return repository.iv_records(p)


async def _current(session: AsyncSession, r: IvRecord) -> IvRecordVersion:
    return await session.get_one(IvRecordVersion, (r.id, r.current_version))


def _check_comments(brief: AssignmentBrief, data: schemas.IvRecordContent) -> None:
    targeted = {(c["unit_number"], c["code"]) for c in brief.criteria}
    problems = [
        field_problem(
            f"body.criteria_comments.{i}",
            "not_targeted",
            f"the brief does not target {c.code} of unit {c.unit_number}",
        )
        for i, c in enumerate(data.criteria_comments)
        if (c.unit_number, c.code) not in targeted
    ]
    if data.reassess_batch and data.outcome != "disagree":
        problems.append(
            field_problem("body.reassess_batch", "R-43", "only a disagreement triggers reassessment")
        )
    if problems:
        raise ValidationFailed("The IV record does not match the brief.", errors=problems)


async def _not_own(
    session: AsyncSession, p: Principal, staff_id: uuid.UUID, decision: AssessmentDecision
) -> None:
    """R-44: nobody verifies their own decision."""
    recorded_by = await session.scalar(
        select(DecisionVersion.recorded_by).where(
            DecisionVersion.decision_id == decision.id, DecisionVersion.number == decision.current_version
        )
    )
    if staff_id == decision.assessor_staff_id or p.subject == recorded_by:
        raise RuleViolation(
            "R-44: nobody verifies their own decision.",
            errors=[
                field_problem(
                    "verifier",
                    "R-44",
                    "the internal verifier must be someone other than the decision's assessor",
                )
            ],
        )


async def _after_version(
    session: AsyncSession,
    p: Principal,
    r: IvRecord,
    decision: AssessmentDecision,
    data: schemas.IvRecordContent,
    staff_id: uuid.UUID,
) -> list[uuid.UUID]:
    """Remedial actions (due in working days on the centre calendar) and, on a disagreement showing a
    wider problem, reassessment flags on the brief's other decisions by the same assessor (R-43)."""
    await actions.raise_actions(session, p, r, staff_id, data)
    flagged: list[uuid.UUID] = []
    if data.reassess_batch:
        others = (
            await session.execute(
                select(AssessmentDecision.id, AssessmentDecision.current_version).where(
                    AssessmentDecision.brief_id == decision.brief_id,
                    AssessmentDecision.id != decision.id,
                    AssessmentDecision.assessor_staff_id == decision.assessor_staff_id,
                )
            )
        ).all()
        if others:
            result = await session.execute(
                pg_insert(ReassessmentFlag)
                .values(
                    [
                        {
                            "id": uuid7(),
                            "centre_id": p.centre_id,
                            "brief_id": decision.brief_id,
                            "iv_record_id": r.id,
                            "decision_id": o.id,
                            "decision_version": o.current_version,
                        }
                        for o in others
                    ]
                )
                .on_conflict_do_nothing()
                .returning(ReassessmentFlag.decision_id)
            )
            flagged = list(result.scalars())
    return flagged


def _version_values(
    r: IvRecord,
    number: int,
    p: Principal,
    staff_id: uuid.UUID,
    decision: AssessmentDecision,
    data: schemas.IvRecordContent,
    reason: str | None,
) -> dict:
    return {
        "record_id": r.id,
        "number": number,
        "centre_id": p.centre_id,
        "outcome": data.outcome.value,
        "decision_version": decision.current_version,
        "criteria_comments": [c.model_dump() for c in data.criteria_comments],
        "feedback_to_assessor": data.feedback_to_assessor,
        "developmental_recommendations": list(data.developmental_recommendations),
        "reassess_batch": data.reassess_batch,
        "reason": reason,
        "verifier_staff_id": staff_id,
        "verified_on": data.verified_on,
        "recorded_by": p.subject,
    }


async def _decision_for_iv(
    session: AsyncSession, p: Principal, decision_id: uuid.UUID
) -> tuple[AssessmentDecision, AssignmentBrief, uuid.UUID]:
    decision = await get_visible(
        session, assessment_repo.decisions(p), AssessmentDecision, decision_id, "assessment decision"
    )
    brief = await session.get_one(AssignmentBrief, decision.brief_id)
    staff_id = await verifier_on(
        session, p, await _programme(session, decision.programme_id), "verify its assessment decisions"
    )
    await _not_own(session, p, staff_id, decision)
    # a decision submitted for IV, or a released one amended since (its new version awaits IV).
    if decision.status not in ("submitted_for_iv", "amended"):
        raise InvalidTransition(
            "R-25",
            f"A {decision.status} decision is not verified: the assessor submits it for IV first.",
            field="body.decision_id",
        )
    return decision, brief, staff_id


async def record_iv(session: AsyncSession, p: Principal, data: schemas.IvRecordCreate) -> schemas.IvRecord:
    decision, brief, staff_id = await _decision_for_iv(session, p, data.decision_id)
    _check_comments(brief, data)
    if await session.scalar(select(IvRecord.id).where(IvRecord.decision_id == decision.id)) is not None:
        raise Conflict(
            "This decision already has an IV record: amend it (a new version with a reason).",
            errors=[field_problem("body.decision_id", "iv_record_exists", "amend instead")],
        )
    r = IvRecord(
        id=uuid7(),
        centre_id=p.centre_id,
        programme_id=decision.programme_id,
        brief_id=decision.brief_id,
        decision_id=decision.id,
        assessor_staff_id=decision.assessor_staff_id,
        current_version=1,
        outcome=data.outcome.value,
        decision_version=decision.current_version,
    )
    session.add(r)
    await session.flush()
    await session.execute(
        insert(IvRecordVersion).values(_version_values(r, 1, p, staff_id, decision, data, None))
    )
    flagged = await _after_version(session, p, r, decision, data, staff_id)
    out = record_out(r, await _current(session, r))
    created = events.IvRecordCreated(**dict(out), flagged_for_reassessment=flagged)
    await recorded(session, p, Change.created(created, "iv_record", r.id))
    return out


async def amend_iv(
    session: AsyncSession,
    p: Principal,
    record_id: uuid.UUID,
    data: schemas.IvRecordAmendment,
    expected: int | IfMatch,
) -> schemas.IvRecord:
    """House rule 6 / R-26: a change is a new version with a reason; the earlier ones stay. Used when the
    assessor has reassessed (the decision's new version) or the IV and assessor resolved a disagreement."""
    r = await get_visible(session, _records(p), IvRecord, record_id, "IV record")
    check_version(r.version, expected)
    decision, brief, staff_id = await _decision_for_iv(session, p, r.decision_id)
    _check_comments(brief, data)
    before = record_out(r, await _current(session, r)).model_dump(mode="json")
    number = r.current_version + 1
    await session.execute(
        insert(IvRecordVersion).values(_version_values(r, number, p, staff_id, decision, data, data.reason))
    )
    r.current_version, r.outcome, r.decision_version = number, data.outcome.value, decision.current_version
    try:
        await session.flush()
    except StaleDataError as exc:
        raise PreconditionFailed("The IV record changed while you were amending it; read it again.") from exc
    flagged = await _after_version(session, p, r, decision, data, staff_id)
    out = record_out(r, await _current(session, r))
    amended = events.IvRecordAmended(**dict(out), flagged_for_reassessment=flagged)
    await recorded(session, p, Change(amended, "iv_record", r.id, before=before, after=amended))
    return out


async def get_iv_record(session: AsyncSession, p: Principal, record_id: uuid.UUID) -> schemas.IvRecord:
    r = await get_visible(session, _records(p), IvRecord, record_id, "IV record")
    return record_out(r, await _current(session, r))


async def iv_record_versions(
    session: AsyncSession, p: Principal, record_id: uuid.UUID
) -> list[schemas.IvRecordVersion]:
    r = await get_visible(session, _records(p), IvRecord, record_id, "IV record")
    rows = (
        await session.scalars(
            select(IvRecordVersion).where(IvRecordVersion.record_id == r.id).order_by(IvRecordVersion.number)
        )
    ).all()
    return [_version_out(v) for v in rows]


async def brief_iv_records(
    session: AsyncSession, p: Principal, brief_id: uuid.UUID
) -> list[schemas.IvRecord]:
    """Every IV record of a brief in the one shape: the brief's own verifications (R-21) first, then
    those of its decisions."""
    brief = await get_brief(session, p, brief_id, Scope.verification_read)
    out = [
        brief_verification_out(b, brief.author_staff_id, brief.programme_id)
        for b in (
            await session.scalars(
                select(BriefVerification)
                .where(BriefVerification.brief_id == brief.id)
                .order_by(BriefVerification.brief_version)
            )
        ).all()
    ]
    rows = (
        await session.execute(
            select(IvRecord, IvRecordVersion)
            .join(
                IvRecordVersion,
                (IvRecordVersion.record_id == IvRecord.id)
                & (IvRecordVersion.number == IvRecord.current_version),
            )
            .where(IvRecord.brief_id == brief.id)
            .order_by(IvRecord.id)
        )
    ).all()
    return out + [record_out(r, v) for r, v in rows]


# ---- remedial actions ---------------------------------------------------------------------------------


def _actions(p: Principal) -> Select[RemedialAction]:
    return _reached(
        select(RemedialAction).where(RemedialAction.centre_id == p.centre_id), RemedialAction.programme_id, p
    )


async def list_actions(
    session: AsyncSession,
    p: Principal,
    *,
    brief_id: uuid.UUID | None = None,
    programme_id: uuid.UUID | None = None,
    status: str | None = None,
) -> list[RemedialAction]:
    stmt = _actions(p)
    for column, value in (
        (RemedialAction.brief_id, brief_id),
        (RemedialAction.programme_id, programme_id),
        (RemedialAction.status, status),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    return list((await session.scalars(stmt.order_by(RemedialAction.due_on, RemedialAction.id))).all())


async def close_action(
    session: AsyncSession,
    p: Principal,
    action_id: uuid.UUID,
    data: schemas.ActionClosure,
    expected: int | IfMatch | None = None,
) -> RemedialAction:
    """R-43: closed when done, confirmed by the programme's IV or LIV with a note of what was done."""
    action = await get_visible(session, _actions(p), RemedialAction, action_id, "remedial action")
    await verifier_on(
        session, p, await _programme(session, action.programme_id), "close its remedial actions"
    )
    if expected is not None:
        check_version(action.version, expected)
    if action.status != "open":
        raise InvalidTransition("R-43", "The action is already closed.")
    before = schemas.RemedialAction.model_validate(action).model_dump(mode="json")
    action.status, action.closed_at = "closed", clock.now()
    action.closed_by, action.closure_note = p.subject, data.closure_note
    try:
        await session.flush()
    except StaleDataError as exc:
        raise PreconditionFailed("The action changed while you were closing it; read it again.") from exc
    closed = events.RemedialActionClosed.of(action)
    await recorded(session, p, Change(closed, "iv_remedial_action", action.id, before=before, after=closed))
    return action


# ---- the state of a brief's IV (R-25) -----------------------------------------------------------------


async def iv_reasons(session: AsyncSession, brief: AssignmentBrief) -> list[str]:
    """Every reason IV of the brief is not complete: the brief-wide ones and every open remedial action
    (which holds only the decisions it concerns, app/verification/actions.py)."""
    return (await iv_reasons_of(session, [brief.id]))[brief.id]


async def iv_reasons_of(session: AsyncSession, brief_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """`iv_reasons` of many briefs in a fixed number of statements (the LIV dashboard and the IV
    schedule ask for every brief of the centre's programmes)."""
    reasons = await brief_reasons_of(session, brief_ids)
    for a in await actions.open_actions_of(session, brief_ids):
        reasons[a.brief_id].append(actions.why(a))
    return reasons


async def brief_reasons(session: AsyncSession, brief: AssignmentBrief) -> list[str]:
    """Every brief-wide reason the brief's decisions may not be released yet (remedial actions hold only
    their decisions, app/verification/actions.py): the official sample (R-42) covers every assessed decision,
    every sampled decision has an IV record agreeing with its current version (every disagreement
    resolved, or the LIV's arbitration upheld the assessor, R-45), every amendment of a released decision
    has an IV record agreeing with that amended version, sampled or not (R-25: an amendment is a new
    decision given to the learner), and every decision flagged for reassessment has been reassessed."""
    return (await brief_reasons_of(session, [brief.id]))[brief.id]


async def brief_reasons_of(session: AsyncSession, brief_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """`brief_reasons` of each brief, read for all of them at once: six statements whatever their number."""
    reasons: dict[uuid.UUID, list[str]] = {b: [] for b in brief_ids}
    if not brief_ids:
        return reasons
    samples = {s.brief_id: s for s in await draws.official_sample_rows(session, brief_ids)}
    assessed_of: dict[uuid.UUID, list[Any]] = {b: [] for b in brief_ids}
    for d in (
        await session.execute(
            select(
                AssessmentDecision.brief_id,
                AssessmentDecision.id,
                AssessmentDecision.current_version,
                AssessmentDecision.status,
            ).where(AssessmentDecision.brief_id.in_(brief_ids))
        )
    ).all():
        assessed_of[d.brief_id].append(d)
    sampled_of: dict[uuid.UUID, list[Any]] = {b: [] for b in brief_ids}
    if samples:
        brief_of_sample = {s.id: b for b, s in samples.items()}
        for s in (
            await session.execute(
                select(
                    IvSampleItem.sample_id,
                    IvSampleItem.decision_id,
                    IvRecord.outcome,
                    IvRecord.decision_version,
                )
                .outerjoin(IvRecord, IvRecord.decision_id == IvSampleItem.decision_id)
                .where(IvSampleItem.sample_id.in_(list(brief_of_sample)))
                .order_by(IvSampleItem.decision_id)
            )
        ).all():
            sampled_of[brief_of_sample[s.sample_id]].append(s)
    upheld = await arbitration.upheld_for_assessor_of(session, brief_ids)
    amended_all = [d.id for ds in assessed_of.values() for d in ds if d.status == "amended"]
    verified = (
        {
            r.decision_id: r
            for r in (
                await session.execute(
                    select(IvRecord.decision_id, IvRecord.outcome, IvRecord.decision_version).where(
                        IvRecord.decision_id.in_(amended_all)
                    )
                )
            ).all()
        }
        if amended_all
        else {}
    )
    flags_of: dict[uuid.UUID, list[Any]] = {b: [] for b in brief_ids}
    for f in (
        await session.execute(
            select(
                ReassessmentFlag.brief_id,
                ReassessmentFlag.decision_id,
                func.max(ReassessmentFlag.decision_version).label("at"),
                AssessmentDecision.current_version,
            )
            .join(AssessmentDecision, AssessmentDecision.id == ReassessmentFlag.decision_id)
            .where(ReassessmentFlag.brief_id.in_(brief_ids))
            .group_by(
                ReassessmentFlag.brief_id, ReassessmentFlag.decision_id, AssessmentDecision.current_version
            )
            .order_by(ReassessmentFlag.decision_id)
        )
    ).all():
        flags_of[f.brief_id].append(f)
    for brief_id in brief_ids:
        reasons[brief_id] = _brief_reasons(
            samples.get(brief_id),
            assessed_of[brief_id],
            sampled_of[brief_id],
            upheld.get(brief_id, set()),
            verified,
            flags_of[brief_id],
        )
    return reasons


def _brief_reasons(
    sample: IvSample | None,
    assessed: list[Any],
    sampled: list[Any],
    upheld: set[uuid.UUID],
    verified: dict[uuid.UUID, Any],
    flags: list[Any],
) -> list[str]:
    reasons: list[str] = []
    amended = {d.id: d.current_version for d in assessed if d.status == "amended"}
    if sample is None:
        reasons.append("no IV sample has been drawn from this brief's decisions (R-42)")
    else:
        population = set(sample.population)
        late = [d for d in assessed if d.status != "draft" and d.id not in population]
        if late:
            reasons.append(
                f"{len(late)} decision(s) were submitted after the IV sample was drawn: draw it again"
            )
        current = {d.id: d.current_version for d in assessed}
        for s in sampled:
            if s.decision_id in amended:
                continue  # verified as an amendment, below
            if s.outcome is None:
                reasons.append(f"sampled decision {s.decision_id} has no IV record")
            elif s.outcome == "disagree" and s.decision_id not in upheld:
                reasons.append(
                    f"IV disagrees with decision {s.decision_id} and the disagreement is not resolved"
                )
            elif s.decision_version < current.get(s.decision_id, 0):
                reasons.append(
                    f"decision {s.decision_id} was amended after IV agreed with it: verify it again"
                )
    for decision_id, number in sorted(amended.items()):
        r = verified.get(decision_id)
        if r is None or r.decision_version < number:
            reasons.append(
                f"decision {decision_id} was amended after release: IV of its version {number} "
                "is needed before it is released again"
            )
        elif r.outcome == "disagree":
            reasons.append(
                f"IV disagrees with the amended decision {decision_id} and the disagreement is not resolved"
            )
    reasons += [
        f"decision {f.decision_id} is flagged for reassessment of the batch (R-43) and not reassessed yet"
        for f in flags
        if f.current_version <= f.at
    ]
    return reasons


async def iv_status(session: AsyncSession, p: Principal, brief_id: uuid.UUID) -> schemas.IvStatus:
    brief = await get_brief(session, p, brief_id, Scope.verification_read)
    reasons = await iv_reasons(session, brief)
    return schemas.IvStatus(brief_id=brief.id, complete=not reasons, reasons=reasons)
