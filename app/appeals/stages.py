"""The stages of an appeal (R-61) and its outcome (R-62).

Stage 1 is heard by the learner and the decision's assessor; stage 2 by an internal verifier of the
programme (its LIV by default); stage 3 by the HoC or a senior leader the HoC names; stage 4 by the
awarding body, opened only once stage 3 was not upheld, by the HoC's written submission. Whoever made
the decision judges neither stage 2 nor 3, and nobody judges two stages of one appeal. Each stage is
due `stage_working_days[n-1]` of the centre's working days after the day it opens, ends upheld, not
upheld or withdrawn with a written response, and a not-upheld stage may be taken to the next within the
centre's appeal window.

An upheld appeal is amended by the decision's assessor through the one amendment path
(app.assessment.decisions.amend_decision): a new version whose reason is the appeal, waiting for IV
before release (R-25). When the outcome questions the assessor's other results on the brief, the
other learners' decisions are flagged for review (app.verification.review_flags) and so sampled."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.appeals import events, schemas
from app.appeals.models import Appeal, AppealStage
from app.appeals.schemas import AppealStatus, JudgedOutcome, StageOutcome
from app.appeals.service import appeal_out, due_after, get_row, policy_of, summary
from app.assessment import decisions
from app.assessment import schemas as aschemas
from app.assessment.models import AssessmentDecision
from app.auth.principal import Principal
from app.auth.scopes import Role
from app.calendars.service import centre_calendar
from app.centres.models import StaffMember
from app.core import clock
from app.core.errors import Forbidden, RuleViolation, field_problem
from app.core.ids import uuid7
from app.events.event import Event
from app.events.write import Change, recorded
from app.learners.models import Learner
from app.programmes.access import my_staff_ids
from app.programmes.errors import InvalidTransition
from app.programmes.models import Programme, ProgrammeStaff
from app.verification.review_flags import flag_for_review
from app.verification.schemas import ReviewCause


async def _stages(session: AsyncSession, appeal: Appeal) -> list[AppealStage]:
    return list(
        (
            await session.scalars(
                select(AppealStage).where(AppealStage.appeal_id == appeal.id).order_by(AppealStage.number)
            )
        ).all()
    )


async def _record(
    session: AsyncSession, p: Principal, kind: type[Event], appeal: Appeal, stage: AppealStage
) -> schemas.Appeal:
    await session.flush()
    event = kind.model_validate(summary(appeal, stage))
    await recorded(session, p, Change(event, "appeal", appeal.id, after=event))
    return await appeal_out(session, appeal)


async def _for_learner(session: AsyncSession, p: Principal, appeal: Appeal) -> None:
    """The learner themself, or the HoC, QN or LIV acting on their behalf (R-60)."""
    if p.roles & {Role.hoc, Role.qn, Role.liv}:
        return
    subject = await session.scalar(select(Learner.idp_subject).where(Learner.id == appeal.learner_id))
    if subject != p.subject:
        raise Forbidden("Only the learner, or the HoC, QN or LIV on their behalf, acts on the appeal.")


# ---- a stage's outcome ---------------------------------------------------------------------------------


async def decide_stage(
    session: AsyncSession, p: Principal, appeal_id: uuid.UUID, number: int, data: schemas.StageDecision
) -> schemas.Appeal:
    """R-61: the stage's judge records its outcome and written response (stage 4: the HoC records the
    awarding body's, with its reference). R-62: an upheld outcome that questions other results flags
    the assessor's other decisions on the brief for review."""
    appeal = await get_row(session, p, appeal_id, lock=True)
    stage = (await _stages(session, appeal))[-1]
    if stage.number != number or stage.outcome is not StageOutcome.open:
        raise InvalidTransition("R-61", f"Stage {number} of this appeal is not open.", field="number")
    if number == 4:
        if Role.hoc not in p.roles:
            raise Forbidden("R-61: the HoC records the awarding body's outcome.")
        reference = data.awarding_body_reference or stage.awarding_body_reference
        if reference is None:
            raise RuleViolation(
                "R-61: the awarding body's outcome is recorded with its reference.",
                errors=[
                    field_problem("body.awarding_body_reference", "R-61", "the awarding body's reference")
                ],
            )
        stage.awarding_body_reference = reference
    else:
        me = await session.scalar(my_staff_ids(p))
        if me is None or me != stage.judge_staff_id:
            raise Forbidden(f"R-61: only the judge of stage {number} records its outcome.")
    today = clock.today()
    stage.outcome = StageOutcome(data.outcome.value)
    stage.response = data.response
    stage.decided_on = today
    stage.decided_by = p.subject
    window, _ = await policy_of(session, p.centre_id)
    if data.outcome is JudgedOutcome.upheld:
        appeal.status = AppealStatus.upheld
        appeal.closed_on = today
        appeal.escalate_by = None
    elif number < 4:
        calendar = await centre_calendar(session, p.centre_id)
        appeal.status = AppealStatus.not_upheld
        appeal.escalate_by = due_after(calendar, today, window, "body.outcome")
    else:
        appeal.status = AppealStatus.closed_not_upheld
        appeal.closed_on = today
    await session.flush()
    if data.outcome is JudgedOutcome.upheld and data.questions_other_results:
        others = (
            await session.scalars(
                select(AssessmentDecision.id).where(
                    AssessmentDecision.brief_id == appeal.brief_id,
                    AssessmentDecision.assessor_staff_id == appeal.assessor_staff_id,
                    AssessmentDecision.learner_id != appeal.learner_id,
                )
            )
        ).all()
        await flag_for_review(
            session,
            p,
            others,
            ReviewCause.appeal,
            appeal.id,
            f"An appeal on this brief was upheld at stage {number}; the assessor's results are reviewed.",
        )
    return await _record(session, p, events.AppealStageDecided, appeal, stage)


