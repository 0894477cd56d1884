"""Plain factories: a brief with a batch of decisions submitted for IV, and IV records."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.assessment import decisions, schemas, submissions
from app.core import clock as service_clock
from tests.assessment.fixtures import ASSESSOR, IV, LIV, as_staff, content, issued_brief, registered_learner
from tests.programmes.fixtures import World, principal

LEADER = ("leader", "assessor")  # the world's programme leader is also one of its assessors


def lp(learner):
    return principal("learner", subject=learner.idp_subject)


GRADES = {
    "D": lambda c: True,
    "M": lambda c: ".D" not in c,
    "P": lambda c: ".P" in c,
    "U": lambda c: c != "A.P1",
}


async def batch(
    session: AsyncSession,
    world: World,
    plan: list[tuple[tuple[str, str], str]],
    brief=None,
    sites=None,
    evidence=None,
):
    """A brief and one submitted-for-IV decision per (assessor, grade) in `plan`; `sites`, if given, is
    each learner's site; `evidence`, if given, each submission's reference kinds (default: a report)."""
    brief = brief or await issued_brief(session, world)
    made = []
    for n, (assessor, grade) in enumerate(plan):
        learner = await registered_learner(session, world, n=n, site_id=sites[n] if sites else None)
        s = await submissions.create_submission(
            session, lp(learner), schemas.SubmissionCreate(brief_id=brief.id)
        )
        for kind in evidence[n] if evidence else ["reference"]:
            await submissions.add_evidence_reference(
                session,
                lp(learner),
                s.id,
                schemas.EvidenceReferenceCreate(
                    kind=kind, description="Report", reference="Portfolio p.1-12"
                ),
            )
        s = await submissions.hand_in(
            session,
            lp(learner),
            s.id,
            schemas.HandIn(
                declaration_signed=True, ai_used=False, declaration_signed_on=service_clock.today()
            ),
        )
        d = await decisions.record_decision(
            session,
            as_staff(*assessor),
            schemas.DecisionCreate(submission_id=s.id, **content(brief, GRADES[grade])),
        )
        made.append(await decisions.submit_for_iv(session, as_staff(*assessor), d.id))
    return brief, made


__all__ = ["ASSESSOR", "IV", "LEADER", "LIV", "as_staff", "batch", "content", "lp"]
