"""GraphQL request limits, checked before any work: before the body is parsed as GraphQL, before the
token is verified, before a database session is used.

Strawberry's own limiters (depth, aliases, tokens) run only once the query is parsed; a query of a
few tokens can still be megabytes of whitespace or comments, and variables are never parsed as
GraphQL at all. So the router checks, as the first dependency of its context:

- the body, read at most up to a cap derived from the two limits: beyond it, 413 problem details
  (`payload-too-large`), without reading the rest;
- the query's length in characters (every character, not tokens): `graphql_max_query_chars`;
- the size of the variables as JSON in bytes: `graphql_max_variables_bytes`.

The last two answer as GraphQL does for any other refused query: HTTP 200, no `data`, one error with
`extensions.code` `graphql-query-too-large` or `graphql-variables-too-large`.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from app.core.config import Settings
from app.core.limits import PayloadTooLarge


class GraphQLRequestRefused(Exception):
    """A request refused before execution, answered in GraphQL's shape (see graphql_refusal)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


# A query character may take up to 6 bytes of JSON (`\uXXXX`), and the envelope adds a little.
_CHARS_AS_JSON_BYTES = 6
_ENVELOPE_BYTES = 4096


def body_cap(settings: Settings) -> int:
    return (
        settings.graphql_max_query_chars * _CHARS_AS_JSON_BYTES
        + settings.graphql_max_variables_bytes
        + _ENVELOPE_BYTES
    )


async def _read_capped(request: Request, cap: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise PayloadTooLarge(cap)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise PayloadTooLarge(cap)
        chunks.append(chunk)
    body = b"".join(chunks)
    request._body = body  # Starlette's cache: Strawberry reads the body from it, not the stream again
    return body


def _check(settings: Settings, query: Any, variables: Any, variables_bytes: int | None = None) -> None:
    if isinstance(query, str) and len(query) > settings.graphql_max_query_chars:
        raise GraphQLRequestRefused(
            "graphql-query-too-large",
            f"The query has {len(query)} characters; at most {settings.graphql_max_query_chars} "
            "are accepted (every character counts, whitespace and comments included).",
        )
    if variables_bytes is None:
        variables_bytes = len(json.dumps(variables, separators=(",", ":")).encode()) if variables else 0
    if variables_bytes > settings.graphql_max_variables_bytes:
        raise GraphQLRequestRefused(
            "graphql-variables-too-large",
            f"The variables take {variables_bytes} bytes as JSON; at most "
            f"{settings.graphql_max_variables_bytes} are accepted.",
        )


async def check_graphql_request(request: Request) -> None:
    settings: Settings = request.app.state.settings
    if request.method == "GET":
        params = request.query_params
        raw = params.get("variables")
        _check(settings, params.get("query"), None, len(raw.encode()) if raw else 0)
        return
    if request.method != "POST":
        return
    body = await _read_capped(request, body_cap(settings))
    try:
        data = json.loads(body)
    except ValueError:
        return  # not JSON (or not JSON we read): Strawberry answers it, as it answers any bad body
    for operation in data if isinstance(data, list) else [data]:
        if isinstance(operation, dict):
            _check(settings, operation.get("query"), operation.get("variables"))


async def graphql_refusal(request: Request, exc: GraphQLRequestRefused) -> JSONResponse:
    return JSONResponse({"errors": [{"message": exc.message, "extensions": {"code": exc.code}}]})
