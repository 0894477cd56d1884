"""GraphQL for certification (R-90..R-94): the same service functions as REST, types and inputs
derived from the same Pydantic schemas."""

from __future__ import annotations

import uuid

import strawberry
from strawberry.experimental.pydantic import input as pyd_input
from strawberry.experimental.pydantic import type as pyd_type
from strawberry.types import Info

from app.api.gql_context import Context, input_fields, to_model
from app.api.gql_pagination import After, Connection, First, page_of
from app.auth.scopes import Scope
from app.certification import certificates, claims, eligibility, export, qmr, schemas

Ctx = Info[Context, None]

for enum in (
    schemas.ClaimType,
    schemas.ReasonCode,
    schemas.ReasonScope,
    schemas.QualityObjective,
    schemas.Judgement,
    schemas.ClaimStatus,
    schemas.EntryStatus,
    schemas.DeadlineState,
    schemas.CertificateStatus,
    schemas.AnomalyKind,
):
    strawberry.enum(enum)


@pyd_type(model=schemas.EligibilityReason, all_fields=True, name="CertificationReason")
class CertificationReason:
    pass


@pyd_type(model=schemas.ClaimableUnit, all_fields=True)
class ClaimableUnit:
    pass


@pyd_type(model=schemas.Eligibility, all_fields=True, name="CertificationEligibility")
class CertificationEligibility:
    pass


@pyd_type(model=schemas.ObjectiveJudgementOut, all_fields=True, name="ObjectiveJudgement")
class ObjectiveJudgement:
    pass


@pyd_type(model=schemas.QmrVisit, all_fields=True)
class QmrVisit:
    pass


@pyd_type(model=schemas.ClaimUnit, all_fields=True)
class ClaimUnit:
    pass


@pyd_type(model=schemas.ClaimEntry, all_fields=True)
class ClaimEntry:
    pass


@pyd_type(model=schemas.Claim, all_fields=True, name="CertificationClaim")
class CertificationClaim:
    pass


@pyd_type(model=schemas.ClaimDeadline, all_fields=True)
class ClaimDeadline:
    pass


@pyd_type(model=schemas.ExportRow, all_fields=True, name="ClaimExportRow")
class ClaimExportRow:
    pass


@pyd_type(model=schemas.ClaimExport, all_fields=True)
class ClaimExport:
    pass


@pyd_type(model=schemas.Anomaly, all_fields=True, name="CertificateAnomaly")
class CertificateAnomaly:
    pass


@pyd_type(model=schemas.CertificateUnitOut, all_fields=True, name="CertificateUnit")
class CertificateUnit:
    pass


@pyd_type(model=schemas.Certificate, all_fields=True)
class Certificate:
    pass


@pyd_input(model=schemas.ObjectiveJudgement, all_fields=True, name="ObjectiveJudgementInput")
class ObjectiveJudgementInput:
    pass


@pyd_input(model=schemas.QmrVisitCreate, all_fields=True, name="QmrVisitInput")
class QmrVisitInput:
    pass


@pyd_input(model=schemas.ProgressReport, all_fields=True, name="ProgressReportInput")
class ProgressReportInput:
    pass


@pyd_input(model=schemas.ClaimCreate, all_fields=True, name="CertificationClaimInput")
class ClaimInput:
    pass


@pyd_input(model=schemas.ClaimLearnersAdd, all_fields=True, name="ClaimLearnersInput")
class ClaimLearnersInput:
    pass


@pyd_input(model=schemas.CertificateUnit, all_fields=True, name="CertificateUnitInput")
class CertificateUnitInput:
    pass


@pyd_input(model=schemas.CertificateCreate, all_fields=True, name="CertificateInput")
class CertificateInput:
    pass


@pyd_input(model=schemas.CertificateResolve, all_fields=True, name="CertificateResolveInput")
class CertificateResolveInput:
    pass


def _claim(c: schemas.Claim) -> CertificationClaim:
    return CertificationClaim.from_pydantic(c)


