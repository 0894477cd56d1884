"""Internal standardisation and staff CPD (R-45, R-46): once assignment 1 is verified and released, the
award team standardises unit 1 on two sampled pieces of work, with an arbitration the LIV records; the
assessor and the IV log CPD. Dated on the demo's clock where the award's IV left it."""

from __future__ import annotations

from app.demo.world import Demo
from app.standardisation import competence, schemas, service


async def load_quality(demo: Demo) -> None:
    session, s = demo.session, demo.staff
    await service.record_standardisation(
        session,
        demo.as_("liv"),
        schemas.StandardisationCreate(
            programme_id=demo.ids["award"],
            unit_number=1,
            held_on=demo.today,
            attendee_ids=[s["liv"], s["iv"], s["iv-2"], s["assessor"], s["assessor-2"]],
            sampled_decision_ids=[demo.ids["decision-a1-ella"], demo.ids["decision-a1-ben-first"]],
            outcomes="Agreed the standard for A.M2: the evaluation must weigh each method against the "
            "customer's needs, not list them. Ella's report meets it; Ben's does not.",
            arbitrations="Assessors disagreed on whether a table of methods evidences A.P1; the LIV "
            "ruled that it does when each method is described.",
        ),
    )
    for key, activity, hours in (
        ("assessor", "Pearson BTEC Tech Award standardisation training (online)", 2.5),
        ("iv", "Internal verification update for the 2025/26 specifications", 1.5),
    ):
        await competence.record_cpd(
            session,
            demo.as_(key),
            schemas.CpdCreate(staff_id=s[key], undertaken_on=demo.today, activity=activity, hours=hours),
        )
