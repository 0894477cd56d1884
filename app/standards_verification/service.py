"""R-50: the awarding body's verifier allocation, the sample-size reference table, sample requests with
their due dates, the proposed sample and its adjustments, the LIV's authenticity declarations and the
QN's submission. Reads are scoped by app.standards_verification.repository."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.core import clock
from app.core.concurrency import IfMatch, check_version
from app.core.errors import Conflict, NotFound, RuleViolation, ValidationFailed, field_problem
from app.core.ids import uuid7
from app.core.visibility import get_visible
from app.events.write import Change, recorded, recorded_all
from app.programmes.access import programme_access, require_on_programme
from app.programmes.models import Enrolment, Programme
from app.programmes.service import get_row as programme_row
from app.standardisation.service import academic_year
from app.standards_verification import events, proposal, repository, schemas
from app.standards_verification.models import Allocation, Sample, SampleItem, SamplePolicy, SampleRequest
from app.standards_verification.sizes import SizeTable, units_required
from app.standards_verification.status import outcome_of, second_sample_problem, status_for_year

COUNTED_ENROLMENTS = ("enrolled", "registered", "completed")


# ---- the reference table -------------------------------------------------------------------------------


async def policy_row(session: AsyncSession, centre_id: uuid.UUID) -> SamplePolicy | None:
    return await session.get(SamplePolicy, centre_id)


def _policy_out(row: SamplePolicy | None) -> schemas.SamplePolicy:
    if row is None:
        d = schemas.SamplePolicyWrite()
        return schemas.SamplePolicy(**d.model_dump(), version=0)
    return schemas.SamplePolicy.model_validate(row)


async def get_policy(session: AsyncSession, p: Principal) -> schemas.SamplePolicy:
    """R-50: the centre's reference table; version 0 means the documented defaults."""
    return _policy_out(await policy_row(session, p.centre_id))


async def put_policy(
    session: AsyncSession, p: Principal, data: schemas.SamplePolicyWrite, expected: int | IfMatch | None
) -> schemas.SamplePolicy:
    problems = []
    if len(data.standard_sizes) != len(data.band_limits):
        problems.append(field_problem("body.standard_sizes", "R-50", "one size for each band"))
    if len(data.enhanced_sizes) != len(data.band_limits):
        problems.append(field_problem("body.enhanced_sizes", "R-50", "one size for each band"))
    if list(data.band_limits) != sorted(set(data.band_limits)) or data.band_limits[0] <= data.all_up_to:
        problems.append(
            field_problem("body.band_limits", "R-50", "rising band limits, above the all-learners size")
        )
    if problems:
        raise ValidationFailed("The reference table is not consistent.", errors=problems)
    row = await policy_row(session, p.centre_id)
    if row is None:
        row = SamplePolicy(centre_id=p.centre_id, updated_by=p.subject, **data.model_dump())
        session.add(row)
    else:
        # Once set, a change names the version it was made from (If-Match, or GraphQL's `version`).
        check_version(row.version, expected if expected is not None else IfMatch(None))
        for k, v in data.model_dump().items():
            setattr(row, k, v)
        row.updated_by = p.subject
    await session.flush()
    out = schemas.SamplePolicy.model_validate(row)
    await recorded(session, p, Change.created(events.PolicyUpdated.of(out), "sv_policy", p.centre_id))
    return out


def size_table(policy: schemas.SamplePolicy) -> SizeTable:
    return SizeTable(
        policy.all_up_to,
        tuple(policy.band_limits),
        tuple(policy.standard_sizes),
        tuple(policy.enhanced_sizes),
        policy.further_standard,
        policy.further_enhanced,
    )


# ---- allocations ---------------------------------------------------------------------------------------


async def learner_count(session: AsyncSession, programme_id: uuid.UUID) -> int:
    return int(
        await session.scalar(
            select(func.count(func.distinct(Enrolment.learner_id))).where(
                Enrolment.programme_id == programme_id, Enrolment.status.in_(COUNTED_ENROLMENTS)
            )
        )
        or 0
    )


