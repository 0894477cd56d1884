"""Resubmission (R-30, R-31, R-33); the retake check (R-32) is in retakes.py.

R-30: at most `resubmissions_allowed` per assignment, authorised by whoever the qualification's policy
names (the programme's LIV by default; the assessor under OCR's R-33), and only when *every* condition
holds — the refusal names each condition that failed, one `errors[]` entry and code per condition.
R-31: the deadline is at most N working days after the learner received the result, counted in the
centre's working days (term days: the count pauses over the holidays between terms) and inside the same
academic year (app.core.calendar.resubmission_deadline).
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.assessment import events, schemas
from app.assessment.decisions import get_decision_row
from app.assessment.models import DecisionVersion, ResubmissionAuthorisation, Submission
from app.assignments.models import AssignmentBrief
from app.assignments.service import qualification_of
from app.auth.principal import Principal
from app.calendars.service import centre_calendar
from app.core import calendar as cal
from app.core import clock
from app.core.errors import Conflict, FieldProblem, Forbidden, RuleViolation, field_problem
from app.core.ids import uuid7
from app.events.write import Change, recorded
from app.programmes.access import programme_access
from app.programmes.models import Programme

AUTHORISER_ROLE = {"lead_internal_verifier": "lead_internal_verifier", "assessor": "assessor"}


def r31_deadline(
    calendar: cal.CentreCalendar, received: dt.date, window: int | None, chosen: dt.date | None
) -> tuple[dt.date | None, bool, list[FieldProblem]]:
    """The resubmission deadline and whether it satisfies R-31. Pure, for the property tests.

    With a window: at most `window` working days after `received` (cal.resubmission_deadline: the
    count starts the next day, pauses over the holidays between terms and stops at the end of the
    academic year of the result), so the latest day is always a term day of that year. An earlier
    date may be chosen. Without a window (R-33): the date chosen. No deadline (None) when no term day
    of the result's academic year is left.
    """
    problems: list[FieldProblem] = []
    if window is None:
        if chosen is None:
            return (
                None,
                False,
                [
                    field_problem(
                        "body.deadline",
                        "R-33",
                        "this qualification has no working-day window: set the resubmission date",
                    )
                ],
            )
        latest: dt.date | None = None
        deadline: dt.date | None = chosen
    else:
        dl = cal.resubmission_deadline(calendar, received, window)
        if dl.due is None:
            if dl.reason == cal.DeadlineIssue.no_academic_year:
                code, message = (
                    "R-31.no_academic_year",
                    f"{received} is outside every academic year of the centre's calendar: "
                    "no resubmission deadline is possible",
                )
            else:
                code, message = (
                    "R-31.no_working_day_left",
                    f"no term day of the academic year {dl.academic_year} is left after {received}: "
                    "a resubmission stays in the same academic year, so no deadline is possible",
                )
            return None, False, [field_problem("body.result_received_on", code, message)]
        latest = dl.due
    deadline = chosen if chosen is not None else latest
    assert deadline is not None  # chosen when there is no window, else the latest day
    if deadline < received:
        problems.append(
            field_problem("body.deadline", "before_result", "must not be before the result was received")
        )
    if latest is not None and deadline > latest:
        problems.append(
            field_problem(
                "body.deadline",
                "R-31.window",
                f"at most {window} working days after the result was received, in its academic year: "
                f"{latest} at the latest",
            )
        )
    year = cal.academic_year_of(calendar, received)
    if year is None:
        problems.append(
            field_problem(
                "body.deadline",
                "R-31.no_academic_year",
                "the result was received outside any academic year of the centre",
            )
        )
    elif not year.start <= deadline <= year.end:
        problems.append(
            field_problem(
                "body.deadline",
                "R-31.different_academic_year",
                f"{deadline} is not in the academic year {year.label}",
            )
        )
    elif not cal.in_term_time(calendar, deadline, year.label):
        problems.append(
            field_problem("body.deadline", "R-31.outside_term_time", f"{deadline} is not in term time")
        )
    return deadline, not problems, problems


async def authorise(
    session: AsyncSession, p: Principal, decision_id: uuid.UUID, data: schemas.ResubmissionCreate
) -> ResubmissionAuthorisation:
    decision = await get_decision_row(session, p, decision_id)
    brief = await session.get_one(AssignmentBrief, decision.brief_id)
    q = await qualification_of(session, brief.qualification_id)
    policy = q.policies
    programme = await session.get_one(Programme, decision.programme_id)
    access = await programme_access(session, p, programme)
    role = AUTHORISER_ROLE.get(policy.resubmission_authorised_by, policy.resubmission_authorised_by)
    if access.staff_id is None or not access.has(role):
        rule = "R-33" if role == "assessor" else "R-30"
        raise Forbidden(
            f"{rule}: for {q.key} a resubmission is authorised by the programme's "
            f"{role.replace('_', ' ')} only."
        )
    # the result the learner received is the released version (an amendment awaiting IV is not
    # theirs yet); before release, the current one (refused below as not released).
    current = (
        await session.execute(
            select(DecisionVersion).where(
                DecisionVersion.decision_id == decision.id,
                DecisionVersion.number == (decision.released_version or decision.current_version),
            )
        )
    ).scalar_one()
    submission = await session.get_one(Submission, decision.submission_id)
    authorised = (
        await session.execute(
            select(func.count())
            .select_from(ResubmissionAuthorisation)
            .where(
                ResubmissionAuthorisation.brief_id == brief.id,
                ResubmissionAuthorisation.learner_id == decision.learner_id,
            )
        )
    ).scalar_one()
    problems: list[FieldProblem] = []

    def fail(code: str, message: str, field: str = "decision") -> None:
        problems.append(field_problem(field, code, message))

    # R-30, each condition on its own.
    if authorised >= policy.resubmissions_allowed:
        fail("R-30.limit", f"{q.key} allows {policy.resubmissions_allowed} resubmission(s) per assignment")
    if decision.attempt_kind != "first":
        fail(
            "R-30.not_first_attempt",
            "only the first submission of an assignment is resubmitted (never an "
            "iterative loop, R-33); a retake is a different assignment",
        )
    if decision.released_version is None:
        fail("R-30.result_not_released", "the learner has not received the result (R-25)")
    if all(c["achieved"] for c in current.criteria) and not current.unit_grades:
        fail("R-30.nothing_to_improve", "every targeted criterion is already achieved")
    if submission.late:
        fail("R-30.deadline_missed", "the learner missed the deadline without an agreed extension (R-23)")
    if not current.can_improve_without_guidance:
        fail(
            "R-30.cannot_improve_without_guidance",
            "the assessor has not judged that the learner can improve the evidence without further guidance",
        )
    if not current.authenticity_confirmed:
        fail("R-30.not_authenticated", "the assessor has not authenticated the evidence")
    if submission.declaration_signed_on is None:
        fail("R-30.declaration_missing", "the learner's declaration of authenticity is not signed and dated")
    if decision.released_at is not None and data.result_received_on < decision.released_at.date():
        fail(
            "result_received_before_release",
            "the result cannot be received before it was released",
            "body.result_received_on",
        )
    if data.result_received_on > clock.today():
        fail("date_in_future", "must not be after today", "body.result_received_on")
    calendar = await centre_calendar(session, p.centre_id)
    deadline, within_term, deadline_problems = r31_deadline(
        calendar, data.result_received_on, policy.resubmission_window_working_days, data.deadline
    )
    problems += deadline_problems
    if problems:
        raise RuleViolation(
            "A resubmission cannot be authorised: " + "; ".join(pr.code for pr in problems) + ".",
            errors=problems,
        )
    row = ResubmissionAuthorisation(
        id=uuid7(),
        centre_id=p.centre_id,
        brief_id=brief.id,
        learner_id=decision.learner_id,
        decision_id=decision.id,
        number=authorised + 1,
        result_received_on=data.result_received_on,
        deadline=deadline,
        within_term_time=within_term,
        reason=data.reason,
        authorised_by=p.subject,
        authorised_role=role,
    )
    session.add(row)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "Another resubmission was authorised at the same time (R-30: at most "
            f"{policy.resubmissions_allowed})."
        ) from exc
    event = events.ResubmissionAuthorised.of(row)
    await recorded(session, p, Change.created(event, "resubmission_authorisation", row.id))
    return row


async def list_resubmissions(
    session: AsyncSession, p: Principal, decision_id: uuid.UUID
) -> list[ResubmissionAuthorisation]:
    decision = await get_decision_row(session, p, decision_id)
    return list(
        (
            await session.scalars(
                select(ResubmissionAuthorisation)
                .where(
                    ResubmissionAuthorisation.brief_id == decision.brief_id,
                    ResubmissionAuthorisation.learner_id == decision.learner_id,
                )
                .order_by(ResubmissionAuthorisation.number)
            )
        ).all()
    )
