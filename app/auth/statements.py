"""Principal-scoped statements built once per kind of caller, not once per request (issue 18).

A repository's principal-scoped `select()` (house rules 3 and 4) depends on two kinds of thing in the
principal: its roles, scopes and grants decide the statement's *shape* (centre-wide or by programme
reach, staff or learner), while its subject and centre are only *values* compared in it. Built from
`bound(p)`, a copy of the principal whose subject and centre are bound parameters, the statement
serves every caller of that shape: SQLAlchemy memoises a statement object's cache key and reuses its
compiled form, so a hot write path stops paying for building, keying and compiling its SQL on every
request (bench/README-assessment.md: 20-30 % of a decision's CPU). The statement is executed with
`params(p)` for the caller at hand. The repository's own function builds it, so the rule lives in
one place whichever way it is executed.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Hashable
from dataclasses import replace
from typing import Any, TypeVar, cast

from sqlalchemy import String, Uuid, bindparam

from app.auth.principal import Principal

SUBJECT = "principal_subject"
CENTRE_ID = "principal_centre_id"
_NO_CENTRE = uuid.UUID(int=0)

T = TypeVar("T")


def bound(p: Principal) -> Principal:
    """`p` with its subject and centre replaced by the bound parameters SUBJECT and CENTRE_ID. Only SQL
    may compare them: Python logic on them (`if p.subject == ...`) fails loudly rather than baking a
    caller's value into a shared statement."""
    return replace(
        p,
        subject=cast(Any, bindparam(SUBJECT, type_=String())),
        centre_id=cast(Any, bindparam(CENTRE_ID, type_=Uuid())),
    )


def params(p: Principal) -> dict[str, Any]:
    """The values a statement built from `bound(p)` is executed with for the caller `p`."""
    return {SUBJECT: p.subject, CENTRE_ID: p.centre_id}


def per_shape(build: Callable[..., T]) -> Callable[..., T]:
    """Cache `build(bound(p), *options)` by the principal's shape (everything but its subject and
    centre) and the options (hashable values that choose a form of the statement, never a caller's
    data: those are bound parameters)."""

    @functools.lru_cache(maxsize=256)
    def cached(shape: Principal, *options: Hashable) -> T:
        return build(bound(shape), *options)

    @functools.wraps(build)
    def wrapper(p: Principal, *options: Hashable) -> T:
        return cached(replace(p, subject="", centre_id=_NO_CENTRE), *options)

    return wrapper
