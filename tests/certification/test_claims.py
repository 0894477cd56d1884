"""R-91 claims through their checks, R-93 unit certification, R-94 deadlines, the export, and R-92
certificates received checked against the records."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import select

from app.certification import certificates, claims, export, schemas
from app.certification.schemas import ClaimStatus, ClaimType
from app.core.errors import Forbidden, RuleViolation
from app.events.models import OutboxEvent
from app.programmes import enrolments
from app.programmes import schemas as pschemas
from app.programmes.errors import InvalidTransition
from app.programmes.models import Enrolment
from tests.certification.fixtures import accredited_liv, released
from tests.programmes.fixtures import principal
from tests.verification.fixtures import LIV, as_staff

EO = principal("exams_officer", subject="staff-eo")
OTHER_EO = principal("exams_officer", subject="staff-eo2")
PL = as_staff("leader", "programme_leader")


async def _withdraw(session, learner, on=dt.date(2025, 12, 5)):
    e = await session.scalar(select(Enrolment).where(Enrolment.learner_id == learner.id))
    await enrolments.withdraw(
        session, principal("hoc"), e.id, pschemas.Withdrawal(withdrawn_on=on, reason="Left")
    )


async def _checked(session, claim_id):
    await claims.confirm_records(session, as_staff(*LIV), claim_id)
    await claims.leader_check(session, PL, claim_id)
    await claims.prepare(session, EO, claim_id)
    return await claims.second_check(session, OTHER_EO, claim_id)


async def _events(session, type_):
    return (await session.scalars(select(OutboxEvent).where(OutboxEvent.event_type == type_))).all()


async def test_r90_nothing_ineligible_enters_a_claim(session, world):
    await accredited_liv(session, world)
    merit, unclassified = await released(session, world, ["M", "U"])
    with pytest.raises(RuleViolation) as refused:
        await claims.create_claim(
            session,
            EO,
            schemas.ClaimCreate(
                programme_id=world.programme_id,
                claim_type=ClaimType.full,
                learner_ids=[merit.id, unclassified.id],
            ),
        )
    assert [(e.field, e.code) for e in refused.value.errors] == [("body.learner_ids.1", "R-04")]
    assert await claims.list_claims(session, EO) == []  # refused whole: nothing half-written


async def test_r91_a_claim_moves_through_its_checks_by_the_right_people(session, world):
    await accredited_liv(session, world)
    merit, passed = await released(session, world, ["M", "P"])
    claim = await claims.create_claim(
        session,
        EO,
        schemas.ClaimCreate(
            programme_id=world.programme_id, claim_type=ClaimType.full, learner_ids=[merit.id, passed.id]
        ),
    )
    assert claim.status is ClaimStatus.draft and claim.due_on == dt.date(2026, 7, 31)
    assert sorted(e.overall_grade for e in claim.entries) == ["M", "P"]
    with pytest.raises(InvalidTransition):  # R-91's order: the LIV confirms first
        await claims.leader_check(session, PL, claim.id)
    with pytest.raises(Forbidden):  # only the programme's own LIV
        await claims.confirm_records(session, as_staff("other", "liv"), claim.id)
    await claims.confirm_records(session, as_staff(*LIV), claim.id)
    with pytest.raises(Forbidden):
        await claims.leader_check(session, as_staff("liv", "programme_leader"), claim.id)
    await claims.leader_check(session, PL, claim.id)
    prepared = await claims.prepare(session, EO, claim.id)
    assert prepared.prepared_by == EO.subject
    with pytest.raises(Forbidden):  # never the preparer
        await claims.second_check(session, EO, claim.id)
    checked = await claims.second_check(session, principal("qn", subject="staff-qn"), claim.id)
    assert checked.status is ClaimStatus.checked
    submitted = await claims.submit(session, EO, claim.id)
    assert submitted.status is ClaimStatus.submitted and submitted.submitted_at is not None
    (event,) = await _events(session, "certification_claim.submitted")
    assert event.payload["id"] == str(claim.id) and len(event.payload["entries"]) == 2
    with pytest.raises(InvalidTransition):
        await claims.submit(session, EO, claim.id)


async def test_r90_a_learner_who_becomes_ineligible_before_submission_is_removed_with_the_reason(
    session, world
):
    await accredited_liv(session, world)
    stays, leaves = await released(session, world, ["M", "P"])
    claim = await claims.create_claim(
        session,
        EO,
        schemas.ClaimCreate(
            programme_id=world.programme_id, claim_type=ClaimType.full, learner_ids=[stays.id, leaves.id]
        ),
    )
    await _checked(session, claim.id)
    await _withdraw(session, leaves)
    submitted = await claims.submit(session, EO, claim.id)
    by_learner = {e.learner_id: e for e in submitted.entries}
    assert by_learner[stays.id].status is schemas.EntryStatus.included
    removed = by_learner[leaves.id]
    assert removed.status is schemas.EntryStatus.removed
    assert [(r.code, r.rule) for r in removed.removed_reasons] == [(schemas.ReasonCode.withdrawn, "R-12")]
    rows = (await export.export(session, EO, claim.id)).rows
    assert [r.learner_name for r in rows] == [
        f"{by_learner[stays.id].given_name} {by_learner[stays.id].family_name}"
    ]


async def test_r93_unit_certification_is_for_learners_who_leave(session, world):
    await accredited_liv(session, world)
    stays, leaves = await released(session, world, ["M", "P"])
    with pytest.raises(RuleViolation) as refused:
        await claims.create_claim(
            session,
            EO,
            schemas.ClaimCreate(
                programme_id=world.programme_id, claim_type=ClaimType.unit, learner_ids=[stays.id]
            ),
        )
    assert refused.value.errors[0].code == "R-93"
    await _withdraw(session, leaves)
    with pytest.raises(RuleViolation):  # a leaver's full certificate is refused
        await claims.create_claim(
            session,
            EO,
            schemas.ClaimCreate(
                programme_id=world.programme_id, claim_type=ClaimType.full, learner_ids=[leaves.id]
            ),
        )
    claim = await claims.create_claim(
        session,
        EO,
        schemas.ClaimCreate(
            programme_id=world.programme_id, claim_type=ClaimType.unit, learner_ids=[leaves.id]
        ),
    )
    (entry,) = claim.entries
    assert [(u.unit_number, u.grade) for u in entry.units] == [(1, "P")] and entry.overall_grade is None


def test_r94_deadlines():
    from app.calendars.models import AcademicYear

    year = AcademicYear(start_date=dt.date(2025, 9, 1), end_date=dt.date(2026, 8, 31))
    today = dt.date(2025, 10, 15)
    assert claims.due_date("academic_year", year, [], today) == dt.date(2026, 7, 31)
    assert claims.due_date("flexible", year, [dt.date(2026, 1, 31), dt.date(2026, 3, 2)], today) == dt.date(
        2026, 2, 28
    )
    assert claims.due_date("flexible", year, [], today) == dt.date(2025, 11, 15)


async def test_r94_overdue_and_due_soon_claims_are_listed(session, world, clock):
    await accredited_liv(session, world)
    learners = await released(session, world, ["M", "P"])
    soon = await claims.create_claim(
        session,
        EO,
        schemas.ClaimCreate(
            programme_id=world.programme_id, claim_type=ClaimType.full, learner_ids=[learners[0].id]
        ),
    )
    clock.set(dt.datetime(2026, 7, 20, 9, tzinfo=dt.UTC))
    assert [(d.claim_id, d.state) for d in await claims.deadlines(session, EO)] == [
        (soon.id, schemas.DeadlineState.due_soon)
    ]
    clock.set(dt.datetime(2026, 8, 3, 9, tzinfo=dt.UTC))
    assert [d.state for d in await claims.deadlines(session, EO)] == [schemas.DeadlineState.overdue]
    await _checked(session, soon.id)
    await claims.submit(session, EO, soon.id)
    assert await claims.deadlines(session, EO) == []


async def test_the_submitted_claim_is_exported_as_csv_and_json(session, world):
    await accredited_liv(session, world)
    (learner,) = await released(session, world, ["D"])
    claim = await claims.create_claim(
        session,
        EO,
        schemas.ClaimCreate(
            programme_id=world.programme_id, claim_type=ClaimType.full, learner_ids=[learner.id]
        ),
    )
    with pytest.raises(InvalidTransition):  # only once it has passed its checks
        await export.export(session, EO, claim.id)
    await _checked(session, claim.id)
    await claims.submit(session, EO, claim.id)
    data = await export.export(session, EO, claim.id)
    (row,) = data.rows
    assert (row.claim_type, row.overall_grade, [(u.unit_number, u.grade) for u in row.units]) == (
        ClaimType.full,
        "D",
        [(1, "D")],
    )
    assert row.registration_number and data.awarding_body == "pearson"
    lines = list(csv.reader(io.StringIO(await export.export_csv(session, EO, claim.id))))
    assert lines[0] == list(export.CSV_COLUMNS)
    assert lines[1][0] == row.registration_number and lines[1][4:] == ["full", "1:D", "D"]


async def _submitted(session, world, grade="M"):
    await accredited_liv(session, world)
    (learner,) = await released(session, world, [grade])
    claim = await claims.create_claim(
        session,
        EO,
        schemas.ClaimCreate(
            programme_id=world.programme_id, claim_type=ClaimType.full, learner_ids=[learner.id]
        ),
    )
    await _checked(session, claim.id)
    return await claims.submit(session, EO, claim.id)


async def test_r92_a_certificate_matching_the_records_is_cleared(session, world):
    claim = await _submitted(session, world)
    (entry,) = claim.entries
    cert = await certificates.record_certificate(
        session,
        EO,
        claim.id,
        schemas.CertificateCreate(
            learner_id=entry.learner_id,
            received_on=dt.date(2026, 1, 9),  # a Friday of the spring term
            learner_name=f"{entry.given_name}  {entry.family_name.upper()}",
            overall_grade="M",
            units=[schemas.CertificateUnit(unit_number=1, grade="M")],
        ),
    )
    assert cert.status is schemas.CertificateStatus.received
    assert cert.check_due_on == dt.date(2026, 1, 14)  # 3 working days (R-92, R-31's working days)
    checked = await certificates.check_certificate(session, EO, cert.id)
    assert (checked.status, checked.anomalies) == (schemas.CertificateStatus.cleared, [])
    assert await _events(session, "certificate.anomaly") == []


async def test_r92_each_mismatch_is_an_anomaly_and_the_certificate_is_withheld_until_resolved(session, world):
    claim = await _submitted(session, world)
    (entry,) = claim.entries
    cert = await certificates.record_certificate(
        session,
        EO,
        claim.id,
        schemas.CertificateCreate(
            learner_id=entry.learner_id,
            received_on=dt.date(2026, 1, 9),
            learner_name="Someone Else",
            overall_grade="D",
            units=[
                schemas.CertificateUnit(unit_number=1, grade="D"),
                schemas.CertificateUnit(unit_number=2, grade="P"),
            ],
        ),
    )
    checked = await certificates.check_certificate(session, EO, cert.id)
    assert checked.status is schemas.CertificateStatus.withheld
    assert [(a.kind, a.unit_number) for a in checked.anomalies] == [
        (schemas.AnomalyKind.name, None),
        (schemas.AnomalyKind.grade, None),
        (schemas.AnomalyKind.grade, 1),
        (schemas.AnomalyKind.unit, 2),
    ]
    (event,) = await _events(session, "certificate.anomaly")
    assert event.payload["status"] == "withheld" and len(event.payload["anomalies"]) == 4
    withheld = await certificates.list_certificates(session, EO, status=schemas.CertificateStatus.withheld)
    assert [c.id for c in withheld] == [cert.id]
    resolved = await certificates.resolve(
        session, EO, cert.id, schemas.CertificateResolve(note="Pearson reissued it")
    )
    assert resolved.status is schemas.CertificateStatus.released


async def test_r92_unchecked_certificates_past_their_check_day_are_listed(session, world, clock):
    claim = await _submitted(session, world)
    (entry,) = claim.entries
    clock.set(dt.datetime(2026, 1, 12, 9, tzinfo=dt.UTC))
    cert = await certificates.record_certificate(
        session,
        EO,
        claim.id,
        schemas.CertificateCreate(
            learner_id=entry.learner_id, received_on=dt.date(2026, 1, 9), learner_name="X", overall_grade="M"
        ),
    )
    assert await certificates.list_certificates(session, EO, check_overdue=True) == []
    clock.set(dt.datetime(2026, 1, 15, 9, tzinfo=dt.UTC))
    assert [c.id for c in await certificates.list_certificates(session, EO, check_overdue=True)] == [cert.id]


async def test_r92_certificates_only_against_a_submitted_claim_and_its_learners(session, world):
    claim = await _submitted(session, world)
    with pytest.raises(RuleViolation):
        await certificates.record_certificate(
            session,
            EO,
            claim.id,
            schemas.CertificateCreate(
                learner_id=world.liv, received_on=dt.date(2026, 1, 9), learner_name="X", overall_grade="M"
            ),
        )


async def test_r97_certification_and_certificates_start_the_retention_clocks(session, world, clock):
    """R-97: assessment records count 3 years from the claim that certified the learner, learner work 12
    weeks from the certificate received (the providers app/records/retention.py reads)."""
    from app.records import retention
    from app.records.schemas import RecordKind

    clock.set(dt.datetime(2026, 1, 6, 23, 30, tzinfo=dt.UTC))  # 23:30 UTC is 6 January in London too
    claim = await _submitted(session, world)
    (entry,) = claim.entries
    record = retention.Held(RecordKind.assessment_records, entry.learner_id, world.centre, entry.learner_id)
    certified = retention.REGISTRY.clocks["certification"]
    issued = retention.REGISTRY.clocks["certificates_issued"]
    assert await certified(session, record) == dt.date(2026, 1, 6)
    assert await issued(session, record) is None  # no certificate yet: learner work is kept
    clock.set(dt.datetime(2026, 1, 12, 9, tzinfo=dt.UTC))
    await certificates.record_certificate(
        session,
        EO,
        claim.id,
        schemas.CertificateCreate(
            learner_id=entry.learner_id,
            received_on=dt.date(2026, 1, 9),
            learner_name=f"{entry.given_name} {entry.family_name}",
            overall_grade="M",
            units=[schemas.CertificateUnit(unit_number=1, grade="M")],
        ),
    )
    assert await issued(session, record) == dt.date(2026, 1, 9)
    other = retention.Held(RecordKind.assessment_records, world.centre, world.centre, world.centre)
    assert await certified(session, other) is None
