"""What every GraphQL resolver shares: the caller, one transaction, errors as RFC 9457 slugs.

Strawberry resolves sibling fields concurrently, and an AsyncSession must never be used by two
coroutines at once. Rather than a session per field (which would also break "one transaction per
request" and let a test's rolled-back data vanish), every resolver takes the request's session under
one asyncio.Lock: sibling fields queue for the connection, DataLoaders still batch.

Every field, read or write, is isolated: a field that fails, even with a database error, undoes only
itself and reports one error; its siblings still answer and the request's transaction still commits
what they did. A step runs in its own savepoint (app.core.db.savepoint), except the request's first
step: nothing has run in the transaction before it, so rolling the transaction back undoes exactly
what a savepoint at its start would, and a request of one field (most of them: the cohort grid)
saves the SAVEPOINT and RELEASE round trips (issue 18).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import strawberry
from graphql.error import GraphQLError
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader
from strawberry.extensions import MaskErrors
from strawberry.fastapi import BaseContext

from app.auth.dependencies import authorize
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.core.db import deferred_statements, savepoint
from app.core.errors import (
    ProblemError,
    Unauthenticated,
    ValidationFailed,
    field_problem,
    is_database_unavailable,
)

log = logging.getLogger("verity.graphql")
T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")


@dataclass
class Context(BaseContext):
    session: AsyncSession
    principal: Principal | None
    auth_error: ProblemError | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    loaders: dict[str, DataLoader] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__()

    def loader(
        self, name: str, load: Callable[[AsyncSession, list[K]], Awaitable[list[V]]]
    ) -> DataLoader[K, V]:
        """The request's DataLoader for one relation: every key asked for in one tick is fetched by one
        call of `load(session, keys)` (which returns one value per key, in order), in the request's
        session under its lock. Resolvers call `.load(key)` outside `read()`: a loader batches after
        the resolvers that asked have returned, so it never waits on a lock they hold."""
        existing = self.loaders.get(name)
        if existing is not None:
            return existing

        async def batch(keys: list[K]) -> list[V]:
            return await self._isolated(load, (list(keys),), {})

        made: DataLoader[K, V] = DataLoader(load_fn=batch)
        self.loaders[name] = made
        return made

    def require(self, *scopes: Scope) -> Principal:
        if self.principal is None:
            raise self.auth_error or Unauthenticated()
        return authorize(self.principal, *scopes)

    async def read(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """A failing read (an unknown id, a database error) fails its field alone."""
        return await self._isolated(fn, args, kwargs)

    async def write(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """A mutation field is atomic on its own: its savepoint rolls back if it raises. What the
        request's loaders had fetched may be stale after it: they start afresh."""
        try:
            return await self._isolated(fn, args, kwargs)
        finally:
            self.loaders.clear()

    async def _isolated(self, fn: Callable[..., Awaitable[T]], args: tuple, kwargs: dict) -> T:
        async def step() -> T:
            async with self.lock:
                if self.session.in_transaction() or deferred_statements(self.session):
                    async with savepoint(self.session):
                        return await fn(self.session, *args, **kwargs)
                return await self._first(fn, args, kwargs)

        # graphql-core cancels a field's siblings when an error reaches a non-null parent. Cancelled
        # between SAVEPOINT and its RELEASE, the session would be left mid-savepoint and the request's
        # commit would fail; so the step always runs to its end, and only then is the cancel honoured.
        task = asyncio.ensure_future(step())
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            await asyncio.wait([task])
            raise

    async def _first(self, fn: Callable[..., Awaitable[T]], args: tuple, kwargs: dict) -> T:
        """The first step of the request, without a savepoint: its transaction holds nothing else, so
        if the step raises, the rollback undoes it alone (its statements, its objects, the deferred
        statements it queued and any database error) and the next step starts a fresh transaction.
        A lost database is left as it is: the request's commit then finds no connection and the
        request answers 503, as REST does (a savepoint's rollback could not have reached it either)."""
        try:
            return await fn(self.session, *args, **kwargs)
        except BaseException as exc:
            queue = deferred_statements(self.session)
            if queue:
                del queue[:]
            if not is_database_unavailable(exc):
                await self.session.rollback()
            raise


M = TypeVar("M", bound=BaseModel)


def to_model(model: type[M], data: dict[str, Any], location: str = "input") -> M:
    """Validate GraphQL input with the same Pydantic schema REST uses; report fields like REST does."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(
            "The input has invalid fields.",
            errors=[
                field_problem(".".join([location, *map(str, e["loc"])]), e["type"], e["msg"])
                for e in exc.errors()
            ],
        ) from exc


def input_fields(value: Any) -> dict[str, Any]:
    """An input object's fields, without the omitted ones (UNSET): absent means "leave alone"."""
    return {k: v for k, v in vars(value).items() if v is not strawberry.UNSET}


_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


class ProblemErrors(MaskErrors):
    """Domain errors keep their message and carry the REST problem's slug in `extensions.code`;
    anything unexpected is masked (and logged), never leaking internals. With `hide_suggestions`
    (production), "Did you mean ...?" is cut from every message: for unknown fields, arguments, types,
    enum values and input fields alike, where Strawberry's own option covers only fields."""

    def __init__(self, hide_suggestions: bool = False) -> None:
        super().__init__()
        self.hide_suggestions = hide_suggestions

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        out = []
        for error in errors:
            original = error.original_error
            if isinstance(original, ProblemError):
                error.extensions = {
                    "code": original.slug,
                    "status": original.status,
                    "errors": [p.model_dump() for p in original.errors],
                }
                out.append(error)
            elif original is None:  # syntax, validation, limits: the client's query is at fault
                if self.hide_suggestions:
                    error.message = _SUGGESTION.sub("", error.message)
                error.extensions = {**(error.extensions or {}), "code": "graphql-validation"}
                out.append(error)
            elif is_database_unavailable(original):  # lost mid-request: retry, as REST's 503 says
                masked = self.anonymise_error(error)
                masked.message = "The database cannot be reached; nothing was changed. Retry later."
                masked.extensions = {"code": "database-unavailable", "status": 503}
                out.append(masked)
            else:
                log.error("unexpected GraphQL error", exc_info=original)
                masked = self.anonymise_error(error)
                masked.extensions = {"code": "internal-error", "status": 500}
                out.append(masked)
        return out
