"""GraphQL for internal verification: the same service functions as REST.

Every shape is typed: outputs and inputs are derived from the Pydantic schemas REST uses, and inputs
are validated by those same schemas, so a rule and its field problems read the same on both surfaces.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

import strawberry
from strawberry.experimental.pydantic import input as pyd_input
from strawberry.experimental.pydantic import type as pyd_type
from strawberry.types import Info

from app.api.gql_context import Context, input_fields, to_model
from app.api.gql_pagination import After, Connection, First, checked_size, page_of
from app.assessment import decisions
from app.auth.scopes import Scope
from app.verification import arbitration, coverage, draws, livs, plans, records, schemas

Ctx = Info[Context, None]
for enum in (
    schemas.IvOutcome,
    schemas.ActionStatus,
    schemas.DrawKind,
    schemas.AssessmentMethod,
    schemas.SupportNeed,
    schemas.ActionOwnerRole,
    schemas.ArbitrationRuling,
    schemas.LivGapReason,
    schemas.SubjectKind,
    schemas.CoverageKind,
):
    strawberry.enum(enum)


@strawberry.type
class IvCriterionComment:
    unit_number: int
    code: str
    agree: bool
    comment: str


@strawberry.type(description="One line of the IV checklist and whether the verifier ticked it.")
class IvChecklistItem:
    item: str
    ticked: bool


@strawberry.type
class IvRecordVersion:
    number: int
    outcome: schemas.IvOutcome
    decision_version: int | None
    criteria_comments: list[IvCriterionComment]
    checklist: list[IvChecklistItem] | None
    feedback_to_assessor: str
    developmental_recommendations: list[str] = strawberry.field(
        description="R-43: advice to develop the assessor's practice; never blocks release."
    )
    reassess_batch: bool
    reason: str | None
    verifier_staff_id: uuid.UUID
    verified_on: dt.date
    recorded_by: str
    recorded_at: dt.datetime


@strawberry.type
class IvRecord:
    id: uuid.UUID
    subject_kind: schemas.SubjectKind
    programme_id: uuid.UUID
    brief_id: uuid.UUID
    decision_id: uuid.UUID | None
    assessor_staff_id: uuid.UUID
    outcome: schemas.IvOutcome
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
    owner_role: schemas.ActionOwnerRole = strawberry.field(description="R-43: who must do it.")
    owner_staff_id: uuid.UUID
    decision_ids: list[uuid.UUID] = strawberry.field(
        description="R-25: the decisions the action concerns; only their release waits for it."
    )
    raised_on: dt.date
    due_in_working_days: int
    due_on: dt.date
    status: schemas.ActionStatus
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
        outcome=v.outcome,
        decision_version=v.decision_version,
        criteria_comments=[IvCriterionComment(**c.model_dump()) for c in v.criteria_comments],
        checklist=None
        if v.checklist is None
        else [IvChecklistItem(item=k, ticked=t) for k, t in v.checklist.items()],
        feedback_to_assessor=v.feedback_to_assessor,
        developmental_recommendations=v.developmental_recommendations,
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
        subject_kind=r.subject_kind,
        programme_id=r.programme_id,
        brief_id=r.brief_id,
        decision_id=r.decision_id,
        assessor_staff_id=r.assessor_staff_id,
        outcome=r.outcome,
        current_version=r.current_version,
        current=_version(r.current),
        version=r.version,
    )


def _action(a: object) -> IvRemedialAction:
    a = schemas.RemedialAction.model_validate(a)
    return IvRemedialAction(
        id=a.id,
        programme_id=a.programme_id,
        brief_id=a.brief_id,
        iv_record_id=a.iv_record_id,
        description=a.description,
        owner_role=a.owner_role,
        owner_staff_id=a.owner_staff_id,
        decision_ids=a.decision_ids,
        raised_on=a.raised_on,
        due_in_working_days=a.due_in_working_days,
        due_on=a.due_on,
        status=a.status,
        closed_at=a.closed_at,
        closure_note=a.closure_note,
        version=a.version,
    )


@pyd_type(model=schemas.SampleItem, all_fields=True)
class IvSampleItem:
    pass


@pyd_type(model=schemas.AssessorRate, all_fields=True)
class IvAssessorRate:
    pass


@pyd_type(model=schemas.Sample, all_fields=True)
class IvSample:
    pass


@pyd_type(model=schemas.CoverageLine, all_fields=True)
class IvCoverageLine:
    pass


@strawberry.type(
    description="The keys of one kind (assessor, unit, criterion, site, brief) IV left untouched."
)
class IvUntouched:
    kind: schemas.CoverageKind
    keys: list[str]


@strawberry.type(description="R-42: what IV of the programme's year has touched, and what not yet.")
class IvCoverage:
    programme_id: uuid.UUID
    academic_year_id: uuid.UUID
    lines: list[IvCoverageLine]
    untouched: list[IvUntouched] = strawberry.field(description="Per kind, what IV has not touched yet.")


@pyd_type(model=schemas.RemedialAction, all_fields=True)
class IvRemedialActionDetail:
    pass


@pyd_type(model=schemas.ScheduleEntry, all_fields=True)
class IvScheduleEntry:
    pass


@pyd_type(model=schemas.IvStatus, all_fields=True)
class IvBriefStatus:
    pass


@strawberry.type
class LivDashboard:
    open_actions: list[IvRemedialActionDetail]
    overdue_actions: list[IvRemedialActionDetail]
    overdue_schedule: list[IvScheduleEntry]
    briefs_awaiting_iv: list[IvBriefStatus]
    coverage: list[IvCoverage]
    next_cursor: str | None = strawberry.field(
        description="Paged by programme: pass as `after` for the next page's programmes (null: last page)."
    )


@pyd_type(model=schemas.LivAppointment, all_fields=True)
class LivAppointment:
    pass


@pyd_type(model=schemas.LivAnnualRecord, all_fields=True)
class LivAnnualRecord:
    pass


@pyd_type(model=schemas.AssessorRateOut, all_fields=True)
class IvPlanAssessorRate:
    pass


@pyd_type(model=schemas.IvPlan, all_fields=True)
class IvPlan:
    pass


@pyd_type(model=schemas.SignOff, all_fields=True)
class IvPlanSignOff:
    pass


@pyd_type(model=schemas.IvSchedule, all_fields=True)
class IvSchedule:
    pass


@pyd_type(model=schemas.Arbitration, all_fields=True)
class IvArbitration:
    pass


@pyd_type(model=schemas.LivGap, all_fields=True)
class LivGap:
    pass


@pyd_input(model=schemas.ArbitrationCreate, all_fields=True)
class IvArbitrationInput:
    pass


@pyd_input(model=schemas.CriterionComment, all_fields=True)
class IvCriterionCommentInput:
    pass


@pyd_input(model=schemas.RemedialActionCreate, all_fields=True)
class IvRemedialActionInput:
    pass


@pyd_input(model=schemas.IvRecordCreate, all_fields=True)
class IvRecordCreateInput:
    pass


@pyd_input(model=schemas.IvRecordAmendment, all_fields=True)
class IvRecordAmendmentInput:
    pass


@pyd_input(model=schemas.AssessorRateInput, all_fields=True)
class IvPlanAssessorRateInput:
    pass


@pyd_input(model=schemas.IvPlanWrite, all_fields=True)
class IvPlanInput:
    pass


@pyd_input(model=schemas.ScheduleAssignment, all_fields=True)
class IvScheduleAssignmentInput:
    pass


@pyd_input(model=schemas.LivAppointmentCreate, all_fields=True)
class LivAppointmentInput:
    pass


@pyd_input(model=schemas.LivAnnualRecordCreate, all_fields=True)
class LivAnnualRecordInput:
    pass


def _fields(input: object, nested: tuple[str, ...] = ()) -> dict[str, Any]:
    """The input's fields, its nested input lists converted too (for the Pydantic schema)."""
    fields = input_fields(input)
    for key in nested:
        if fields.get(key) is not None:
            fields[key] = [input_fields(item) for item in fields[key]]
    return fields


