"""The published contract: every operation declares the problem+json answers it can give (RFC 9457)."""

from __future__ import annotations

import copy
import json
from typing import Any

from fastapi import FastAPI, routing
from fastapi.openapi.utils import get_openapi

from app.core.errors import PROBLEM_MEDIA_TYPE, Problem
from app.core.idempotency import REPLAYED_HEADER

_DESCRIPTIONS = {
    "400": "The body could not be read (not JSON, or not UTF-8): type /problems/malformed-body.",
    "415": "The body is not application/json (e.g. text/plain or form data).",
    "401": "Missing or invalid bearer token.",
    "403": "The token is valid but none of its roles grants this operation.",
    "404": "No such object in the caller's centre (the path's, or one named in the body: see `errors`).",
    "409": "The change clashes with an existing record.",
    "412": "If-Match does not match the current ETag.",
    "413": "The body is larger than this operation accepts (refused before it is read in full).",
    "422": "A field is invalid or a domain rule refused the change; `errors` names each.",
    "428": "If-Match is required for this update.",
    "500": "Unexpected error; the body quotes the request id.",
    "503": "Not ready, or the database is unreachable: retry after `Retry-After` seconds.",
}


def _statuses(path: str, method: str, operation: dict[str, Any]) -> list[str]:
    if path in ("/health",):
        return ["500"]
    if path == "/ready":
        return ["500", "503"]
    if path.startswith("/problems"):
        return ["404", "422", "500"]  # static pages: no token, no database
    # 404 everywhere: the object in the path, or one a body names (errors[] says which field).
    # 503 everywhere: every operation reads the database, and says so when it cannot.
    statuses = ["401", "403", "404", "422", "500", "503"]
    if "requestBody" in operation:
        statuses += ["400", "413"]
        if any(_is_json(media) for media in operation["requestBody"].get("content", {})):
            statuses.append("415")
    if method == "post":
        statuses.append("409")
    if method == "patch":
        statuses += ["409", "412", "428"]
    return statuses


def problem_openapi(app: FastAPI, published: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """`published`: JSON Schemas by component name, given by the app (core knows no domain's)."""
    if app.openapi_schema:
        return app.openapi_schema
    key = _inputs(app, published)
    if key not in _built:
        _built.clear()  # one code base, one document: keep the latest only
        _built[key] = _build(app, published)
    # A copy: a caller may change its document without changing the next app's.
    app.openapi_schema = copy.deepcopy(_built[key])
    return app.openapi_schema


# Generating the document takes FastAPI and Pydantic some 2 s (a TypeAdapter per field of every model),
# and it is the same for every app built from the same code: kept per process under everything
# get_openapi reads, so a test process that builds many apps, each asked for its contract, builds it once.
_built: dict[str, dict[str, Any]] = {}

_ROUTE_ATTRIBUTES = (
    "path",
    "methods",
    "endpoint",
    "name",
    "include_in_schema",
    "operation_id",
    "response_model",
    "status_code",
    "tags",
    "summary",
    "description",
    "response_description",
    "deprecated",
    "responses",
    "dependencies",
    "callbacks",
    "openapi_extra",
    "response_class",
)


def _inputs(app: FastAPI, published: dict[str, dict[str, Any]] | None) -> str:
    """Every input of get_openapi, as text: the app's title, version, description and tags, and each
    route it documents, walked as get_openapi walks them (an APIRoute in the schema, with what its
    routers add), by every attribute it reads (endpoints and models by identity through their repr):
    an app whose routes differ in anything the document shows gets a document of its own."""

    def documented(routes: list[Any]) -> list[list[str]]:
        return [
            [
                repr(sorted(v) if isinstance(v, set) else v)
                for v in (getattr(r, a, None) for a in _ROUTE_ATTRIBUTES)
            ]
            for r in routing.iter_route_contexts(routes)
            if isinstance(r.original_route, routing.APIRoute) and r.include_in_schema
        ]

    return json.dumps(
        [
            app.title,
            app.version,
            app.description,
            repr(app.openapi_tags),
            documented(app.routes),
            documented(app.webhooks.routes),
            published,
        ],
        default=repr,
    )


def _build(app: FastAPI, published: dict[str, dict[str, Any]] | None) -> dict[str, Any]:
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
        webhooks=app.webhooks.routes,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in problem_schema.pop("$defs", {}).items():
        components[name] = definition
    components["Problem"] = problem_schema
    for name, schema_part in extra_components(published or {}).items():
        components[name] = schema_part
    ref = {"$ref": "#/components/schemas/Problem"}
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "header" and parameter["name"].lower() == "if-match":
                    # Optional to the framework so that its absence answers 428, but required by contract.
                    parameter["required"] = True
                    parameter["schema"] = {
                        "type": "string",
                        "pattern": parameter["schema"]["anyOf"][0]["pattern"],
                    }
            responses = operation.setdefault("responses", {})
            if any(
                p["in"] == "header" and p["name"] == "Idempotency-Key"
                for p in operation.get("parameters", [])
            ):
                _declare_replayed(responses)
            for status in _statuses(path, method, operation):
                responses[status] = {
                    "description": _DESCRIPTIONS[status],
                    "content": {PROBLEM_MEDIA_TYPE: {"schema": ref}},
                }
    declare_headers(schema)
    for item in schema.get("webhooks", {}).values():
        for operation in item.values():
            # FastAPI adds its own 422 to every operation with a body; a webhook's answers are the
            # receiver's (app/webhooks/openapi.py), and that 422 names a schema removed above.
            operation.get("responses", {}).pop("422", None)
    return schema


def _declare_replayed(responses: dict[str, Any]) -> None:
    for status, response in responses.items():
        if status.startswith("2"):
            response.setdefault("headers", {})[REPLAYED_HEADER] = {
                "description": "`true` when this is the stored answer to an earlier request with the same "
                "Idempotency-Key (nothing was written this time).",
                "schema": {"type": "string", "enum": ["true"]},
            }


def _is_json(media: str) -> bool:
    return media == "application/json" or media.endswith("+json")


_HEADERS = {
    "ETag": {
        "description": 'The version of the resource, e.g. "3": send it back as If-Match to change it, '
        "or as If-None-Match to re-read it only if it changed.",
        "schema": {"type": "string"},
    },
    "Location": {
        "description": "The URI of the created resource.",
        "schema": {"type": "string", "format": "uri-reference"},
    },
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "schema": {"type": "integer", "minimum": 0},
    },
}
_IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "The ETag last read: when it is still current the answer is 304 with no body.",
    "schema": {"type": "string"},
}


