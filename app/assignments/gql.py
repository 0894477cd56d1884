"""GraphQL for assessment plans and briefs: the same service functions as REST."""

from __future__ import annotations

import datetime as dt
import uuid

import strawberry
from strawberry.experimental.pydantic import input as pyd_input
from strawberry.experimental.pydantic import type as pyd_type
from strawberry.types import Info

from app.api.gql_context import Context, input_fields, to_model
from app.api.gql_pagination import After, Connection, First, page_of, paged
from app.assignments import models, schemas, service
from app.auth.scopes import Scope

Ctx = Info[Context, None]
strawberry.enum(schemas.BriefStatus)


@pyd_type(model=schemas.CriterionRef, all_fields=True)
class CriterionRef:
    pass


@pyd_type(model=schemas.Brief, all_fields=True)
class AssignmentBrief:
    pass


@pyd_type(model=schemas.ChecklistQuestion, all_fields=True)
class BriefChecklistQuestion:
    pass


@strawberry.type(description="One question of the brief checklist (R-21) and the verifier's answer.")
class BriefChecklistAnswer:
    question: str
    answer: bool


def _verification_checklist(
    root: strawberry.Parent[AssignmentBriefVerification],
) -> list[BriefChecklistAnswer]:
    checklist = root._original_model.checklist  # type: ignore[attr-defined]
    return [BriefChecklistAnswer(question=q, answer=a) for q, a in checklist.items()]


@pyd_type(model=schemas.BriefVerification, all_fields=True)
class AssignmentBriefVerification:
    checklist: list[BriefChecklistAnswer] = strawberry.field(
        resolver=_verification_checklist, description="Every checklist question with its answer."
    )


@pyd_type(model=schemas.PlanEntry, all_fields=True)
class AssessmentPlanEntry:
    pass


@pyd_type(model=schemas.PlanSignOff, all_fields=True)
class AssessmentPlanSignOff:
    pass


@strawberry.type(description="R-20: the programme's assessment plan and whether the LIV signed it off.")
class AssessmentPlanStatus:
    programme_id: uuid.UUID
    entries: list[AssessmentPlanEntry]
    signed_off: bool
    sign_off: AssessmentPlanSignOff | None


def _plan_status(plan: schemas.AssessmentPlan) -> AssessmentPlanStatus:
    return AssessmentPlanStatus(
        programme_id=plan.programme_id,
        entries=[AssessmentPlanEntry.from_pydantic(e) for e in plan.entries],
        signed_off=plan.signed_off,
        sign_off=AssessmentPlanSignOff.from_pydantic(plan.sign_off) if plan.sign_off else None,
    )


@pyd_input(model=schemas.BriefReuse, all_fields=True)
class AssignmentBriefReuseInput:
    pass


@pyd_input(model=schemas.TargetedCriterion, all_fields=True)
class TargetedCriterionInput:
    pass


@pyd_input(model=schemas.BriefCreate, all_fields=True)
class AssignmentBriefCreateInput:
    pass


@pyd_input(model=schemas.ChecklistAnswer, all_fields=True)
class ChecklistAnswerInput:
    pass


@pyd_input(model=schemas.PlanEntryCreate, all_fields=True)
class AssessmentPlanEntryInput:
    pass


# Update inputs: an omitted field is left alone (UNSET); the Pydantic schema refuses a null where the field
# may not be empty, exactly as REST does.
@strawberry.input(description="Omitted fields are left alone.")
class AssessmentPlanEntryUpdateInput:
    title: str | None = strawberry.UNSET
    hand_out_date: dt.date | None = strawberry.UNSET
    deadline: dt.date | None = strawberry.UNSET
    planned_iv_date: dt.date | None = strawberry.UNSET


@strawberry.input(description="Omitted fields are left alone; `criteria`, when given, replaces all criteria.")
class AssignmentBriefUpdateInput:
    title: str | None = strawberry.UNSET
    unit_numbers: list[int] | None = strawberry.UNSET
    criteria: list[TargetedCriterionInput] | None = strawberry.UNSET
    scenario: str | None = strawberry.UNSET
    ai_use_allowed: bool | None = strawberry.UNSET
    start_date: dt.date | None = strawberry.UNSET
    completion_date: dt.date | None = strawberry.UNSET


