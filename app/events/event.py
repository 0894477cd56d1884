"""Typed domain events: one Pydantic class per event type, the class *is* the payload's schema.

A domain declares its events in its own `events.py` (importing only app.events and its own schemas):

    class SiteCreated(schemas.Site, Event):
        \"\"\"A site was created; `data` is the new record.\"\"\"
        type: ClassVar[str] = "site.created"

The docstring is the event's description (in the webhook catalogue, the OpenAPI `webhooks` section and
the payload's JSON schema). Defining the class registers its type; two classes may not share one type,
so an event type has exactly one shape. app/webhooks gathers the classes into its catalogue.
"""

from __future__ import annotations

import inspect
from typing import Any, ClassVar, Generic, Self, TypeVar

from pydantic import BaseModel

_REGISTRY: dict[str, type[Event]] = {}


class Event(BaseModel):
    type: ClassVar[str]

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        # A payload field named like one of these methods would take the method as its default.
        clash = set(cls.model_fields) & _OWN_NAMES
        if clash:
            raise TypeError(
                f"event class {cls.__qualname__} has fields named like Event's own: {sorted(clash)}"
            )
        if "type" not in cls.__dict__:  # an abstract base (Changed, Changed[X]): no type of its own
            return
        known = _REGISTRY.get(cls.type)
        if known is not None and known.__qualname__ != cls.__qualname__:
            raise TypeError(
                f"event type {cls.type} has two classes: {known.__qualname__}, {cls.__qualname__}"
            )
        if not (cls.__doc__ or "").strip():
            raise TypeError(f"event class {cls.__qualname__} needs a docstring: it is its documentation")
        _REGISTRY[cls.type] = cls

    @classmethod
    def of(cls, source: Any) -> Self:
        """The event from an ORM row or another schema instance with the same fields."""
        return cls.model_validate(source, from_attributes=True)

    @classmethod
    def event_description(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    def payload(self) -> dict[str, Any]:
        """What the outbox stores and the webhook sends as `data`."""
        return self.model_dump(mode="json")


_OWN_NAMES = {name for name in vars(Event) if not name.startswith(("_", "model_"))} | {
    "type",
    "record_schema",
}

S = TypeVar("S", bound=BaseModel)


class Changed(Event, Generic[S]):
    """A record before and after a change (the same snapshots as the audit row)."""

    before: S
    after: S

    @classmethod
    def record_schema(cls) -> type[BaseModel]:
        """The output schema both snapshots are taken with."""
        return cls.model_fields["after"].annotation  # type: ignore[return-value]


class Access(BaseModel):
    """What a read that must be on the record carries (a download of a learner's evidence): the write
    path gives it an audit row of its own and no outbox event, since nothing changed that an MIS needs
    to hear about. A class per kind of access, in its domain's events.py, `action` naming it."""

    action: ClassVar[str]


def event_types() -> dict[str, type[Event]]:
    """Every event class defined so far, by type (import the domains' events modules first)."""
    return dict(_REGISTRY)
