"""Briefs written, verified by an IV (R-21) and issued; learners' work handed in with evidence and a
signed declaration (R-22), one of it late (R-23); decisions recorded per criterion (R-24)."""

from __future__ import annotations

from collections.abc import Callable

from app.assessment import decisions, schemas, submissions
from app.assessment.storage import evidence_store
from app.assignments import schemas as brief_schemas
from app.assignments import service as briefs
from app.assignments.rules import BRIEF_CHECKLIST
from app.core.config import Settings
from app.demo.programmes import LEARNERS, DemoLearner, learner_subject
from app.demo.world import Demo, learner_principal

GROUP_AB = ["A.P1", "A.P2", "B.P3", "B.P4", "A.M1", "B.M2", "AB.D1"]
GROUP_C = ["C.P5", "C.P6", "C.M3", "C.D2"]

# Which criteria a learner of each grade achieved (R-02: P = every P, M = every P and M, D = all).
ACHIEVED: dict[str, Callable[[str], bool]] = {
    "D": lambda c: True,
    "M": lambda c: ".D" not in c,
    "P": lambda c: ".P" in c,
    "U": lambda c: ".P" in c and c not in ("A.P2", "C.P6"),
}
# how the decision was reached and why a criterion was not met, never how to improve the work.
FEEDBACK = {
    "a1": {
        "D": "All criteria met. AB.D1: the evaluation weighs each method against the brief (p.9-11).",
        "M": "P and M criteria met; A.M1 and B.M2 analysed on p.6-8. AB.D1 not met: the evaluation is "
        "descriptive.",
        "P": "P criteria met (p.2-5). A.M1 not met: the methods are described rather than analysed.",
        "U": "A.P2 not met: the report does not explain how communication meets customers' needs.",
    },
    "a2": {
        "D": "All criteria met. C.D2: the recommendations are justified with the feedback data (p.8-10).",
        "M": "P and M criteria met; C.M3 analyses the complaint replies (p.6). C.D2 not met: the "
        "recommendations are not justified.",
        "P": "C.P5 and C.P6 met (p.2-4). C.M3 not met: the replies are summarised, not analysed.",
        "U": "C.P6 not met: no improvement to the communications is recommended.",
    },
}


async def write_and_issue(
    demo: Demo,
    name: str,
    programme: str,
    title: str,
    units: list[int],
    criteria: list[str],
    scenario: str,
    dates: tuple[tuple[int, int], tuple[int, int]],
    author: str,
    verifier: str,
) -> None:
    """R-21: written by an assessor, verified as fit for purpose by an IV who is not its author (R-44),
    then issued."""
    start, completion = demo.weekday(*dates[0]), demo.weekday(*dates[1])
    brief = await briefs.create_brief(
        demo.session,
        demo.as_(author),
        brief_schemas.BriefCreate(
            programme_id=demo.ids[programme],
            plan_entry_id=demo.ids[f"plan-{name}"],
            title=title,
            unit_numbers=units,
            criteria=[brief_schemas.TargetedCriterion(unit_number=units[0], code=c) for c in criteria],
            scenario=scenario,
            start_date=start,
            completion_date=completion,
        ),
    )
    await briefs.submit_for_iv(demo.session, demo.as_(author), brief.id)
    await briefs.verify_brief(
        demo.session,
        demo.as_(verifier),
        brief.id,
        brief_schemas.BriefVerificationCreate(
            checklist=[brief_schemas.ChecklistAnswer(question=q, answer=True) for q in BRIEF_CHECKLIST],
            comments="Fit for purpose: the scenario is vocational and every targeted criterion is assessable.",
        ),
    )
    await briefs.issue_brief(demo.session, demo.as_(author), brief.id)
    demo.ids[f"brief-{name}"] = brief.id


