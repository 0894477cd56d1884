"""GraphQL for standards verification (R-50..R-52) and OCR moderation (R-51): the same service
functions as REST, types and inputs derived from the same Pydantic schemas. The verifier's fields
(`verifier*`) answer only a verifier's token, over its live grants."""

from __future__ import annotations

import uuid

import strawberry
from strawberry.experimental.pydantic import input as pyd_input
from strawberry.experimental.pydantic import type as pyd_type
from strawberry.types import Info

from app.api.gql_context import Context, input_fields, to_model
from app.api.gql_pagination import After, Connection, First, page_of
from app.auth.scopes import Scope
from app.standards_verification import grants, moderation, outcomes, schemas, service, verifier
from app.standards_verification.detail import get_item_detail

Ctx = Info[Context, None]

for _enum, _name in (
    (schemas.Measure, "SvMeasure"),
    (schemas.RequestKind, "SvRequestKind"),
    (schemas.RequestSource, "SvRequestSource"),
    (schemas.SampleStatus, "SvSampleStatus"),
    (schemas.ActionStatus, "SvActionStatus"),
    (schemas.ModerationOutcome, "OcrModerationOutcome"),
    (schemas.SvCertificationStatus, "SvCertificationStatus"),
):
    strawberry.enum(_enum, name=_name)


@pyd_type(model=schemas.SamplePolicy, all_fields=True)
class SvPolicy:
    pass


@pyd_type(model=schemas.Allocation, all_fields=True)
class SvAllocation:
    pass


@pyd_type(model=schemas.SampleRequest, all_fields=True)
class SvSampleRequest:
    pass


@pyd_type(model=schemas.Sample, all_fields=True)
class SvSample:
    pass


@pyd_type(model=schemas.SampleItem, all_fields=True)
class SvSampleItem:
    pass


@pyd_type(model=schemas.DecisionVersionView, all_fields=True)
class SvDecisionVersion:
    pass


@pyd_type(model=schemas.IvRecordView, all_fields=True)
class SvIvRecord:
    pass


@pyd_type(model=schemas.EvidenceView, all_fields=True)
class SvEvidence:
    pass


@pyd_type(model=schemas.BriefView, all_fields=True)
class SvBrief:
    pass


@pyd_type(model=schemas.SampleItemDetail, all_fields=True)
class SvSampleItemDetail:
    pass


@pyd_type(model=schemas.Grant, all_fields=True)
class SvGrant:
    pass


@pyd_type(model=schemas.IssuedGrant, all_fields=True)
class SvIssuedGrant:
    pass


@pyd_type(model=schemas.AccessLogEntry, all_fields=True)
class SvAccessLogEntry:
    pass


@pyd_type(model=schemas.Action, all_fields=True)
class SvAction:
    pass


@pyd_type(model=schemas.Outcome, all_fields=True)
class SvOutcome:
    pass


@pyd_type(model=schemas.CertificationStatusView, all_fields=True)
class SvCertificationStatusView:
    pass


@pyd_type(model=schemas.ModerationAdjustment, all_fields=True)
class OcrModerationAdjustment:
    pass


@pyd_type(model=schemas.Moderation, all_fields=True)
class OcrModeration:
    pass


@pyd_input(model=schemas.SamplePolicyWrite, all_fields=True)
class SvPolicyInput:
    pass


@pyd_input(model=schemas.AllocationCreate, all_fields=True)
class SvAllocationInput:
    pass


@pyd_input(model=schemas.SampleCreate, all_fields=True)
class SvSampleInput:
    pass


@pyd_input(model=schemas.FurtherRequest, all_fields=True)
class SvFurtherRequestInput:
    pass


@pyd_input(model=schemas.SampleItemAdd, all_fields=True)
class SvSampleItemInput:
    pass


@pyd_input(model=schemas.GrantCreate, all_fields=True)
class SvGrantInput:
    pass


@pyd_input(model=schemas.ActionCreate, all_fields=True)
class SvActionInput:
    pass


@pyd_input(model=schemas.OutcomeCreate, all_fields=True)
class SvOutcomeInput:
    pass


@pyd_input(model=schemas.GradeAdjustment, all_fields=True)
class OcrGradeAdjustmentInput:
    pass


@pyd_input(model=schemas.ModerationCreate, all_fields=True)
class OcrModerationInput:
    pass


