"""Finding a request's route without trying every route of the app (issue 18).

FastAPI 0.165 asks each included router in turn whether it matches, and each router tries every one
of its routes: ~230 compiled patterns for every REST request (~0.8 ms of each grid request), although
a path can only reach routes whose template starts with the path's own literal segments.

A route's pattern is its template with each `{parameter}` replaced and everything else literal, so a
template whose first two segments are literal (`/v1/learners/{learner_id}`) matches only paths whose
first two segments are those (`/v1/learners/...`). A router all of whose routes are like that can
answer "no match" for any other path without trying them; a router with any other route (a parameter
or fewer than two segments there, a mount) is tried for every path, as FastAPI does.

tests/core/test_routing.py holds the proof that matters: for every route, method and nearby path,
each router answers exactly as the full scan does.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.routing import _get_scope_included_router
from starlette._utils import get_route_path
from starlette.routing import Match, Mount
from starlette.types import Scope


def path_key(path: str) -> tuple[str, ...]:
    """A path's first two segments: `/v1/programmes/{id}/tracking-grid` -> ("v1", "programmes")."""
    return tuple(path.split("/")[1:3])


def literal_key(template: str) -> tuple[str, ...] | None:
    """The first two segments of a route template when both are literal, else None: such a route
    matches only paths with that `path_key`."""
    key = path_key(template)
    if len(key) == 2 and all(part and "{" not in part for part in key):
        return key
    return None


class DomainRouter(APIRouter):
    """An APIRouter that answers "no match" at once for a path none of its routes could match.

    The keys are computed per inclusion prefix (it is part of the templates) and again whenever the
    router's routes change (FastAPI's routes version). A router that includes other routers is left
    to FastAPI: their changes would not show in its version."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # inclusion prefix -> (routes version, the keys its routes can match, or None: try every path)
        self._keys: dict[str, tuple[int, frozenset[tuple[str, ...]] | None]] = {}

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        included = _get_scope_included_router(scope)
        if included is not None and getattr(included, "original_router", None) is self:
            keys = self._keys_of(included)
            if keys is not None and path_key(get_route_path(scope)) not in keys:
                return Match.NONE, {}
        return super().matches(scope)

    def _keys_of(self, included: Any) -> frozenset[tuple[str, ...]] | None:
        version = self._get_routes_version()
        prefix = included.include_context.prefix
        cached = self._keys.get(prefix)
        if cached is None or cached[0] != version:
            cached = (version, self._reachable_keys(included))
            self._keys[prefix] = cached
        return cached[1]

    def _reachable_keys(self, included: Any) -> frozenset[tuple[str, ...]] | None:
        if any(isinstance(route, type(included)) for route in self.routes):
            return None
        keys = set()
        for context in included.effective_route_contexts():
            key = (
                None if isinstance(context.original_route, Mount) else literal_key(context.path_format or "")
            )
            if key is None:
                return None
            keys.add(key)
        return frozenset(keys)
