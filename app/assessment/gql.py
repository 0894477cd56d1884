"""GraphQL for decisions and the assessment views: the same services as REST. The cohort grid is
offered nested (rows with a list of statuses) and as one JSON value per row (DESIGN rule 12: graphql-core
costs ~3 µs per field, so dense grids go as JSON beside the nested types)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import strawberry
from strawberry.experimental.pydantic import input as pyd_input
from strawberry.experimental.pydantic import type as pyd_type
from strawberry.scalars import JSON
from strawberry.types import Info

from app.api.gql_context import Context, input_fields, to_model
from app.api.gql_pagination import After, Connection, First, page_of, paged
from app.assessment import (
    authenticity,
    decisions,
    models,
    prior_learning,
    records,
    resubmissions,
    schemas,
    submissions,
)
from app.auth.scopes import Scope
from app.programmes import schemas as programme_schemas
from app.programmes.gql import PriorLearning
from app.programmes.schemas import EnrolmentStatus
from app.qualifications.grades import AttemptKind, QualificationGrade, UnitGrade

Ctx = Info[Context, None]
for enum in (
    schemas.DecisionStatus,
    schemas.CriterionStatus,
    schemas.SubmissionStatus,
    schemas.EvidenceKind,
    schemas.ReferenceKind,
):
    strawberry.enum(enum)


@pyd_type(model=schemas.CriterionResult, all_fields=True)
class CriterionResult:
    pass


@pyd_type(model=schemas.AuthenticityConcernRaised, all_fields=True)
class AuthenticityConcernRaised:
    pass


@pyd_type(model=schemas.Submission, all_fields=True)
class Submission:
    pass


@pyd_type(model=schemas.EvidenceItem, all_fields=True)
class EvidenceItem:
    pass


@pyd_type(model=schemas.Extension, all_fields=True)
class DeadlineExtension:
    pass


@pyd_type(model=schemas.Resubmission, all_fields=True)
class Resubmission:
    pass


@pyd_type(model=schemas.ExamResult, all_fields=True)
class ExamResult:
    pass


@strawberry.type(description="One unit's grade (the REST object `unit_grades` as a list, by unit).")
class GradedUnit:
    unit_number: int
    grade: UnitGrade | None


def _unit_grades(grades: Mapping[str, UnitGrade | None]) -> list[GradedUnit]:
    return [
        GradedUnit(unit_number=int(n), grade=g) for n, g in sorted(grades.items(), key=lambda i: int(i[0]))
    ]


def _version_unit_grades(root: strawberry.Parent[AssessmentDecisionVersion]) -> list[GradedUnit]:
    return _unit_grades(root._original_model.unit_grades)  # type: ignore[attr-defined]


@pyd_type(model=schemas.DecisionVersion, all_fields=True)
class AssessmentDecisionVersion:
    unit_grades: list[GradedUnit] = strawberry.field(
        resolver=_version_unit_grades,
        description="Units judged by grade, not by criteria (003), with their grade.",
    )


@pyd_type(model=schemas.RecordCriterion, all_fields=True)
class LearnerRecordCriterion:
    pass


@pyd_type(model=schemas.RecordUnit, all_fields=True)
class LearnerRecordUnit:
    pass


@pyd_type(model=schemas.RecordAttempt, all_fields=True)
class LearnerRecordAttempt:
    pass


@pyd_type(model=schemas.RecordProgramme, all_fields=True)
class LearnerRecordProgramme:
    pass


@pyd_type(model=schemas.LearnerRecord, all_fields=True)
class LearnerAssessmentRecord:
    pass


@pyd_input(model=schemas.SubmissionCreate, all_fields=True)
class SubmissionCreateInput:
    pass


@pyd_input(model=schemas.EvidenceReferenceCreate, all_fields=True)
class EvidenceReferenceInput:
    pass


@pyd_input(model=schemas.HandIn, all_fields=True)
class HandInInput:
    pass


@pyd_input(model=schemas.ExtensionCreate, all_fields=True)
class DeadlineExtensionInput:
    pass


@pyd_input(model=schemas.CriterionJudgement, all_fields=True)
class CriterionJudgementInput:
    pass


@pyd_input(model=schemas.UnitGradeInput, all_fields=True)
class UnitGradeInput:
    pass


@pyd_input(model=schemas.DecisionCreate, all_fields=True)
class AssessmentDecisionInput:
    pass


@pyd_input(model=schemas.DecisionAmendment, all_fields=True)
class AssessmentDecisionAmendmentInput:
    pass


@pyd_input(model=schemas.ResubmissionCreate, all_fields=True)
class ResubmissionInput:
    pass


@pyd_input(model=schemas.ExamResultCreate, all_fields=True)
class ExamResultInput:
    pass


def _submission(s: models.Submission) -> Submission:
    return Submission.from_pydantic(submissions.out(s))


def _decision_fields(input: object) -> dict[str, Any]:
    """The input's fields, each nested criterion and unit grade converted too (for the Pydantic schema)."""
    fields = input_fields(input)
    for key in ("criteria", "unit_grades"):
        if fields.get(key) is not None:
            fields[key] = [input_fields(item) for item in fields[key]]
    return fields


