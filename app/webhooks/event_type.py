"""What one catalogue entry is, and the shapes most events share.

The per-domain modules (app/webhooks/catalogue_*.py) build their entries from these; app/webhooks/
catalogue.py gathers them. The payloads are the domains' own output schemas wherever the event carries
a record, so the documented `data` is exactly what the service wrote to the outbox.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, create_model


@dataclass(frozen=True)
class EventType:
    name: str
    description: str
    data: type[BaseModel]  # the schema of the envelope's `data`


def _words(what: str) -> str:
    return what.replace("_", " ")


@functools.cache
def changed(model: type[BaseModel]) -> type[BaseModel]:
    """`{before, after}`: the record before and after the change (the audit's before/after). Cached, so
    every event carrying the same record shares one schema (one name in the OpenAPI components)."""
    name = f"{model.__name__}Change"
    return create_model(name, __config__=ConfigDict(title=name), before=(model, ...), after=(model, ...))


def created(what: str, model: type[BaseModel], description: str | None = None) -> EventType:
    """`<what>.created`, as app.audit.changes.create_recorded emits it: `data` is the new record."""
    return EventType(
        f"{what}.created", description or f"A {_words(what)} was created; `data` is the new record.", model
    )


def updated(what: str, model: type[BaseModel], description: str | None = None) -> EventType:
    """`<what>.updated`, as app.audit.changes.update_recorded emits it: `data` is `{before, after}`."""
    return EventType(
        f"{what}.updated",
        description or f"A {_words(what)} changed; `data` has `before` and `after`.",
        changed(model),
    )


def record(name: str, when: str, model: type[BaseModel]) -> EventType:
    """An event whose `data` is the record as it is after (or, for a deletion, as it was before) the change."""
    return EventType(name, f"{when}; `data` is the record.", model)


def transition(name: str, when: str, model: type[BaseModel]) -> EventType:
    """A state change whose `data` is the record before and after it."""
    return EventType(name, f"{when}; `data` has the record `before` and `after`.", changed(model))
