"""Who the caller is on a programme: the object-level rules of every domain (house rule 4, R-98).

A token carries centre-wide roles; what a member of staff may see or do *on a programme* comes from the
programme's staff lists (programme_staff) and its named leader and LIV. Two things live here, used by
every domain's repository and service:

- `reachable_programmes(p, scope)`: the programmes on which the caller may read what `scope` covers
  (None: the whole centre). Repositories put it in their principal-scoped `select()`, so an object of
  another programme is not found (app/core/visibility.py).
- `programme_access` / `require_on_programme`: what the caller is on one programme, for writes.

The programme's LIV is the LIV appointed for its subject area in its academic year (R-40). The
appointments belong to verification, which sits above programmes: it registers the lookup when the app
is built (`register_appointed_liv`, app/verification/liv_access.py), as it registers the R-25 gate.
Where no appointment is in force (or nothing is registered) the LIV named on the programme is its LIV.

docs/access.md is the policy table.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.auth.scopes import ROLE_SCOPES, Role, Scope
from app.centres.models import StaffMember
from app.core.errors import Forbidden
from app.core.visibility import get_visible
from app.learners.models import Learner
from app.programmes.models import Enrolment, Programme, ProgrammeStaff

# The roles that read a kind of record across the whole centre. Every other role holding the scope reads
# it only on the programmes it works on: an assessor those they assess, an IV those they verify,
# the LIV those they are the named LIV of, the programme leader those they lead. A scope not listed
# here is centre-wide for every role that holds it.
CENTRE_WIDE: dict[Scope, frozenset[Role]] = {
    # The HoC and QN answer for the centre's assessment; the exams officer claims from every record.
    Scope.assignments_read: frozenset({Role.hoc, Role.qn, Role.exams_officer}),
    Scope.assessments_read: frozenset({Role.hoc, Role.qn, Role.exams_officer}),
    Scope.verification_read: frozenset({Role.hoc, Role.qn}),
    Scope.standardisation_read: frozenset({Role.hoc, Role.qn}),
    # R-50..R-52: the QN answers the verifier for the centre, the HoC oversees; LIV and PL their own.
    Scope.sv_read: frozenset({Role.hoc, Role.qn}),
    # the HoC and the exams officer arrange adjustments; staff on a programme apply them.
    Scope.adjustments_read: frozenset({Role.hoc, Role.exams_officer}),
    # the HoC authorises, the exams officer applies to the awarding body.
    Scope.special_consideration_read: frozenset({Role.hoc, Role.exams_officer}),
}


# A scalar subquery correlated to Programme: the staff id of the LIV appointed for the programme's
# subject area and year (the latest in force), NULL when there is none.
AppointedLiv = Callable[[], ColumnElement[uuid.UUID]]
_appointed_liv: list[AppointedLiv] = []


def register_appointed_liv(lookup: AppointedLiv) -> None:
    """Verification's R-40 lookup; registering again replaces it (one answer to "who is the LIV")."""
    _appointed_liv[:] = [lookup]


def programme_liv_id() -> SQLColumnExpression[uuid.UUID]:
    """SQL over Programme: the programme's LIV (R-40): the appointed one, else the one it names."""
    if not _appointed_liv:
        return Programme.lead_internal_verifier_id
    return func.coalesce(_appointed_liv[0](), Programme.lead_internal_verifier_id)


def my_staff_ids(p: Principal) -> Select:
    return select(StaffMember.id).where(
        StaffMember.centre_id == p.centre_id,
        StaffMember.idp_subject == p.subject,
        StaffMember.active.is_(True),
    )


def reachable_programmes(p: Principal, scope: Scope) -> Select | None:
    """The ids of the programmes on which `p` reads what `scope` covers, or None for the whole centre.
    Below centre level a member of staff reaches the programmes they work on, in whatever capacity the
    programme names them (assessor, IV, leader, LIV): a person's team is the same whichever of their
    roles granted the scope."""
    granting = {r for r in p.roles if scope in ROLE_SCOPES[r]}
    wide = CENTRE_WIDE.get(scope)
    if wide is None or granting & wide:
        return None
    if not granting:
        return select(Programme.id).where(false())
    me = my_staff_ids(p)
    return select(Programme.id).where(
        Programme.centre_id == p.centre_id,
        or_(
            Programme.id.in_(select(ProgrammeStaff.programme_id).where(ProgrammeStaff.staff_id.in_(me))),
            programme_liv_id().in_(me),
            Programme.programme_leader_id.in_(me),
        ),
    )


