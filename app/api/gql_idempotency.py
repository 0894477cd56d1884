"""Idempotency-Key on GraphQL: the header on a POST /graphql whose operation is a mutation.

The whole operation is the unit: its response is stored with the key (same rules as REST, see
app/core/idempotency.py), and a retry with the same document, variables and operation name gets it
back with `Idempotent-Replayed: true` and runs no resolver. Under a key a mutation operation is all or
nothing: if any field fails, every field's writes are rolled back and nothing is stored, so the retry
runs again (without a key, sibling fields still succeed on their own). Queries ignore the header.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncSessionTransaction
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from app.core.errors import ProblemError, ValidationFailed, field_problem
from app.core.idempotency import (
    IDEMPOTENCY_KEY_PATTERN,
    REPLAYED_HEADER,
    StoredAnswer,
    claim,
    request_hash,
    store,
)
from graphql import ExecutionResult, GraphQLError

OPERATION = "graphql"


class IdempotentMutations(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        ec = self.execution_context
        ctx = ec.context
        request = getattr(ctx, "request", None)
        key = request.headers.get("idempotency-key") if request is not None else None
        if key is None or ec.operation_type is not OperationType.MUTATION or ctx.principal is None:
            yield
            return
        try:
            savepoint, stored = await self._claim(key)
        except ProblemError as exc:
            # Answered like a failing field (the slug in extensions.code), and nothing runs.
            ec.result = ExecutionResult(data=None, errors=[GraphQLError(exc.detail, original_error=exc)])
            yield
            return
        if stored is not None:
            await savepoint.commit()
            ec.result = ExecutionResult(data=stored.body)
            ctx.response.headers[REPLAYED_HEADER] = "true"
            yield
            return
        try:
            yield
        except BaseException:
            await savepoint.rollback()
            raise
        result = ec.result
        async with ctx.lock:
            if not isinstance(result, ExecutionResult) or result.errors or result.data is None:
                await savepoint.rollback()
                return
            await store(ctx.session, ctx.principal, key, StoredAnswer(200, result.data, {}))
            await savepoint.commit()

    async def _claim(self, key: str) -> tuple[AsyncSessionTransaction, StoredAnswer | None]:
        ec = self.execution_context
        ctx = ec.context
        if not re.match(IDEMPOTENCY_KEY_PATTERN, key):
            raise ValidationFailed(
                "The Idempotency-Key header is invalid.",
                errors=[
                    field_problem(
                        "header.idempotency-key", "string_pattern_mismatch", IDEMPOTENCY_KEY_PATTERN
                    )
                ],
            )
        digest = request_hash(OPERATION, ec.query, ec.variables or {}, ec.operation_name)
        ttl = ctx.request.app.state.settings.idempotency_key_ttl_hours
        async with ctx.lock:
            savepoint = await ctx.session.begin_nested()
            try:
                return savepoint, await claim(ctx.session, ctx.principal, key, OPERATION, digest, ttl)
            except BaseException:
                await savepoint.rollback()
                raise
