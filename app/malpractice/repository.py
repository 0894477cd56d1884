"""Principal-scoped statements for malpractice cases (R-70: confidential).

The HoC and QN read every case of the centre; a member of staff reads the cases naming them as an
investigator; the person concerned (a learner, or a member of staff) reads their own case once they have
been told of the allegation, and then only what they were told. Everyone else: no such case (404), and
no count, list entry or error that says one exists.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, any_, exists, false, or_, select

from app.assessment.repository import own_learner_ids
from app.auth.principal import Principal
from app.auth.scopes import Role, Scope
from app.centres.models import StaffMember
from app.malpractice.models import CaseStage, MalpracticeCase
from app.malpractice.schemas import StageKind

# Those who answer for malpractice in the centre (004 §7): the HoC reports it, the QN is the awarding
# body's contact.
CASE_WIDE = frozenset({Role.hoc, Role.qn})


def case_wide(p: Principal) -> bool:
    return bool(p.roles & CASE_WIDE) and p.has(Scope.malpractice_read)


def investigating(p: Principal) -> ColumnElement[bool]:
    return exists().where(
        StaffMember.centre_id == p.centre_id,
        StaffMember.idp_subject == p.subject,
        StaffMember.active.is_(True),
        StaffMember.id == any_(MalpracticeCase.investigator_staff_ids),
    )


def concerned(p: Principal) -> ColumnElement[bool]:
    """The case is about `p` and they have been told of it (R-71)."""
    mine = select(StaffMember.id).where(
        StaffMember.centre_id == p.centre_id, StaffMember.idp_subject == p.subject
    )
    told = exists().where(
        CaseStage.case_id == MalpracticeCase.id, CaseStage.kind == StageKind.told_of_allegation
    )
    return (MalpracticeCase.learner_id.in_(own_learner_ids(p)) | MalpracticeCase.staff_id.in_(mine)) & told


def cases(p: Principal) -> Select:
    stmt = select(MalpracticeCase).where(MalpracticeCase.centre_id == p.centre_id)
    if not p.has(Scope.malpractice_read):
        return stmt.where(false())
    if case_wide(p):
        return stmt
    return stmt.where(or_(investigating(p), concerned(p)))


def managed_cases(p: Principal) -> Select:
    """The cases `p` works on: every case for the HoC/QN, a named investigator's own."""
    stmt = select(MalpracticeCase).where(MalpracticeCase.centre_id == p.centre_id)
    if case_wide(p):
        return stmt
    return stmt.where(investigating(p))
