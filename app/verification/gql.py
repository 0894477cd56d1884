"""GraphQL for internal verification: the same service functions as REST.

IV records, remedial actions, IV status and batch release are typed; the sample, coverage, schedule
and LIV dashboard are offered as one JSON value each in the REST shape (DESIGN rule 12: dense,
read-mostly views), and mutation inputs are JSON validated by the same Pydantic schemas REST uses, so
a rule and its field problems read the same on both surfaces.
"""

from __future__ import annotations

import datetime as dt
import uuid

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from app.api.gql_context import Context, to_model
from app.assessment import decisions
from app.auth.scopes import Scope
from app.verification import coverage, plans, records, schemas

Ctx = Info[Context, None]


@strawberry.type
class IvCriterionComment:
    unit_number: int
    code: str
    agree: bool
    comment: str


@strawberry.type
class IvRecordVersion:
    number: int
    outcome: str
    decision_version: int | None
    criteria_comments: list[IvCriterionComment]
    checklist: JSON | None
    feedback_to_assessor: str
    reassess_batch: bool
    reason: str | None
    verifier_staff_id: uuid.UUID
    verified_on: dt.date
    recorded_by: str
    recorded_at: dt.datetime


@strawberry.type
class IvRecord:
    id: uuid.UUID
    subject_kind: str
    programme_id: uuid.UUID
    brief_id: uuid.UUID
    decision_id: uuid.UUID | None
    assessor_staff_id: uuid.UUID
    outcome: str
    current_version: int
    current: IvRecordVersion
    version: int


@strawberry.type
class IvRemedialAction:
    id: uuid.UUID
    programme_id: uuid.UUID
    brief_id: uuid.UUID
    iv_record_id: uuid.UUID
    description: str
    owner_staff_id: uuid.UUID
    raised_on: dt.date
    due_in_working_days: int
    due_on: dt.date
    status: str
    closed_at: dt.datetime | None
    closure_note: str | None
    version: int


@strawberry.type
class BriefIvStatus:
    brief_id: uuid.UUID
    complete: bool
    reasons: list[str]


@strawberry.type
class BriefDecisionsRelease:
    brief_id: uuid.UUID
    released: list[uuid.UUID]


def _version(v: schemas.IvRecordVersion) -> IvRecordVersion:
    return IvRecordVersion(
        number=v.number,
        outcome=v.outcome.value,
        decision_version=v.decision_version,
        criteria_comments=[IvCriterionComment(**c.model_dump()) for c in v.criteria_comments],
        checklist=v.checklist,
        feedback_to_assessor=v.feedback_to_assessor,
        reassess_batch=v.reassess_batch,
        reason=v.reason,
        verifier_staff_id=v.verifier_staff_id,
        verified_on=v.verified_on,
        recorded_by=v.recorded_by,
        recorded_at=v.recorded_at,
    )


def _record(r: schemas.IvRecord) -> IvRecord:
    return IvRecord(
        id=r.id,
        subject_kind=r.subject_kind.value,
        programme_id=r.programme_id,
        brief_id=r.brief_id,
        decision_id=r.decision_id,
        assessor_staff_id=r.assessor_staff_id,
        outcome=r.outcome.value,
        current_version=r.current_version,
        current=_version(r.current),
        version=r.version,
    )


def _action(a) -> IvRemedialAction:
    a = schemas.RemedialAction.model_validate(a)
    return IvRemedialAction(
        id=a.id,
        programme_id=a.programme_id,
        brief_id=a.brief_id,
        iv_record_id=a.iv_record_id,
        description=a.description,
        owner_staff_id=a.owner_staff_id,
        raised_on=a.raised_on,
        due_in_working_days=a.due_in_working_days,
        due_on=a.due_on,
        status=a.status.value,
        closed_at=a.closed_at,
        closure_note=a.closure_note,
        version=a.version,
    )


def _json(model) -> JSON:
    return model.model_dump(mode="json") if model is not None else None