_RECORD_LISTS = ("criteria_comments", "actions")


def _coverage(c: schemas.Coverage) -> IvCoverage:
    return IvCoverage(
        programme_id=c.programme_id,
        academic_year_id=c.academic_year_id,
        lines=[IvCoverageLine.from_pydantic(line) for line in c.lines],
        untouched=[IvUntouched(kind=k, keys=v) for k, v in c.untouched.items()],
    )


def _dashboard(d: schemas.LivDashboard) -> LivDashboard:
    return LivDashboard(
        open_actions=[IvRemedialActionDetail.from_pydantic(a) for a in d.open_actions],
        overdue_actions=[IvRemedialActionDetail.from_pydantic(a) for a in d.overdue_actions],
        overdue_schedule=[IvScheduleEntry.from_pydantic(e) for e in d.overdue_schedule],
        briefs_awaiting_iv=[IvBriefStatus.from_pydantic(b) for b in d.briefs_awaiting_iv],
        coverage=[_coverage(c) for c in d.coverage],
        next_cursor=d.next_cursor,
    )


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
    async def brief_iv_records(
        self, info: Ctx, brief_id: uuid.UUID, first: First = 50, after: After = None
    ) -> Connection[IvRecord]:
        p = info.context.require(Scope.verification_read)
        return page_of(
            [_record(r) for r in await info.context.read(records.brief_iv_records, p, brief_id)], first, after
        )

    @strawberry.field
    async def iv_record(self, info: Ctx, id: uuid.UUID) -> IvRecord:
        p = info.context.require(Scope.verification_read)
        return _record(await info.context.read(records.get_iv_record, p, id))

    @strawberry.field(description="R-26: every version of the IV record, oldest first.")
    async def iv_record_versions(
        self, info: Ctx, id: uuid.UUID, first: First = 50, after: After = None
    ) -> Connection[IvRecordVersion]:
        p = info.context.require(Scope.verification_read)
        return page_of(
            [_version(v) for v in await info.context.read(records.iv_record_versions, p, id)], first, after
        )

    @strawberry.field
    async def iv_remedial_actions(
        self,
        info: Ctx,
        brief_id: uuid.UUID | None = None,
        programme_id: uuid.UUID | None = None,
        status: schemas.ActionStatus | None = None,
        first: First = 50,
        after: After = None,
    ) -> Connection[IvRemedialAction]:
        p = info.context.require(Scope.verification_read)
        rows = await info.context.read(
            records.list_actions,
            p,
            brief_id=brief_id,
            programme_id=programme_id,
            status=status.value if status else None,
        )
        return page_of([_action(a) for a in rows], first, after)

    @strawberry.field(
        description="R-42: the brief's official IV sample (its latest draw; REST Sample shape), or null."
    )
    async def latest_iv_sample(self, info: Ctx, brief_id: uuid.UUID) -> IvSample | None:
        p = info.context.require(Scope.verification_read)
        s = await info.context.read(draws.official_sample, p, brief_id)
        return IvSample.from_pydantic(s) if s is not None else None

    @strawberry.field(description="R-42: every draw of the brief's IV sample, first to last (official last).")
    async def iv_samples(
        self, info: Ctx, brief_id: uuid.UUID, first: First = 50, after: After = None
    ) -> Connection[IvSample]:
        p = info.context.require(Scope.verification_read)
        return page_of(
            [IvSample.from_pydantic(s) for s in await info.context.read(draws.list_samples, p, brief_id)],
            first,
            after,
        )

    @strawberry.field(description="R-42: one IV sample, with its items and the rates it was drawn at.")
    async def iv_sample(self, info: Ctx, id: uuid.UUID) -> IvSample:
        p = info.context.require(Scope.verification_read)
        return IvSample.from_pydantic(await info.context.read(draws.get_sample, p, id))

    @strawberry.field(
        description="R-42: assessors, units, criteria, sites and briefs touched by IV (REST shape)."
    )
    async def iv_coverage(self, info: Ctx, programme_id: uuid.UUID) -> IvCoverage:
        p = info.context.require(Scope.verification_read)
        return _coverage(await info.context.read(coverage.coverage, p, programme_id))

    @strawberry.field(
        description="Open and overdue actions, overdue IV, briefs waiting, coverage (REST shape)."
    )
    async def liv_dashboard(
        self,
        info: Ctx,
        academic_year_id: uuid.UUID | None = None,
        first: Annotated[
            int,
            strawberry.argument(
                description="Programmes on the page: default 10, at most 50 (more is refused)."
            ),
        ] = coverage.DASHBOARD_PAGE,
        after: After = None,
    ) -> LivDashboard:
        p = info.context.require(Scope.verification_read)
        programmes = checked_size(first, coverage.DASHBOARD_MAX, "programmes")
        board = await info.context.read(
            coverage.liv_dashboard, p, academic_year_id, limit=programmes, cursor=after
        )
        return _dashboard(board)

    @strawberry.field(description="R-42: the programme's IV plan and whether this version is signed off.")
    async def iv_plan(self, info: Ctx, programme_id: uuid.UUID) -> IvPlan:
        p = info.context.require(Scope.verification_read)
        return IvPlan.from_pydantic(await info.context.read(plans.get_plan, p, programme_id))

    @strawberry.field(description="R-41: the IV plan, the schedule linked to the assessment plan, sign-offs.")
    async def iv_schedule(self, info: Ctx, programme_id: uuid.UUID) -> IvSchedule:
        p = info.context.require(Scope.verification_read)
        return IvSchedule.from_pydantic(await info.context.read(plans.get_schedule, p, programme_id))

    @strawberry.field(description="R-45: the LIV's arbitrations of the IV record's disagreements.")
    async def iv_arbitrations(
        self, info: Ctx, id: uuid.UUID, first: First = 50, after: After = None
    ) -> Connection[IvArbitration]:
        p = info.context.require(Scope.verification_read)
        return page_of(
            [
                IvArbitration.from_pydantic(a)
                for a in await info.context.read(arbitration.arbitrations, p, id)
            ],
            first,
            after,
        )

    @strawberry.field(
        description="R-40: subject areas with programmes in the year and no accredited LIV (REST LivGap)."
    )
    async def liv_gaps(
        self, info: Ctx, academic_year_id: uuid.UUID, first: First = 50, after: After = None
    ) -> Connection[LivGap]:
        p = info.context.require(Scope.verification_read)
        return page_of(
            [LivGap.from_pydantic(g) for g in await info.context.read(livs.liv_gaps, p, academic_year_id)],
            first,
            after,
        )

    @strawberry.field(description="R-40: LIV appointments (REST LivAppointment shape).")
    async def liv_appointments(
        self, info: Ctx, subject_area: str | None = None, first: First = 50, after: After = None
    ) -> Connection[LivAppointment]:
        p = info.context.require(Scope.verification_read)
        rows = await info.context.read(plans.list_livs, p, subject_area)
        return page_of(
            [LivAppointment.from_pydantic(schemas.LivAppointment.model_validate(r)) for r in rows],
            first,
            after,
        )

    @strawberry.field(description="R-40: the LIV's registration and standardisation, year by year.")
    async def liv_annual_records(
        self, info: Ctx, appointment_id: uuid.UUID, first: First = 50, after: After = None
    ) -> Connection[LivAnnualRecord]:
        p = info.context.require(Scope.verification_read)
        rows = await info.context.read(plans.annual_records, p, appointment_id)
        return page_of(
            [LivAnnualRecord.from_pydantic(schemas.LivAnnualRecord.model_validate(r)) for r in rows],
            first,
            after,
        )