def decision_version(v: schemas.DecisionVersion) -> AssessmentDecisionVersion:
    return AssessmentDecisionVersion.from_pydantic(v)


@strawberry.type
class AssessmentDecision:
    id: uuid.UUID
    programme_id: uuid.UUID
    brief_id: uuid.UUID
    learner_id: uuid.UUID
    submission_id: uuid.UUID
    attempt_kind: AttemptKind
    status: schemas.DecisionStatus
    current_version: int
    version: int
    feedback: str
    criteria: list[CriterionResult]
    made_by: uuid.UUID = strawberry.field(description="R-26: who made the current version.")
    released_version: int | None = strawberry.field(
        description="R-25: the version the learner was given; none until released."
    )
    released: AssessmentDecisionVersion | None = strawberry.field(
        description="R-25: the released version, which the learner sees while an amendment of it awaits IV "
        "(`amended`); for the learner the decision is always its released version."
    )


def _decision(d: schemas.Decision) -> AssessmentDecision:
    return AssessmentDecision(
        id=d.id,
        programme_id=d.programme_id,
        brief_id=d.brief_id,
        learner_id=d.learner_id,
        submission_id=d.submission_id,
        attempt_kind=d.attempt_kind,
        status=d.status,
        current_version=d.current_version,
        version=d.version,
        feedback=d.current.feedback,
        criteria=[CriterionResult.from_pydantic(c) for c in d.current.criteria],
        made_by=d.current.made_by,
        released_version=d.released_version,
        released=decision_version(d.released) if d.released is not None else None,
    )


@strawberry.type
class GridColumn:
    unit_number: int
    code: str


@strawberry.type
class GridRow:
    learner_id: uuid.UUID
    given_name: str
    family_name: str
    statuses: list[schemas.CriterionStatus]
    qualification_grade: QualificationGrade
    unit_grades: list[GradedUnit]
    enrolment_status: EnrolmentStatus = strawberry.field(
        description="The learner's enrolment on this programme (`transferred`: moved to another group); "
        "statuses and grades are registration-wide (R-14)."
    )


@strawberry.type
class CohortGrid:
    programme_id: uuid.UUID
    columns: list[GridColumn]
    # The service's grid; `rows` and `rowsJson` are built from it only when the query asks for them
    # (issue 18: building both forms for every request cost a third of the GraphQL grid).
    source: strawberry.Private[schemas.CohortGrid]

    @strawberry.field
    def rows(self) -> list[GridRow]:
        return [
            GridRow(
                learner_id=r.learner_id,
                given_name=r.given_name,
                family_name=r.family_name,
                statuses=r.statuses,
                qualification_grade=r.qualification_grade,
                unit_grades=_unit_grades(r.unit_grades),
                enrolment_status=r.enrolment_status,
            )
            for r in self.source.rows
        ]

    @strawberry.field(description="The same rows, one JSON value each (fast for dense grids).")
    def rows_json(self) -> list[JSON]:
        return [JSON(r.model_dump(mode="json")) for r in self.source.rows]