@strawberry.type
class VerificationQuery:
    @strawberry.field(
        description="R-25: may the brief's decisions be released; every reason they may not yet."
    )
    async def brief_iv_status(self, info: Ctx, brief_id: uuid.UUID) -> BriefIvStatus:
        p = info.context.require(Scope.verification_read)
        s = await info.context.read(records.iv_status, p, brief_id)
        return BriefIvStatus(brief_id=s.brief_id, complete=s.complete, reasons=s.reasons)

    @strawberry.field(description="The brief's own IV (R-21) and its decisions' IV (R-43) in one shape.")
    async def brief_iv_records(self, info: Ctx, brief_id: uuid.UUID) -> list[IvRecord]:
        p = info.context.require(Scope.verification_read)
        return [_record(r) for r in await info.context.read(records.brief_iv_records, p, brief_id)]

    @strawberry.field
    async def iv_record(self, info: Ctx, id: uuid.UUID) -> IvRecord:
        p = info.context.require(Scope.verification_read)
        return _record(await info.context.read(records.get_iv_record, p, id))

    @strawberry.field(description="R-26: every version of the IV record, oldest first.")
    async def iv_record_versions(self, info: Ctx, id: uuid.UUID) -> list[IvRecordVersion]:
        p = info.context.require(Scope.verification_read)
        return [_version(v) for v in await info.context.read(records.iv_record_versions, p, id)]

    @strawberry.field
    async def iv_remedial_actions(
        self,
        info: Ctx,
        brief_id: uuid.UUID | None = None,
        programme_id: uuid.UUID | None = None,
        status: str | None = None,
    ) -> list[IvRemedialAction]:
        p = info.context.require(Scope.verification_read)
        if status is not None:
            status = to_model(_StatusFilter, {"status": status}, "status").status.value
        rows = await info.context.read(
            records.list_actions, p, brief_id=brief_id, programme_id=programme_id, status=status
        )
        return [_action(a) for a in rows]

    @strawberry.field(description="R-42: the brief's latest IV sample (REST Sample shape), or null.")
    async def latest_iv_sample(self, info: Ctx, brief_id: uuid.UUID) -> JSON | None:
        p = info.context.require(Scope.verification_read)
        return _json(await info.context.read(records.latest_sample, p, brief_id))

    @strawberry.field(
        description="R-42: assessors, units, criteria, sites and briefs touched by IV (REST shape)."
    )
    async def iv_coverage(self, info: Ctx, programme_id: uuid.UUID) -> JSON:
        p = info.context.require(Scope.verification_read)
        return _json(await info.context.read(coverage.coverage, p, programme_id))

    @strawberry.field(
        description="Open and overdue actions, overdue IV, briefs waiting, coverage (REST shape)."
    )
    async def liv_dashboard(self, info: Ctx, academic_year_id: uuid.UUID | None = None) -> JSON:
        p = info.context.require(Scope.verification_read)
        return _json(await info.context.read(coverage.liv_dashboard, p, academic_year_id))

    @strawberry.field(description="R-41: the IV plan, the schedule linked to the assessment plan, sign-offs.")
    async def iv_schedule(self, info: Ctx, programme_id: uuid.UUID) -> JSON:
        p = info.context.require(Scope.verification_read)
        return _json(await info.context.read(plans.get_schedule, p, programme_id))

    @strawberry.field(description="R-40: LIV appointments (REST LivAppointment shape).")
    async def liv_appointments(self, info: Ctx, subject_area: str | None = None) -> list[JSON]:
        p = info.context.require(Scope.verification_read)
        rows = await info.context.read(plans.list_livs, p, subject_area)
        return [schemas.LivAppointment.model_validate(r).model_dump(mode="json") for r in rows]


class _StatusFilter(schemas.Input):
    status: schemas.ActionStatus


