"""GraphQL for the catalogue and predictions: the same service functions as REST."""

from __future__ import annotations

import uuid

import strawberry
from strawberry.experimental.pydantic import type as pyd_type
from strawberry.types import Info

from app.api.gql_context import Context, input_fields, to_model
from app.api.gql_pagination import After, Connection, First, paged
from app.auth.scopes import Scope
from app.qualifications import grades, schemas, service
from app.qualifications.outcomes import OutcomeBasis

for enum, name in (
    (grades.AssessmentMode, None),
    (grades.AttemptKind, None),
    (grades.CriteriaStatus, None),
    (grades.GradingRule, None),
    (grades.QualificationGrade, None),
    (grades.QualificationGradingScheme, None),
    (grades.UnitGrade, None),
    (grades.UnitGradingScheme, None),
    (grades.UnitType, None),
    (OutcomeBasis, None),
):
    strawberry.enum(enum, name=name)

Ctx = Info[Context, None]


@pyd_type(model=schemas.LearningOutcome, all_fields=True)
class LearningOutcome:
    pass


@pyd_type(model=schemas.Criterion, all_fields=True)
class Criterion:
    pass


@pyd_type(model=schemas.AssignmentGrouping, all_fields=True)
class AssignmentGrouping:
    pass


@pyd_type(model=schemas.Unit, all_fields=True)
class Unit:
    pass


@pyd_type(model=schemas.PointsRow, all_fields=True)
class PointsRow:
    pass


@pyd_type(model=schemas.GradeRange, all_fields=True)
class GradeRange:
    pass


@pyd_type(model=schemas.Policies, all_fields=True)
class Policies:
    pass


@pyd_type(model=schemas.QualificationSummary, all_fields=True)
class QualificationSummary:
    pass


@pyd_type(model=schemas.QualificationDetail, all_fields=True)
class Qualification:
    pass


@strawberry.type(description="The criteria still missing for one higher grade of a unit.")
class MissingForGrade:
    grade: grades.UnitGrade
    criteria: list[str]


def _missing_by_grade(root: strawberry.Parent[UnitPrediction]) -> list[MissingForGrade]:
    missing = root._original_model.missing_by_grade  # type: ignore[attr-defined]
    return [MissingForGrade(grade=grades.UnitGrade(g), criteria=list(c)) for g, c in missing.items()]


@pyd_type(model=schemas.UnitPrediction, all_fields=True)
class UnitPrediction:
    missing_by_grade: list[MissingForGrade] = strawberry.field(
        resolver=_missing_by_grade,
        description="Each grade above the one reached, nearest first, with the criteria it still needs.",
    )


@pyd_type(model=schemas.UnitLine, all_fields=True)
class UnitLine:
    pass


@pyd_type(model=schemas.QualificationPrediction, all_fields=True)
class QualificationPrediction:
    pass


@strawberry.input(
    description="One attempt at one unit: `grade`, or `criteriaAchieved` (not both). Several "
    "entries for the same unit are several attempts; the best counts (R-05)."
)
class UnitResultInput:
    unit_number: int
    grade: grades.UnitGrade | None = strawberry.UNSET
    criteria_achieved: list[str] | None = strawberry.UNSET


@strawberry.type
class QualificationsQuery:
    @strawberry.field(
        description="The shipped catalogue and the centre's own imports (latest versions by default)."
    )
    async def qualifications(
        self,
        info: Ctx,
        first: First = 50,
        after: After = None,
        key: str | None = None,
        awarding_body: str | None = None,
        all_versions: bool = False,
    ) -> Connection[QualificationSummary]:
        p = info.context.require(Scope.qualifications_read)
        return await paged(
            lambda limit, cursor: info.context.read(
                service.list_qualifications,
                p,
                limit,
                cursor,
                key=key,
                awarding_body=awarding_body,
                all_versions=all_versions,
            ),
            first,
            after,
            lambda i: QualificationSummary.from_pydantic(i),
        )

    @strawberry.field
    async def qualification(self, info: Ctx, id: uuid.UUID) -> Qualification:
        p = info.context.require(Scope.qualifications_read)
        return Qualification.from_pydantic(await info.context.read(service.get_qualification, p, id))

    @strawberry.field(description="What-if: the qualification grade from unit grades or criteria achieved.")
    async def predict_qualification_grade(
        self, info: Ctx, qualification_id: uuid.UUID, units: list[UnitResultInput]
    ) -> QualificationPrediction:
        p = info.context.require(Scope.qualifications_read)
        request = to_model(schemas.PredictionRequest, {"units": [input_fields(u) for u in units]})
        return QualificationPrediction.from_pydantic(
            await info.context.read(service.predict, p, qualification_id, request)
        )
