"""Appeals after the award's assignment 2 is released (R-60..R-63): one upheld at stage 1, its decision
amended as a new version waiting for IV and the assessor's other results flagged for review; one at
stage 2 with the LIV that runs past its due date (the QN's overdue list, its webhook fired); one
withdrawn; one of the conduct of an assessment taken through the centre's three stages to the awarding
body."""

from __future__ import annotations

import uuid

from app.appeals import schemas, service, stages, worklist
from app.assessment import decisions
from app.assessment import schemas as aschemas
from app.demo.programmes import LEARNERS, learner_subject
from app.demo.world import DEMO_CENTRE_ID, Demo, learner_principal


def _decided(result: str, response: str, **kw: object) -> schemas.StageDecision:
    return schemas.StageDecision.model_validate({"outcome": result, "response": response, **kw})


async def load_appeals(demo: Demo) -> None:
    session = demo.session
    dev, amara, hana = (
        learner_principal(learner_subject(next(x for x in LEARNERS if x.key == k)))
        for k in ("dev", "amara", "hana")
    )
    demo.on(demo.weekday(3, 17))
    upheld = await service.lodge(
        session,
        dev,
        schemas.AppealCreate(
            decision_id=demo.ids["decision-a2-dev"],
            grounds="My recommendations are justified with Harbour Leisure's feedback data (report p.6-8): "
            "I think C.M3 is met.",
        ),
    )
    overdue = await service.lodge(
        session,
        amara,
        schemas.AppealCreate(
            decision_id=demo.ids["decision-a2-amara"],
            grounds="C.D2 asks for an evaluation; my conclusion on p.9 weighs each option.",
        ),
    )
    withdrawn = await service.lodge(
        session,
        hana,
        schemas.AppealCreate(
            decision_id=demo.ids["decision-a2-hana"], grounds="I would like C.D2 looked at again."
        ),
    )
    conduct = await service.lodge(
        session,
        demo.as_("qn"),
        schemas.AppealCreate(
            decision_id=demo.ids["decision-a2-isaac"],
            kind=schemas.AppealKind.conduct,
            grounds="Isaac was given less time than the class to hand in assignment 2 (QN on his behalf).",
        ),
    )
    demo.on(demo.weekday(3, 18))
    await stages.decide_stage(
        session,
        demo.as_("assessor"),
        upheld.id,
        1,
        _decided(
            "upheld",
            "Agreed: the justification on p.6-8 meets C.M3. The decision is amended and goes to IV.",
            questions_other_results=True,
        ),
    )
    await stages.decide_stage(
        session,
        demo.as_("assessor"),
        overdue.id,
        1,
        _decided("not_upheld", "The conclusion restates the options; it does not weigh them (C.D2)."),
    )
    await stages.decide_stage(
        session,
        demo.as_("assessor-2"),
        conduct.id,
        1,
        _decided("not_upheld", "The deadline was the class's; the extension request came after it."),
    )
    await _amend(demo, upheld.id)
    demo.on(demo.weekday(3, 19))
    await stages.escalate(
        session, amara, overdue.id, schemas.Escalation(grounds="Please ask the LIV to look.")
    )
    await stages.withdraw(
        session,
        hana,
        withdrawn.id,
        schemas.Withdrawal(response="I have talked it through and accept the grade."),
    )
    await stages.escalate(session, demo.as_("qn"), conduct.id, schemas.Escalation(grounds="To the LIV."))
    demo.on(demo.weekday(3, 20))
    await stages.decide_stage(
        session,
        demo.as_("liv"),
        conduct.id,
        2,
        _decided(
            "not_upheld", "The brief's dates were issued in January; the assessment was conducted fairly."
        ),
    )
    demo.on(demo.weekday(3, 23))
    await stages.escalate(session, demo.as_("qn"), conduct.id, schemas.Escalation(grounds="To the HoC."))
    demo.on(demo.weekday(3, 24))
    await stages.decide_stage(
        session,
        demo.as_("hoc"),
        conduct.id,
        3,
        _decided("not_upheld", "The centre's procedure was followed at each stage."),
    )
    demo.on(demo.weekday(3, 25))
    await stages.submit_to_awarding_body(
        session,
        demo.as_("hoc"),
        conduct.id,
        schemas.AwardingBodySubmission(
            submission="The learner asks Pearson to review whether the assessment was conducted fairly.",
            awarding_body_reference="PE-APP-0042",
        ),
    )
    # After the Easter holidays the LIV's stage 2 is past its due date: the worker's pass marks it.
    demo.on(demo.weekday(4, 20))
    await worklist.mark_overdue(session, DEMO_CENTRE_ID, actor="system:demo")


async def _amend(demo: Demo, appeal_id: uuid.UUID) -> None:
    """R-62: the assessor amends the upheld decision: C.M3 achieved, a new version through IV."""
    current = (
        await decisions.get_decision(demo.session, demo.as_("assessor"), demo.ids["decision-a2-dev"])
    ).current
    body = schemas.AppealAmendment(
        criteria=[
            aschemas.CriterionJudgement(
                unit_number=c.unit_number,
                code=c.code,
                achieved=c.achieved or c.code == "C.M3",
                evidence_location=c.evidence_location or ("report p.6-8" if c.code == "C.M3" else None),
            )
            for c in current.criteria
        ],
        feedback="C.M3 is met by the justified recommendations on p.6-8 (appeal upheld).",
        authenticity_confirmed=True,
        can_improve_without_guidance=current.can_improve_without_guidance,
        assessed_on=demo.today,
    )
    await stages.amend_upheld(demo.session, demo.as_("assessor"), appeal_id, body)
