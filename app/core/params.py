"""Unknown or repeated query parameters are refused: a mistyped filter (`familyname=`) must not
silently return everything, and `?role=iv&role=hoc` must not silently mean `role=hoc`. Applied to
every /v1 router in create_app; what is "known" is what the contract declares.

The declared names are read from the route's dependency tree, the very source FastAPI builds the
contract's parameters from (tests/api/test_errors.py checks the two agree on every operation). Reading
them from `app.openapi()` built the whole contract on each app's first request: a second of CPU per
app, paid by every test (each builds its own app) and by every worker process at start."""

from __future__ import annotations

import types
from typing import Any, Union, get_args, get_origin

from fastapi import Request
from fastapi.dependencies.models import Dependant
from pydantic import BaseModel

from app.core.errors import ValidationFailed, field_problem


def _model(annotation: Any) -> type[BaseModel] | None:
    """A query declared as one Pydantic model (`Annotated[Filters, Query()]`) stands for its fields."""
    if get_origin(annotation) in (Union, types.UnionType):
        models = [m for a in get_args(annotation) if (m := _model(a)) is not None]
        return models[0] if len(models) == 1 else None
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def declared_query_params(dependant: Dependant) -> frozenset[str]:
    names: set[str] = set()
    seen: set[int] = set()
    stack = [dependant]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        stack.extend(current.dependencies)
        for param in current.query_params:
            if not getattr(param.field_info, "include_in_schema", True):
                continue
            model = _model(param.field_info.annotation)
            if model is None:
                names.add(param.alias)
            else:
                names |= {f.alias or name for name, f in model.model_fields.items()}
    return frozenset(names)


def _declared(request: Request) -> frozenset[str] | None:
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return None
    cached = route.__dict__.get("_declared_query_params")
    if cached is None:
        cached = route.__dict__["_declared_query_params"] = declared_query_params(dependant)
    return cached


async def check_query_params(request: Request) -> None:
    declared = _declared(request)
    if declared is None:
        return
    names = [name for name, _ in request.query_params.multi_items()]
    problems = [
        field_problem(f"query.{name}", "unknown_parameter", "this operation has no such parameter")
        for name in sorted(set(names) - declared)
    ]
    problems += [
        field_problem(f"query.{name}", "repeated_parameter", "give this parameter once")
        for name in sorted({n for n in names if names.count(n) > 1})
    ]
    if problems:
        raise ValidationFailed("The query has parameters this operation does not take.", errors=problems)
