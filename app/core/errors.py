"""RFC 9457 problem details: the one error shape of the REST API (and the slug GraphQL reports).

Domain errors are exception classes with a status and a slug; one handler renders them all, and the
OpenAPI document declares the shape on every operation (see app/core/openapi.py).
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldProblem(BaseModel):
    field: str = Field(
        description="Where the problem is: `body.given_name`, `query.limit`, `header.if-match`."
    )
    code: str = Field(description="A stable slug naming the rule that failed.")
    message: str


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldProblem] = []


def problem_type(slug: str) -> str:
    return f"/problems/{slug}"


class ProblemError(Exception):
    status = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(
        self, detail: str, *, errors: list[FieldProblem] | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}


class Unauthenticated(ProblemError):
    status, slug, title = 401, "unauthenticated", "Authentication required"

    def __init__(self, detail: str = "A valid bearer token is required.") -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


class Forbidden(ProblemError):
    status, slug, title = 403, "forbidden", "Not allowed"


class NotFound(ProblemError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(ProblemError):
    status, slug, title = 409, "conflict", "Conflict"


class PreconditionFailed(ProblemError):
    status, slug, title = 412, "precondition-failed", "Precondition failed"


class PreconditionRequired(ProblemError):
    status, slug, title = 428, "precondition-required", "Precondition required"


class ValidationFailed(ProblemError):
    status, slug, title = 422, "validation-failed", "Validation failed"


class DatabaseUnavailable(ProblemError):
    status, slug, title = 503, "database-unavailable", "Service unavailable"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "The database cannot be reached; nothing was changed. Retry later.",
            headers={"Retry-After": str(retry_after)},
        )


class MalformedBody(ProblemError):
    """The body is not well-formed JSON (or not UTF-8): nothing in it was read."""

    status, slug, title = 400, "malformed-body", "Malformed body"


class UnsupportedMediaType(ProblemError):
    """The body's Content-Type is not one this operation reads (JSON operations read application/json)."""

    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


class RuleViolation(ProblemError):
    """A domain rule (R-nn) refused the change; `errors` names each condition that failed."""

    status, slug, title = 422, "rule-violation", "Rule violation"


def field_problem(field: str, code: str, message: str) -> FieldProblem:
    return FieldProblem(field=field, code=code, message=message)


