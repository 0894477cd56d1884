"""GraphQL for the audit log: the same reads as REST."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.experimental.pydantic import type as pyd_type
from strawberry.scalars import JSON
from strawberry.types import Info

from app.api.gql_context import Context
from app.api.gql_pagination import After, Connection, First, checked_size, paged
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

    @strawberry.field(
        description="Recompute a window of the centre's hash chain (`first` links after `after`, the "
        "previous window's `nextCursor`); report the first broken link in it."
    )
    async def audit_verification(
        self,
        info: Ctx,
        first: Annotated[
            int,
            strawberry.argument(
                description=f"Links to check: default {service.CHAIN_WINDOW}, at most "
                f"{service.CHAIN_WINDOW_MAX} (more is refused)."
            ),
        ] = service.CHAIN_WINDOW,
        after: After = None,
    ) -> AuditChainReport:
        p = info.context.require(Scope.audit_read)
        links = checked_size(first, service.CHAIN_WINDOW_MAX, "links")
        report = await info.context.read(service.verify_window, p.centre_id, links, after)
        return AuditChainReport.from_pydantic(report)
