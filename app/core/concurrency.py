"""Optimistic concurrency: the row's version is its ETag; a change must name the version it saw."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Response

from app.core.errors import PreconditionFailed, PreconditionRequired

_ETAG = re.compile(r'^\s*(?:W/)?"(\d{1,9})"\s*$')


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def parse_if_match(if_match: str | None) -> int:
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(
            "Send If-Match with the ETag you last read; updates without it are refused."
        )
    m = _ETAG.match(if_match)
    if not m:
        raise PreconditionFailed("If-Match does not match the current ETag of this resource.")
    return int(m.group(1))


@dataclass(frozen=True)
class IfMatch:
    """REST's precondition, read only once the resource is known to exist: a missing resource answers
    404 whatever the header says, and only an existing one answers 428 or 412."""

    header: str | None

    def version(self) -> int:
        return parse_if_match(self.header)


def check_version(current: int, expected: int | IfMatch) -> None:
    """`expected` is the version the client last read: GraphQL passes it as an argument, REST as If-Match."""
    if isinstance(expected, IfMatch):
        expected = expected.version()
    if current != expected:
        raise PreconditionFailed(
            f"The resource has changed since you read it (your version {expected}, now {current}); "
            "read it again and reapply your change."
        )


async def if_match(
    if_match: Annotated[
        str | None,
        Header(alias="If-Match", description='The ETag last read, e.g. "3".', pattern=r'^(W/)?"[0-9]{1,9}"$'),
    ] = None,
) -> IfMatch:
    return IfMatch(if_match)


IfMatchHeader = Annotated[IfMatch, Depends(if_match)]