def _plan_entry(entry: object) -> AssessmentPlanEntry:
    return AssessmentPlanEntry.from_pydantic(schemas.PlanEntry.model_validate(entry))


def _brief(b: models.AssignmentBrief) -> AssignmentBrief:
    return AssignmentBrief.from_pydantic(service.brief_out(b))


def _answers(answers: list[ChecklistAnswerInput]) -> list[schemas.ChecklistAnswer]:
    return [to_model(schemas.ChecklistAnswer, input_fields(a), "checklist") for a in answers]


@strawberry.type
class AssignmentsQuery:
    @strawberry.field(description="R-20: the programme's assessment plan, in hand-out order.")
    async def assessment_plan(
        self, info: Ctx, programme_id: uuid.UUID, first: First = 50, after: After = None
    ) -> Connection[AssessmentPlanEntry]:
        p = info.context.require(Scope.assignments_read)
        plan = await info.context.read(service.get_plan, p, programme_id)
        return page_of([AssessmentPlanEntry.from_pydantic(e) for e in plan.entries], first, after)

    @strawberry.field(
        description="R-20: the programme's assessment plan with its LIV sign-off (REST getAssessmentPlan)."
    )
    async def assessment_plan_status(self, info: Ctx, programme_id: uuid.UUID) -> AssessmentPlanStatus:
        p = info.context.require(Scope.assignments_read)
        return _plan_status(await info.context.read(service.get_plan, p, programme_id))

    @strawberry.field(
        description="R-20: one entry of a programme's assessment plan (REST getAssessmentPlanEntry)."
    )
    async def plan_entry(self, info: Ctx, id: uuid.UUID) -> AssessmentPlanEntry:
        p = info.context.require(Scope.assignments_read)
        entry = await info.context.read(service.get_plan_entry, p, id)
        return AssessmentPlanEntry.from_pydantic(schemas.PlanEntry.model_validate(entry))

    @strawberry.field(
        description="Staff see the centre's briefs; a learner the issued briefs of their programmes."
    )
    async def assignment_briefs(
        self,
        info: Ctx,
        first: First = 50,
        after: After = None,
        programme_id: uuid.UUID | None = None,
        status: schemas.BriefStatus | None = None,
    ) -> Connection[AssignmentBrief]:
        p = info.context.require(Scope.assignments_read, Scope.learner_self)
        return await paged(
            lambda limit, cursor: info.context.read(
                service.list_briefs,
                p,
                limit,
                cursor,
                programme_id=programme_id,
                status=status.value if status else None,
            ),
            first,
            after,
            lambda b: _brief(b),
        )

    @strawberry.field(description="R-21: the questions an internal verifier answers for every brief.")
    async def brief_checklist(self, info: Ctx) -> list[BriefChecklistQuestion]:
        info.context.require(Scope.assignments_read)
        return [BriefChecklistQuestion.from_pydantic(q) for q in service.checklist_questions()]

    @strawberry.field(
        description="R-26: when the brief was verified or returned, by whom, with the checklist "
        "answers and comments."
    )
    async def assignment_brief_verifications(
        self, info: Ctx, brief_id: uuid.UUID, first: First = 50, after: After = None
    ) -> Connection[AssignmentBriefVerification]:
        p = info.context.require(Scope.assignments_read)
        rows = await info.context.read(service.list_verifications, p, brief_id)
        return page_of(
            [
                AssignmentBriefVerification.from_pydantic(schemas.BriefVerification.model_validate(r))
                for r in rows
            ],
            first,
            after,
        )

    @strawberry.field
    async def assignment_brief(self, info: Ctx, id: uuid.UUID) -> AssignmentBrief:
        p = info.context.require(Scope.assignments_read, Scope.learner_self)
        return _brief(await info.context.read(service.get_brief, p, id))


