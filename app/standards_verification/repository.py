"""Principal-scoped statements for standards verification (R-98, R-52).

The centre's records are read like standardisation: the HoC and QN across the centre, the programme's
LIV and leader on their programmes. A standards verifier reads only the samples of its live grants
(`Principal.grants`), through the verifier API; every other id is simply not found."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, SQLColumnExpression, false, select

from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.programmes.access import on_reachable_programmes
from app.standards_verification.access import granted_samples
from app.standards_verification.models import (
    Allocation,
    ModerationVisit,
    Outcome,
    Sample,
    SampleItem,
)


def _scoped(stmt: Select, column: SQLColumnExpression[uuid.UUID], p: Principal) -> Select:
    if not p.has(Scope.sv_read):
        return stmt.where(false())
    clause = on_reachable_programmes(column, p, Scope.sv_read)
    return stmt if clause is None else stmt.where(clause)


def allocations(p: Principal) -> Select:
    stmt = select(Allocation).where(Allocation.centre_id == p.centre_id)
    return _scoped(stmt, Allocation.programme_id, p)


def samples(p: Principal) -> Select:
    stmt = select(Sample).where(Sample.centre_id == p.centre_id)
    if p.has(Scope.sv_sample_read) and not p.has(Scope.sv_read):
        ids = granted_samples(p)
        return stmt.where(Sample.id.in_(ids) if ids else false())
    return _scoped(stmt, Sample.programme_id, p)


def sample_items(p: Principal) -> Select:
    stmt = (
        select(SampleItem)
        .join(Sample, Sample.id == SampleItem.sample_id)
        .where(SampleItem.centre_id == p.centre_id)
    )
    if p.has(Scope.sv_sample_read) and not p.has(Scope.sv_read):
        ids = granted_samples(p)
        return stmt.where(SampleItem.sample_id.in_(ids) if ids else false())
    return _scoped(stmt, Sample.programme_id, p)


def outcomes(p: Principal) -> Select:
    stmt = select(Outcome).where(Outcome.centre_id == p.centre_id)
    return _scoped(stmt, Outcome.programme_id, p)


def moderations(p: Principal) -> Select:
    stmt = select(ModerationVisit).where(ModerationVisit.centre_id == p.centre_id)
    return _scoped(stmt, ModerationVisit.programme_id, p)