async def allocation_out(session: AsyncSession, row: Allocation) -> schemas.Allocation:
    table = size_table(_policy_out(await policy_row(session, row.centre_id)))
    n = await learner_count(session, row.programme_id)
    out = schemas.Allocation.model_validate(row)
    out.learner_count = n
    out.required_sample_size = table.required(row.measure, n)
    out.units_required = units_required(row.measure)
    return out


async def create_allocation(
    session: AsyncSession, p: Principal, data: schemas.AllocationCreate
) -> schemas.Allocation:
    programme = await programme_row(session, p, data.programme_id)
    year = await academic_year(
        session, p, data.academic_year_id or programme.academic_year_id, "body.academic_year_id"
    )
    row = Allocation(
        id=uuid7(),
        centre_id=p.centre_id,
        programme_id=programme.id,
        academic_year_id=year.id,
        subject_area=programme.subject_area,
        measure=data.measure,
        verifier_name=data.verifier_name,
        allocated_on=data.allocated_on,
        recorded_by=p.subject,
    )
    session.add(row)
    try:
        async with session.begin_nested():
            await session.flush()
    except Exception as exc:  # the unique (programme, year)
        if "uq_sv_allocations_programme_id" in str(exc):
            raise Conflict(
                "The programme already has an allocation for that year.",
                errors=[field_problem("body.programme_id", "R-50", "one allocation per programme and year")],
            ) from None
        raise
    out = await allocation_out(session, row)
    await recorded(session, p, Change.created(events.AllocationCreated.of(out), "sv_allocation", row.id))
    return out


async def get_allocation_row(session: AsyncSession, p: Principal, allocation_id: uuid.UUID) -> Allocation:
    return await get_visible(session, repository.allocations(p), Allocation, allocation_id, "allocation")


async def get_allocation(session: AsyncSession, p: Principal, allocation_id: uuid.UUID) -> schemas.Allocation:
    return await allocation_out(session, await get_allocation_row(session, p, allocation_id))


async def list_allocations(
    session: AsyncSession,
    p: Principal,
    programme_id: uuid.UUID | None = None,
    academic_year_id: uuid.UUID | None = None,
) -> list[schemas.Allocation]:
    stmt = repository.allocations(p)
    if programme_id is not None:
        stmt = stmt.where(Allocation.programme_id == programme_id)
    if academic_year_id is not None:
        stmt = stmt.where(Allocation.academic_year_id == academic_year_id)
    rows = (await session.scalars(stmt.order_by(Allocation.id))).all()
    return [await allocation_out(session, r) for r in rows]


# ---- samples -------------------------------------------------------------------------------------------


async def sample_out(session: AsyncSession, row: Sample) -> schemas.Sample:
    requests = (
        await session.scalars(
            select(SampleRequest).where(SampleRequest.sample_id == row.id).order_by(SampleRequest.id)
        )
    ).all()
    count = await session.scalar(select(func.count()).where(SampleItem.sample_id == row.id))
    out = schemas.Sample.model_validate(row)
    out.requests = [request_out(r) for r in requests]
    out.item_count = int(count or 0)
    out.late = any(r.late for r in out.requests)
    return out


def request_out(r: SampleRequest) -> schemas.SampleRequest:
    """R-50: late when answered after its due date, or still unanswered once the due date has passed."""
    answered = r.answered_on
    late = answered > r.due_on if answered is not None else clock.today() > r.due_on
    return schemas.SampleRequest(
        id=r.id,
        sample_id=r.sample_id,
        kind=r.kind,
        source=r.source,
        requested_on=r.requested_on,
        due_on=r.due_on,
        note=r.note,
        answered_on=answered,
        late=late,
        recorded_by=r.recorded_by,
    )


async def _lock_sample(session: AsyncSession, p: Principal, sample_id: uuid.UUID) -> Sample:
    row = await get_visible(session, repository.samples(p), Sample, sample_id, "sample")
    await session.refresh(row, with_for_update=True)
    return row