@strawberry.type
class CertificationQuery:
    @strawberry.field(description="R-90: the eligibility preflight (REST getCertificationEligibility).")
    async def certification_eligibility(
        self, info: Ctx, learner_id: uuid.UUID, qualification_id: uuid.UUID
    ) -> CertificationEligibility:
        p = info.context.require(Scope.certification_read)
        return CertificationEligibility.from_pydantic(
            await info.context.read(eligibility.preflight, p, learner_id, qualification_id)
        )

    @strawberry.field(description="R-91: certification claims (REST listCertificationClaims).")
    async def certification_claims(
        self,
        info: Ctx,
        programme_id: uuid.UUID | None = None,
        status: schemas.ClaimStatus | None = None,
        first: First = 50,
        after: After = None,
    ) -> Connection[CertificationClaim]:
        p = info.context.require(Scope.certification_read)
        return page_of(
            [_claim(c) for c in await info.context.read(claims.list_claims, p, programme_id, status)],
            first,
            after,
        )

    @strawberry.field(description="R-91: one certification claim.")
    async def certification_claim(self, info: Ctx, id: uuid.UUID) -> CertificationClaim:
        p = info.context.require(Scope.certification_read)
        return _claim(await info.context.read(claims.get_claim, p, id))

    @strawberry.field(description="R-94: claims overdue or due within `withinDays` days.")
    async def certification_claim_deadlines(
        self, info: Ctx, within_days: int = 30, first: First = 50, after: After = None
    ) -> Connection[ClaimDeadline]:
        p = info.context.require(Scope.certification_read)
        rows = await info.context.read(claims.deadlines, p, within_days)
        return page_of([ClaimDeadline.from_pydantic(r) for r in rows], first, after)

    @strawberry.field(description="The submitted claim's export rows (REST exportCertificationClaim).")
    async def certification_claim_export(self, info: Ctx, id: uuid.UUID) -> ClaimExport:
        p = info.context.require(Scope.certification_read)
        return ClaimExport.from_pydantic(await info.context.read(export.export, p, id))

    @strawberry.field(description="The submitted claim as CSV text (REST exportCertificationClaimCsv).")
    async def certification_claim_csv(self, info: Ctx, id: uuid.UUID) -> str:
        p = info.context.require(Scope.certification_read)
        return await info.context.read(export.export_csv, p, id)

    @strawberry.field(description="R-92: certificates received (REST listCertificates).")
    async def certificates(
        self,
        info: Ctx,
        claim_id: uuid.UUID | None = None,
        status: schemas.CertificateStatus | None = None,
        check_overdue: bool | None = None,
        first: First = 50,
        after: After = None,
    ) -> Connection[Certificate]:
        p = info.context.require(Scope.certification_read)
        rows = await info.context.read(certificates.list_certificates, p, claim_id, status, check_overdue)
        return page_of([Certificate.from_pydantic(c) for c in rows], first, after)

    @strawberry.field(description="R-92: one certificate received.")
    async def certificate(self, info: Ctx, id: uuid.UUID) -> Certificate:
        p = info.context.require(Scope.certification_read)
        return Certificate.from_pydantic(await info.context.read(certificates.get_certificate, p, id))

    @strawberry.field(description="R-90: QMR visits (REST listQmrVisits).")
    async def qmr_visits(
        self, info: Ctx, blocking: bool | None = None, first: First = 50, after: After = None
    ) -> Connection[QmrVisit]:
        p = info.context.require(Scope.certification_read)
        return page_of(
            [QmrVisit.from_pydantic(v) for v in await info.context.read(qmr.list_visits, p, blocking)],
            first,
            after,
        )

    @strawberry.field(description="R-90: one QMR visit.")
    async def qmr_visit(self, info: Ctx, id: uuid.UUID) -> QmrVisit:
        p = info.context.require(Scope.certification_read)
        return QmrVisit.from_pydantic(await info.context.read(qmr.get_visit, p, id))


