"""R-51 (003 §9): OCR moderation, per unit. A visit record; a centre has at most the policy's visits a
year (two by default: the days of visit records in the academic year, across the centre). Agreement
confirms the unit's provisional grades in the claim; disagreement adjusts the grades of the learners'
work submitted for that unit, as new decision versions attributed to the visit (the version's reason
names it, and an adjustment row links them) -- released at once, not sent back through centre IV: the
moderator's grade is the awarding body's."""

from __future__ import annotations

import uuid

from sqlalchemy import any_, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.assessment.models import RELEASED_STATUSES, AssessmentDecision, DecisionVersion
from app.assessment.schemas import DecisionStatus
from app.assignments.models import AssignmentBrief
from app.auth.principal import Principal
from app.core import clock
from app.core.errors import RuleViolation, ValidationFailed, field_problem
from app.core.ids import uuid7
from app.core.visibility import get_visible
from app.events.write import Change, recorded_all
from app.programmes.access import my_staff_ids
from app.programmes.service import get_row as programme_row
from app.standards_verification import events, repository, schemas
from app.standards_verification.models import ModerationAdjustment, ModerationVisit
from app.standards_verification.proposal import population
from app.standards_verification.service import get_policy
from app.verification.sampling import grade_of


async def _check_covers_the_unit(
    session: AsyncSession, programme_id: uuid.UUID, data: schemas.ModerationCreate
) -> None:
    """R-51: disagreement adjusts every learner's work submitted for the unit in the claim, so the
    adjustments name each piece (the latest released decision of each learner on each brief of the unit),
    each with the moderated grade (unchanged where the moderator kept it), and nothing else."""
    work = {
        w.decision.id for w in await population(session, programme_id) if data.unit_number in w.unit_numbers
    }
    named = [a.decision_id for a in data.adjustments]
    problems = [
        field_problem(
            f"body.adjustments.{i}.decision_id", "R-51", "not the unit's released work on the programme"
        )
        for i, d in enumerate(named)
        if d not in work
    ]
    missing = sorted(work - set(named))
    if missing:
        problems.append(
            field_problem(
                "body.adjustments",
                "R-51",
                f"every learner's work on the unit is adjusted; missing decisions {', '.join(map(str, missing))}",
            )
        )
    if problems:
        raise RuleViolation(
            "The moderation's adjustments must cover the unit's work in the claim.", errors=problems
        )


def _decision_state(d: AssessmentDecision) -> dict:
    return {
        "id": str(d.id),
        "status": d.status,
        "current_version": d.current_version,
        "released_version": d.released_version,
    }


