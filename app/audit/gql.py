"""GraphQL for the audit log: the same reads as REST."""

from __future__ import annotations

import strawberry
from strawberry.experimental.pydantic import type as pyd_type
from strawberry.scalars import JSON
from strawberry.types import Info

from app.api.gql_context import Context
from app.api.gql_pagination import After, Connection, First, paged
from app.audit import schemas, service
from app.auth.scopes import Scope

Ctx = Info[Context, None]


@pyd_type(model=schemas.AuditEvent, all_fields=True)
class AuditEvent:
    before: JSON | None
    after: JSON | None


@pyd_type(model=schemas.ChainReport, all_fields=True)
class AuditChainReport:
    pass


@strawberry.type
class AuditQuery:
    @strawberry.field
    async def audit_events(
        self,
        info: Ctx,
        first: First = 50,
        after: After = None,
        subject_type: str | None = None,
        subject_id: str | None = None,
    ) -> Connection[AuditEvent]:
        p = info.context.require(Scope.audit_read)
        return await paged(
            lambda limit, cursor: info.context.read(
                service.list_events, p.centre_id, limit, cursor, subject_type, subject_id
            ),
            first,
            after,
            lambda i: AuditEvent.from_pydantic(schemas.AuditEvent.model_validate(i)),
        )

    @strawberry.field(description="Recompute the centre's hash chain; report the first broken link.")
    async def audit_verification(self, info: Ctx) -> AuditChainReport:
        p = info.context.require(Scope.audit_read)
        report = await info.context.read(service.verify, p.centre_id)
        return AuditChainReport.from_pydantic(schemas.ChainReport.model_validate(report))