@strawberry.type
class AssignmentsMutation:
    @strawberry.mutation
    async def create_assessment_plan_entry(
        self, info: Ctx, input: AssessmentPlanEntryInput
    ) -> AssessmentPlanEntry:
        p = info.context.require(Scope.assignments_write)
        data = to_model(schemas.PlanEntryCreate, input_fields(input))
        return _plan_entry(await info.context.write(service.create_plan_entry, p, data))

    @strawberry.mutation(description="`version` is the version last read (the REST ETag).")
    async def update_assessment_plan_entry(
        self, info: Ctx, id: uuid.UUID, version: int, input: AssessmentPlanEntryUpdateInput
    ) -> AssessmentPlanEntry:
        p = info.context.require(Scope.assignments_write)
        data = to_model(schemas.PlanEntryUpdate, input_fields(input))
        return _plan_entry(await info.context.write(service.update_plan_entry, p, id, data, version))

    @strawberry.mutation(description="R-20: the programme's LIV signs off its assessment plan as it stands.")
    async def sign_off_assessment_plan(self, info: Ctx, programme_id: uuid.UUID) -> AssessmentPlanStatus:
        p = info.context.require(Scope.iv_plans_manage)
        return _plan_status(await info.context.write(service.sign_off_plan, p, programme_id))

    @strawberry.mutation(
        description="R-21: the brief's text as a new draft on another programme, verified again."
    )
    async def reuse_assignment_brief(
        self, info: Ctx, id: uuid.UUID, input: AssignmentBriefReuseInput
    ) -> AssignmentBrief:
        p = info.context.require(Scope.assignments_write)
        data = to_model(schemas.BriefReuse, input_fields(input))
        return _brief(await info.context.write(service.reuse_brief, p, id, data))

    @strawberry.mutation
    async def create_assignment_brief(self, info: Ctx, input: AssignmentBriefCreateInput) -> AssignmentBrief:
        p = info.context.require(Scope.assignments_write)
        fields = input_fields(input)
        fields["criteria"] = [input_fields(c) for c in fields.get("criteria") or []]
        return _brief(
            await info.context.write(service.create_brief, p, to_model(schemas.BriefCreate, fields))
        )

    @strawberry.mutation(
        description="Only a draft or returned brief is edited. `version` is the version last read "
        "(the REST ETag)."
    )
    async def update_assignment_brief(
        self, info: Ctx, id: uuid.UUID, version: int, input: AssignmentBriefUpdateInput
    ) -> AssignmentBrief:
        p = info.context.require(Scope.assignments_write)
        fields = input_fields(input)
        if fields.get("criteria") is not None:
            fields["criteria"] = [input_fields(c) for c in fields["criteria"]]
        data = to_model(schemas.BriefUpdate, fields)
        return _brief(await info.context.write(service.update_brief, p, id, data, version))

    @strawberry.mutation
    async def submit_assignment_brief_for_iv(self, info: Ctx, id: uuid.UUID) -> AssignmentBrief:
        p = info.context.require(Scope.assignments_write)
        return _brief(await info.context.write(service.submit_for_iv, p, id))

    @strawberry.mutation(description="R-21: every checklist answer yes; R-44: never the author.")
    async def verify_assignment_brief(
        self, info: Ctx, id: uuid.UUID, checklist: list[ChecklistAnswerInput], comments: str | None = None
    ) -> AssignmentBrief:
        p = info.context.require(Scope.briefs_verify)
        data = to_model(
            schemas.BriefVerificationCreate, {"checklist": _answers(checklist), "comments": comments}
        )
        return _brief(await info.context.write(service.verify_brief, p, id, data))

    @strawberry.mutation
    async def return_assignment_brief(
        self, info: Ctx, id: uuid.UUID, checklist: list[ChecklistAnswerInput], comments: str
    ) -> AssignmentBrief:
        p = info.context.require(Scope.briefs_verify)
        data = to_model(schemas.BriefReturn, {"checklist": _answers(checklist), "comments": comments})
        return _brief(await info.context.write(service.return_brief, p, id, data))

    @strawberry.mutation
    async def issue_assignment_brief(self, info: Ctx, id: uuid.UUID) -> AssignmentBrief:
        p = info.context.require(Scope.assignments_write)
        return _brief(await info.context.write(service.issue_brief, p, id))

    @strawberry.mutation
    async def close_assignment_brief(self, info: Ctx, id: uuid.UUID) -> AssignmentBrief:
        p = info.context.require(Scope.assignments_write)
        return _brief(await info.context.write(service.close_brief, p, id))