def _grid(g: schemas.CohortGrid) -> CohortGrid:
    return CohortGrid(
        programme_id=g.programme_id,
        columns=[GridColumn(unit_number=c.unit_number, code=c.code) for c in g.columns],
        source=g,
    )


@strawberry.type
class AssessmentQuery:
    @strawberry.field(
        description="Staff see the centre's (assessors: their programmes'); learners their released."
    )
    async def assessment_decisions(
        self,
        info: Ctx,
        first: First = 50,
        after: After = None,
        brief_id: uuid.UUID | None = None,
        learner_id: uuid.UUID | None = None,
        programme_id: uuid.UUID | None = None,
        status: schemas.DecisionStatus | None = None,
    ) -> Connection[AssessmentDecision]:
        p = info.context.require(Scope.assessments_read, Scope.learner_self)
        return await paged(
            lambda limit, cursor: info.context.read(
                decisions.list_decisions,
                p,
                limit,
                cursor,
                brief_id=brief_id,
                learner_id=learner_id,
                programme_id=programme_id,
                status=status.value if status else None,
            ),
            first,
            after,
            lambda d: _decision(d),
        )

    @strawberry.field
    async def assessment_decision(self, info: Ctx, id: uuid.UUID) -> AssessmentDecision:
        p = info.context.require(Scope.assessments_read, Scope.learner_self)
        return _decision(await info.context.read(decisions.get_decision, p, id))

    @strawberry.field(
        description="R-26: the decision's versions, oldest first; nothing is overwritten. Staff only."
    )
    async def assessment_decision_versions(
        self, info: Ctx, id: uuid.UUID, first: First = 50, after: After = None
    ) -> Connection[AssessmentDecisionVersion]:
        p = info.context.require(Scope.assessments_read)
        rows = await info.context.read(decisions.list_versions, p, id)
        return page_of([AssessmentDecisionVersion.from_pydantic(v) for v in rows], first, after)

    @strawberry.field(description="The resubmissions authorised after the decision (R-30), oldest first.")
    async def resubmissions(
        self, info: Ctx, decision_id: uuid.UUID, first: First = 50, after: After = None
    ) -> Connection[Resubmission]:
        p = info.context.require(Scope.assessments_read, Scope.learner_self)
        rows = await info.context.read(resubmissions.list_resubmissions, p, decision_id)
        return page_of(
            [Resubmission.from_pydantic(schemas.Resubmission.model_validate(r)) for r in rows], first, after
        )

    @strawberry.field(
        description="Staff see the centre's (assessors: their programmes'); learners their own."
    )
    async def submissions(
        self,
        info: Ctx,
        first: First = 50,
        after: After = None,
        brief_id: uuid.UUID | None = None,
        learner_id: uuid.UUID | None = None,
    ) -> Connection[Submission]:
        p = info.context.require(Scope.assessments_read, Scope.learner_self)
        return await paged(
            lambda limit, cursor: info.context.read(
                submissions.list_submissions,
                p,
                limit,
                cursor,
                brief_id=brief_id,
                learner_id=learner_id,
            ),
            first,
            after,
            lambda s: _submission(s),
        )

    @strawberry.field
    async def submission(self, info: Ctx, id: uuid.UUID) -> Submission:
        p = info.context.require(Scope.assessments_read, Scope.learner_self)
        return _submission(await info.context.read(submissions.get_submission, p, id))

    @strawberry.field(description="The submission's evidence: files (by SHA-256) and references.")
    async def submission_evidence(
        self, info: Ctx, submission_id: uuid.UUID, first: First = 50, after: After = None
    ) -> Connection[EvidenceItem]:
        p = info.context.require(Scope.assessments_read, Scope.learner_self)
        rows = await info.context.read(submissions.list_evidence, p, submission_id)
        return page_of(
            [EvidenceItem.from_pydantic(schemas.EvidenceItem.model_validate(r)) for r in rows], first, after
        )

    @strawberry.field(
        description="One learner's record on a programme: units, criteria, attempts, exam results and "
        "grades (the REST LearnerRecord shape); a learner reads their own, from released decisions."
    )
    async def learner_assessment_record(
        self, info: Ctx, learner_id: uuid.UUID, programme_id: uuid.UUID
    ) -> LearnerAssessmentRecord:
        p = info.context.require(Scope.assessments_read, Scope.learner_self)
        record = await info.context.read(records.learner_record, p, learner_id, programme_id)
        return LearnerAssessmentRecord.from_pydantic(record)

    @strawberry.field(
        description="R-14: the record of the learner's registration for a qualification, over every "
        "programme year and teaching group (the REST LearnerRecord shape); a learner reads their own."
    )
    async def learner_registration_record(
        self, info: Ctx, learner_id: uuid.UUID, qualification_id: uuid.UUID
    ) -> LearnerAssessmentRecord:
        p = info.context.require(Scope.assessments_read, Scope.learner_self)
        record = await info.context.read(records.registration_record, p, learner_id, qualification_id)
        return LearnerAssessmentRecord.from_pydantic(record)

    @strawberry.field(description="Learners × criteria with status, nested and as JSON per row.")
    async def cohort_tracking_grid(self, info: Ctx, programme_id: uuid.UUID) -> CohortGrid:
        p = info.context.require(Scope.assessments_read)
        return _grid(await info.context.read(records.cohort_grid, p, programme_id))