def problem_response(
    request: Request | None,
    status: int,
    slug: str,
    title: str,
    detail: str,
    errors: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = Problem(
        type=problem_type(slug),
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path if request is not None else None,
        errors=errors or [],
    )
    return JSONResponse(
        body.model_dump(mode="json"), status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE
    )


def _location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


_STATUS_SLUGS = {
    400: ("bad-request", "Bad request"),
    401: ("unauthenticated", "Authentication required"),
    403: ("forbidden", "Not allowed"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    413: ("payload-too-large", "Payload too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    431: ("headers-too-large", "Request header fields too large"),
}


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """The methods the published contract offers on this path (templates like /v1/learners/{id})."""
    found: set[str] = set()
    for template, item in app.openapi()["paths"].items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path):
            found |= {m.upper() for m in item}
    return sorted(found)


def _connection_errors() -> tuple[type[BaseException], ...]:
    import asyncpg
    import sqlalchemy.exc

    return (
        asyncpg.PostgresConnectionError,  # ConnectionDoesNotExistError, connection failures
        asyncpg.CannotConnectNowError,  # starting up or shutting down
        asyncpg.AdminShutdownError,
        asyncpg.CrashShutdownError,
        asyncpg.TooManyConnectionsError,
        sqlalchemy.exc.TimeoutError,  # no pool connection came free in time
        ConnectionError,
        TimeoutError,
    )


def is_database_unavailable(exc: BaseException) -> bool:
    """Did this fail because the database could not be reached (as opposed to a bug or a bad query)?

    The driver's error is often wrapped (SQLAlchemy's DBAPIError, asyncpg's InterfaceError, an
    ExceptionGroup), so the cause chain is walked. A socket error is a plain OSError with no file
    name (asyncpg's "Multiple exceptions: Connect call failed"); an OSError naming a file is the
    file system's, not the database's.
    """
    import sqlalchemy.exc

    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        e = todo.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, BaseExceptionGroup):
            return all(is_database_unavailable(sub) for sub in e.exceptions)
        if isinstance(e, sqlalchemy.exc.DBAPIError) and e.connection_invalidated:
            return True
        if isinstance(e, _connection_errors()):
            return True
        if isinstance(e, OSError) and e.filename is None:
            return True
        todo += [c for c in (e.__cause__, e.__context__, getattr(e, "orig", None)) if c is not None]
    return False


def database_unavailable(app: Any) -> DatabaseUnavailable:
    settings = getattr(getattr(app, "state", None), "settings", None)
    return DatabaseUnavailable(getattr(settings, "database_retry_after_seconds", 5))


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _domain(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(request, exc.status, exc.slug, exc.title, exc.detail, exc.errors, exc.headers)

    async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
        if not is_database_unavailable(exc):
            raise exc  # a bug, not an outage: RequestIdMiddleware answers 500 with the request id
        problem = database_unavailable(request.app)
        return await _domain(request, problem)

    import sqlalchemy.exc

    for kind in (*_connection_errors(), OSError, sqlalchemy.exc.DBAPIError, ExceptionGroup):
        app.add_exception_handler(kind, _unavailable)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        unreadable = unreadable_body(request, exc)
        if unreadable is not None:
            return await _domain(request, unreadable)
        errors = [
            field_problem(_location(e.get("loc", ())), e.get("type", "invalid"), e.get("msg", "invalid"))
            for e in exc.errors()
        ]
        names = ", ".join(p.field for p in errors) or "request"
        return problem_response(
            request,
            422,
            "validation-failed",
            "Validation failed",
            f"The request has invalid fields: {names}.",
            errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug, title = _STATUS_SLUGS.get(exc.status_code, ("http-error", "HTTP error"))
        detail = exc.detail if isinstance(exc.detail, str) else title
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            # Starlette names only the first route that matched the path; a client needs them all.
            headers["Allow"] = ", ".join(allowed_methods(request.app, request.url.path))
        return problem_response(request, exc.status_code, slug, title, detail, headers=headers)


def _json_media(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def unreadable_body(request: Request, exc: RequestValidationError) -> ProblemError | None:
    """A body FastAPI could not read as JSON is the client's framing error, not a field's (422)."""
    route = request.scope.get("route")
    body_field = getattr(route, "body_field", None)
    expects = getattr(getattr(body_field, "field_info", None), "media_type", "application/json")
    if body_field is None or not _json_media(expects):
        return None
    sent = request.headers.get("content-type")
    if sent and not _json_media(sent):
        return UnsupportedMediaType(
            f"This operation reads application/json; the body was sent as {sent.split(';')[0]}.",
            errors=[field_problem("header.content-type", "unsupported-media-type", "Send application/json.")],
        )
    broken = [e for e in exc.errors() if e.get("type") == "json_invalid"]
    if broken:
        where = broken[0].get("ctx", {}).get("error", "invalid JSON")
        return MalformedBody(
            f"The body is not valid JSON ({where}).",
            errors=[field_problem("body", "malformed-json", str(where))],
        )
    return None


def _all_problem_classes(base: type[ProblemError] = ProblemError) -> list[type[ProblemError]]:
    found = [base]
    for sub in base.__subclasses__():
        found += _all_problem_classes(sub)
    return found


def problem_catalogue() -> dict[str, tuple[int, str, str]]:
    """Every problem `type` the service answers with: slug -> (status, title, explanation)."""
    pages: dict[str, tuple[int, str, str]] = {
        slug: (status, title, f"The HTTP status {status} ({title}).")
        for status, (slug, title) in _STATUS_SLUGS.items()
    }
    pages["http-error"] = (400, "HTTP error", "An HTTP-level refusal without a more specific type.")
    pages["internal-error"] = (
        500,
        "Internal error",
        "An unexpected error; nothing was changed. Quote the request id (X-Request-ID) when reporting it.",
    )
    for cls in _all_problem_classes():
        doc = " ".join((cls.__doc__ or "").split())
        pages[cls.slug] = (cls.status, cls.title, doc or pages.get(cls.slug, (0, "", cls.title))[2])
    return pages


def internal_error_body(request_id: str | None, path: str | None) -> bytes:
    """The 500 answer: never a stack trace, only the request id to quote (see RequestIdMiddleware)."""
    body = Problem(
        type=problem_type("internal-error"),
        title="Internal error",
        status=500,
        detail=f"An unexpected error occurred; quote request id {request_id}.",
        instance=path,
    )
    return body.model_dump_json().encode()