async def record_moderation(
    session: AsyncSession, p: Principal, data: schemas.ModerationCreate
) -> schemas.Moderation:
    programme = await programme_row(session, p, data.programme_id)
    problems = []
    if data.visited_on > clock.today():
        problems.append(field_problem("body.visited_on", "in_future", "a visit is recorded once held"))
    adjusted = data.outcome is schemas.ModerationOutcome.adjusted
    if adjusted and (not data.adjustments or data.reason is None):
        problems.append(
            field_problem("body.adjustments", "R-51", "an adjustment lists the grades and a reason")
        )
    if not adjusted and data.adjustments:
        problems.append(
            field_problem("body.adjustments", "R-51", "agreement confirms the grades: no adjustments")
        )
    if len({a.decision_id for a in data.adjustments}) != len(data.adjustments):
        problems.append(field_problem("body.adjustments", "duplicate", "a decision is listed twice"))
    if problems:
        raise ValidationFailed("The moderation cannot be recorded as given.", errors=problems)
    policy = await get_policy(session, p)
    days = set(
        (
            await session.scalars(
                select(func.distinct(ModerationVisit.visited_on)).where(
                    ModerationVisit.centre_id == p.centre_id,
                    ModerationVisit.academic_year_id == programme.academic_year_id,
                )
            )
        ).all()
    )
    if data.visited_on not in days and len(days) >= policy.moderation_visits_per_year:
        raise RuleViolation(
            "R-51: the centre has had its moderation visits for the year.",
            errors=[
                field_problem(
                    "body.visited_on", "R-51", f"at most {policy.moderation_visits_per_year} visits a year"
                )
            ],
        )
    staff_id = await session.scalar(my_staff_ids(p))
    if adjusted and staff_id is None:
        raise RuleViolation(
            "Moderated grades are recorded by a member of staff.",
            errors=[field_problem("principal", "R-51", "the caller has no staff record")],
        )
    if adjusted:
        await _check_covers_the_unit(session, programme.id, data)
    visit = ModerationVisit(
        id=uuid7(),
        centre_id=p.centre_id,
        programme_id=programme.id,
        academic_year_id=programme.academic_year_id,
        unit_number=data.unit_number,
        visited_on=data.visited_on,
        moderator_name=data.moderator_name,
        outcome=data.outcome,
        reason=data.reason,
        recorded_by=p.subject,
    )
    session.add(visit)
    await session.flush()
    decision_changes: list[Change] = []
    made: list[ModerationAdjustment] = []
    for i, a in enumerate(data.adjustments):
        decision = await session.scalar(
            select(AssessmentDecision)
            .join(AssignmentBrief, AssignmentBrief.id == AssessmentDecision.brief_id)
            .where(
                AssessmentDecision.id == a.decision_id,
                AssessmentDecision.programme_id == programme.id,
                AssessmentDecision.status.in_(RELEASED_STATUSES),
                literal(data.unit_number) == any_(AssignmentBrief.unit_numbers),
            )
            .with_for_update(of=AssessmentDecision)
        )
        if decision is None:
            raise RuleViolation(
                "Only the unit's released work on the programme is moderated.",
                errors=[
                    field_problem(
                        f"body.adjustments.{i}.decision_id", "R-51", "not released work on this unit"
                    )
                ],
            )
        current = await session.get_one(DecisionVersion, (decision.id, decision.current_version))
        before = _decision_state(decision)
        unit_grades = dict(current.unit_grades)
        from_grade = unit_grades.get(str(data.unit_number))
        was = from_grade or grade_of(current.criteria, current.unit_grades)
        if was[:1].upper() == a.grade[:1].upper():
            continue  # the moderator kept this grade: confirmed, no new version
        unit_grades[str(data.unit_number)] = a.grade
        number = decision.current_version + 1
        session.add(
            DecisionVersion(
                decision_id=decision.id,
                number=number,
                centre_id=p.centre_id,
                criteria=current.criteria,
                unit_grades=unit_grades,
                feedback=current.feedback,
                authenticity_confirmed=current.authenticity_confirmed,
                can_improve_without_guidance=current.can_improve_without_guidance,
                assessed_on=data.visited_on,
                reason=f"OCR moderation {visit.id} ({data.visited_on}, {data.moderator_name}): {data.reason}"[
                    :500
                ],
                recorded_by=p.subject,
                made_by=staff_id,
            )
        )
        await session.flush()
        decision.current_version = number
        decision.released_version = number
        decision.status = DecisionStatus.released
        adjustment = ModerationAdjustment(
            id=uuid7(),
            centre_id=p.centre_id,
            visit_id=visit.id,
            decision_id=decision.id,
            from_grade=from_grade,
            to_grade=a.grade,
            version_number=number,
        )
        session.add(adjustment)
        await session.flush()
        made.append(adjustment)
        decision_changes.append(
            Change(
                None,
                "assessment_decision",
                decision.id,
                before,
                _decision_state(decision),
                "ocr_moderation.adjusted",
            )
        )
    out = await moderation_out(session, visit)
    await recorded_all(
        session,
        p,
        [Change.created(events.ModerationRecorded.of(out), "ocr_moderation", visit.id), *decision_changes],
    )
    return out


async def moderation_out(session: AsyncSession, visit: ModerationVisit) -> schemas.Moderation:
    rows = (
        await session.scalars(
            select(ModerationAdjustment)
            .where(ModerationAdjustment.visit_id == visit.id)
            .order_by(ModerationAdjustment.id)
        )
    ).all()
    out = schemas.Moderation.model_validate(visit)
    out.adjustments = [schemas.ModerationAdjustment.model_validate(r) for r in rows]
    return out


async def get_moderation(session: AsyncSession, p: Principal, visit_id: uuid.UUID) -> schemas.Moderation:
    visit = await get_visible(
        session, repository.moderations(p), ModerationVisit, visit_id, "moderation visit"
    )
    return await moderation_out(session, visit)


async def list_moderations(
    session: AsyncSession, p: Principal, programme_id: uuid.UUID | None = None
) -> list[schemas.Moderation]:
    stmt = repository.moderations(p)
    if programme_id is not None:
        stmt = stmt.where(ModerationVisit.programme_id == programme_id)
    rows = (await session.scalars(stmt.order_by(ModerationVisit.visited_on, ModerationVisit.id))).all()
    return [await moderation_out(session, r) for r in rows]
