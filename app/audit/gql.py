"""GraphQL for the audit log: the same reads as REST."""

from __future__ import annotations

import strawberry
from strawberry.experimental.pydantic import type as pyd_type
from strawberry.scalars import JSON
from strawberry.types import Info

from app.api.gql_context import Connection, Context, connection, page_size
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
        first: int = 50,
        after: str | None = None,
        subject_type: str | None = None,
        subject_id: str | None = None,
    ) -> Connection[AuditEvent]:
        p = info.context.require(Scope.audit_read)
        items, nxt = await info.context.read(
            service.list_events, p.centre_id, page_size(first), after, subject_type, subject_id
        )
        return connection(
            [AuditEvent.from_pydantic(schemas.AuditEvent.model_validate(i)) for i in items],
            nxt,
            key="seq",
            after=after,
        )

    @strawberry.field(description="Recompute the centre's hash chain; report the first broken link.")
    async def audit_verification(self, info: Ctx) -> AuditChainReport:
        p = info.context.require(Scope.audit_read)
        report = await info.context.read(service.verify, p.centre_id)
        return AuditChainReport.from_pydantic(schemas.ChainReport.model_validate(report))
