"""R-90's three reasons that come from other domains: the subject area's standards-verification status
(R-51), open appeals (R-62) and malpractice withholdings and centre sanctions (R-73, R-74).

`register()` is called by create_app (app/main.py), the demo and the test suite's conftest: the
preflight (app/certification/eligibility.py, CHECKS) then asks these three after its own.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.appeals.holds import units_on_hold
from app.auth.principal import Principal
from app.certification.eligibility import EVERY, FULL, Candidate, reason, register_external
from app.certification.schemas import EligibilityReason, ReasonCode
from app.malpractice.holds import centre_sanctions, results_withheld
from app.standards_verification.schemas import SvCertificationStatus
from app.standards_verification.status import certification_status

R = ReasonCode


async def standards_verification(
    session: AsyncSession, p: Principal, c: Candidate
) -> list[EligibilityReason]:
    """R-51: certification waits for the subject area's standards verification to be released; a
    released one also releases a subject area without an accredited LIV (R-40)."""
    status = await certification_status(session, c.programme.id)
    if status == SvCertificationStatus.released:
        c.sv_released = True
        return []
    return [
        reason(
            R.standards_verification,
            "R-51",
            f"The subject area's standards verification is {status.value.replace('_', ' ')}, not released.",
            EVERY,
        )
    ]


async def open_appeals(session: AsyncSession, p: Principal, c: Candidate) -> list[EligibilityReason]:
    """R-62: a unit under an open appeal is on hold for certification (its own unit only)."""
    return [
        reason(
            R.unit_on_appeal,
            "R-62",
            f"Unit {h.unit_number} is under an open appeal.",
            FULL,
            h.unit_number,
        )
        for h in await units_on_hold(session, c.learner_id)
        if h.qualification_id == c.qualification_id
    ]


async def malpractice(session: AsyncSession, p: Principal, c: Candidate) -> list[EligibilityReason]:
    """R-73: results withheld while a case is open; R-74: a centre sanction blocking certification."""
    out = [
        reason(R.results_withheld, "R-73", f"Results withheld: {w.reason}", EVERY)
        for w in await results_withheld(session, c.learner_id)
    ]
    out += [
        reason(R.centre_sanction, "R-74", f"The centre's certification is blocked: {s.note}", EVERY)
        for s in await centre_sanctions(session, c.centre_id)
        if s.kind == "certification_block"
    ]
    return out


def register() -> None:
    register_external(standards_verification, open_appeals, malpractice)
