"""`@idempotent`: Idempotency-Key on a creating REST operation, with one line per route.

The decorator adds the `Idempotency-Key` header (and the session and request it needs) to the
endpoint's signature, so the contract shows it; the endpoint itself is unchanged. With a key, the
first answer is rendered exactly as FastAPI would (the route's response model, status code and the
headers the endpoint set, such as ETag and Location), stored with the key, and returned; a retry gets
the stored answer with `Idempotent-Replayed: true`. See app/core/idempotency.py for the rules.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import typing
from collections.abc import Callable
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter

from app.core.db import Session
from app.core.idempotency import (
    REPLAYED_HEADER,
    Caller,
    IdempotencyKeyHeader,
    StoredAnswer,
    claim,
    request_hash,
    store,
)

# Headers that describe the bytes, not the answer: recomputed for every response.
_NOT_STORED = {"content-length", "content-type", "x-request-id", "date", "server"}


def idempotent(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    hints = typing.get_type_hints(endpoint, include_extras=True)
    signature = inspect.signature(endpoint)
    params = [p.replace(annotation=hints.get(p.name, p.annotation)) for p in signature.parameters.values()]
    # FastAPI injects Request and Response into one parameter each: reuse the endpoint's own if it has one.
    own = {hints.get(name): name for name in signature.parameters}
    request_name = own.get(Request, "idempotency_request")
    response_name = own.get(Response, "idempotency_response")
    extra = {
        "idempotency_key": (IdempotencyKeyHeader, None),
        "idempotency_session": (Session, inspect.Parameter.empty),
        request_name: (Request, inspect.Parameter.empty),
        response_name: (Response, inspect.Parameter.empty),
    }
    params += [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)
        for name, (annotation, default) in extra.items()
        if name not in signature.parameters
    ]
    added = [name for name in extra if name not in signature.parameters]

    @functools.wraps(endpoint)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        request: Request = kwargs[request_name]
        sub_response: Response = kwargs[response_name]
        key, session = kwargs["idempotency_key"], kwargs["idempotency_session"]
        for name in added:
            del kwargs[name]
        if key is None:
            return await endpoint(*args, **kwargs)
        caller = next((v for v in kwargs.values() if isinstance(v, Caller)), None)
        if caller is None:
            raise RuntimeError(f"{endpoint.__name__}: @idempotent needs the principal among its parameters")
        route = request.scope["route"]
        operation = route.operation_id or route.name
        digest = request_hash(
            operation,
            request.url.path,
            sorted(request.query_params.multi_items()),
            _body(request, await request.body()),
        )
        ttl = request.app.state.settings.idempotency_key_ttl_hours
        stored = await claim(session, caller, key, operation, digest, ttl)
        if stored is not None:
            return _render(stored, replayed=True)
        result = await endpoint(*args, **kwargs)
        answer = _answer(result, route, sub_response)
        await store(session, caller, key, answer)
        return _render(answer, replayed=False)

    wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=sorted(params, key=lambda p: p.kind), return_annotation=hints.get("return", Any)
    )
    return wrapper


def _body(request: Request, raw: bytes) -> Any:
    """A JSON body as JSON (so spacing and key order do not count); any other body (a file) by digest."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower().endswith("json"):
        try:
            return json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            pass
    return hashlib.sha256(raw).hexdigest()


def _answer(result: Any, route: Any, sub_response: Response) -> StoredAnswer:
    if isinstance(result, Response):
        headers = {k: v for k, v in result.headers.items() if k.lower() not in _NOT_STORED}
        return StoredAnswer(
            result.status_code, json.loads(bytes(result.body)) if result.body else None, headers
        )
    model = route.response_model
    if model is not None:
        adapter = TypeAdapter(model)
        body = adapter.dump_python(
            adapter.validate_python(result, from_attributes=True), mode="json", by_alias=True
        )
    else:
        from fastapi.encoders import jsonable_encoder

        body = jsonable_encoder(result)
    headers = {k: v for k, v in sub_response.headers.items() if k.lower() not in _NOT_STORED}
    return StoredAnswer(sub_response.status_code or route.status_code or 200, body, headers)


def _render(answer: StoredAnswer, *, replayed: bool) -> JSONResponse:
    headers = dict(answer.headers)
    if replayed:
        headers[REPLAYED_HEADER] = "true"
    return JSONResponse(answer.body, status_code=answer.status_code, headers=headers)
