"""R-51: the verifier's report (accepted, or not accepted with actions closed with a note), Pearson's
certification statuses with their change events, the second sample after actions; OCR moderation per
unit; the sample pack archive; and the programme-level visibility of the centre's records (R-98)."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from sqlalchemy import select

from app.assessment.models import AssessmentDecision, DecisionVersion
from app.core import clock
from app.core.errors import NotFound, RuleViolation, ValidationFailed
from app.events.models import OutboxEvent
from app.standards_verification import moderation, outcomes, schemas, service
from app.standards_verification.models import ModerationAdjustment
from app.standards_verification.schemas import SvCertificationStatus as St
from app.standards_verification.status import certification_status, status_of
from tests.programmes.fixtures import principal
from tests.standards_verification.fixtures import PLAN, QN, declared_and_submitted, qn_staff, released, sample

Sub, Req = schemas.SampleStatus.submitted, schemas.SampleStatus.requested


def test_r51_statuses_follow_pearsons():
    assert status_of([]) is St.not_yet_fully_sampled
    assert status_of([(Req, None)]) is St.not_yet_fully_sampled
    assert status_of([(Sub, None)]) is St.report_outstanding
    assert status_of([(Sub, False)]) is St.certification_pending
    assert status_of([(Sub, False), (Req, None)]) is St.certification_pending
    assert status_of([(Sub, False), (Sub, None)]) is St.certification_pending
    assert status_of([(Sub, False), (Sub, True)]) is St.released
    assert status_of([(Sub, True)]) is St.released


def _status_events(types_payloads):
    return [(p["previous"], p["status"]) for t, p in types_payloads if t == "sv_certification_status.changed"]


async def test_r51_not_accepted_blocks_until_a_second_sample_after_the_actions_is_accepted(session, world):
    staff = await qn_staff(session)
    await released(session, world, PLAN[:4])
    assert await certification_status(session, world.programme_id) is St.not_yet_fully_sampled
    a, s = await sample(session, world)
    await declared_and_submitted(session, s.id)
    assert await certification_status(session, world.programme_id) is St.report_outstanding
    today = clock.today()
    with pytest.raises(ValidationFailed):  # not accepted says what to do
        await outcomes.record_outcome(
            session, QN, s.id, schemas.OutcomeCreate(accepted=False, reported_on=today, summary="No.")
        )
    out = await outcomes.record_outcome(
        session,
        QN,
        s.id,
        schemas.OutcomeCreate(
            accepted=False,
            reported_on=today,
            summary="Assessment decisions at Merit not supported by evidence.",
            actions=[
                schemas.ActionCreate(description="Restandardise Merit", owner_staff_id=staff.id, due_on=today)
            ],
        ),
    )
    assert await certification_status(session, world.programme_id) is St.certification_pending
    new_request = schemas.SampleCreate(
        allocation_id=a.id, source="verifier", requested_on=today, due_on=today
    )
    with pytest.raises(RuleViolation):  # the actions first
        await service.request_sample(session, QN, new_request)
    closed = await outcomes.close_action(
        session, QN, out.actions[0].id, schemas.ActionClose(note="Done 3 Dec")
    )
    assert closed.status is schemas.ActionStatus.closed and closed.closed_note == "Done 3 Dec"
    second = await service.request_sample(session, QN, new_request)
    assert second.round == 2
    assert await certification_status(session, world.programme_id) is St.certification_pending
    await declared_and_submitted(session, second.id)
    await outcomes.record_outcome(
        session, QN, second.id, schemas.OutcomeCreate(accepted=True, reported_on=today, summary="Accepted.")
    )
    assert await certification_status(session, world.programme_id) is St.released
    rows = (
        await session.execute(select(OutboxEvent.event_type, OutboxEvent.payload).order_by(OutboxEvent.id))
    ).all()
    assert _status_events(rows) == [
        ("not_yet_fully_sampled", "report_outstanding"),
        ("report_outstanding", "certification_pending"),
        ("certification_pending", "released"),
    ]
    assert "sv_outcome.recorded" in {t for t, _ in rows}
    with pytest.raises(RuleViolation):  # released for the year
        await service.request_sample(session, QN, new_request)


async def test_r51_status_over_rest_and_graphql(client, auth, session, world):
    await released(session, world, PLAN[:4])
    _, s = await sample(session, world)
    await declared_and_submitted(session, s.id)
    await session.commit()
    r = await client.get(f"/v1/programmes/{world.programme_id}/sv-status", headers=auth("hoc"))
    assert r.status_code == 200 and r.json()["status"] == "report_outstanding"
    q = "query($id: UUID!) { svCertificationStatus(programmeId: $id) { status subjectArea } }"
    body = (
        await client.post(
            "/graphql", json={"query": q, "variables": {"id": str(world.programme_id)}}, headers=auth("qn")
        )
    ).json()
    assert body["data"]["svCertificationStatus"]["status"] == "report_outstanding"


async def test_r98_the_liv_reads_only_their_programmes_visits(session, world):
    await released(session, world, PLAN[:4])
    _, s = await sample(session, world)
    liv = principal("liv", subject="staff-liv")
    assert (await service.get_sample(session, liv, s.id)).id == s.id
    stranger = principal("liv", subject="staff-nobody")
    with pytest.raises(NotFound):
        await service.get_sample(session, stranger, s.id)
    assert await service.list_samples(session, stranger) == []
    with pytest.raises(NotFound):
        await service.get_sample(session, principal("assessor", subject="staff-assessor"), s.id)


async def test_r51_moderation_agreement_confirms_and_disagreement_adjusts_as_new_versions(session, world):
    await qn_staff(session)
    brief, made = await released(session, world, PLAN[:3])
    unit = brief.unit_numbers[0]
    today = clock.today()
    agreed = await moderation.record_moderation(
        session,
        QN,
        schemas.ModerationCreate(
            programme_id=world.programme_id,
            unit_number=unit,
            visited_on=today,
            moderator_name="M. Oderator",
            outcome="agreed",
        ),
    )
    assert agreed.adjustments == []
    d = made[0]
    before = await session.get(AssessmentDecision, d.id)
    old_version = before.current_version

    def adjusted_visit(adjustments):
        return schemas.ModerationCreate(
            programme_id=world.programme_id,
            unit_number=unit,
            visited_on=today,
            moderator_name="M. Oderator",
            outcome="adjusted",
            reason="Merit criteria not evidenced",
            adjustments=adjustments,
        )

    with pytest.raises(RuleViolation) as partial:  # every learner's work on the unit is moderated
        await moderation.record_moderation(
            session, QN, adjusted_visit([schemas.GradeAdjustment(decision_id=d.id, grade="Pass")])
        )
    assert partial.value.errors[0].code == "R-51"
    kept = {"D": "Pass", "M": "Merit", "P": "Pass"}  # the Distinction comes down; the others stay
    adjusted = await moderation.record_moderation(
        session,
        QN,
        adjusted_visit(
            [schemas.GradeAdjustment(decision_id=m.id, grade=g) for m, g in zip(made, kept.values())]
        ),
    )
    [adj] = adjusted.adjustments  # a new version only where the grade changed
    assert adj.decision_id == d.id
    assert adj.version_number == old_version + 1 and adj.to_grade == "Pass"
    await session.refresh(before)
    assert before.current_version == before.released_version == old_version + 1
    assert before.status == "released"  # not sent back through centre IV
    v = await session.get(DecisionVersion, (d.id, adj.version_number))
    assert v.unit_grades[str(unit)] == "Pass" and str(adjusted.id) in v.reason
    assert (await session.scalar(select(ModerationAdjustment.visit_id))) == adjusted.id


async def test_r51_the_centre_has_at_most_the_policys_visits_a_year(session, world):
    brief, _ = await released(session, world, PLAN[:1])
    today = clock.today()

    async def visit(days_ago):
        return await moderation.record_moderation(
            session,
            QN,
            schemas.ModerationCreate(
                programme_id=world.programme_id,
                unit_number=brief.unit_numbers[0],
                visited_on=today - dt.timedelta(days=days_ago),
                moderator_name="M",
                outcome="agreed",
            ),
        )

    await visit(3)
    await visit(2)
    await visit(2)  # another unit on the same visit day is the same visit
    with pytest.raises(RuleViolation):
        await visit(1)
    await service.put_policy(
        session, QN, schemas.SamplePolicyWrite(moderation_visits_per_year=3), None
    )  # first set
    await visit(1)


async def test_r50_the_sample_pack_holds_a_manifest_an_index_and_the_evidence(client, auth, session, world):
    await released(session, world, PLAN[:4])
    _, s = await sample(session, world)
    await session.commit()
    r = await client.get(f"/v1/sv-samples/{s.id}/pack", headers=auth("qn"))
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(r.content))
    names = archive.namelist()
    assert "manifest.json" in names and "index.html" in names
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["sample"]["id"] == str(s.id) and len(manifest["items"]) == s.item_count
    assert all(i["decision_versions"] for i in manifest["items"])
    assert "<h1>" in archive.read("index.html").decode()
    assert (await client.get(f"/v1/sv-samples/{s.id}/pack", headers=auth("liv"))).status_code == 403