# ---- escalation ----------------------------------------------------------------------------------------


async def _independent(
    appeal: Appeal, stages: list[AppealStage], judge: uuid.UUID | None, number: int
) -> uuid.UUID:
    if judge is None:
        raise RuleViolation(
            f"R-61: no one independent is available to judge stage {number}; name a judge.",
            errors=[field_problem("body.judge_staff_id", "R-61", "name an independent judge")],
        )
    if judge == appeal.assessor_staff_id:
        raise RuleViolation(
            "R-61: whoever made the decision does not judge stages 2 and 3.",
            errors=[field_problem("body.judge_staff_id", "R-61", "the judge made the decision")],
        )
    if judge in {s.judge_staff_id for s in stages}:
        raise RuleViolation(
            "R-61: nobody judges two stages of one appeal.",
            errors=[field_problem("body.judge_staff_id", "R-61", "the judge heard an earlier stage")],
        )
    return judge


async def _judge(
    session: AsyncSession, p: Principal, appeal: Appeal, stages: list[AppealStage], data: schemas.Escalation
) -> uuid.UUID:
    number = appeal.current_stage + 1
    taken = {appeal.assessor_staff_id} | {s.judge_staff_id for s in stages if s.judge_staff_id}
    if number == 2:
        programme = await session.get_one(Programme, appeal.programme_id)
        ivs = set(
            (
                await session.scalars(
                    select(ProgrammeStaff.staff_id).where(
                        ProgrammeStaff.programme_id == programme.id,
                        ProgrammeStaff.role == "internal_verifier",
                    )
                )
            ).all()
        )
        if programme.lead_internal_verifier_id:
            ivs.add(programme.lead_internal_verifier_id)
        if data.judge_staff_id is not None:
            if data.judge_staff_id not in ivs:
                raise RuleViolation(
                    "R-61: stage 2 is heard by an internal verifier of the programme.",
                    errors=[field_problem("body.judge_staff_id", "R-61", "not an IV of the programme")],
                )
            return await _independent(appeal, stages, data.judge_staff_id, number)
        # The LIV by default (000 §7); another IV of the programme when the LIV is not independent.
        default: uuid.UUID | None = programme.lead_internal_verifier_id
        if default is None or default in taken:
            default = min((s for s in ivs if s not in taken), default=None, key=str)
        return await _independent(appeal, stages, default, number)
    staff = (
        await session.execute(
            select(StaffMember.id, StaffMember.roles).where(
                StaffMember.centre_id == appeal.centre_id, StaffMember.active.is_(True)
            )
        )
    ).all()
    hocs = sorted((s.id for s in staff if Role.hoc.value in s.roles), key=str)
    if data.judge_staff_id is not None:
        # A senior leader other than the HoC is named by the HoC.
        if data.judge_staff_id not in hocs and (
            Role.hoc not in p.roles or data.judge_staff_id not in {s.id for s in staff}
        ):
            raise RuleViolation(
                "R-61: stage 3 is heard by the HoC or a senior leader the HoC names.",
                errors=[field_problem("body.judge_staff_id", "R-61", "not the HoC or a named senior leader")],
            )
        return await _independent(appeal, stages, data.judge_staff_id, number)
    return await _independent(appeal, stages, next((h for h in hocs if h not in taken), None), number)


def _within_window(appeal: Appeal) -> None:
    if appeal.status is not AppealStatus.not_upheld:
        raise InvalidTransition("R-61", "Only a not-upheld stage is taken further.")
    if appeal.escalate_by is None or clock.today() > appeal.escalate_by:
        raise RuleViolation(
            f"R-61: a not-upheld stage is taken further within the centre's window (until {appeal.escalate_by}).",
            errors=[field_problem("escalate_by", "R-61", f"the window closed on {appeal.escalate_by}")],
        )


