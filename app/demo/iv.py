"""Internal verification and what follows it: samples drawn by the service (R-42), IV records agreeing
and one disagreeing with a remedial action (R-43), the disagreement resolved and the award's batch
released (R-25), a resubmission authorised by the LIV (R-30, R-31); on the diploma a disagreement
still open, and the examined units' results."""

from __future__ import annotations

import uuid

from app.assessment import decisions, resubmissions, schemas
from app.core.config import Settings
from app.demo.assessment import ACHIEVED, FEEDBACK, decide, hand_in, on
from app.demo.programmes import LEARNERS, DemoLearner
from app.demo.world import Demo
from app.verification import draws, records
from app.verification import schemas as iv_schemas
from app.verification.schemas import Sample


def _learner(key: str) -> DemoLearner:
    return next(x for x in LEARNERS if x.key == key)


async def _agree_all(demo: Demo, verifier: str, sample: Sample, disagree: set[uuid.UUID]) -> None:
    for item in sample.items:
        if item.decision_id in disagree:
            continue
        await records.record_iv(
            demo.session,
            demo.as_(verifier),
            iv_schemas.IvRecordCreate(
                decision_id=item.decision_id,
                outcome="agree",
                verified_on=demo.today,
                feedback_to_assessor="Accurate judgements, each criterion referenced to the evidence.",
            ),
        )


async def release_after_iv(
    demo: Demo, brief: str, verifier: str, *, sample_on: tuple[int, int], release_on: tuple[int, int]
) -> None:
    """A batch with nothing to disagree about: sampled, every sampled decision agreed, released."""
    demo.on(demo.weekday(*sample_on))
    sample = await draws.draw_sample(
        demo.session,
        demo.as_(verifier),
        demo.ids[f"brief-{brief}"],
        iv_schemas.SampleCreate(),
        seed_source=lambda: demo.year,
    )
    demo.ids[f"sample-{brief}"] = sample.id
    await _agree_all(demo, verifier, sample, set())
    demo.on(demo.weekday(*release_on))
    await decisions.release_brief(demo.session, demo.as_("assessor"), demo.ids[f"brief-{brief}"])


