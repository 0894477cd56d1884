"""Dependencies point one way (docs/architecture.md, "Layers"): core imports no domain, a package
imports only its own layer or the ones below, and no module of app/ takes part in an import cycle.
Imports inside functions count as much as those at the top of a module."""

from __future__ import annotations

from collections import defaultdict

from tests.app_source import Module, imports, modules

# Bottom to top. A package may import packages of its own layer or of a lower one; within a layer the
# packages must not import each other in a circle (test_packages_import_each_other_one_way_only).
LAYERS: list[tuple[str, ...]] = [
    ("core",),
    ("auth", "audit", "events"),
    ("qualifications",),
    ("centres", "learners", "calendars", "programmes"),
    ("sync", "assignments"),
    ("assessment",),
    ("verification",),
    ("standards_verification", "appeals", "malpractice", "standardisation", "employers"),
    ("certification",),
    ("records",),
    # Webhooks describe and deliver every domain's events; a domain reaches them only through
    # app/events (the outbox), never by import.
    ("webhooks",),
    ("api", "system"),
    ("main", "cli", "demo", "models", "wiring"),
]

# GraphQL's per-request context is what every domain's gql.py resolves through, as its router.py
# uses app/auth/dependencies: it belongs beside auth (it imports only core and auth), although it
# lives with the GraphQL schema in app/api.
MODULE_LAYER = {"app.api.gql_context": "auth", "app.api.gql_pagination": "auth"}

RANK = {package: rank for rank, layer in enumerate(LAYERS) for package in layer}


def unit_of(module_name: str) -> str:
    """The layer unit a module belongs to: its package under app/ (app.assessment.decisions ->
    assessment), or the top-level module itself (app.main -> main)."""
    if module_name in MODULE_LAYER:
        return MODULE_LAYER[module_name]
    parts = module_name.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _edges() -> list[tuple[Module, str, int]]:
    return [(m, target, line) for m in modules().values() for target, line in imports(m)]


def test_every_package_of_app_has_a_layer():
    units = {unit_of(name) for name in modules() if name != "app"}
    assert units - RANK.keys() == set(), "place the new package in LAYERS"


def test_core_imports_no_domain():
    wrong = [
        f"{m.path}:{line} imports {target}"
        for m, target, line in _edges()
        if unit_of(m.name) == "core" and unit_of(target) != "core"
    ]
    assert wrong == []


def test_a_package_imports_only_its_own_layer_and_those_below():
    wrong = [
        f"{m.path}:{line} ({unit_of(m.name)}) imports {target} ({unit_of(target)}, a higher layer)"
        for m, target, line in _edges()
        if target != "app" and RANK[unit_of(target)] > RANK[unit_of(m.name)]
    ]
    assert wrong == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node, or a node importing itself (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_cycle_finder_sees_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_among_modules():
    graph: dict[str, set[str]] = defaultdict(set)
    for m, target, _ in _edges():
        if target != m.name:
            graph[m.name].add(target)
    assert _cycles(graph) == []


def test_packages_import_each_other_one_way_only():
    graph: dict[str, set[str]] = defaultdict(set)
    for m, target, _ in _edges():
        if target != "app" and unit_of(target) != unit_of(m.name):
            graph[unit_of(m.name)].add(unit_of(target))
    assert _cycles(graph) == []