def on_reachable_programmes(
    column: SQLColumnExpression[uuid.UUID], p: Principal, scope: Scope
) -> ColumnElement[bool] | None:
    """A where-clause: `column` (a programme id) is one `p` reaches for `scope`; None when centre-wide."""
    reach = reachable_programmes(p, scope)
    return None if reach is None else column.in_(reach)


def learners_on_reachable_programmes(p: Principal, scope: Scope) -> Select | None:
    """The learners enrolled (now or before) on a programme `p` reaches for `scope`."""
    reach = reachable_programmes(p, scope)
    if reach is None:
        return None
    return select(Enrolment.learner_id).where(
        Enrolment.centre_id == p.centre_id, Enrolment.programme_id.in_(reach)
    )


def enrolled_programmes(p: Principal) -> Select:
    """A learner's programmes: those they are (or were) enrolled on, not transferred away from."""
    return (
        select(Enrolment.programme_id)
        .join(Learner, Learner.id == Enrolment.learner_id)
        .where(
            Enrolment.centre_id == p.centre_id,
            Learner.idp_subject == p.subject,
            Enrolment.status.in_(("enrolled", "registered", "completed")),
        )
    )


def visible_programmes(p: Principal, scope: Scope) -> Select:
    """The programmes `p` may read `scope`'s records on: staff by reach, a learner their own."""
    stmt = select(Programme).where(Programme.centre_id == p.centre_id)
    if p.has(scope):
        clause = on_reachable_programmes(Programme.id, p, scope)
        return stmt if clause is None else stmt.where(clause)
    if p.has(Scope.learner_self):
        return stmt.where(Programme.id.in_(enrolled_programmes(p)))
    return stmt.where(false())


async def visible_programme(
    session: AsyncSession, p: Principal, programme_id: uuid.UUID, scope: Scope
) -> Programme:
    """A programme whose `scope` records the caller may read, else 404 (no 403 confirming it exists)."""
    return await get_visible(session, visible_programmes(p, scope), Programme, programme_id, "programme")


@dataclass(frozen=True)
class ProgrammeAccess:
    staff_id: uuid.UUID | None
    roles: frozenset[str]  # assessor, internal_verifier, lead_internal_verifier, programme_leader

    def has(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))


def access_columns(
    p: Principal,
) -> tuple[ColumnElement[uuid.UUID], ColumnElement[list[str]], ColumnElement[uuid.UUID]]:
    """What the caller is on the programme of the enclosing query (Programme in its FROM), as three
    scalar columns: their staff id, their roles from the programme's staff list (an array, NULL for
    none) and the programme's LIV (R-40). `access_of` reads them; programme_access and any statement
    that gathers a write's facts in one round trip (record_decision) select the same three."""
    me = my_staff_ids(p)
    roles = (
        select(func.array_agg(ProgrammeStaff.role))
        .where(ProgrammeStaff.programme_id == Programme.id, ProgrammeStaff.staff_id.in_(me))
        .scalar_subquery()
    )
    return (
        me.scalar_subquery().label("access_staff_id"),
        roles.label("access_roles"),
        programme_liv_id().label("access_liv_id"),
    )


def access_of(
    staff_id: uuid.UUID | None,
    roles: Iterable[str] | None,
    liv_id: uuid.UUID | None,
    programme_leader_id: uuid.UUID | None,
) -> ProgrammeAccess:
    """The caller's access from the facts `access_columns` selects and the programme's named leader."""
    if staff_id is None:
        return ProgrammeAccess(None, frozenset())
    found = {r for r in roles or () if r}
    if liv_id == staff_id:
        found.add("lead_internal_verifier")
    if programme_leader_id == staff_id:
        found.add("programme_leader")
    return ProgrammeAccess(staff_id, frozenset(found))


async def programme_access(session: AsyncSession, p: Principal, programme: Programme) -> ProgrammeAccess:
    """One query: the caller's staff record, their roles on this programme and the programme's LIV."""
    row = (await session.execute(select(*access_columns(p)).where(Programme.id == programme.id))).one()
    return access_of(row.access_staff_id, row.access_roles, row.access_liv_id, programme.programme_leader_id)


def require_on_programme(access: ProgrammeAccess, *roles: str, what: str) -> uuid.UUID:
    if access.staff_id is None or not access.has(*roles):
        names = " or ".join(r.replace("_", " ") for r in roles)
        raise Forbidden(f"Only the programme's {names} may {what}.")
    return access.staff_id
