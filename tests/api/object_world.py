"""The object-level table's world (R-98): the same records on two programmes of one centre, each with
its own team, so every role can be asked for "its" programme's object and for the other's."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.assessment import decisions, submissions
from app.assessment import schemas as aschemas
from app.assessment.models import ExamResult
from app.assessment.storage import EvidenceStore
from app.assignments import schemas as asgschemas
from app.assignments import service as assignments
from app.programmes import schemas as pschemas
from app.programmes import service as programmes
from app.programmes import support
from app.standardisation import competence as cpd
from app.standardisation import schemas as stschemas
from app.standardisation import service as standardisation
from app.verification import draws, plans, records
from app.verification import schemas as vschemas
from tests.assessment.fixtures import ASSESSOR, IV, as_staff, content, issue, make_brief, registered_learner
from tests.programmes.fixtures import World, make_staff, principal

# The other programme's team; the world's own (staff-assessor, staff-iv, staff-liv, staff-leader)
# works on the world's programmes only.
OTHER_ASSESSOR = ("assessor2", "assessor")
OTHER_IV = ("iv2", "iv")
LIV = ("liv", "liv")
OTHER_LIV = ("liv2", "liv")


@dataclass
class Objects:
    """One of everything a programme's records hold, by id."""

    programme: uuid.UUID
    brief: uuid.UUID
    learner: uuid.UUID
    learner_subject: str
    submission: uuid.UUID
    decision: uuid.UUID
    sample: uuid.UUID
    iv_record: uuid.UUID
    action: uuid.UUID
    ra: uuid.UUID
    sc: uuid.UUID
    evidence_file: uuid.UUID
    extension: uuid.UUID
    exam_result: uuid.UUID
    plan_entry: uuid.UUID
    qualification: uuid.UUID  # the programme's: the learner's registration
    standardisation: uuid.UUID
    cpd: uuid.UUID  # the programme's assessor's own CPD record
    appeal: uuid.UUID  # the learner's appeal on the programme's decision


async def other_programme(session: AsyncSession, world: World) -> uuid.UUID:
    staff = {
        name: await make_staff(session, world.centre, name, role)
        for name, role in (
            ("assessor2", "assessor"),
            ("iv2", "iv"),
            ("liv2", "liv"),
            ("leader2", "programme_leader"),
        )
    }
    created = await programmes.create_programme(
        session,
        principal("hoc", centre=world.centre),
        pschemas.ProgrammeCreate(
            name="BTEC Customer Communications, evening group",
            code="ABC9",
            qualification_id=world.award_id,
            academic_year_id=world.year_id,
            delivery_model="academic_year",
            subject_area="Health and Social Care",
            site_ids=[world.site_ids[0]],
            programme_leader_id=staff["leader2"].id,
            lead_internal_verifier_id=staff["liv2"].id,
            assessor_ids=[staff["assessor2"].id],
            internal_verifier_ids=[staff["iv2"].id],
        ),
    )
    return created.id


