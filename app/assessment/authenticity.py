"""The authenticity chain (R-22 -> R-70): a declaration that discloses AI use the brief did not allow,
or an assessor's concern that work is not the learner's own, opens a draft malpractice case linked to
the submission, in the same transaction as the hand-in or the concern.

Cases belong to app.malpractice, which sits above assessment and so cannot be imported from here: it
registers its case opener in `case_openers` when the app is built (`create_app` calls
`app.malpractice.hooks.register`), as verification registers its release gate (iv_gate.py). With no
opener registered, a signal that must open a case is refused rather than lost.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from app.assessment import repository as repo
from app.assessment import schemas
from app.assessment.models import Submission
from app.assignments.models import AssignmentBrief
from app.auth.principal import Principal
from app.core.visibility import get_visible
from app.programmes.access import programme_access, require_on_programme
from app.programmes.errors import InvalidTransition
from app.programmes.models import Programme


class SignalKind(StrEnum):
    ai_declaration = "ai_declaration"  # the learner declared AI use the brief does not allow
    concern = "concern"  # the assessor doubts the work is the learner's own


@dataclass(frozen=True)
class AuthenticitySignal:
    kind: SignalKind
    submission_id: uuid.UUID
    learner_id: uuid.UUID
    brief_id: uuid.UUID
    # What was said: the declared AI use, or the assessor's concern (the case's allegation).
    text: str
    raised_by: str


CaseOpener = Callable[[AsyncSession, Principal, AuthenticitySignal], Awaitable[uuid.UUID]]
case_openers: list[CaseOpener] = []


class NoCaseOpener(RuntimeError):
    """The app was built without malpractice's case opener (a wiring fault)."""


def register(opener: CaseOpener) -> None:
    if opener not in case_openers:
        case_openers.append(opener)


async def open_case(session: AsyncSession, p: Principal, signal: AuthenticitySignal) -> uuid.UUID:
    if not case_openers:
        raise NoCaseOpener("no malpractice case opener is registered: build the app with create_app()")
    ids = [await opener(session, p, signal) for opener in case_openers]
    return ids[0]


async def on_hand_in(session: AsyncSession, p: Principal, submission: Submission) -> None:
    """R-22/R-70: a hand-in whose declaration discloses AI use the brief does not allow opens a case."""
    if not submission.ai_used:
        return
    brief = await session.get_one(AssignmentBrief, submission.brief_id)
    if brief.ai_use_allowed:
        return
    text = f"Declared use of AI tools ({submission.ai_tools}): {submission.ai_use}"
    await open_case(
        session,
        p,
        AuthenticitySignal(
            SignalKind.ai_declaration,
            submission.id,
            submission.learner_id,
            brief.id,
            text[:4000],
            "the learner's declaration at hand-in",
        ),
    )


async def raise_concern(
    session: AsyncSession, p: Principal, submission_id: uuid.UUID, data: schemas.AuthenticityConcern
) -> schemas.AuthenticityConcernRaised:
    """An assessor of the programme records a concern that handed-in work is not the learner's own; a
    draft malpractice case opens, linked to the submission (the concern is its allegation)."""
    submission = await get_visible(session, repo.submissions(p), Submission, submission_id, "submission")
    brief = await session.get_one(AssignmentBrief, submission.brief_id)
    programme = await session.get_one(Programme, brief.programme_id)
    require_on_programme(
        await programme_access(session, p, programme), "assessor", what="raise a concern about its work"
    )
    if submission.status != "submitted":
        raise InvalidTransition("R-22", "A concern is raised about work once it is handed in.")
    case_id = await open_case(
        session,
        p,
        AuthenticitySignal(
            SignalKind.concern, submission.id, submission.learner_id, brief.id, data.concern, p.subject
        ),
    )
    return schemas.AuthenticityConcernRaised(submission_id=submission.id, case_id=case_id)