@strawberry.type
class AssessmentMutation:
    @strawberry.mutation(description="R-13: RPL assessed, naming the assessment decision that used it.")
    async def assess_prior_learning(self, info: Ctx, id: uuid.UUID, decision_id: uuid.UUID) -> PriorLearning:
        p = info.context.require(Scope.assessments_write)
        data = to_model(programme_schemas.PriorLearningAssessment, {"decision_id": decision_id})
        row = await info.context.write(prior_learning.assess, p, id, data)
        return PriorLearning.from_pydantic(programme_schemas.PriorLearning.model_validate(row))

    @strawberry.mutation(description="R-13: RPL rejected as not current or not relevant, with the reason.")
    async def reject_prior_learning(self, info: Ctx, id: uuid.UUID, reason: str) -> PriorLearning:
        p = info.context.require(Scope.assessments_write)
        data = to_model(programme_schemas.PriorLearningRejection, {"reason": reason})
        row = await info.context.write(prior_learning.reject, p, id, data)
        return PriorLearning.from_pydantic(programme_schemas.PriorLearning.model_validate(row))

    @strawberry.mutation(description="An agreed extension for one learner (R-23, R-30), with its reason.")
    async def create_deadline_extension(self, info: Ctx, input: DeadlineExtensionInput) -> DeadlineExtension:
        p = info.context.require(Scope.extensions_approve)
        data = to_model(schemas.ExtensionCreate, input_fields(input))
        ext = await info.context.write(submissions.create_extension, p, data)
        return DeadlineExtension.from_pydantic(schemas.Extension.model_validate(ext))

    @strawberry.mutation(
        description="Start a learner's submission for an issued brief (first attempt, an "
        "authorised resubmission (R-30) or a retake (R-32)); evidence is added while "
        "it is open."
    )
    async def create_submission(self, info: Ctx, input: SubmissionCreateInput) -> Submission:
        p = info.context.require(Scope.submissions_write, Scope.submissions_self)
        data = to_model(schemas.SubmissionCreate, input_fields(input))
        return _submission(await info.context.write(submissions.create_submission, p, data))

    @strawberry.mutation(
        description="An observation record, a witness statement or other evidence kept elsewhere. "
        "Evidence files are uploaded over REST only (uploadEvidenceFile: POST "
        "/v1/submissions/{id}/evidence-files); GraphQL takes no file uploads."
    )
    async def add_evidence_reference(
        self, info: Ctx, submission_id: uuid.UUID, input: EvidenceReferenceInput
    ) -> EvidenceItem:
        p = info.context.require(Scope.submissions_write, Scope.submissions_self)
        data = to_model(schemas.EvidenceReferenceCreate, input_fields(input))
        item = await info.context.write(submissions.add_evidence_reference, p, submission_id, data)
        return EvidenceItem.from_pydantic(schemas.EvidenceItem.model_validate(item))

    @strawberry.mutation(description="Only while the submission is open (R-22); true once removed.")
    async def remove_evidence(self, info: Ctx, submission_id: uuid.UUID, item_id: uuid.UUID) -> bool:
        p = info.context.require(Scope.submissions_write, Scope.submissions_self)
        await info.context.write(submissions.remove_evidence, p, submission_id, item_id)
        return True

    @strawberry.mutation(
        description="R-22: with the learner's signed and dated declaration; frozen from then on. "
        "R-23: late is recorded."
    )
    async def hand_in_submission(self, info: Ctx, id: uuid.UUID, input: HandInInput) -> Submission:
        p = info.context.require(Scope.submissions_write, Scope.submissions_self)
        data = to_model(schemas.HandIn, input_fields(input))
        return _submission(await info.context.write(submissions.hand_in, p, id, data))

    @strawberry.mutation(
        description="R-70: an assessor's authenticity concern opens a draft malpractice case."
    )
    async def raise_authenticity_concern(
        self, info: Ctx, submission_id: uuid.UUID, concern: str
    ) -> AuthenticityConcernRaised:
        p = info.context.require(Scope.assessments_write)
        data = to_model(schemas.AuthenticityConcern, {"concern": concern})
        return AuthenticityConcernRaised.from_pydantic(
            await info.context.write(authenticity.raise_concern, p, submission_id, data)
        )

    @strawberry.mutation(
        description="R-24 per targeted criterion; R-10 registered learners only; by an assessor "
        "of the programme."
    )
    async def record_assessment_decision(
        self, info: Ctx, input: AssessmentDecisionInput
    ) -> AssessmentDecision:
        p = info.context.require(Scope.assessments_write)
        data = to_model(schemas.DecisionCreate, _decision_fields(input))
        return _decision(await info.context.write(decisions.record_decision, p, data))

    @strawberry.mutation(
        description="R-26: a new version with a reason, by the decision's own assessor. A draft returns "
        "to draft; a released decision becomes `amended` and waits for IV of the new version while the "
        "learner keeps the released one (R-25). `version` is the version last read (the REST ETag)."
    )
    async def amend_assessment_decision(
        self, info: Ctx, id: uuid.UUID, version: int, input: AssessmentDecisionAmendmentInput
    ) -> AssessmentDecision:
        p = info.context.require(Scope.assessments_write)
        data = to_model(schemas.DecisionAmendment, _decision_fields(input))
        return _decision(await info.context.write(decisions.amend_decision, p, id, data, version))

    @strawberry.mutation
    async def submit_assessment_decision_for_iv(self, info: Ctx, id: uuid.UUID) -> AssessmentDecision:
        p = info.context.require(Scope.assessments_write)
        return _decision(await info.context.write(decisions.submit_for_iv, p, id))

    @strawberry.mutation(description="R-25: refused until IV of the brief's decisions is complete.")
    async def release_assessment_decision(self, info: Ctx, id: uuid.UUID) -> AssessmentDecision:
        p = info.context.require(Scope.assessments_write)
        return _decision(await info.context.write(decisions.release, p, id))

    @strawberry.mutation(
        description="R-30 (every condition, each named when it fails), R-31 deadline on the centre "
        "calendar, R-33."
    )
    async def authorise_resubmission(
        self, info: Ctx, id: uuid.UUID, input: ResubmissionInput
    ) -> Resubmission:
        p = info.context.require(Scope.resubmissions_authorise)
        data = to_model(schemas.ResubmissionCreate, input_fields(input))
        row = await info.context.write(resubmissions.authorise, p, id, data)
        return Resubmission.from_pydantic(schemas.Resubmission.model_validate(row))

    @strawberry.mutation(
        description="An externally assessed unit's result; further sittings are resits (003 §7), "
        "the best counts (R-05)."
    )
    async def record_exam_result(self, info: Ctx, input: ExamResultInput) -> ExamResult:
        p = info.context.require(Scope.exam_results_write)
        data = to_model(schemas.ExamResultCreate, input_fields(input))
        result = await info.context.write(decisions.record_exam_result, p, data)
        return ExamResult.from_pydantic(schemas.ExamResult.model_validate(result))
