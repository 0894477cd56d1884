"""Request bodies are capped per route before anything parses them (413 problem details), and
the request's headers as a whole (431).

Pure ASGI, outside FastAPI, so that no route, dependency or parser ever holds more than its cap:
- a Content-Length over the cap is answered at once, before a byte of the body is read;
- a body without one (chunked) is counted as it streams, and the read that crosses the cap raises
  `PayloadTooLarge` inside whoever is reading; the error handler (or this middleware, if the
  exception gets this far) answers 413.
Routes that stream their body themselves (evidence uploads) get the same guarantee for free.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import PROBLEM_MEDIA_TYPE, Problem, ProblemError, problem_type


class PayloadTooLarge(ProblemError, HTTPException):
    """Also an HTTPException: FastAPI turns any other error raised while it reads a body into a 400."""

    status, slug, title = 413, "payload-too-large", "Payload too large"
    headers: dict[str, str]  # ProblemError's (never None), which HTTPException's handlers also read

    def __init__(self, limit: int) -> None:
        ProblemError.__init__(
            self, f"The request body is larger than this operation accepts ({limit} bytes)."
        )
        self.status_code = 413
        self.limit = limit


class HeadersTooLarge(ProblemError):
    status, slug, title = 431, "headers-too-large", "Request header fields too large"


class BodyLimits:
    """The cap for a path: the first matching (pattern, bytes) rule, else the default; and the cap on
    all header names and values together."""

    def __init__(
        self, default: int, rules: Sequence[tuple[str, int]] = (), max_header_bytes: int = 16384
    ) -> None:
        self.default = default
        self.rules = [(re.compile(pattern), limit) for pattern, limit in rules]
        self.max_header_bytes = max_header_bytes

    def for_path(self, path: str) -> int:
        for pattern, limit in self.rules:
            if pattern.fullmatch(path):
                return limit
        return self.default


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers") or []:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header_bytes = sum(len(n) + len(v) for n, v in scope.get("headers") or [])
        if header_bytes > self.limits.max_header_bytes:
            # uvicorn (h11) bounds a head that never ends; this bounds one that arrived whole.
            await _refuse(
                send,
                scope,
                HeadersTooLarge(f"The request's headers exceed {self.limits.max_header_bytes} bytes."),
            )
            return
        limit = self.limits.for_path(scope.get("path", ""))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, scope, PayloadTooLarge(limit))
            return

        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise PayloadTooLarge(limit)
            return message

        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except PayloadTooLarge as exc:
            if started:
                raise
            await _refuse(send, scope, exc)


async def _refuse(send: Send, scope: Scope, exc: ProblemError) -> None:
    body = Problem(
        type=problem_type(exc.slug),
        title=exc.title,
        status=exc.status,
        detail=exc.detail,
        instance=scope.get("path"),
    ).model_dump_json()
    await send(
        {
            "type": "http.response.start",
            "status": exc.status,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                # The rest of the body is not read: the client must not reuse this connection.
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})
