"""The spring term: the award's second assignment through to release, the diploma's unit 4 handed in."""

from __future__ import annotations

from app.core.config import Settings
from app.demo.assessment import GROUP_C, decide, hand_in, on, write_and_issue
from app.demo.iv import release_after_iv
from app.demo.world import Demo


async def load_spring(demo: Demo, settings: Settings) -> None:
    """Spring: the award's assignment 2 written, handed in, assessed, verified and released, so the
    award's unit grades are complete; the diploma's unit 4 handed in by three learners, not yet
    assessed."""
    demo.on(demo.weekday(1, 6))
    await write_and_issue(
        demo,
        "a2",
        "award",
        "Assignment 2: Improving customer communications",
        [1],
        GROUP_C,
        "Harbour Leisure's customer feedback shows slow replies to complaints. Recommend and justify "
        "improvements to its customer communications.",
        ((1, 12), (2, 27)),
        "assessor",
        "iv",
    )
    demo.on(demo.weekday(1, 13))
    await write_and_issue(
        demo,
        "d2",
        "diploma",
        "Unit 4: Delivering effective customer service",
        [4],
        [],
        "You work on the help desk of Westfield Shopping Centre. Deliver, and reflect on, customer "
        "service to visitors with different needs.",
        ((1, 19), (3, 6)),
        "assessor-2",
        "iv-2",
    )
    demo.on(demo.weekday(2, 20))
    for learner in on("award"):
        await hand_in(demo, settings, "a2", learner)
    demo.on(demo.weekday(3, 2))
    for learner in on("award"):  # Ben, who resubmitted assignment 1, passes assignment 2
        await decide(demo, "a2", learner, "P" if learner.key == "ben" else learner.grade)
    demo.on(demo.weekday(3, 4))
    for learner in on("diploma"):
        if learner.key in ("jade", "kai", "leah"):
            await hand_in(demo, settings, "d2", learner)
    await release_after_iv(demo, "a2", "iv", sample_on=(3, 9), release_on=(3, 13))