def _item(row: object) -> SvSampleItem:
    return SvSampleItem.from_pydantic(schemas.SampleItem.model_validate(row))


@strawberry.type
class StandardsVerificationQuery:
    @strawberry.field(description="R-50: the centre's sample-size reference table (REST getSvPolicy).")
    async def sv_policy(self, info: Ctx) -> SvPolicy:
        p = info.context.require(Scope.sv_read)
        return SvPolicy.from_pydantic(await info.context.read(service.get_policy, p))

    @strawberry.field(description="R-50: verifier allocations (REST listSvAllocations).")
    async def sv_allocations(
        self,
        info: Ctx,
        programme_id: uuid.UUID | None = None,
        academic_year_id: uuid.UUID | None = None,
        first: First = 50,
        after: After = None,
    ) -> Connection[SvAllocation]:
        p = info.context.require(Scope.sv_read)
        rows = await info.context.read(service.list_allocations, p, programme_id, academic_year_id)
        return page_of([SvAllocation.from_pydantic(r) for r in rows], first, after)

    @strawberry.field(description="R-50: one allocation.")
    async def sv_allocation(self, info: Ctx, id: uuid.UUID) -> SvAllocation:
        p = info.context.require(Scope.sv_read)
        return SvAllocation.from_pydantic(await info.context.read(service.get_allocation, p, id))

    @strawberry.field(description="R-50: samples (REST listSvSamples).")
    async def sv_samples(
        self, info: Ctx, programme_id: uuid.UUID | None = None, first: First = 50, after: After = None
    ) -> Connection[SvSample]:
        p = info.context.require(Scope.sv_read)
        return page_of(
            [
                SvSample.from_pydantic(s)
                for s in await info.context.read(service.list_samples, p, programme_id)
            ],
            first,
            after,
        )

    @strawberry.field(description="R-50: one sample with its requests.")
    async def sv_sample(self, info: Ctx, id: uuid.UUID) -> SvSample:
        p = info.context.require(Scope.sv_read)
        return SvSample.from_pydantic(await info.context.read(service.get_sample, p, id))

    @strawberry.field(description="R-50: a sample's items.")
    async def sv_sample_items(
        self, info: Ctx, sample_id: uuid.UUID, first: First = 50, after: After = None
    ) -> Connection[SvSampleItem]:
        p = info.context.require(Scope.sv_read)
        return page_of(
            [_item(i) for i in await info.context.read(service.list_items, p, sample_id)], first, after
        )

    @strawberry.field(
        description="R-50: one item with its brief, decision versions, IV records and evidence."
    )
    async def sv_sample_item(self, info: Ctx, id: uuid.UUID) -> SvSampleItemDetail:
        p = info.context.require(Scope.sv_read)
        return SvSampleItemDetail.from_pydantic(await info.context.read(get_item_detail, p, id))

    @strawberry.field(description="R-52: a sample's grants (REST listSvGrants).")
    async def sv_grants(
        self, info: Ctx, sample_id: uuid.UUID, first: First = 50, after: After = None
    ) -> Connection[SvGrant]:
        p = info.context.require(Scope.sv_manage)
        return page_of(
            [SvGrant.from_pydantic(g) for g in await info.context.read(grants.list_grants, p, sample_id)],
            first,
            after,
        )

    @strawberry.field(description="R-52: every read of a sample by a verifier (REST listSvAccessLog).")
    async def sv_access_log(
        self, info: Ctx, sample_id: uuid.UUID, first: First = 50, after: After = None
    ) -> Connection[SvAccessLogEntry]:
        p = info.context.require(Scope.sv_manage)
        rows = await info.context.read(grants.access_log, p, sample_id)
        return page_of([SvAccessLogEntry.from_pydantic(r) for r in rows], first, after)

    @strawberry.field(description="R-51: verifiers' reports (REST listSvOutcomes).")
    async def sv_outcomes(
        self, info: Ctx, programme_id: uuid.UUID | None = None, first: First = 50, after: After = None
    ) -> Connection[SvOutcome]:
        p = info.context.require(Scope.sv_read)
        return page_of(
            [
                SvOutcome.from_pydantic(o)
                for o in await info.context.read(outcomes.list_outcomes, p, programme_id)
            ],
            first,
            after,
        )

    @strawberry.field(description="R-51: one report with its actions.")
    async def sv_outcome(self, info: Ctx, id: uuid.UUID) -> SvOutcome:
        p = info.context.require(Scope.sv_read)
        return SvOutcome.from_pydantic(await info.context.read(outcomes.get_outcome, p, id))

    @strawberry.field(description="R-51: the subject area's certification status for the programme's year.")
    async def sv_certification_status(self, info: Ctx, programme_id: uuid.UUID) -> SvCertificationStatusView:
        p = info.context.require(Scope.sv_read)
        return SvCertificationStatusView.from_pydantic(
            await info.context.read(outcomes.status_view, p, programme_id)
        )

    @strawberry.field(description="R-51: OCR moderation visits (REST listOcrModerations).")
    async def ocr_moderations(
        self, info: Ctx, programme_id: uuid.UUID | None = None, first: First = 50, after: After = None
    ) -> Connection[OcrModeration]:
        p = info.context.require(Scope.sv_read)
        rows = await info.context.read(moderation.list_moderations, p, programme_id)
        return page_of([OcrModeration.from_pydantic(m) for m in rows], first, after)

    @strawberry.field(description="R-51: one OCR moderation visit with its adjustments.")
    async def ocr_moderation(self, info: Ctx, id: uuid.UUID) -> OcrModeration:
        p = info.context.require(Scope.sv_read)
        return OcrModeration.from_pydantic(await info.context.read(moderation.get_moderation, p, id))

    # ---- the verifier's read-only fields (R-52) ----

    @strawberry.field(description="R-52: the samples of the verifier's live grants.")
    async def verifier_samples(
        self, info: Ctx, first: First = 50, after: After = None
    ) -> Connection[SvSample]:
        p = info.context.require(Scope.sv_sample_read)
        return page_of(
            [SvSample.from_pydantic(s) for s in await info.context.read(verifier.list_samples, p)],
            first,
            after,
        )

    @strawberry.field(description="R-52: one granted sample.")
    async def verifier_sample(self, info: Ctx, id: uuid.UUID) -> SvSample:
        p = info.context.require(Scope.sv_sample_read)
        return SvSample.from_pydantic(await info.context.read(verifier.get_sample, p, id))

    @strawberry.field(description="R-52: a granted sample's items.")
    async def verifier_sample_items(
        self, info: Ctx, sample_id: uuid.UUID, first: First = 50, after: After = None
    ) -> Connection[SvSampleItem]:
        p = info.context.require(Scope.sv_sample_read)
        return page_of(
            [_item(i) for i in await info.context.read(verifier.list_items, p, sample_id)], first, after
        )

    @strawberry.field(description="R-52: one granted item: brief, decision versions, IV records, evidence.")
    async def verifier_sample_item(self, info: Ctx, id: uuid.UUID) -> SvSampleItemDetail:
        p = info.context.require(Scope.sv_sample_read)
        return SvSampleItemDetail.from_pydantic(await info.context.read(verifier.get_item, p, id))