@strawberry.type
class VerificationMutation:
    @strawberry.mutation(description="R-42: draw the brief's IV sample (input: REST SampleCreate).")
    async def draw_iv_sample(self, info: Ctx, brief_id: uuid.UUID, seed: int | None = None) -> JSON:
        p = info.context.require(Scope.verification_write)
        data = to_model(schemas.SampleCreate, {"seed": seed} if seed is not None else {})
        return _json(await info.context.write(records.draw_sample, p, brief_id, data))

    @strawberry.mutation(description="R-43/R-44: input is the REST IvRecordCreate body.")
    async def create_iv_record(self, info: Ctx, input: JSON) -> IvRecord:
        p = info.context.require(Scope.verification_write)
        data = to_model(schemas.IvRecordCreate, input if isinstance(input, dict) else {})
        return _record(await info.context.write(records.record_iv, p, data))

    @strawberry.mutation(description="A new version with a reason (REST IvRecordAmendment body).")
    async def amend_iv_record(self, info: Ctx, id: uuid.UUID, version: int, input: JSON) -> IvRecord:
        p = info.context.require(Scope.verification_write)
        data = to_model(schemas.IvRecordAmendment, input if isinstance(input, dict) else {})
        return _record(await info.context.write(records.amend_iv, p, id, data, version))

    @strawberry.mutation(description="R-43: closed when done, with what was done.")
    async def close_iv_remedial_action(self, info: Ctx, id: uuid.UUID, closure_note: str) -> IvRemedialAction:
        p = info.context.require(Scope.verification_write)
        data = to_model(schemas.ActionClosure, {"closure_note": closure_note})
        return _action(await info.context.write(records.close_action, p, id, data))

    @strawberry.mutation(description="R-25: release every decision of the brief once IV is complete.")
    async def release_brief_decisions(self, info: Ctx, brief_id: uuid.UUID) -> BriefDecisionsRelease:
        p = info.context.require(Scope.decisions_release)
        released = await info.context.write(decisions.release_brief, p, brief_id)
        return BriefDecisionsRelease(brief_id=brief_id, released=released)

    @strawberry.mutation(
        description="R-42: the programme's IV plan (REST IvPlanWrite body); version to change it."
    )
    async def put_iv_plan(
        self, info: Ctx, programme_id: uuid.UUID, input: JSON, version: int | None = None
    ) -> JSON:
        p = info.context.require(Scope.iv_plans_manage)
        data = to_model(schemas.IvPlanWrite, input if isinstance(input, dict) else {})
        return _json(await info.context.write(plans.put_plan, p, programme_id, data, version))

    @strawberry.mutation(description="R-41: assign a plan entry's IV (REST ScheduleAssignment body).")
    async def assign_iv_schedule_entry(self, info: Ctx, programme_id: uuid.UUID, input: JSON) -> JSON:
        p = info.context.require(Scope.iv_plans_manage)
        data = to_model(schemas.ScheduleAssignment, input if isinstance(input, dict) else {})
        return _json(await info.context.write(plans.assign_schedule, p, programme_id, data))

    @strawberry.mutation(description="The programme's LIV signs off the current IV plan version.")
    async def sign_off_iv_plan(self, info: Ctx, programme_id: uuid.UUID, signed_on: dt.date) -> JSON:
        p = info.context.require(Scope.iv_plans_manage)
        row = await info.context.write(
            plans.sign_off, p, programme_id, schemas.SignOffCreate(signed_on=signed_on)
        )
        return schemas.SignOff.model_validate(row).model_dump(mode="json")

    @strawberry.mutation(
        description="R-40: appoint the LIV of a subject area (REST LivAppointmentCreate body)."
    )
    async def appoint_liv(self, info: Ctx, input: JSON) -> JSON:
        p = info.context.require(Scope.livs_manage)
        data = to_model(schemas.LivAppointmentCreate, input if isinstance(input, dict) else {})
        row = await info.context.write(plans.appoint_liv, p, data)
        return schemas.LivAppointment.model_validate(row).model_dump(mode="json")

    @strawberry.mutation(description="R-40: the LIV's registration and standardisation for a year.")
    async def create_liv_annual_record(self, info: Ctx, appointment_id: uuid.UUID, input: JSON) -> JSON:
        p = info.context.require(Scope.livs_manage)
        data = to_model(schemas.LivAnnualRecordCreate, input if isinstance(input, dict) else {})
        row = await info.context.write(plans.add_annual_record, p, appointment_id, data)
        return schemas.LivAnnualRecord.model_validate(row).model_dump(mode="json")