def _etag_paths(paths: dict[str, Any]) -> set[str]:
    """A resource has an ETag when some change to it is conditional on If-Match."""
    return {
        path
        for path, item in paths.items()
        for operation in item.values()
        if any(
            p.get("in") == "header" and p["name"].lower() == "if-match"
            for p in operation.get("parameters", [])
        )
    }


def _header(responses: dict[str, Any], status: str, name: str) -> None:
    if status in responses:
        responses[status].setdefault("headers", {})[name] = _HEADERS[name]


def declare_headers(schema: dict[str, Any]) -> None:
    """ETag, Location and Retry-After as the service sends them (app/core/http_semantics.py, errors.py)."""
    paths = schema.get("paths", {})
    etag_paths = _etag_paths(paths)
    for path, item in paths.items():
        for method, operation in item.items():
            responses = operation.get("responses", {})
            _header(responses, "503", "Retry-After")
            _header(responses, "429", "Retry-After")
            if "201" in responses:
                _header(responses, "201", "Location")
                # The created object is a member of this collection; it has an ETag when its item has.
                if any(
                    p.startswith(path.rstrip("/") + "/{") and p.count("/") == path.count("/") + 1
                    for p in etag_paths
                ):
                    _header(responses, "201", "ETag")
            if path not in etag_paths:
                continue
            for status in ("200", "201"):
                _header(responses, status, "ETag")
            if method == "get":
                parameters = operation.setdefault("parameters", [])
                if not any(p["name"] == "If-None-Match" for p in parameters):
                    parameters.append(_IF_NONE_MATCH)
                responses["304"] = {
                    "description": "Not modified: If-None-Match names the current ETag.",
                    "headers": {"ETag": _HEADERS["ETag"]},
                }


def extra_components(published: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """JSON Schemas published as they are (a 2020-12 schema is valid in OpenAPI 3.1), with their
    `$defs` lifted into components so that `$ref`s resolve from the OpenAPI document's root."""
    import json as _json

    components: dict[str, Any] = {}
    for prefix, published_schema in published.items():
        schema = _json.loads(_json.dumps(published_schema))
        defs = schema.pop("$defs", {})
        for key in ("$schema", "$id"):
            schema.pop(key, None)
        text = _json.dumps({prefix: schema, **{f"{prefix}_{k}": v for k, v in defs.items()}})
        text = text.replace('"#/$defs/', f'"#/components/schemas/{prefix}_')
        components.update(_json.loads(text))
    return components