def _check_dates(requested_on: dt.date, due_on: dt.date) -> None:
    problems = []
    if requested_on > clock.today():
        problems.append(field_problem("body.requested_on", "in_future", "a request is recorded once made"))
    if due_on < requested_on:
        problems.append(field_problem("body.due_on", "R-50", "due on or after the day it was requested"))
    if problems:
        raise ValidationFailed("The request's dates are not possible.", errors=problems)


async def status_now(
    session: AsyncSession, programme_id: uuid.UUID, year_id: uuid.UUID
) -> schemas.SvCertificationStatus:
    return await status_for_year(session, programme_id, year_id)


async def status_change(
    session: AsyncSession, allocation: Allocation, before: schemas.SvCertificationStatus
) -> list[Change]:
    """R-51: the status-changed event, when this act changed the subject area's status."""
    after = await status_for_year(session, allocation.programme_id, allocation.academic_year_id)
    if after == before:
        return []
    event = events.StatusChanged(
        programme_id=allocation.programme_id,
        academic_year_id=allocation.academic_year_id,
        subject_area=allocation.subject_area,
        previous=before,
        status=after,
    )
    return [Change.created(event, "sv_certification_status", allocation.programme_id)]


async def request_sample(session: AsyncSession, p: Principal, data: schemas.SampleCreate) -> schemas.Sample:
    """R-50: a sample request (from the verifier, or recorded by the QN) with its due date; the service
    proposes the sample. A second round is allowed only after a report that was not accepted, once all
    its actions are closed (R-51)."""
    allocation = await get_allocation_row(session, p, data.allocation_id)
    _check_dates(data.requested_on, data.due_on)
    before = await status_now(session, allocation.programme_id, allocation.academic_year_id)
    previous = (
        await session.scalars(
            select(Sample).where(Sample.allocation_id == allocation.id).order_by(Sample.round.desc())
        )
    ).first()
    if previous is not None:
        problem = await second_sample_problem(session, previous)
        if problem:
            raise RuleViolation(problem, errors=[field_problem("body.allocation_id", "R-51", problem)])
    alloc_out = await allocation_out(session, allocation)
    sample = Sample(
        id=uuid7(),
        centre_id=p.centre_id,
        allocation_id=allocation.id,
        programme_id=allocation.programme_id,
        round=(previous.round + 1) if previous else 1,
        status=schemas.SampleStatus.requested,
        required_size=alloc_out.required_sample_size,
        created_by=p.subject,
    )
    session.add(sample)
    await session.flush()
    request = SampleRequest(
        id=uuid7(),
        centre_id=p.centre_id,
        sample_id=sample.id,
        kind=schemas.RequestKind.initial,
        source=data.source,
        requested_on=data.requested_on,
        due_on=data.due_on,
        note=data.note,
        recorded_by=p.subject,
    )
    session.add(request)
    await session.flush()
    proposed = await proposal.propose(
        session, allocation, sample, request, size=sample.required_size, units=alloc_out.units_required
    )
    for item in proposed:
        session.add(item)
    await session.flush()
    changes = [
        Change.created(
            events.SampleRequested(
                sample_id=sample.id,
                programme_id=sample.programme_id,
                request_id=request.id,
                kind=request.kind,
                requested_on=request.requested_on,
                due_on=request.due_on,
                items_proposed=len(proposed),
            ),
            "sv_sample",
            sample.id,
        ),
        *[Change.created(events.SampleItemAdded.of(i), "sv_sample_item", i.id) for i in proposed],
        *await status_change(session, allocation, before),
    ]
    await recorded_all(session, p, changes)
    return await sample_out(session, sample)


