"""Every state change goes through one write path (DESIGN house rule 5, R-96): only app.events' write
path calls the audit append (`app.audit.service.record`) and the outbox (`app.events.outbox.emit`);
no domain calls or imports them. Read from the source with `ast`, so a new call site fails here
before it ships."""

from __future__ import annotations

import ast
import uuid
from pathlib import Path

import pytest

from app.events.bulk import BulkChange
from app.events.outbox import emit
from app.learners.events import LearnerCreated, LearnerUpdated

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"

GUARDED = {("app.audit.service", "record"), ("app.events.outbox", "emit")}
# Where each may be called or imported, and why.
ALLOWED: dict[str, set[tuple[str, str]]] = {
    # Webhook endpoints' own configuration and the worker's delivery bookkeeping are audited but are not
    # domain events (an event about the endpoints would be delivered to the endpoints themselves).
    "app/webhooks/service.py": {("app.audit.service", "record")},
    "app/webhooks/dispatch.py": {("app.audit.service", "record")},
}
# The chain's writers are the audit_append database function and its batch form audit_append_many
# (called only by record_changes, the write path's one statement, and by record_staged_changes, its
# form for the changes a bulk statement staged): only the audit log names the first, only the write
# path the others.
AUDIT_APPEND_SQL = {"app/audit/service.py", "app/audit/models.py"}
RECORD_CHANGES_SQL = {"app/events/write.py"}
RECORD_STAGED_SQL = {"app/events/bulk.py"}


def _modules():
    for file in sorted(APP.rglob("*.py")):
        path = file.relative_to(ROOT).as_posix()
        yield path, path[:-3].replace("/", ".").removesuffix(".__init__"), file.read_text()


def uses_of_the_guarded(path: str, dotted: str, source: str) -> list[tuple[str, tuple[str, str]]]:
    """Every import or call of record()/emit() in one module: (where, (module, name))."""
    tree = ast.parse(source, path)
    found = []
    modules: dict[str, str] = {}  # local name -> module it stands for (`import app.audit.service as a`)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                if (node.module, alias.name) in GUARDED:
                    found.append((f"{path}:{node.lineno}", (node.module, alias.name)))
                full = f"{node.module}.{alias.name}"
                if any(full == m for m, _ in GUARDED):
                    modules[alias.asname or alias.name] = full
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if any(alias.name == m for m, _ in GUARDED):
                    modules[alias.asname or alias.name] = alias.name
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute):
            base = ast.unparse(func.value)
            target = (modules.get(base, base), func.attr)
            if target in GUARDED:
                found.append((f"{path}:{node.lineno}", target))
        elif isinstance(func, ast.Name) and (dotted, func.id) in GUARDED:
            pass  # the definition's own module (a recursive call would be its business)
    return found


def test_only_the_write_path_records_and_emits():
    offending = [
        f"{where} uses {module}.{name}"
        for path, dotted, source in _modules()
        for where, (module, name) in uses_of_the_guarded(path, dotted, source)
        if (module, name) not in ALLOWED.get(path, set())
    ]
    assert not offending, "record a change with app.events.write.recorded(...):\n" + "\n".join(offending)


def test_the_exceptions_are_still_needed():
    """An allowed module that no longer uses what it is allowed to is taken off the list."""
    used = {
        path: {target for _, target in uses_of_the_guarded(path, dotted, source)}
        for path, dotted, source in _modules()
    }
    stale = {path: allowed - used.get(path, set()) for path, allowed in ALLOWED.items()}
    assert not any(stale.values()), stale


def test_the_scan_sees_an_import_a_module_call_and_an_alias():
    source = (
        "from app.audit.service import record\n"
        "import app.events.outbox as box\n"
        "from app.events import outbox\n"
        "async def f(s):\n"
        "    await box.emit(s, 1, 2)\n"
        "    await outbox.emit(s, 1, 2)\n"
    )
    found = uses_of_the_guarded("app/x/service.py", "app.x.service", source)
    assert [target for _, target in found] == [
        ("app.audit.service", "record"),
        ("app.events.outbox", "emit"),
        ("app.events.outbox", "emit"),
    ]


def test_only_the_audit_log_and_the_write_path_call_audit_append():
    writers = {path for path, _, source in _modules() if "audit_append(" in source}
    assert writers <= AUDIT_APPEND_SQL, writers - AUDIT_APPEND_SQL
    batch = {path for path, _, source in _modules() if "audit_append_many(" in source}
    assert not batch, f"audit_append_many is called by record_changes alone: {batch}"
    combined = {path for path, _, source in _modules() if "record_changes(" in source}
    assert combined == RECORD_CHANGES_SQL, combined
    staged = {path for path, _, source in _modules() if "record_staged_changes(" in source}
    assert staged == RECORD_STAGED_SQL, staged


async def test_emit_refuses_a_free_dict(session):
    with pytest.raises(TypeError, match="typed event"):
        await emit(session, uuid.uuid4(), {"type": LearnerCreated.type})  # type: ignore[arg-type]


def test_a_bulk_change_names_an_event_class():
    with pytest.raises(TypeError, match="event class"):
        BulkChange("learner.created", "learner", "x", None, {})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="before"):
        BulkChange(LearnerUpdated, "learner", "x", None, {})
