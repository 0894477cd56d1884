"""Standards verification (R-50..R-52) and OCR moderation (R-51), after the award's spring release.

The award (BTEC) has its verifier allocation on the Standard measure. The first sample is proposed,
the LIV declares the work authentic, the QN submits it a day late, and the report is not accepted:
one action, closed with a note. A second sample is asked for, submitted and accepted, so the subject
area is released; the demo's standards verifier (the centre's identity provider) has a grant on it
from the demo's load for 90 days, and has read it once. The diploma (OCR) had a moderation visit for
its unit 3 that agreed the grades."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select

from app.assignments.models import AssignmentBrief
from app.core import clock
from app.demo.world import Demo, subject
from app.standards_verification import grants, moderation, outcomes, schemas, service, verifier
from app.standards_verification.access import verifier_principal
from app.standards_verification.models import Grant


async def _submitted(demo: Demo, sample_id: uuid.UUID) -> None:
    for item in await service.list_items(demo.session, demo.as_("qn"), sample_id):
        await service.declare_authentic(demo.session, demo.as_("liv"), item.id)
    await service.submit_sample(demo.session, demo.as_("qn"), sample_id)


async def load_sv(demo: Demo, issuer: str) -> None:
    """`issuer`: the centre's identity provider (Settings.jwt_issuer), whose verifier the grant names."""
    session, qn = demo.session, demo.as_("qn")
    demo.on(demo.weekday(3, 16))
    allocation = await service.create_allocation(
        session,
        qn,
        schemas.AllocationCreate(
            programme_id=demo.ids["award"],
            measure="standard",
            verifier_name="Sam Varga",
            allocated_on=demo.today,
        ),
    )
    first = await service.request_sample(
        session,
        qn,
        schemas.SampleCreate(
            allocation_id=allocation.id,
            source="verifier",
            requested_on=demo.today,
            due_on=demo.today + dt.timedelta(days=3),
            note="Please send the sample for the Standard measure, with IV records and briefs.",
        ),
    )
    demo.on(demo.weekday(3, 20))  # a day after it was due: flagged late
    await _submitted(demo, first.id)
    report = await outcomes.record_outcome(
        session,
        qn,
        first.id,
        schemas.OutcomeCreate(
            accepted=False,
            reported_on=demo.today,
            summary="Merit decisions on A.M2 are not supported by the evidence annotated.",
            actions=[
                schemas.ActionCreate(
                    description="Restandardise A.M2 with the assessors and re-check the Merit decisions.",
                    owner_staff_id=demo.staff["liv"],
                    due_on=demo.today + dt.timedelta(days=7),
                )
            ],
        ),
    )
    demo.on(demo.weekday(3, 25))
    await outcomes.close_action(
        session,
        qn,
        report.actions[0].id,
        schemas.ActionClose(
            note="Restandardised on 25 March; two Merit decisions amended by their assessor."
        ),
    )
    second = await service.request_sample(
        session,
        qn,
        schemas.SampleCreate(
            allocation_id=allocation.id, source="verifier", requested_on=demo.today, due_on=demo.today
        ),
    )
    await _submitted(demo, second.id)
    await outcomes.record_outcome(
        session,
        qn,
        second.id,
        schemas.OutcomeCreate(accepted=True, reported_on=demo.today, summary="Accepted: standards met."),
    )
    demo.ids["sv-sample"] = second.id
    # The grant runs from the demo's load (real time), so the verifier's screens answer now.
    demo.frozen.set(demo.began)
    grant = await grants.create_grant(
        session,
        qn,
        second.id,
        schemas.GrantCreate(
            verifier_name="Sam Varga",
            expires_at=clock.now() + dt.timedelta(days=90),
            issuer=issuer,
            subject=subject("standards_verifier"),
        ),
        [issuer],
    )
    row = await session.get_one(Grant, grant.id)
    await verifier.get_sample(session, verifier_principal([row]), second.id)  # on the access log
    demo.on(demo.weekday(3, 27))
    unit = (
        await session.scalars(
            select(AssignmentBrief.unit_numbers).where(AssignmentBrief.id == demo.ids["brief-d1"])
        )
    ).one()[0]
    await moderation.record_moderation(
        session,
        qn,
        schemas.ModerationCreate(
            programme_id=demo.ids["diploma"],
            unit_number=unit,
            visited_on=demo.today,
            moderator_name="Olu Moderator (OCR)",
            outcome="agreed",
        ),
    )
