"""R-25: a decision is released to the learner only after internal verification of that assignment's
decisions is complete.

This is the ONE place release asks "is IV complete for this brief?". The answer belongs to
app.verification, which sits above assessment and so cannot be imported from here: verification
registers its check in `release_gates` when the app is built (`create_app` calls
`app.verification.release_gate.register`). Each gate returns the reasons the brief's decisions may
not be released yet; every reason is named in the R-25 problem.

A gate's reasons hold the whole brief (the sample, the IV records, batch reassessment). A *hold* holds
only the decisions it names (R-43: an open remedial action holds the decisions it concerns, and only
those): verification registers `decision_holds`, and release asks them for the decisions it releases.

With no gate registered, release is refused outright rather than let through: a service started
without its IV check must not hand unverified decisions to learners.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from app.assignments.models import AssignmentBrief

ReleaseGate = Callable[[AsyncSession, AssignmentBrief], Awaitable[list[str]]]
release_gates: list[ReleaseGate] = []
# The decisions of the brief held back, each with the reasons why.
DecisionHolds = Callable[[AsyncSession, AssignmentBrief], Awaitable[dict[uuid.UUID, list[str]]]]
decision_holds: list[DecisionHolds] = []


class NoReleaseGate(RuntimeError):
    """The app was built without its IV check (a wiring fault, not the learner's or the assessor's)."""


def register(gate: ReleaseGate, holds: DecisionHolds | None = None) -> None:
    """Add a check release must pass (and the decisions it holds); registering twice keeps one."""
    if gate not in release_gates:
        release_gates.append(gate)
    if holds is not None and holds not in decision_holds:
        decision_holds.append(holds)


def register_holds(holds: DecisionHolds) -> None:
    """Add a hold alone (R-73: malpractice withholds a learner's results while their case is open)."""
    if holds not in decision_holds:
        decision_holds.append(holds)


@dataclass(frozen=True)
class IvGate:
    satisfied: bool
    reasons: tuple[str, ...] = ()
    # The asked-for decisions held back (R-43 remedial actions), with why; their reasons are in `reasons`.
    held: dict[uuid.UUID, tuple[str, ...]] = field(default_factory=dict)


async def holds_of(session: AsyncSession, brief: AssignmentBrief) -> dict[uuid.UUID, list[str]]:
    held: dict[uuid.UUID, list[str]] = {}
    for holds in decision_holds:
        for decision_id, why in (await holds(session, brief)).items():
            held.setdefault(decision_id, []).extend(why)
    return held


async def iv_complete_for_brief(
    session: AsyncSession, brief: AssignmentBrief, decision_ids: Collection[uuid.UUID] | None = None
) -> IvGate:
    """The brief-wide reasons, and the holds on `decision_ids` (every decision of the brief if None)."""
    if not release_gates:
        raise NoReleaseGate("no R-25 release gate is registered: build the app with create_app()")
    reasons: list[str] = []
    for gate in release_gates:
        reasons += await gate(session, brief)
    held = {
        d: tuple(why)
        for d, why in (await holds_of(session, brief)).items()
        if decision_ids is None or d in decision_ids
    }
    for why in held.values():
        reasons += [r for r in why if r not in reasons]
    return IvGate(not reasons, tuple(reasons), held)