@strawberry.type
class VerificationMutation:
    @strawberry.mutation(
        description="R-42: draw the brief's IV sample with the service's seed (input: REST SampleCreate); "
        "a redraw needs the programme's LIV and a reason."
    )
    async def draw_iv_sample(self, info: Ctx, brief_id: uuid.UUID, reason: str | None = None) -> IvSample:
        p = info.context.require(Scope.verification_write)
        data = to_model(schemas.SampleCreate, {"reason": reason} if reason is not None else {})
        return IvSample.from_pydantic(await info.context.write(draws.draw_sample, p, brief_id, data))

    @strawberry.mutation(description="R-43/R-44: input is the REST IvRecordCreate body.")
    async def create_iv_record(self, info: Ctx, input: IvRecordCreateInput) -> IvRecord:
        p = info.context.require(Scope.verification_write)
        data = to_model(schemas.IvRecordCreate, _fields(input, _RECORD_LISTS))
        return _record(await info.context.write(records.record_iv, p, data))

    @strawberry.mutation(description="A new version with a reason (REST IvRecordAmendment body).")
    async def amend_iv_record(
        self, info: Ctx, id: uuid.UUID, version: int, input: IvRecordAmendmentInput
    ) -> IvRecord:
        p = info.context.require(Scope.verification_write)
        data = to_model(schemas.IvRecordAmendment, _fields(input, _RECORD_LISTS))
        return _record(await info.context.write(records.amend_iv, p, id, data, version))

    @strawberry.mutation(
        description="R-45: the programme's LIV rules on a disagreement (REST ArbitrationCreate body)."
    )
    async def arbitrate_iv_disagreement(
        self, info: Ctx, id: uuid.UUID, input: IvArbitrationInput
    ) -> IvArbitration:
        p = info.context.require(Scope.verification_write)
        data = to_model(schemas.ArbitrationCreate, _fields(input))
        return IvArbitration.from_pydantic(await info.context.write(arbitration.arbitrate, p, id, data))

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
        self, info: Ctx, programme_id: uuid.UUID, input: IvPlanInput, version: int | None = None
    ) -> IvPlan:
        p = info.context.require(Scope.iv_plans_manage)
        data = to_model(schemas.IvPlanWrite, _fields(input, ("assessor_rates",)))
        return IvPlan.from_pydantic(await info.context.write(plans.put_plan, p, programme_id, data, version))

    @strawberry.mutation(description="R-41: assign a plan entry's IV (REST ScheduleAssignment body).")
    async def assign_iv_schedule_entry(
        self, info: Ctx, programme_id: uuid.UUID, input: IvScheduleAssignmentInput
    ) -> IvSchedule:
        p = info.context.require(Scope.iv_plans_manage)
        data = to_model(schemas.ScheduleAssignment, _fields(input))
        return IvSchedule.from_pydantic(
            await info.context.write(plans.assign_schedule, p, programme_id, data)
        )

    @strawberry.mutation(description="The programme's LIV signs off the current IV plan version.")
    async def sign_off_iv_plan(self, info: Ctx, programme_id: uuid.UUID, signed_on: dt.date) -> IvPlanSignOff:
        p = info.context.require(Scope.iv_plans_manage)
        row = await info.context.write(
            plans.sign_off, p, programme_id, schemas.SignOffCreate(signed_on=signed_on)
        )
        return IvPlanSignOff.from_pydantic(schemas.SignOff.model_validate(row))

    @strawberry.mutation(
        description="R-40: appoint the LIV of a subject area (REST LivAppointmentCreate body)."
    )
    async def appoint_liv(self, info: Ctx, input: LivAppointmentInput) -> LivAppointment:
        p = info.context.require(Scope.livs_manage)
        data = to_model(schemas.LivAppointmentCreate, _fields(input))
        row = await info.context.write(plans.appoint_liv, p, data)
        return LivAppointment.from_pydantic(schemas.LivAppointment.model_validate(row))

    @strawberry.mutation(description="R-40: the LIV's registration and standardisation for a year.")
    async def create_liv_annual_record(
        self, info: Ctx, appointment_id: uuid.UUID, input: LivAnnualRecordInput
    ) -> LivAnnualRecord:
        p = info.context.require(Scope.livs_manage)
        data = to_model(schemas.LivAnnualRecordCreate, _fields(input))
        row = await info.context.write(plans.add_annual_record, p, appointment_id, data)
        return LivAnnualRecord.from_pydantic(schemas.LivAnnualRecord.model_validate(row))
