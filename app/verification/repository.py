"""Principal-scoped statements for IV (R-98): only roles holding verification:read, and below centre
level only on the programmes they reach (app/programmes/access.py). A learner reads no IV."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.assignments.models import AssignmentBrief, BriefVerification
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.programmes.access import on_reachable_programmes
from app.verification.models import IvRecord, IvRecordVersion, IvSample

S = TypeVar("S", bound=Select)  # any Select, whatever its columns


def reached(stmt: S, column: Any, p: Principal) -> S:
    """`stmt` limited to the programmes on which `p` reads IV; nothing at all without verification:read."""
    clause = on_reachable_programmes(column, p, Scope.verification_read)
    return stmt if clause is None else stmt.where(clause)


def samples(p: Principal) -> Select:
    return reached(select(IvSample).where(IvSample.centre_id == p.centre_id), IvSample.programme_id, p)


def iv_records(p: Principal) -> Select:
    return reached(select(IvRecord).where(IvRecord.centre_id == p.centre_id), IvRecord.programme_id, p)


# ---- batch fetchers for GraphQL DataLoaders: a fixed number of statements per batch of keys


async def iv_records_by_brief(
    session: AsyncSession, p: Principal, brief_ids: Sequence[uuid.UUID]
) -> list[
    tuple[list[tuple[BriefVerification, uuid.UUID, uuid.UUID]], list[tuple[IvRecord, IvRecordVersion]]]
]:
    """Each brief's IV as `brief_iv_records` gives it, in two statements for the whole batch: the brief's
    own verifications (R-21, with the brief's author and programme) and its decisions' IV records with
    their current versions (R-43)."""
    own = reached(
        select(BriefVerification, AssignmentBrief.author_staff_id, AssignmentBrief.programme_id)
        .join(AssignmentBrief, AssignmentBrief.id == BriefVerification.brief_id)
        .where(AssignmentBrief.centre_id == p.centre_id, BriefVerification.brief_id.in_(brief_ids))
        .order_by(BriefVerification.brief_id, BriefVerification.brief_version),
        AssignmentBrief.programme_id,
        p,
    )
    theirs = (
        iv_records(p)
        .add_columns(IvRecordVersion)
        .join(
            IvRecordVersion,
            (IvRecordVersion.record_id == IvRecord.id) & (IvRecordVersion.number == IvRecord.current_version),
        )
        .where(IvRecord.brief_id.in_(brief_ids))
        .order_by(IvRecord.id)
    )
    verifications: dict[uuid.UUID, list] = defaultdict(list)
    for b, author, programme in (await session.execute(own)).all():
        verifications[b.brief_id].append((b, author, programme))
    records: dict[uuid.UUID, list] = defaultdict(list)
    for r, v in (await session.execute(theirs)).all():
        records[r.brief_id].append((r, v))
    return [(verifications.get(i, []), records.get(i, [])) for i in brief_ids]
