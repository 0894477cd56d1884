"""R-14: a learner's record belongs to their registration for a qualification, not to one programme:
both years of a two-year programme and every teaching group count, the grid of a group the learner left
keeps them, and a transfer to another qualification carries the shared units' results."""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from pathlib import Path

import yaml

from app.assessment import decisions, records, submissions
from app.assessment import schemas as aschemas
from app.programmes import enrolments
from app.programmes import schemas as pschemas
from app.programmes import service as programmes
from app.qualifications import service as qualifications
from app.qualifications.service import parse_specification
from tests.assessment.fixtures import ASSESSOR, GROUP_AB, GROUP_C, content, issued_brief, registered_learner
from tests.programmes.fixtures import World, make_world, principal

AWARD = Path("app/qualifications/data/pearson-btec-intl-l3-award-investigating-customer-communications.yaml")
QN = principal("qn", subject="test-qn")
HOC = principal("hoc")


def _spec(key: str, second_unit: str) -> dict:
    """A two-unit qualification: unit 1 as the shipped award's, unit 2 taught in the second year."""
    d = yaml.safe_load(AWARD.read_text())
    d.update(key=key, title=key, glh=120, size="certificate")
    d["rules"]["single_unit_award"] = False
    u2 = copy.deepcopy(d["units"][0])
    u2.update(number=2, title=second_unit)
    d["units"].append(u2)
    d["points"] = {"by_glh": {60: {"P": 6, "M": 10, "D": 16, "U": 0}}}
    d["grade_table"] = [
        {"grade": "P", "min": 12, "max": 19},
        {"grade": "M", "min": 20, "max": 27},
        {"grade": "D", "min": 28},
    ]
    return d


async def _qualification(session, key: str, second_unit: str = "Year two unit") -> uuid.UUID:
    row, _ = await qualifications.import_specification(session, HOC, _spec(key, second_unit), HOC.centre_id)
    return row.id


async def _programme(session, world: World, name: str, qualification_id: uuid.UUID) -> uuid.UUID:
    p = await programmes.create_programme(
        session,
        HOC,
        pschemas.ProgrammeCreate(
            name=name,
            code="NAT1",
            qualification_id=qualification_id,
            academic_year_id=world.year_id,
            delivery_model="academic_year",
            subject_area="Business",
            site_ids=[world.site_ids[0]],
            programme_leader_id=world.leader,
            lead_internal_verifier_id=world.liv,
            assessor_ids=[world.assessor, world.leader],
            internal_verifier_ids=[world.iv],
        ),
    )
    return p.id


async def _assessed(session, world, learner, programme_id, unit: int):
    """The unit's two assignments (R-06) on `programme_id`, handed in and judged all achieved."""
    for criteria in (GROUP_AB, GROUP_C):
        await _assignment(session, world, learner, programme_id, criteria, unit)


async def _assignment(session, world, learner, programme_id, criteria, unit: int):
    brief = await issued_brief(
        session, world, [(unit, c) for _, c in criteria], programme_id=programme_id, units=(unit,)
    )
    lp = principal("learner", subject=learner.idp_subject)
    s = await submissions.create_submission(session, lp, aschemas.SubmissionCreate(brief_id=brief.id))
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
        aschemas.HandIn(declaration_signed=True, declaration_signed_on=dt.date(2025, 10, 10), ai_used=False),
    )
    staff = principal(ASSESSOR[1], subject=f"staff-{ASSESSOR[0]}")
    await decisions.record_decision(
        session,
        staff,
        aschemas.DecisionCreate(submission_id=s.id, **content(brief, assessed_on=dt.date(2025, 10, 14))),
    )


async def _enrolment(session, learner_id, programme_id):
    rows, _ = await enrolments.list_enrolments(
        session, HOC, 10, None, learner_id=learner_id, programme_id=programme_id
    )
    return next(e for e in rows if e.status in ("enrolled", "registered"))


async def _transfer(session, learner_id, from_programme, to_programme):
    e = await _enrolment(session, learner_id, from_programme)
    await enrolments.transfer(
        session,
        HOC,
        e.id,
        pschemas.Transfer(programme_id=to_programme, transferred_on=dt.date(2025, 10, 14), reason="Moved"),
    )


def _grades(record) -> dict[int, str | None]:
    return {u.unit_number: u.grade for u in record.units}


