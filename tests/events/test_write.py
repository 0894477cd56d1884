"""The write path (app.events.write): one audit row and one typed outbox event per change (R-96), in the
caller's transaction, with the same before/after."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.centres import schemas as centre_schemas
from app.centres import service as centres_service
from app.centres.events import SiteUpdated
from app.events.models import OutboxEvent
from app.events.write import Change, recorded, recorded_all
from app.qualifications.events import QualificationImported
from tests.conftest import CENTRE_A
from tests.programmes.fixtures import principal


async def _audit(session, subject_id) -> list[AuditEvent]:
    return list(
        (
            await session.scalars(
                select(AuditEvent).where(AuditEvent.subject_id == str(subject_id)).order_by(AuditEvent.seq)
            )
        ).all()
    )


async def _outbox(session, event_id) -> OutboxEvent:
    return (await session.scalars(select(OutboxEvent).where(OutboxEvent.id == event_id))).one()


async def test_r96_a_change_leaves_one_audit_row_and_one_typed_event(session, centres):
    hoc = principal("hoc")
    summary = QualificationImported(id=uuid.uuid4(), key="q", version=1, title="Q", content_hash="0" * 64)
    event_id = await recorded(session, hoc, Change.created(summary, "qualification", summary.id))
    [row] = await _audit(session, summary.id)
    event = await _outbox(session, event_id)
    assert (row.action, row.subject_type, row.actor, row.actor_role) == (
        "qualification.imported",
        "qualification",
        hoc.subject,
        hoc.audit_role,
    )
    assert row.before is None and row.after == summary.payload() == event.payload
    assert (event.event_type, event.centre_id) == ("qualification.imported", CENTRE_A)


async def test_r96_an_update_audits_and_sends_the_same_before_and_after(session, centres):
    hoc = principal("hoc")
    site = await centres_service.create_site(session, hoc, centre_schemas.SiteCreate(name="North"))
    await centres_service.update_site(
        session, hoc, site.id, centre_schemas.SiteUpdate(name="North campus"), site.version
    )
    created, updated = await _audit(session, site.id)
    assert (created.action, updated.action) == ("site.created", "site.updated")
    [event] = (
        await session.scalars(
            select(OutboxEvent).where(
                OutboxEvent.event_type == "site.updated", OutboxEvent.centre_id == CENTRE_A
            )
        )
    ).all()
    assert event.payload == {"before": updated.before, "after": updated.after}
    assert SiteUpdated.model_validate(event.payload).after.name == "North campus"


async def test_a_change_without_an_event_only_rides_with_one_that_has_one(session, centres):
    hoc = principal("hoc")
    subject = uuid.uuid4()
    with pytest.raises(ValueError, match="has an event"):
        await recorded(session, hoc, Change(None, "enrolment", subject, after={}, action="enrolment.created"))
    with pytest.raises(ValueError, match="at least one event"):
        await recorded_all(session, hoc, [Change(None, "enrolment", subject, after={}, action="x.created")])
    with pytest.raises(ValueError, match="names its action"):
        await recorded_all(session, hoc, [Change(None, "enrolment", subject, after={})])
    assert await _audit(session, subject) == []
