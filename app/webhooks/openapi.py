"""The OpenAPI `webhooks` section: one entry per event type in the catalogue, with its body's schema.

create_app() calls register_webhooks(app); a new event type added to the catalogue appears here with no
other change.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Body, FastAPI, Header, Response

from app.webhooks.catalogue import CATALOGUE, EventType, envelope_model

_HEADERS = {
    "webhook_id": ("webhook-id", "The event id: the same on every retry and redelivery. De-duplicate on it."),
    "webhook_timestamp": (
        "webhook-timestamp",
        "Unix seconds when this attempt was signed; refuse if far off.",
    ),
    "webhook_signature": (
        "webhook-signature",
        "Space-separated `v1,<base64 HMAC-SHA256>` of "
        "`{webhook-id}.{webhook-timestamp}.{body}`; two during a rotation.",
    ),
}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Any 2xx acknowledges the event. Answer quickly; process afterwards."},
    410: {"description": "Gone: Verity disables the endpoint and stops sending."},
    429: {
        "description": "Any other answer, a timeout or a refused connection is retried with backoff for "
        "about a day; `Retry-After` is honoured."
    },
}
DESCRIPTION = (
    "Signed per Standard Webhooks. Delivery is at least once and ordering is not promised: "
    "de-duplicate on `webhook-id`, and use `occurred_at` (or re-read the resource) to order changes. "
    "See docs/webhooks.md."
)


def _receiver(event: EventType) -> Callable[..., Awaitable[Response]]:
    model = envelope_model(event)

    async def receive(**_: object) -> Response:  # documentation only: never called
        return Response(status_code=204)

    params = [inspect.Parameter("body", inspect.Parameter.KEYWORD_ONLY, annotation=Annotated[model, Body()])]
    params += [
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[str, Header(alias=alias, description=text)],
        )
        for name, (alias, text) in _HEADERS.items()
    ]
    receive.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    receive.__name__ = model.__name__
    return receive


def _operation_id(name: str) -> str:
    head, *rest = name.replace(".", "_").split("_")
    return "on" + head.capitalize() + "".join(part.capitalize() for part in rest)


@cache
def _webhook_routes() -> APIRouter:
    """Built once per process: the routes are documentation only, and building their request models
    (one Pydantic envelope per event type) took most of create_app()'s time (0.4 s of 0.6 s per app,
    paid by every test that builds one)."""
    router = APIRouter()
    for event in CATALOGUE.values():
        router.add_api_route(
            event.name,
            _receiver(event),
            methods=["POST"],
            operation_id=_operation_id(event.name),
            summary=event.name,
            description=f"{event.description}\n\n{DESCRIPTION}",
            tags=["webhooks"],
            status_code=200,
            responses=_RESPONSES,
        )
    return router


def register_webhooks(app: FastAPI) -> None:
    app.webhooks.routes.extend(_webhook_routes().routes)
