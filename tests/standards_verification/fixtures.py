"""Plain factories: released work on the world's programme, an allocation and a sample of it."""

from __future__ import annotations

import datetime as dt

from app.assessment import decisions
from app.core import clock
from app.standards_verification import schemas, service
from app.verification import draws, records
from app.verification import schemas as vschemas
from tests.conftest import CENTRE_A
from tests.programmes.fixtures import make_staff, principal
from tests.verification.fixtures import ASSESSOR, IV, LEADER, LIV, as_staff, batch

QN = principal("qn", subject="staff-qn")
LIV_P = as_staff(*LIV)


async def released(session, world, plan):
    """A brief and one released decision per (assessor, grade) in `plan`, every one verified."""
    brief, made = await batch(session, world, plan)
    sample = await draws.draw_sample(
        session, as_staff(*IV), brief.id, vschemas.SampleCreate(), seed_source=lambda: 7
    )
    for i in sample.items:
        await records.record_iv(
            session,
            as_staff(*IV),
            vschemas.IvRecordCreate(
                decision_id=i.decision_id,
                outcome="agree",
                verified_on=dt.date(2025, 12, 1),
                feedback_to_assessor="Agreed.",
            ),
        )
    await decisions.release_brief(session, as_staff(*ASSESSOR), brief.id)
    return brief, made


PLAN = [(ASSESSOR, "D"), (ASSESSOR, "M"), (LEADER, "P"), (LEADER, "U"), (ASSESSOR, "M"), (LEADER, "P")] * 2


async def qn_staff(session):
    return await make_staff(session, CENTRE_A, "qn", "qn")


async def allocation(session, world, measure=schemas.Measure.standard):
    return await service.create_allocation(
        session,
        QN,
        schemas.AllocationCreate(
            programme_id=world.programme_id,
            measure=measure,
            verifier_name="Sam Verifier",
            allocated_on=clock.today(),
        ),
    )


async def sample(session, world, due_in: int = 10, measure=schemas.Measure.standard):
    a = await allocation(session, world, measure)
    today = clock.today()
    return a, await service.request_sample(
        session,
        QN,
        schemas.SampleCreate(
            allocation_id=a.id,
            source=schemas.RequestSource.verifier,
            requested_on=today - dt.timedelta(days=5),
            due_on=today + dt.timedelta(days=due_in),
        ),
    )


async def declared_and_submitted(session, sample_id):
    for item in await service.list_items(session, QN, sample_id):
        await service.declare_authentic(session, LIV_P, item.id)
    return await service.submit_sample(session, QN, sample_id)


__all__ = ["ASSESSOR", "IV", "LEADER", "LIV", "PLAN", "QN", "allocation", "as_staff", "released", "sample"]
