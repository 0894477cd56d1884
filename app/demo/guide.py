"""What `verity demo` prints: a token per role and, for each, the screens to try (URLs that return
the demo's data). tests/cli/test_demo.py calls every one of these URLs with that role's token."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping

from sqlalchemy import select

from app.assessment.models import AssessmentDecision
from app.assignments.models import AssignmentBrief
from app.auth.scopes import Role
from app.auth.tokens import mint_development_token
from app.certification.models import CertificationClaim
from app.core.config import Settings
from app.core.db import make_engine, make_sessionmaker, resolve_urls
from app.demo.world import DEMO_CENTRE_ID, DEMO_LEARNER_SUBJECT
from app.employers.models import InvolvementPlan
from app.learners.models import Learner
from app.programmes.models import Programme
from app.standards_verification.models import Sample
from app.verification.models import IvSample

# role -> [(what, path)]; {award}, {diploma}, {a1}, {d1}, {amara}, {ben_decision}, {sample}, {sv_sample}
# are ids.
# role -> [(what, path)]; {award}, {diploma}, {a1}, {d1}, {amara}, {ben_decision}, {sample}, {claim},
# {award_qualification}, {diploma_plan} are ids.
SCREENS: dict[Role, list[tuple[str, str]]] = {
    Role.hoc: [
        ("programmes", "/v1/programmes"),
        ("cohort tracking grid", "/v1/programmes/{award}/tracking-grid"),
        ("a learner's record", "/v1/learners/{amara}/assessment-record?programme_id={award}"),
        ("briefs", "/v1/assignment-briefs?programme_id={award}"),
        ("decisions on assignment 1", "/v1/assessment-decisions?brief_id={a1}"),
        ("IV sample", "/v1/iv-samples/{sample}"),
        ("IV records", "/v1/assignment-briefs/{a1}/iv-records"),
        ("remedial actions", "/v1/iv-remedial-actions"),
        ("resubmissions", "/v1/assessment-decisions/{ben_decision}/resubmissions"),
        ("audit log", "/v1/audit-events"),
        ("audit chain check", "/v1/audit/verification"),
        ("webhooks catalogue", "/v1/webhook-event-types"),
        ("malpractice cases (R-70)", "/v1/malpractice-cases"),
        ("reported malpractice cases (R-72)", "/v1/malpractice-cases?report_overdue=false"),
        ("QMR visits (R-90)", "/v1/qmr-visits"),
        ("employer involvement plans (R-95)", "/v1/employer-involvement-plans"),
        ("appeals (R-60, R-61)", "/v1/appeals"),
        ("appeal report (R-63)", "/v1/appeal-report"),
        ("appeal policy", "/v1/appeal-policy"),
    ],
    Role.qn: [
        ("registration issues (R-11)", "/v1/registration-issues"),
        ("subject access requests (R-98)", "/v1/subject-access-requests"),
        ("legal holds (R-97)", "/v1/legal-holds"),
        ("LIV dashboard", "/v1/iv-dashboard"),
        ("LIV appointments", "/v1/liv-appointments"),
        ("audit log", "/v1/audit-events"),
        ("malpractice cases (R-70)", "/v1/malpractice-cases"),
        ("SV allocations (R-50)", "/v1/sv-allocations"),
        ("SV samples (R-50)", "/v1/sv-samples?programme_id={award}"),
        ("SV sample items", "/v1/sv-samples/{sv_sample}/items"),
        ("SV grants (R-52)", "/v1/sv-samples/{sv_sample}/grants"),
        ("SV access log (R-52)", "/v1/sv-samples/{sv_sample}/access-log"),
        ("SV reports and actions (R-51)", "/v1/sv-outcomes"),
        ("SV certification status (R-51)", "/v1/programmes/{award}/sv-status"),
        ("OCR moderation visits (R-51)", "/v1/ocr-moderations"),
        ("sample-size reference table", "/v1/sv-policy"),
        ("overdue appeal stages (R-61)", "/v1/appeal-stages/overdue"),
    ],
    Role.liv: [
        ("LIV dashboard", "/v1/iv-dashboard"),
        ("malpractice cases I investigate (R-71)", "/v1/malpractice-cases"),
        ("IV coverage", "/v1/programmes/{award}/iv-coverage"),
        ("IV schedule", "/v1/programmes/{award}/iv-schedule"),
        ("open remedial actions", "/v1/iv-remedial-actions?status=open"),
        ("resubmissions", "/v1/assessment-decisions/{ben_decision}/resubmissions"),
        ("open appeals", "/v1/appeals?status=open"),
    ],
    Role.iv: [
        ("latest IV sample", "/v1/assignment-briefs/{d1}/iv-samples/latest"),
        ("IV records", "/v1/assignment-briefs/{d1}/iv-records"),
        ("IV status (why not released)", "/v1/assignment-briefs/{d1}/iv-status"),
        ("remedial actions", "/v1/iv-remedial-actions?programme_id={diploma}"),
        ("standardisation records (R-45)", "/v1/standardisation-records"),
        ("standardisation gaps (R-45)", "/v1/programmes/{award}/standardisation-gaps"),
        ("CPD records (R-46)", "/v1/cpd-records"),
    ],
    Role.assessor: [
        ("briefs", "/v1/assignment-briefs"),
        ("submissions", "/v1/submissions?brief_id={a1}"),
        ("decisions awaiting IV", "/v1/assessment-decisions?status=submitted_for_iv"),
        ("assessment plan", "/v1/programmes/{award}/assessment-plan"),
        ("appeals on my decisions", "/v1/appeals"),
    ],
    Role.exams_officer: [
        (
            "certification preflight (R-90)",
            "/v1/learners/{amara}/registrations/{award_qualification}/certification-eligibility",
        ),
        ("certification claims (R-91)", "/v1/certification-claims"),
        ("a submitted claim", "/v1/certification-claims/{claim}"),
        ("the claim's export (JSON)", "/v1/certification-claims/{claim}/export"),
        ("certificates received (R-92)", "/v1/certificates"),
        ("withheld certificates (R-92)", "/v1/certificates?status=withheld"),
        ("learners", "/v1/learners"),
        ("enrolments and registrations", "/v1/enrolments?programme_id={diploma}"),
        ("prior learning (R-13)", "/v1/prior-learning"),
        ("reasonable adjustments (R-80)", "/v1/reasonable-adjustments"),
        ("special consideration (R-81)", "/v1/special-considerations"),
        ("webhooks catalogue", "/v1/webhook-event-types"),
    ],
    Role.programme_leader: [
        ("employer involvement report (R-95)", "/v1/employer-involvement-plans/{diploma_plan}/report"),
        ("employer activities (R-95)", "/v1/employer-activities"),
        ("cohort tracking grid (diploma)", "/v1/programmes/{diploma}/tracking-grid"),
        ("assessment plan", "/v1/programmes/{diploma}/assessment-plan"),
        ("decisions", "/v1/assessment-decisions?programme_id={award}"),
    ],
    Role.learner: [
        ("me", "/v1/me"),
        ("my full record (R-98)", "/v1/me/record"),
        ("my record", "/v1/learners/{amara}/assessment-record?programme_id={award}"),
        ("my released decisions", "/v1/assessment-decisions"),
        ("my submissions", "/v1/submissions"),
        ("my briefs", "/v1/assignment-briefs"),
        ("my appeals and every stage's response", "/v1/appeals"),
    ],
    Role.standards_verifier: [
        ("me", "/v1/me"),
        ("my granted samples (R-52)", "/v1/verifier/samples"),
        ("the sample", "/v1/verifier/samples/{sv_sample}"),
        ("its items", "/v1/verifier/samples/{sv_sample}/items"),
    ],
}


def subject_of(role: Role) -> str:
    return DEMO_LEARNER_SUBJECT if role is Role.learner else f"demo-{role.value}"


async def demo_ids(settings: Settings) -> dict[str, uuid.UUID | None]:
    """The ids the screens need, looked up by the demo's names (after a first or a repeated run)."""
    urls = resolve_urls(settings)
    engine = make_engine(urls.app, role=urls.app_role, pool_size=1)
    c = DEMO_CENTRE_ID
    try:
        async with make_sessionmaker(engine)() as s:
            programmes = dict(
                (await s.execute(select(Programme.code, Programme.id).where(Programme.centre_id == c))).all()
            )
            briefs = {
                t.split(":")[0].split()[-1]: i
                for t, i in (
                    await s.execute(
                        select(AssignmentBrief.title, AssignmentBrief.id).where(
                            AssignmentBrief.centre_id == c
                        )
                    )
                ).all()
            }
            a1, d1 = briefs["1"], briefs["3"]
            amara = await s.scalar(
                select(Learner.id).where(Learner.centre_id == c, Learner.idp_subject == DEMO_LEARNER_SUBJECT)
            )
            ben = await s.scalar(
                select(Learner.id).where(Learner.centre_id == c, Learner.given_name == "Ben")
            )
            ben_decision = await s.scalar(
                select(AssessmentDecision.id)
                .where(AssessmentDecision.brief_id == a1, AssessmentDecision.learner_id == ben)
                .order_by(AssessmentDecision.created_at)
                .limit(1)
            )
            sample = await s.scalar(select(IvSample.id).where(IvSample.brief_id == a1).limit(1))
            sv_sample = await s.scalar(
                select(Sample.id).where(Sample.centre_id == c).order_by(Sample.round.desc()).limit(1)
            )
            award_qualification = await s.scalar(
                select(Programme.qualification_id).where(Programme.centre_id == c, Programme.code == "CCY12")
            )
            claim = await s.scalar(
                select(CertificationClaim.id).where(CertificationClaim.centre_id == c).limit(1)
            )
            diploma_plan = await s.scalar(
                select(InvolvementPlan.id).where(InvolvementPlan.programme_id == programmes["CSL2"])
            )
    finally:
        await engine.dispose()
    return {
        "award": programmes["CCY12"],
        "diploma": programmes["CSL2"],
        "a1": a1,
        "d1": d1,
        "amara": amara,
        "ben_decision": ben_decision,
        "sample": sample,
        "sv_sample": sv_sample,
        "award_qualification": award_qualification,
        "claim": claim,
        "diploma_plan": diploma_plan,
    }