async def objects_on(
    session: AsyncSession,
    world: World,
    programme_id: uuid.UUID,
    assessor,
    verifier,
    liv,
    n: int,
    store: EvidenceStore,
    settings,
) -> Objects:
    brief = await issue(
        session,
        await make_brief(session, world, programme_id=programme_id, author=assessor),
        author=assessor,
        verifier=verifier,
    )
    learner = await registered_learner(session, world, programme_id=programme_id, n=n)
    lp = principal("learner", centre=world.centre, subject=learner.idp_subject)
    hoc = principal("hoc", centre=world.centre)
    extension = await submissions.create_extension(
        session,
        hoc,
        aschemas.ExtensionCreate(
            brief_id=brief.id, learner_id=learner.id, new_deadline=brief.completion_date, reason="Illness"
        ),
    )
    s = await submissions.create_submission(session, lp, aschemas.SubmissionCreate(brief_id=brief.id))
    evidence_file = await submissions.add_evidence_file(
        session, lp, settings, store, s.id, "report.txt", "text/plain", b"My report"
    )
    await submissions.add_evidence_reference(
        session,
        lp,
        s.id,
        aschemas.EvidenceReferenceCreate(kind="reference", description="Report", reference="p.1-12"),
    )
    await submissions.hand_in(
        session,
        lp,
        s.id,
        aschemas.HandIn(declaration_signed=True, ai_used=False, declaration_signed_on=dt.date.today()),
    )
    d = await decisions.record_decision(
        session, as_staff(*assessor), aschemas.DecisionCreate(submission_id=s.id, **content(brief))
    )
    await decisions.submit_for_iv(session, as_staff(*assessor), d.id)
    sample = await draws.draw_sample(
        session, as_staff(*verifier), brief.id, vschemas.SampleCreate(), seed_source=lambda: 1
    )
    r = await records.record_iv(
        session,
        as_staff(*verifier),
        vschemas.IvRecordCreate(
            decision_id=d.id,
            outcome="disagree",
            verified_on=dt.date(2025, 12, 18),
            feedback_to_assessor="A.P1 is not evidenced where the decision says.",
            criteria_comments=[vschemas.CriterionComment(unit_number=1, code="A.P1", agree=False)],
            actions=[vschemas.RemedialActionCreate(description="Reassess A.P1", due_in_working_days=5)],
        ),
    )
    (action,) = await records.list_actions(session, as_staff(*verifier), brief_id=brief.id)
    entry = await assignments.create_plan_entry(
        session,
        as_staff(*assessor),
        asgschemas.PlanEntryCreate(
            programme_id=programme_id,
            title="Unit 1 assignment",
            unit_numbers=[1],
            hand_out_date=dt.date(2025, 10, 1),
            deadline=dt.date(2025, 11, 14),
            planned_iv_date=dt.date(2025, 12, 1),
        ),
    )
    await plans.put_plan(session, as_staff(*liv), programme_id, vschemas.IvPlanWrite(), None)
    # Recorded as the exams officer would (the world's award has no examined unit to record through the
    # service): only whose learner it is matters here.
    exam_result = ExamResult(
        id=uuid.uuid4(),
        centre_id=world.centre,
        learner_id=learner.id,
        qualification_id=world.award_id,
        unit_number=1,
        sitting=1,
        series="June 2026",
        grade="P",
        recorded_by="staff-exams",
    )
    session.add(exam_result)
    await session.flush()
    ra = await support.record_reasonable_adjustment(
        session,
        hoc,
        pschemas.ReasonableAdjustmentCreate(
            learner_id=learner.id,
            adjustment="25% extra time",
            normal_way_of_working="Extra time in all class tests",
            standard_unchanged=True,
            agreed_on=dt.date(2025, 9, 15),
            applies_from=dt.date(2025, 10, 1),
        ),
    )
    sc = await support.apply_for_special_consideration(
        session,
        hoc,
        pschemas.SpecialConsiderationCreate(
            learner_id=learner.id,
            assessment_date=dt.date(2026, 3, 2),
            applied_on=dt.date(2026, 3, 3),
            circumstances="Flu on the day",
        ),
    )
    from app.centres.models import StaffMember

    assessor_id = await session.scalar(
        select(StaffMember.id).where(
            StaffMember.centre_id == world.centre, StaffMember.idp_subject == f"staff-{assessor[0]}"
        )
    )
    st = await standardisation.record_standardisation(
        session,
        as_staff(*liv),
        stschemas.StandardisationCreate(
            programme_id=programme_id,
            unit_number=1,
            held_on=dt.date(2025, 12, 10),
            attendee_ids=[assessor_id],
            sampled_decision_ids=[d.id],
            outcomes="Agreed the standard for A.P1.",
        ),
    )
    own_cpd = await cpd.record_cpd(
        session,
        as_staff(*assessor),
        stschemas.CpdCreate(
            staff_id=assessor_id, undertaken_on=dt.date(2025, 11, 1), activity="Pearson training", hours=3
        ),
    )
    # Inserted as the service would lodge it (its window needs a released decision and the frozen clock);
    # only whose appeal it is and whose decision matter here.
    from app.appeals.models import Appeal, AppealStage
    from app.programmes.models import Programme

    programme = await session.get_one(Programme, programme_id)
    appeal = Appeal(
        id=uuid.uuid4(),
        centre_id=world.centre,
        kind="decision",
        learner_id=learner.id,
        decision_id=d.id,
        decision_version=1,
        programme_id=programme_id,
        brief_id=brief.id,
        qualification_id=world.award_id,
        unit_numbers=[1],
        assessor_staff_id=assessor_id,
        academic_year_id=programme.academic_year_id,
        lodged_on=dt.date(2025, 12, 19),
        lodged_by=learner.idp_subject,
        on_behalf=False,
        grounds="A.P1 is evidenced on p.3.",
        status="open",
        current_stage=1,
    )
    session.add(appeal)
    await session.flush()
    session.add(
        AppealStage(
            id=uuid.uuid4(),
            centre_id=world.centre,
            appeal_id=appeal.id,
            number=1,
            opened_on=dt.date(2025, 12, 19),
            due_on=dt.date(2026, 1, 9),
            judge_staff_id=assessor_id,
            grounds=appeal.grounds,
            outcome="open",
        )
    )
    await session.flush()
    return Objects(
        programme_id,
        brief.id,
        learner.id,
        learner.idp_subject,
        s.id,
        d.id,
        sample.id,
        r.id,
        action.id,
        ra.id,
        sc.id,
        evidence_file.id,
        extension.id,
        exam_result.id,
        entry.id,
        world.award_id,
        st.id,
        own_cpd.id,
        appeal.id,
    )


async def two_programmes(
    session: AsyncSession, world: World, store: EvidenceStore, settings
) -> tuple[Objects, Objects]:
    """(mine, other): the world's programme with its team's records, and another team's programme."""
    mine = await objects_on(session, world, world.programme_id, ASSESSOR, IV, LIV, 0, store, settings)
    other_id = await other_programme(session, world)
    other = await objects_on(
        session, world, other_id, OTHER_ASSESSOR, OTHER_IV, OTHER_LIV, 1, store, settings
    )
    await session.commit()
    return mine, other