@strawberry.type
class StandardsVerificationMutation:
    @strawberry.mutation(description="R-50: set the sample-size reference table; version once it is set.")
    async def put_sv_policy(self, info: Ctx, input: SvPolicyInput, version: int | None = None) -> SvPolicy:
        p = info.context.require(Scope.sv_manage)
        data = to_model(schemas.SamplePolicyWrite, input_fields(input))
        return SvPolicy.from_pydantic(await info.context.write(service.put_policy, p, data, version))

    @strawberry.mutation(description="R-50: a verifier allocation (REST AllocationCreate body).")
    async def create_sv_allocation(self, info: Ctx, input: SvAllocationInput) -> SvAllocation:
        p = info.context.require(Scope.sv_manage)
        data = to_model(schemas.AllocationCreate, input_fields(input))
        return SvAllocation.from_pydantic(await info.context.write(service.create_allocation, p, data))

    @strawberry.mutation(description="R-50: a sample request; the service proposes the sample.")
    async def request_sv_sample(self, info: Ctx, input: SvSampleInput) -> SvSample:
        p = info.context.require(Scope.sv_manage)
        data = to_model(schemas.SampleCreate, input_fields(input))
        return SvSample.from_pydantic(await info.context.write(service.request_sample, p, data))

    @strawberry.mutation(description="R-50: a further request extends the same sample.")
    async def request_more_sv_sample(
        self, info: Ctx, sample_id: uuid.UUID, input: SvFurtherRequestInput
    ) -> SvSample:
        p = info.context.require(Scope.sv_manage)
        data = to_model(schemas.FurtherRequest, input_fields(input))
        return SvSample.from_pydantic(await info.context.write(service.further_request, p, sample_id, data))

    @strawberry.mutation(description="R-50: add a learner's work for a brief to the sample, with a reason.")
    async def add_sv_sample_item(
        self, info: Ctx, sample_id: uuid.UUID, input: SvSampleItemInput
    ) -> SvSampleItem:
        p = info.context.require(Scope.sv_prepare)
        data = to_model(schemas.SampleItemAdd, input_fields(input))
        return _item(await info.context.write(service.add_item, p, sample_id, data))

    @strawberry.mutation(description="R-50: take an item out of a sample not yet submitted, with a reason.")
    async def remove_sv_sample_item(self, info: Ctx, id: uuid.UUID, reason: str) -> bool:
        p = info.context.require(Scope.sv_prepare)
        data = to_model(schemas.SampleItemRemove, {"reason": reason})
        await info.context.write(service.remove_item, p, id, data)
        return True

    @strawberry.mutation(description="R-50: the programme's LIV declares the sampled work authentic.")
    async def declare_sv_sample_item_authentic(self, info: Ctx, id: uuid.UUID) -> SvSampleItem:
        p = info.context.require(Scope.sv_prepare)
        return _item(await info.context.write(service.declare_authentic, p, id))

    @strawberry.mutation(description="R-50: the QN submits the sample.")
    async def submit_sv_sample(self, info: Ctx, id: uuid.UUID) -> SvSample:
        p = info.context.require(Scope.sv_manage)
        return SvSample.from_pydantic(await info.context.write(service.submit_sample, p, id))

    @strawberry.mutation(description="R-52: grant a named verifier read access to a sample until an expiry.")
    async def grant_sv_access(self, info: Ctx, sample_id: uuid.UUID, input: SvGrantInput) -> SvIssuedGrant:
        p = info.context.require(Scope.sv_manage)
        data = to_model(schemas.GrantCreate, input_fields(input))
        request = info.context.request
        assert request is not None  # GraphQL is served over HTTP here
        issuer = grants.issuers(request.app.state.settings)
        return SvIssuedGrant.from_pydantic(
            await info.context.write(grants.create_grant, p, sample_id, data, issuer)
        )

    @strawberry.mutation(description="R-52: revoke a grant; it stops working at once.")
    async def revoke_sv_grant(self, info: Ctx, id: uuid.UUID) -> SvGrant:
        p = info.context.require(Scope.sv_manage)
        return SvGrant.from_pydantic(await info.context.write(grants.revoke_grant, p, id))

    @strawberry.mutation(description="R-51: the verifier's report on a submitted sample.")
    async def record_sv_outcome(self, info: Ctx, sample_id: uuid.UUID, input: SvOutcomeInput) -> SvOutcome:
        p = info.context.require(Scope.sv_manage)
        fields = input_fields(input)
        fields["actions"] = [input_fields(a) for a in fields.get("actions") or []]
        data = to_model(schemas.OutcomeCreate, fields)
        return SvOutcome.from_pydantic(await info.context.write(outcomes.record_outcome, p, sample_id, data))

    @strawberry.mutation(description="R-51: close an action of a report with a note.")
    async def close_sv_action(self, info: Ctx, id: uuid.UUID, note: str) -> SvAction:
        p = info.context.require(Scope.sv_manage)
        data = to_model(schemas.ActionClose, {"note": note})
        return SvAction.from_pydantic(await info.context.write(outcomes.close_action, p, id, data))

    @strawberry.mutation(description="R-51: an OCR moderation visit of a unit (REST ModerationCreate body).")
    async def record_ocr_moderation(self, info: Ctx, input: OcrModerationInput) -> OcrModeration:
        p = info.context.require(Scope.sv_manage)
        fields = input_fields(input)
        fields["adjustments"] = [input_fields(a) for a in fields.get("adjustments") or []]
        data = to_model(schemas.ModerationCreate, fields)
        return OcrModeration.from_pydantic(await info.context.write(moderation.record_moderation, p, data))
