"""Principal-scoped statements for standardisation and CPD (R-98).

Standardisation records are read like IV: the HoC and QN across the centre, the programme's team
(assessors, IVs, its LIV and leader) on the programmes they work on, a learner never. A CPD record is
read by the member of staff it belongs to, and by the HoC, QN and LIV for everyone (R-46)."""

from __future__ import annotations

from sqlalchemy import Select, false, select

from app.auth.principal import Principal
from app.auth.scopes import Role, Scope
from app.programmes.access import my_staff_ids, on_reachable_programmes
from app.standardisation.models import CpdRecord, StandardisationRecord

# Those who read (and record) every member of staff's CPD: the HoC and QN answer for staff competence,
# the LIV identifies assessors' development needs (003 §8).
CPD_WIDE = frozenset({Role.hoc, Role.qn, Role.liv})


def standardisation_records(p: Principal) -> Select:
    stmt = select(StandardisationRecord).where(StandardisationRecord.centre_id == p.centre_id)
    if not p.has(Scope.standardisation_read):
        return stmt.where(false())
    clause = on_reachable_programmes(StandardisationRecord.programme_id, p, Scope.standardisation_read)
    return stmt if clause is None else stmt.where(clause)


def cpd_wide(p: Principal) -> bool:
    return bool(p.roles & CPD_WIDE)


def cpd_records(p: Principal) -> Select:
    stmt = select(CpdRecord).where(CpdRecord.centre_id == p.centre_id)
    if not p.has(Scope.cpd_read):
        return stmt.where(false())
    return stmt if cpd_wide(p) else stmt.where(CpdRecord.staff_id.in_(my_staff_ids(p)))
