"""Every request gets an id of the server's making: answered as X-Request-ID, written into every audit
row and log line. A client's own X-Request-ID is never trusted as that id (a client could otherwise
forge or collide audit references); when it is safe to repeat it is kept beside it: logged with the
server's id and echoed as X-Client-Request-ID."""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar, Token

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("verity.errors")
requests_log = logging.getLogger("verity.requests")
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_client_request_id: ContextVar[str | None] = ContextVar("client_request_id", default=None)
_SAFE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def current_request_id() -> str | None:
    """The server's id for this request (what audit rows and events record)."""
    return _request_id.get()


def current_client_request_id() -> str | None:
    """The caller's X-Request-ID, when it matched the safe pattern."""
    return _client_request_id.get()


def client_request_id(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _SAFE.fullmatch(text) else None
    return None


def set_request_id(value: str | None) -> Token[str | None]:
    return _request_id.set(value)


class RequestIdMiddleware:
    """Pure ASGI (not BaseHTTPMiddleware) so the context variable is visible to the endpoint.

    It is also where an unexpected exception becomes a 500 problem: Starlette's own catch-all sits
    outside every middleware, where the request id is already gone.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = str(uuid.uuid4())
        client_id = client_request_id(scope.get("headers") or [])
        token = _request_id.set(request_id)
        client_token = _client_request_id.set(client_id)
        id_headers = [(b"x-request-id", request_id.encode())]
        if client_id is not None:
            id_headers.append((b"x-client-request-id", client_id.encode()))
            requests_log.info("request %s: client request id %s", request_id, client_id)

        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = list(message.get("headers", [])) + id_headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            from app.core.errors import PROBLEM_MEDIA_TYPE, internal_error_body, is_database_unavailable

            unavailable = is_database_unavailable(exc)
            if unavailable:
                log.warning("database unreachable (request %s): %r", request_id, exc)
            else:
                log.exception("unhandled error (request %s, client id %s)", request_id, client_id)
            if started:
                raise
            status, body, extra = (
                _unavailable_answer(scope)
                if unavailable
                else (500, internal_error_body(request_id, scope.get("path")), [])
            )
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [
                        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                        (b"content-length", str(len(body)).encode()),
                        *extra,
                        *id_headers,
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
        finally:
            _client_request_id.reset(client_token)
            _request_id.reset(token)


def _unavailable_answer(scope: Scope) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
    """The 503 for an outage that got past the error handlers (a dependency's exit, a lifespan)."""
    from app.core.errors import Problem, database_unavailable, problem_type

    exc = database_unavailable(scope.get("app"))
    body = Problem(
        type=problem_type(exc.slug),
        title=exc.title,
        status=exc.status,
        detail=exc.detail,
        instance=scope.get("path"),
    )
    return (
        exc.status,
        body.model_dump_json().encode(),
        [(b"retry-after", exc.headers["Retry-After"].encode())],
    )
