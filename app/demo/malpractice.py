"""Malpractice (R-70..R-74): in the spring term the diploma's assessor doubts that Kai's unit 4 work is
his own (the authenticity chain opens a draft case, retyped as AI misuse when the HoC opens it, the LIV
investigating); Kai is told and responds; the HoC reports it on JCQ M1. A staff case about the award's
second assessor, reported on M2 before its investigation, flags their decisions for the IV sample."""

from __future__ import annotations

import datetime as dt

from app.assessment import authenticity
from app.assessment import schemas as assessment_schemas
from app.demo.world import Demo
from app.malpractice import reporting, schemas, service


async def load_malpractice(demo: Demo) -> None:
    session, s = demo.session, demo.staff
    hoc = demo.as_("hoc")
    today = demo.on(demo.weekday(3, 17))
    raised = await authenticity.raise_concern(
        session,
        demo.as_("assessor-2"),
        demo.ids["submission-d2-kai"],
        assessment_schemas.AuthenticityConcern(
            concern="The reflective account is fluent and generic, unlike Kai's observed help-desk work and "
            "his class writing; two passages match a chatbot's phrasing. No AI use was declared."
        ),
    )
    case = await service.get_case(session, hoc, raised.case_id)
    case = await service.open_case(
        session,
        hoc,
        case.id,
        schemas.CaseOpen(investigator_staff_ids=[s["liv"]], case_type=schemas.CaseType.ai_misuse),
        case.version,
    )
    await service.record_stage(
        session,
        hoc,
        case.id,
        schemas.StageCreate(
            kind=schemas.StageKind.told_of_allegation,
            occurred_on=today,
            note="Told Kai, with his parent, of the allegation and that the work may be cancelled and the "
            "awarding body informed; given until the date below to respond in writing.",
            response_due_on=today + dt.timedelta(days=7),
        ),
    )
    case = await reporting.record_report(
        session, hoc, case.id, schemas.ReportSent(sent_on=today, reference="M1-2026-0117"), case.version
    )
    await service.record_stage(
        session,
        demo.as_("liv"),
        case.id,
        schemas.StageCreate(
            kind=schemas.StageKind.response,
            occurred_on=today,
            note="Kai says he used a chatbot to 'tidy up' his account and did not know he had to declare it.",
        ),
    )
    staff_case = await service.create_case(
        session,
        hoc,
        schemas.CaseCreate(
            subject_kind=schemas.SubjectKind.staff,
            staff_id=s["assessor-2"],
            case_type=schemas.CaseType.improper_assistance,
            allegation="A learner reports the assessor annotated drafts with the wording to use for D1.",
            raised_by="a learner, through the programme leader",
        ),
    )
    staff_case = await service.open_case(
        session, hoc, staff_case.id, schemas.CaseOpen(investigator_staff_ids=[s["qn"]]), staff_case.version
    )
    # a staff case is reported (M2) before it is investigated.
    await reporting.record_report(
        session,
        hoc,
        staff_case.id,
        schemas.ReportSent(sent_on=today, reference="M2-2026-0031"),
        staff_case.version,
    )
    await service.record_stage(
        session,
        demo.as_("qn"),
        staff_case.id,
        schemas.StageCreate(
            kind=schemas.StageKind.investigation,
            occurred_on=today,
            note="Collected the annotated drafts of three learners; interview with the assessor arranged.",
        ),
    )