async def further_request(
    session: AsyncSession, p: Principal, sample_id: uuid.UUID, data: schemas.FurtherRequest
) -> schemas.Sample:
    """R-50: "send me three more at Distinction" extends the same sample, which is open again until the
    QN submits the new items."""
    sample = await _lock_sample(session, p, sample_id)
    if await outcome_of(session, sample.id) is not None:
        raise RuleViolation(
            "The sample's report is recorded: a new request is a new sample.",
            errors=[field_problem("path.sample_id", "R-50", "the report on this sample is recorded")],
        )
    _check_dates(data.requested_on, data.due_on)
    allocation = await session.get_one(Allocation, sample.allocation_id)
    before = await status_now(session, allocation.programme_id, allocation.academic_year_id)
    request = SampleRequest(
        id=uuid7(),
        centre_id=p.centre_id,
        sample_id=sample.id,
        kind=schemas.RequestKind.further,
        source=data.source,
        requested_on=data.requested_on,
        due_on=data.due_on,
        note=data.note,
        recorded_by=p.subject,
    )
    session.add(request)
    await session.flush()
    grade = (data.grade or "")[:1].upper() or None
    proposed = await proposal.more(session, allocation, sample, request, data.count, grade)
    for item in proposed:
        session.add(item)
    sample.status = schemas.SampleStatus.requested
    await session.flush()
    changes = [
        Change.created(
            events.SampleRequested(
                sample_id=sample.id,
                programme_id=sample.programme_id,
                request_id=request.id,
                kind=request.kind,
                requested_on=request.requested_on,
                due_on=request.due_on,
                items_proposed=len(proposed),
            ),
            "sv_sample",
            sample.id,
        ),
        *[Change.created(events.SampleItemAdded.of(i), "sv_sample_item", i.id) for i in proposed],
        *await status_change(session, allocation, before),
    ]
    await recorded_all(session, p, changes)
    return await sample_out(session, sample)


def _open(sample: Sample) -> None:
    if sample.status is not schemas.SampleStatus.requested:
        raise RuleViolation(
            "The sample is submitted: it changes only through a further request.",
            errors=[field_problem("path.sample_id", "R-50", "the sample is submitted")],
        )


async def add_item(
    session: AsyncSession, p: Principal, sample_id: uuid.UUID, data: schemas.SampleItemAdd
) -> SampleItem:
    """R-50: the QN or LIV adjusts the proposed sample, with a reason."""
    sample = await _lock_sample(session, p, sample_id)
    _open(sample)
    item = await proposal.item_for(session, sample, data.learner_id, data.brief_id, data.reason, p.subject)
    if item is None:
        raise RuleViolation(
            "No assessed work of that learner for that brief on the programme.",
            errors=[
                field_problem("body.brief_id", "R-50", "no released decision for this learner and brief")
            ],
        )
    session.add(item)
    try:
        async with session.begin_nested():
            await session.flush()
    except Exception as exc:
        if "uq_sv_sample_items_sample_id" in str(exc):
            raise Conflict(
                "That work is already in the sample.",
                errors=[field_problem("body.brief_id", "duplicate", "already sampled")],
            ) from None
        raise
    await recorded(session, p, Change.created(events.SampleItemAdded.of(item), "sv_sample_item", item.id))
    return item


async def _item_for_update(
    session: AsyncSession, p: Principal, item_id: uuid.UUID
) -> tuple[SampleItem, Sample]:
    item = await get_visible(session, repository.sample_items(p), SampleItem, item_id, "sample item")
    sample = await _lock_sample(session, p, item.sample_id)
    await session.refresh(item)
    return item, sample


async def remove_item(
    session: AsyncSession, p: Principal, item_id: uuid.UUID, data: schemas.SampleItemRemove
) -> None:
    item, sample = await _item_for_update(session, p, item_id)
    _open(sample)
    snapshot = events.SampleItemRemoved.of(item)
    await session.delete(item)
    await session.flush()
    await recorded(
        session,
        p,
        Change(snapshot, "sv_sample_item", item_id, before=snapshot, after={"reason": data.reason}),
    )