async def _open(
    session: AsyncSession,
    appeal: Appeal,
    number: int,
    grounds: str,
    judge: uuid.UUID | None,
    reference: str | None = None,
) -> AppealStage:
    _, limits = await policy_of(session, appeal.centre_id)
    calendar = await centre_calendar(session, appeal.centre_id)
    today = clock.today()
    stage = AppealStage(
        id=uuid7(),
        centre_id=appeal.centre_id,
        appeal_id=appeal.id,
        number=number,
        opened_on=today,
        due_on=due_after(calendar, today, limits[number - 1], "body"),
        judge_staff_id=judge,
        grounds=grounds,
        outcome=StageOutcome.open,
        awarding_body_reference=reference,
    )
    session.add(stage)
    appeal.status = AppealStatus.open
    appeal.current_stage = number
    appeal.escalate_by = None
    return stage


async def escalate(
    session: AsyncSession, p: Principal, appeal_id: uuid.UUID, data: schemas.Escalation
) -> schemas.Appeal:
    """R-61: the learner (or staff on their behalf) takes a not-upheld stage 1 or 2 to the next stage
    within the window; stage 3 goes to the awarding body only by the HoC (submit_to_awarding_body)."""
    appeal = await get_row(session, p, appeal_id, lock=True)
    await _for_learner(session, p, appeal)
    _within_window(appeal)
    if appeal.current_stage >= 3:
        raise InvalidTransition(
            "R-61", "After stage 3 the HoC submits the appeal to the awarding body.", field="current_stage"
        )
    stages = await _stages(session, appeal)
    judge = await _judge(session, p, appeal, stages, data)
    stage = await _open(session, appeal, appeal.current_stage + 1, data.grounds, judge)
    return await _record(session, p, events.AppealEscalated, appeal, stage)


async def submit_to_awarding_body(
    session: AsyncSession, p: Principal, appeal_id: uuid.UUID, data: schemas.AwardingBodySubmission
) -> schemas.Appeal:
    """R-61: stage 4, only once the internal stages are exhausted (stage 3 not upheld), within the
    window, submitted in writing by the HoC."""
    appeal = await get_row(session, p, appeal_id, lock=True)
    if Role.hoc not in p.roles:
        raise Forbidden("R-61: the HoC submits an appeal to the awarding body.")
    _within_window(appeal)
    if appeal.current_stage != 3:
        raise RuleViolation(
            "R-61: the awarding body hears an appeal only once the centre's stages are exhausted.",
            errors=[field_problem("current_stage", "R-61", f"stage {appeal.current_stage} of 3 heard")],
        )
    stage = await _open(session, appeal, 4, data.submission, None, data.awarding_body_reference)
    return await _record(session, p, events.AppealEscalated, appeal, stage)


async def withdraw(
    session: AsyncSession, p: Principal, appeal_id: uuid.UUID, data: schemas.Withdrawal
) -> schemas.Appeal:
    """The learner (or staff on their behalf) withdraws; the open stage ends withdrawn, in writing."""
    appeal = await get_row(session, p, appeal_id, lock=True)
    await _for_learner(session, p, appeal)
    if appeal.status not in (AppealStatus.open, AppealStatus.not_upheld):
        raise InvalidTransition("R-61", f"A {appeal.status} appeal cannot be withdrawn.")
    stage = (await _stages(session, appeal))[-1]
    today = clock.today()
    if stage.outcome is StageOutcome.open:
        stage.outcome = StageOutcome.withdrawn
        stage.response = data.response
        stage.decided_on = today
        stage.decided_by = p.subject
    appeal.status = AppealStatus.withdrawn
    appeal.closed_on = today
    appeal.escalate_by = None
    return await _record(session, p, events.AppealWithdrawn, appeal, stage)


# ---- the upheld decision amended -------------------------------------------------------------------


async def amend_upheld(
    session: AsyncSession, p: Principal, appeal_id: uuid.UUID, data: schemas.AppealAmendment
) -> schemas.Appeal:
    """R-62: the decision's assessor amends the decision of an upheld appeal: a new version whose reason
    is the appeal, which waits for IV before it is released (R-25, the one amendment path)."""
    appeal = await get_row(session, p, appeal_id, lock=True)
    if appeal.status is not AppealStatus.upheld:
        raise InvalidTransition("R-62", "Only an upheld appeal amends its decision.")
    if appeal.amended_version is not None:
        raise InvalidTransition("R-62", "The appeal's decision was already amended.", field="amended_version")
    stage = (await _stages(session, appeal))[-1]
    decision = await decisions.get_decision_row(session, p, appeal.decision_id)
    amendment = aschemas.DecisionAmendment.model_validate(
        {**data.model_dump(), "reason": f"Appeal {appeal.id} upheld at stage {stage.number} (R-62)."}
    )
    amended = await decisions.amend_decision(session, p, decision.id, amendment, decision.version)
    appeal.amended_version = amended.current_version
    return await _record(session, p, events.AppealDecisionAmended, appeal, stage)
