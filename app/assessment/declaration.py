"""What a hand-in must carry beyond the signature (R-22, R-23): the learner's account of AI use with
copies of the interactions, and, for work handed in on paper, the date staff actually received it.

Both are judged here, before anything is written; app.assessment.submissions.hand_in records them, and
the freeze trigger (migration 0009) holds the AI part in the database too.
"""

from __future__ import annotations

import datetime as dt

from app.assessment import schemas
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.core.errors import FieldProblem, Forbidden, field_problem


def ai_use_problems(data: schemas.HandIn, ai_interactions: int) -> list[FieldProblem]:
    """R-22: AI used -> which tools, how, and at least one copy of an interaction; not used -> none of
    those, so the record never says two things."""
    if data.ai_used:
        problems = [
            field_problem(f"body.{name}", "R-22", f"required when AI tools were used: {what}")
            for name, what in (("ai_tools", "which tools"), ("ai_use", "how they were used"))
            if getattr(data, name) is None
        ]
        if not ai_interactions:
            problems.append(
                field_problem(
                    "evidence",
                    "R-22",
                    "copies of the AI interactions are evidence items of kind ai_interaction; none was added",
                )
            )
        return problems
    problems = [
        field_problem(f"body.{name}", "ai_not_used", "only when `ai_used` is true")
        for name in ("ai_tools", "ai_use")
        if getattr(data, name) is not None
    ]
    if ai_interactions:
        problems.append(
            field_problem(
                "body.ai_used",
                "R-22",
                f"{ai_interactions} copy(ies) of AI interactions are in the evidence: the declaration must "
                "say AI tools were used, or the copies be removed",
            )
        )
    return problems


def is_paper(data: schemas.HandIn) -> bool:
    return data.paper_received_on is not None or data.paper_reason is not None


def check_paper_role(p: Principal, data: schemas.HandIn) -> None:
    """Only staff record work handed in on paper (R-22): a learner hands in their own work online."""
    if is_paper(data) and not p.has(Scope.submissions_write):
        raise Forbidden(
            "Work handed in on paper is recorded by staff.",
            errors=[
                field_problem(
                    "body.paper_received_on", "staff_only", "a paper hand-in is recorded by a member of staff"
                )
            ],
        )


def paper_problems(data: schemas.HandIn, today: dt.date) -> list[FieldProblem]:
    """R-22: the date actually received (not in the future, by the centre's calendar) and a reason."""
    if not is_paper(data):
        return []
    if data.paper_received_on is None:
        return [field_problem("body.paper_received_on", "required", "required with `paper_reason`")]
    problems = []
    if data.paper_reason is None:
        problems.append(field_problem("body.paper_reason", "required", "why the work was handed in on paper"))
    if data.paper_received_on > today:
        problems.append(
            field_problem("body.paper_received_on", "date_in_future", f"must not be after today ({today})")
        )
    return problems


def receipt_date(data: schemas.HandIn, today: dt.date) -> dt.date:
    """R-23: the day the centre received the work, in its own calendar (Europe/London, not UTC): the
    paper's date received, or today for work handed in now."""
    return data.paper_received_on or today
