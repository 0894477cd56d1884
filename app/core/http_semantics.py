"""HTTP semantics every resource shares, applied once for all routes (RFC 9110):

- a 201 names what it created in `Location` (the request path plus the new object's `id`, unless the
  route set one itself);
- a GET whose `If-None-Match` names the current ETag answers 304 with no body (§13.1.2, weak
  comparison), so a client re-reading an unchanged resource downloads nothing.
"""

from __future__ import annotations

import json

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def none_match(if_none_match: str, etag: str) -> bool:
    """True when the header names the current ETag (or `*`): the client's copy is current."""
    if if_none_match.strip() == "*":
        return True
    return _opaque(etag) in {_opaque(t) for t in if_none_match.split(",") if t.strip()}


class HttpSemanticsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Headers(scope=scope)
        if_none_match = request.get("if-none-match") if scope["method"] in ("GET", "HEAD") else None
        held: Message | None = None
        body = b""

        async def wrapped(message: Message) -> None:
            nonlocal held, body
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                status = message["status"]
                if status == 201 and "location" not in headers:
                    held = message  # wait for the body: the id is in it
                    return
                current = headers.get("etag") if status == 200 else None
                if if_none_match and current and none_match(if_none_match, current):
                    held = {**message, "status": 304}
                    return
                await send(message)
                return
            if held is None:
                await send(message)
                return
            body += message.get("body", b"")
            if message.get("more_body"):
                return
            start, held = held, None
            headers = MutableHeaders(scope=start)
            if start["status"] == 304:
                for name in ("content-length", "content-type"):
                    del headers[name]
                await send(start)
                await send({"type": "http.response.body", "body": b""})
                return
            location = _created_location(scope, body)
            if location:
                headers["Location"] = location
            await send(start)
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, wrapped)


def _created_location(scope: Scope, body: bytes) -> str | None:
    try:
        created = json.loads(body)
    except ValueError:
        return None
    if not isinstance(created, dict) or not created.get("id"):
        return None
    root = scope.get("root_path", "")
    return f"{root}{scope['path'].rstrip('/')}/{created['id']}"
