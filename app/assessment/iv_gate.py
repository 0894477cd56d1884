"""R-25: a decision is released to the learner only after internal verification of that assignment's
decisions is complete.

This is the ONE place release asks "is IV complete for this brief?". The answer belongs to
app.verification, which sits above assessment and so cannot be imported from here: verification
registers its check in `release_gates` when the app is built (`create_app` calls
`app.verification.release_gate.register`). Each gate returns the reasons the brief's decisions may
not be released yet; every reason is named in the R-25 problem.

With no gate registered, release is refused outright rather than let through: a service started
without its IV check must not hand unverified decisions to learners.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.assignments.models import AssignmentBrief

ReleaseGate = Callable[[AsyncSession, AssignmentBrief], Awaitable[list[str]]]
release_gates: list[ReleaseGate] = []


class NoReleaseGate(RuntimeError):
    """The app was built without its IV check (a wiring fault, not the learner's or the assessor's)."""


def register(gate: ReleaseGate) -> None:
    """Add a check release must pass; registering the same check twice keeps one."""
    if gate not in release_gates:
        release_gates.append(gate)


@dataclass(frozen=True)
class IvGate:
    satisfied: bool
    reasons: tuple[str, ...] = ()


async def iv_complete_for_brief(session: AsyncSession, brief: AssignmentBrief) -> IvGate:
    if not release_gates:
        raise NoReleaseGate("no R-25 release gate is registered: build the app with create_app()")
    reasons: list[str] = []
    for gate in release_gates:
        reasons += await gate(session, brief)
    return IvGate(not reasons, tuple(reasons))
