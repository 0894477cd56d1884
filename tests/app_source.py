"""app/'s source as the layering and clock tests read it: every module, parsed with `ast`."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"


@dataclass(frozen=True)
class Module:
    name: str  # app.assessment.decisions
    path: str  # app/assessment/decisions.py
    tree: ast.Module


@cache
def modules() -> dict[str, Module]:
    found = {}
    for file in sorted(APP.rglob("*.py")):
        parts = file.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        rel = file.relative_to(ROOT).as_posix()
        found[name] = Module(name, rel, ast.parse(file.read_text(), filename=rel))
    return found


def _package_of(module: Module) -> str:
    return module.name if module.path.endswith("__init__.py") else module.name.rsplit(".", 1)[0]


def imports(module: Module) -> Iterator[tuple[str, int]]:
    """(app module imported, line) for every import of an app module, at module level or inside a
    function alike: `from app.x import y` names app.x.y when y is a module, else app.x."""
    known = modules()
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = _package_of(module).split(".")
                package = package[: len(package) - (node.level - 1)]
                base = ".".join(package + ([base] if base else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for target in targets:
            while target not in known and "." in target:
                target = target.rsplit(".", 1)[0]
            if target in known and target.startswith("app"):
                yield target, node.lineno
