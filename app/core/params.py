"""Unknown or repeated query parameters are refused: a mistyped filter (`familyname=`) must not
silently return everything, and `?role=iv&role=hoc` must not silently mean `role=hoc`. Applied to
every /v1 router in create_app; what is "known" is what the contract declares."""

from __future__ import annotations

from fastapi import Request

from app.core.errors import ValidationFailed, field_problem


def _declared(request: Request, template: str) -> frozenset[str]:
    cache = request.app.state.__dict__.setdefault("_query_params", {})
    key = (request.method, template)
    if key not in cache:
        operation = request.app.openapi()["paths"].get(template, {}).get(request.method.lower(), {})
        cache[key] = frozenset(p["name"] for p in operation.get("parameters", []) if p["in"] == "query")
    return cache[key]


async def check_query_params(request: Request) -> None:
    route = request.scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    if template is None:
        return
    names = [name for name, _ in request.query_params.multi_items()]
    problems = [
        field_problem(f"query.{name}", "unknown_parameter", "this operation has no such parameter")
        for name in sorted(set(names) - _declared(request, template))
    ]
    problems += [
        field_problem(f"query.{name}", "repeated_parameter", "give this parameter once")
        for name in sorted({n for n in names if names.count(n) > 1})
    ]
    if problems:
        raise ValidationFailed("The query has parameters this operation does not take.", errors=problems)