async def load_award_iv(demo: Demo, settings: Settings) -> None:
    session, brief = demo.session, demo.ids["brief-a1"]
    ella = demo.ids["decision-a1-ella"]
    demo.on(demo.weekday(11, 27))
    # Tom Reyes is new: all of his decisions are in the sample, Ella's D among them.
    sample = await draws.draw_sample(
        session, demo.as_("iv"), brief, iv_schemas.SampleCreate(), seed_source=lambda: 2025
    )
    demo.ids["sample-a1"] = sample.id
    disagreed = await records.record_iv(
        session,
        demo.as_("iv"),
        iv_schemas.IvRecordCreate(
            decision_id=ella,
            outcome="disagree",
            verified_on=demo.today,
            feedback_to_assessor="AB.D1 is not met: the evaluation lists methods without weighing them "
            "against the brief. The other criteria are accurately judged.",
            criteria_comments=[
                iv_schemas.CriterionComment(
                    unit_number=1, code="AB.D1", agree=False, comment="descriptive, not evaluative"
                )
            ],
            actions=[
                iv_schemas.RemedialActionCreate(
                    description="Reassess Ella Fraser's AB.D1 and standardise D-grade judgements with the IV",
                    due_in_working_days=5,
                )
            ],
        ),
    )
    await _agree_all(demo, "iv", sample, {ella})
    # The assessor reassesses (a new version with a reason, R-26) and the IV agrees with it.
    demo.on(demo.weekday(12, 1))
    current = await decisions.get_decision(session, demo.as_("assessor-2"), ella)
    amended = await decisions.amend_decision(
        session,
        demo.as_("assessor-2"),
        ella,
        schemas.DecisionAmendment(
            criteria=[
                schemas.CriterionJudgement(
                    unit_number=c.unit_number,
                    code=c.code,
                    achieved=ACHIEVED["M"](c.code),
                    evidence_location=c.evidence_location if ACHIEVED["M"](c.code) else None,
                )
                for c in current.current.criteria
            ],
            feedback=FEEDBACK["a1"]["M"],
            authenticity_confirmed=True,
            can_improve_without_guidance=True,
            assessed_on=demo.today,
            reason="Internal verification: AB.D1 not evidenced; reassessed as Merit.",
        ),
        current.version,
    )
    await decisions.submit_for_iv(session, demo.as_("assessor-2"), amended.id)
    demo.on(demo.weekday(12, 2))
    await records.amend_iv(
        session,
        demo.as_("iv"),
        disagreed.id,
        iv_schemas.IvRecordAmendment(
            outcome="agree",
            verified_on=demo.today,
            feedback_to_assessor="Reassessed as Merit: agreed.",
            reason="The assessor reassessed after IV",
        ),
        disagreed.version,
    )
    demo.on(demo.weekday(12, 3))
    (action,) = await records.list_actions(session, demo.as_("liv"), brief_id=brief, status="open")
    await records.close_action(
        session,
        demo.as_("liv"),
        action.id,
        iv_schemas.ActionClosure(closure_note="Standardisation meeting held with Tom Reyes and Ian Verma."),
    )
    # IV complete: the whole batch released to the learners at once.
    demo.on(demo.weekday(12, 4))
    await decisions.release_brief(session, demo.as_("assessor"), brief)
    # Ben's U: the LIV authorises one resubmission, 10 working days from the result.
    demo.on(demo.weekday(12, 5))
    ben = _learner("ben")
    auth = await resubmissions.authorise(
        session,
        demo.as_("liv"),
        demo.ids["decision-a1-ben"],
        schemas.ResubmissionCreate(
            result_received_on=demo.weekday(12, 4),
            reason="Met the deadline; can explain how communication meets customers' needs without "
            "further guidance.",
        ),
    )
    demo.ids["resubmission-ben"] = auth.id
    demo.ids["decision-a1-ben-first"] = demo.ids["decision-a1-ben"]
    demo.on(demo.weekday(12, 12))
    await hand_in(demo, settings, "a1", ben)
    demo.on(demo.weekday(12, 15))
    await decide(demo, "a1", ben, "P")


async def load_diploma_iv(demo: Demo) -> None:
    """Grace Holt samples the whole unit 3 batch (a new qualification) and disagrees with one Merit:
    the remedial action is open, so the batch is not released yet."""
    session, brief = demo.session, demo.ids["brief-d1"]
    demo.on(demo.weekday(12, 16))
    sample = await draws.draw_sample(
        session, demo.as_("iv-2"), brief, iv_schemas.SampleCreate(), seed_source=lambda: 2026
    )
    demo.ids["sample-d1"] = sample.id
    omar = demo.ids["decision-d1-omar"]
    await records.record_iv(
        session,
        demo.as_("iv-2"),
        iv_schemas.IvRecordCreate(
            decision_id=omar,
            outcome="disagree",
            verified_on=demo.today,
            feedback_to_assessor="The review of the social media plan is descriptive: this is a Pass, "
            "not a Merit.",
            actions=[
                iv_schemas.RemedialActionCreate(
                    description="Second-mark the unit 3 Merit decisions with the LIV before release",
                    due_in_working_days=10,
                )
            ],
        ),
    )
    await _agree_all(demo, "iv-2", sample, {omar})


async def load_exam_results(demo: Demo) -> None:
    """003's examined units: unit 1 (achieved/not achieved) and unit 2 (P/M/D), January series."""
    demo.on(demo.weekday(3, 16))
    grades = {"jade": "D", "kai": "M", "leah": "P", "mo": "P", "nia": "M", "omar": "P"}
    for learner in on("diploma"):
        for unit, grade in ((1, "achieved"), (2, grades[learner.key])):
            await decisions.record_exam_result(
                demo.session,
                demo.as_("exams_officer"),
                schemas.ExamResultCreate(
                    learner_id=demo.ids[f"learner-{learner.key}"],
                    qualification_id=demo.ids["q-diploma"],
                    unit_number=unit,
                    series=f"January {demo.year + 1}",
                    grade=grade,
                ),
            )