async def test_r14_a_two_year_programme_is_graded_over_the_registration(session, centres, clock):
    world = await make_world(session)
    national = await _qualification(session, "test-two-year-national")
    y12a = await _programme(session, world, "National Y12 group A", national)
    y12b = await _programme(session, world, "National Y12 group B", national)
    y13 = await _programme(session, world, "National Y13", national)
    learner = await registered_learner(session, world, programme_id=y12a)

    # Year 1, group A: unit 1 at Distinction.
    await _assessed(session, world, learner, y12a, unit=1)
    assert _grades(await records.learner_record(session, QN, learner.id, y12a)) == {1: "D", 2: None}

    # A move to another teaching group of the same qualification keeps the D (no U there) ...
    await _transfer(session, learner.id, y12a, y12b)
    on_b = await records.learner_record(session, QN, learner.id, y12b)
    assert _grades(on_b) == {1: "D", 2: None}
    # ... and the learner stays on the old group's grid, as transferred, with the registration's grades.
    (row,) = (await records.cohort_grid(session, QN, y12a)).rows
    assert (row.learner_id, row.enrolment_status, row.unit_grades) == (
        learner.id,
        "transferred",
        {"1": "D", "2": None},
    )
    (row,) = (await records.cohort_grid(session, QN, y12b)).rows
    assert (row.enrolment_status, row.unit_grades) == ("registered", {"1": "D", "2": None})

    # Year 2: unit 2 on the second-year programme.
    await _transfer(session, learner.id, y12b, y13)
    await _assessed(session, world, learner, y13, unit=2)

    # The final qualification grade is computed over both years: 16 + 16 points, a Distinction.
    record = await records.registration_record(session, QN, learner.id, national)
    assert _grades(record) == {1: "D", 2: "D"}
    assert (record.qualification_grade, record.total_points) == ("D", 32)
    assert record.programme_id == y13  # the learner's current programme of the qualification
    assert [(p.programme_id, p.enrolment_status, p.carried) for p in record.programmes] == [
        (y12a, "transferred", False),
        (y12b, "transferred", False),
        (y13, "registered", False),
    ]
    assert record.registration_number is not None
    # Every per-programme record of the registration shows the same registration-wide status.
    for programme_id in (y12a, y12b, y13):
        seen = await records.learner_record(session, QN, learner.id, programme_id)
        assert (seen.programme_id, _grades(seen), seen.qualification_grade) == (
            programme_id,
            {1: "D", 2: "D"},
            "D",
        )
    # The year-2 grid shows the year-1 unit too; the batch (GraphQL) equals the single reads.
    (row,) = (await records.cohort_grid(session, QN, y13)).rows
    assert (row.unit_grades, row.qualification_grade) == ({"1": "D", "2": "D"}, "D")
    batched = await records.learner_records(session, QN, [(learner.id, y12a), (learner.id, y13)])
    assert [_grades(r) for r in batched if r] == [{1: "D", 2: "D"}, {1: "D", 2: "D"}]


async def test_r14_a_transfer_to_another_qualification_carries_the_shared_units(session, centres, clock):
    world = await make_world(session)
    old_q = await _qualification(session, "test-national-a")
    new_q = await _qualification(session, "test-national-b", second_unit="A unit only B has")
    old_p = await _programme(session, world, "National A", old_q)
    new_p = await _programme(session, world, "National B", new_q)
    learner = await registered_learner(session, world, programme_id=old_p)
    await _assessed(session, world, learner, old_p, unit=1)
    await _transfer(session, learner.id, old_p, new_p)

    new = await records.registration_record(session, QN, learner.id, new_q)
    assert _grades(new) == {1: "D", 2: None}  # unit 1 is shared (same number and title); unit 2 is not
    assert [(p.programme_id, p.carried) for p in new.programmes] == [(new_p, False), (old_p, True)]
    # The old record stays readable, on its own qualification.
    old = await records.learner_record(session, QN, learner.id, old_p)
    assert (old.qualification_id, _grades(old)) == (old_q, {1: "D", 2: None})


def test_r14_shared_units_match_by_reference_else_number_and_title():
    a = parse_specification(_spec("a", "Year two unit"))
    b = parse_specification(_spec("b", "Something else"))
    assert records.shared_units(a, b) == {1: 1}
    assert records.shared_units(a, a) == {1: 1, 2: 2}