def screens(ids: Mapping[str, uuid.UUID | None]) -> dict[Role, list[tuple[str, str]]]:
    return {role: [(what, path.format(**ids)) for what, path in items] for role, items in SCREENS.items()}


def print_tokens(settings: Settings, base_url: str) -> None:
    ids = asyncio.run(demo_ids(settings))
    print(f"\nDemo centre {DEMO_CENTRE_ID} (Verity Demo College). Tokens valid 8 hours, one per role:\n")
    for role in Role:
        token = mint_development_token(
            settings, subject=subject_of(role), centre_id=DEMO_CENTRE_ID, roles=[role.value]
        )
        print(f"export {role.value.upper()}={token}")
    print("\nScreens to try, per role (each returns the demo's data):")
    for role, items in screens(ids).items():
        print(f"\n  {role.value} ({subject_of(role)}):")
        for what, path in items:
            print(
                f"    {what:<34} curl -H \"Authorization: Bearer ${role.value.upper()}\" '{base_url}{path}'"
            )
    query = '{"query": "{ programmes { nodes { name code } } }"}'
    print(
        "\nThe same data over GraphQL, e.g.:\n"
        f'    curl -H "Authorization: Bearer $HOC" -H "Content-Type: application/json" '
        f"-d '{query}' {base_url}/graphql"
    )
    print(f"\nAPI docs: {base_url}/docs   GraphiQL: {base_url}/graphql\n")