async def declare_authentic(session: AsyncSession, p: Principal, item_id: uuid.UUID) -> SampleItem:
    """R-50: the programme's LIV declares the sampled learner's work authentic."""
    item, sample = await _item_for_update(session, p, item_id)
    programme = await session.get_one(Programme, sample.programme_id)
    require_on_programme(
        await programme_access(session, p, programme),
        "lead_internal_verifier",
        what="declare sampled work authentic",
    )
    if item.authenticity_declared_on is not None:
        return item
    before = schemas.SampleItem.model_validate(item)
    item.authenticity_declared_on = clock.today()
    item.authenticity_declared_by = p.subject
    await session.flush()
    after = schemas.SampleItem.model_validate(item)
    event = events.SampleItemDeclared(before=before, after=after)
    await recorded(session, p, Change.changed(event, "sv_sample_item", item.id))
    return item


async def submit_sample(session: AsyncSession, p: Principal, sample_id: uuid.UUID) -> schemas.Sample:
    """R-50: the QN submits the sample once every item is declared authentic; every open request is
    answered today (late where past its due date)."""
    sample = await _lock_sample(session, p, sample_id)
    _open(sample)
    items = (await session.scalars(select(SampleItem).where(SampleItem.sample_id == sample.id))).all()
    problems = [
        field_problem(f"items.{i.id}", "R-50", "the LIV has not declared this learner's work authentic")
        for i in items
        if i.authenticity_declared_on is None
    ]
    if not items:
        problems.append(field_problem("path.sample_id", "R-50", "the sample has no items"))
    if problems:
        raise RuleViolation("The sample cannot be submitted yet.", errors=problems)
    allocation = await session.get_one(Allocation, sample.allocation_id)
    before = await status_now(session, allocation.programme_id, allocation.academic_year_id)
    today = clock.today()
    for r in (
        await session.scalars(
            select(SampleRequest).where(
                SampleRequest.sample_id == sample.id, SampleRequest.answered_on.is_(None)
            )
        )
    ).all():
        r.answered_on = today
    sample.status = schemas.SampleStatus.submitted
    sample.submitted_at = clock.now()
    sample.submitted_by = p.subject
    await session.flush()
    out = await sample_out(session, sample)
    changes = [
        Change.created(events.SampleSubmitted.of(out), "sv_sample", sample.id, action="sv_sample.submitted"),
        *await status_change(session, allocation, before),
    ]
    await recorded_all(session, p, changes)
    return out


async def get_sample_row(session: AsyncSession, p: Principal, sample_id: uuid.UUID) -> Sample:
    return await get_visible(session, repository.samples(p), Sample, sample_id, "sample")


async def get_sample(session: AsyncSession, p: Principal, sample_id: uuid.UUID) -> schemas.Sample:
    return await sample_out(session, await get_sample_row(session, p, sample_id))


async def list_samples(
    session: AsyncSession, p: Principal, programme_id: uuid.UUID | None = None
) -> list[schemas.Sample]:
    stmt = repository.samples(p)
    if programme_id is not None:
        stmt = stmt.where(Sample.programme_id == programme_id)
    rows = (await session.scalars(stmt.order_by(Sample.id))).all()
    return [await sample_out(session, r) for r in rows]


async def list_items(session: AsyncSession, p: Principal, sample_id: uuid.UUID) -> list[SampleItem]:
    await get_sample_row(session, p, sample_id)
    stmt = repository.sample_items(p).where(SampleItem.sample_id == sample_id).order_by(SampleItem.id)
    return list((await session.scalars(stmt)).all())


async def get_item(session: AsyncSession, p: Principal, item_id: uuid.UUID) -> SampleItem:
    return await get_visible(session, repository.sample_items(p), SampleItem, item_id, "sample item")


def not_found(what: str) -> NotFound:
    return NotFound(f"No such {what}.")


async def evidence_keys(session: AsyncSession, evidence_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    from app.assessment.models import EvidenceItem

    rows = (
        await session.execute(
            select(EvidenceItem.id, EvidenceItem.storage_key).where(EvidenceItem.id.in_(evidence_ids))
        )
    ).all()
    return {i: k for i, k in rows if k is not None}