async def hand_in(
    demo: Demo, settings: Settings, brief: str, learner: DemoLearner, *, upload: bool = False
) -> None:
    """The learner starts a submission, adds evidence (a reference to the portfolio, and for the demo
    learner an uploaded file) and hands it in with the signed declaration (R-22)."""
    me = learner_principal(learner_subject(learner))
    s = await submissions.create_submission(
        demo.session, me, schemas.SubmissionCreate(brief_id=demo.ids[f"brief-{brief}"])
    )
    await submissions.add_evidence_reference(
        demo.session,
        me,
        s.id,
        schemas.EvidenceReferenceCreate(
            kind=schemas.ReferenceKind.reference,
            description="Written report",
            reference=f"E-portfolio {learner.key}/{brief}, pages 1-12",
        ),
    )
    if upload:
        await submissions.add_evidence_file(
            demo.session,
            me,
            settings,
            evidence_store(settings),
            s.id,
            "customer-communications-report.txt",
            "text/plain",
            f"{learner.given} {learner.family}: report for {brief}.\n\nA. Types of customer "
            "communication...\nB. Meeting customers' needs...\n".encode(),
            description="Report (text)",
        )
        # the demo learner declares AI use, with a copy of the interaction as evidence.
        await submissions.add_evidence_file(
            demo.session,
            me,
            settings,
            evidence_store(settings),
            s.id,
            "ai-conversation.txt",
            "text/plain",
            b"Me: list kinds of customer communication.\nAssistant: face to face, telephone, email...\n",
            description="Copy of the AI interaction used to plan section A",
            kind=schemas.FileEvidenceKind.ai_interaction,
        )
    await submissions.hand_in(
        demo.session,
        me,
        s.id,
        schemas.HandIn(
            declaration_signed=True,
            declaration_signed_on=demo.today,
            declaration_text="This is my own work."
            + (" I used an AI tool to plan section A, as declared." if upload else " I used no AI tools."),
            ai_used=upload,
            ai_tools="ChatGPT" if upload else None,
            ai_use="To list kinds of customer communication before writing section A." if upload else None,
        ),
    )
    demo.ids[f"submission-{brief}-{learner.key}"] = s.id


async def decide(
    demo: Demo, brief: str, learner: DemoLearner, grade: str, *, unit: int | None = None
) -> None:
    """R-24: each targeted criterion judged, where the evidence is, feedback; for a unit graded by a
    recorded grade (003's units, whose criteria the handbook does not list), the unit grade."""
    brief_row = await briefs.get_brief(demo.session, demo.as_(learner.assessor), demo.ids[f"brief-{brief}"])
    achieved = ACHIEVED[grade]
    criteria = [
        schemas.CriterionJudgement(
            unit_number=c["unit_number"],
            code=c["code"],
            achieved=achieved(c["code"]),
            evidence_location=f"report p.{3 + i}" if achieved(c["code"]) else None,
        )
        for i, c in enumerate(brief_row.criteria)
    ]
    decision = await decisions.record_decision(
        demo.session,
        demo.as_(learner.assessor),
        schemas.DecisionCreate(
            submission_id=demo.ids[f"submission-{brief}-{learner.key}"],
            criteria=criteria,
            unit_grades=[schemas.UnitGradeInput(unit_number=unit, grade=grade)] if unit else [],
            feedback=FEEDBACK[brief][grade]
            if not unit
            else f"Unit {unit} judged {grade} against its criteria.",
            authenticity_confirmed=True,
            can_improve_without_guidance=True,
            assessed_on=demo.today,
        ),
    )
    await decisions.submit_for_iv(demo.session, demo.as_(learner.assessor), decision.id)
    demo.ids[f"decision-{brief}-{learner.key}"] = decision.id


def on(programme: str) -> list[DemoLearner]:
    return [x for x in LEARNERS if x.programme == programme]


async def load_assessment(demo: Demo, settings: Settings) -> None:
    # Briefs for the autumn assignments, verified and issued in September.
    demo.on(demo.weekday(9, 15))
    await write_and_issue(
        demo,
        "a1",
        "award",
        "Assignment 1: Communicating with customers",
        [1],
        GROUP_AB,
        "You are a trainee in the customer service team of Harbour Leisure, a chain of sports centres. "
        "Your manager asks for a report on how the business communicates with its customers.",
        ((10, 1), (11, 14)),
        "assessor",
        "iv",
    )
    await write_and_issue(
        demo,
        "d1",
        "diploma",
        "Unit 3: Social media in the workplace",
        [3],
        [],
        "Northgate Florists want to use social media to talk to their customers. Plan and review "
        "their use of it.",
        ((10, 6), (11, 21)),
        "assessor",
        "iv-2",
    )
    # Work handed in: on time in November, Isaac late (R-23: recorded, not capped).
    demo.on(demo.weekday(11, 12))
    for learner in on("award"):
        if learner.key != "isaac":
            await hand_in(demo, settings, "a1", learner, upload=learner.key == "amara")
    demo.on(demo.weekday(11, 18))
    await hand_in(demo, settings, "a1", next(x for x in LEARNERS if x.key == "isaac"))
    demo.on(demo.weekday(11, 19))
    for learner in on("diploma"):
        await hand_in(demo, settings, "d1", learner)
    # Decisions recorded and submitted for IV.
    demo.on(demo.weekday(11, 20))
    for learner in on("award"):
        await decide(demo, "a1", learner, learner.grade)
    demo.on(demo.weekday(11, 26))
    for learner in on("diploma"):
        await decide(demo, "d1", learner, learner.grade, unit=3)