@strawberry.type
class CertificationMutation:
    @strawberry.mutation(description="R-91: open a claim (REST ClaimCreate body).")
    async def create_certification_claim(self, info: Ctx, input: ClaimInput) -> CertificationClaim:
        p = info.context.require(Scope.claims_write)
        data = to_model(schemas.ClaimCreate, input_fields(input))
        return _claim(await info.context.write(claims.create_claim, p, data))

    @strawberry.mutation(description="R-90: add learners to a draft claim.")
    async def add_certification_claim_learners(
        self, info: Ctx, id: uuid.UUID, input: ClaimLearnersInput
    ) -> CertificationClaim:
        p = info.context.require(Scope.claims_write)
        data = to_model(schemas.ClaimLearnersAdd, input_fields(input))
        return _claim(await info.context.write(claims.add_learners, p, id, data))

    @strawberry.mutation(description="R-91: the programme's LIV confirms the records.")
    async def confirm_certification_claim_records(self, info: Ctx, id: uuid.UUID) -> CertificationClaim:
        p = info.context.require(Scope.claims_confirm)
        return _claim(await info.context.write(claims.confirm_records, p, id))

    @strawberry.mutation(description="R-91: the programme leader checks the claim.")
    async def check_certification_claim_as_leader(self, info: Ctx, id: uuid.UUID) -> CertificationClaim:
        p = info.context.require(Scope.claims_leader_check)
        return _claim(await info.context.write(claims.leader_check, p, id))

    @strawberry.mutation(description="R-91: the exams officer prepares the claim.")
    async def prepare_certification_claim(self, info: Ctx, id: uuid.UUID) -> CertificationClaim:
        p = info.context.require(Scope.claims_write)
        return _claim(await info.context.write(claims.prepare, p, id))

    @strawberry.mutation(description="R-91: a second person, not the preparer, checks the claim.")
    async def second_check_certification_claim(self, info: Ctx, id: uuid.UUID) -> CertificationClaim:
        p = info.context.require(Scope.claims_second_check)
        return _claim(await info.context.write(claims.second_check, p, id))

    @strawberry.mutation(description="R-91: submit the checked claim.")
    async def submit_certification_claim(self, info: Ctx, id: uuid.UUID) -> CertificationClaim:
        p = info.context.require(Scope.claims_write)
        return _claim(await info.context.write(claims.submit, p, id))

    @strawberry.mutation(description="R-92: a certificate received against a submitted claim.")
    async def record_certificate(
        self, info: Ctx, claim_id: uuid.UUID, input: CertificateInput
    ) -> Certificate:
        p = info.context.require(Scope.claims_write)
        fields = input_fields(input)
        if fields.get("units") is not None:
            fields["units"] = [input_fields(u) for u in fields["units"]]
        data = to_model(schemas.CertificateCreate, fields)
        return Certificate.from_pydantic(
            await info.context.write(certificates.record_certificate, p, claim_id, data)
        )

    @strawberry.mutation(description="R-92: check a certificate against the records.")
    async def check_certificate(self, info: Ctx, id: uuid.UUID) -> Certificate:
        p = info.context.require(Scope.claims_write)
        return Certificate.from_pydantic(await info.context.write(certificates.check_certificate, p, id))

    @strawberry.mutation(description="R-92: a withheld certificate's anomalies were resolved.")
    async def resolve_certificate(
        self, info: Ctx, id: uuid.UUID, input: CertificateResolveInput
    ) -> Certificate:
        p = info.context.require(Scope.claims_write)
        data = to_model(schemas.CertificateResolve, input_fields(input))
        return Certificate.from_pydantic(await info.context.write(certificates.resolve, p, id, data))

    @strawberry.mutation(description="R-90: a QMR visit with its judgements (REST QmrVisitCreate body).")
    async def record_qmr_visit(self, info: Ctx, input: QmrVisitInput) -> QmrVisit:
        p = info.context.require(Scope.qmr_manage)
        fields = input_fields(input)
        fields["judgements"] = [input_fields(j) for j in fields.get("judgements") or []]
        data = to_model(schemas.QmrVisitCreate, fields)
        return QmrVisit.from_pydantic(await info.context.write(qmr.record_visit, p, data))

    @strawberry.mutation(description="R-90: the progress report releasing a QMR block.")
    async def accept_qmr_progress_report(
        self, info: Ctx, id: uuid.UUID, input: ProgressReportInput
    ) -> QmrVisit:
        p = info.context.require(Scope.qmr_manage)
        data = to_model(schemas.ProgressReport, input_fields(input))
        return QmrVisit.from_pydantic(await info.context.write(qmr.accept_progress_report, p, id, data))
