"""Relay connections: the one page shape of every GraphQL list that grows with the centre.

Services keep returning lists (or REST's keyset pages); paging sits here, in the GraphQL layer.
Two entry points build the same `Connection[T]`:

- `page_of(items, first, after)` pages a list a service returned, in the service's own order (every
  such service orders deterministically, with the id as the last tiebreak). Its cursor holds the
  position and the node's id: the next page resumes after that node wherever it has moved, or at the
  position if it is gone, so pages never overlap or miss a row of an unchanged list.
- `await paged(fetch, first, after, convert)` calls a service that already paginates for REST (`app.core.pagination.paginate`, keyset on a UUIDv7 id or a sequence): the same order and the
  REST cursor. `totalCount` then runs a count of the same filtered statement, and only if asked for.

Small bounded relation lists (a decision's criteria, a learner's enrolments) stay plain lists.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar

import strawberry
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from app.api.gql_context import Context
from app.core.errors import ValidationFailed, field_problem
from app.core.pagination import COUNT_SINK, PageTooLarge, encode_cursor

T = TypeVar("T")
S = TypeVar("S")

FIRST_DEFAULT = 50
FIRST_MAX = 500
RULE = (
    "Lists that grow with the centre are Relay connections: `first` (default "
    f"{FIRST_DEFAULT}, at most {FIRST_MAX}; more is refused with `extensions.code` `page-too-large`) "
    "and `after` (the opaque `endCursor` of the previous page) in; `edges { cursor node }`, `nodes`, "
    "`pageInfo` and `totalCount` out. Small bounded lists (a decision's criteria, a learner's "
    "enrolments) stay plain lists."
)

First = Annotated[
    int,
    strawberry.argument(
        description=f"How many nodes: default {FIRST_DEFAULT}, at most {FIRST_MAX} (more is refused)."
    ),
]
After = Annotated[
    str | None, strawberry.argument(description="The `endCursor` of the previous page (opaque).")
]


@strawberry.type(
    description="Relay page information. Pages go forward (`first`/`after`): `hasPreviousPage` "
    "is true when an `after` cursor was given, `startCursor`/`endCursor` are the first and "
    "last edges' cursors, and `endCursor` is what to pass as `after` for the next page."
)
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    node: T
    cursor: str


@strawberry.type(description=RULE)
class Connection(Generic[T]):
    edges: list[Edge[T]]
    nodes: list[T]
    page_info: PageInfo
    total: strawberry.Private[int]
    count_stmt: strawberry.Private[Select | None]

    @strawberry.field(description="How many nodes the whole list holds, across every page.")
    async def total_count(self, info: Info[Context, None]) -> int:
        if self.count_stmt is None:
            return self.total
        return await info.context.read(_scalar, self.count_stmt)


async def _scalar(session: AsyncSession, stmt: Select) -> int:
    return int((await session.execute(stmt)).scalar_one())


def checked_first(first: int) -> int:
    if first < 0 or first > FIRST_MAX:
        raise PageTooLarge(
            f"`first` must be between 0 and {FIRST_MAX}.",
            errors=[field_problem("first", "page-too-large", f"Ask for at most {FIRST_MAX} nodes.")],
        )
    return first


def checked_size(first: int, maximum: int, what: str) -> int:
    """`first` of a paged object that is not a connection (the LIV dashboard's programmes, the chain
    check's links): 1 to its own maximum, refused as a connection's oversize page is."""
    if not 1 <= first <= maximum:
        raise PageTooLarge(
            f"`first` is {first}: ask for 1 to {maximum} {what}.",
            errors=[field_problem("first", "page-too-large", f"Between 1 and {maximum} {what}.")],
        )
    return first


def _bad_cursor(exc: Exception | None = None) -> ValidationFailed:
    return ValidationFailed(
        "The cursor is not one this field issued.",
        errors=[field_problem("after", "invalid_cursor", "Use the endCursor of a previous page.")],
    )


def _list_cursor(position: int, node: Any) -> str:
    key = getattr(node, "id", None)
    raw = f"{position}:{'' if key is None else key}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _resume_at(items: Sequence[Any], after: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(after + "=" * (-len(after) % 4)).decode()
        position_text, _, key = raw.partition(":")
        position = int(position_text)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise _bad_cursor(exc) from exc
    if position < 0:
        raise _bad_cursor()
    if key:
        for i, node in enumerate(items):
            if str(getattr(node, "id", "")) == key:
                return i + 1
    return position + 1


def page_of(
    items: Sequence[S], first: int, after: str | None, convert: Callable[[S], T] | None = None
) -> Connection[T]:
    """A page of a list, in the order the service returned it (see the module's docstring)."""
    first = checked_first(first)
    start = _resume_at(items, after) if after else 0
    window = list(items[start : start + first])
    nodes: list[Any] = [convert(n) for n in window] if convert else window
    edges = [
        Edge(node=n, cursor=_list_cursor(start + i, raw))
        for i, (n, raw) in enumerate(zip(nodes, window, strict=True))
    ]
    return _connection(edges, nodes, start + first < len(items), start > 0, len(items), None)


async def paged(
    fetch: Callable[[int, str | None], Awaitable[tuple[list[S], str | None]]],
    first: int,
    after: str | None,
    convert: Callable[[S], T],
    key: str | None = None,
) -> Connection[T]:
    """A page of a service that paginates for REST: `fetch(limit, cursor)` is the resolver's
    `Context.read` of it. The edges' cursors are the REST cursors of the rows' key (paginate's key
    column unless `key` names the attribute that holds it)."""
    first = checked_first(first)
    sink: dict[str, Any] = {}
    token = COUNT_SINK.set(sink)  # Context.read runs the service in a task that copies this context
    try:
        rows, nxt = await fetch(max(first, 1), after)
    finally:
        COUNT_SINK.reset(token)
    has_next = nxt is not None
    if first == 0:  # asked only for totalCount, or whether there is anything
        rows, has_next = [], bool(rows)
    attr = key or sink.get("key", "id")
    nodes = [convert(r) for r in rows]
    edges = [Edge(node=n, cursor=encode_cursor(getattr(r, attr))) for n, r in zip(nodes, rows, strict=True)]
    return _connection(edges, nodes, has_next, after is not None, 0, sink.get("count"))


def _connection(
    edges: list[Edge[Any]],
    nodes: list[Any],
    has_next: bool,
    has_previous: bool,
    total: int,
    count_stmt: Select | None,
) -> Connection[Any]:
    return Connection(
        edges=edges,
        nodes=nodes,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total=total,
        count_stmt=count_stmt,
    )
