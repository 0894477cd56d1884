"""REST for webhook endpoints and deliveries: thin endpoints over app.webhooks.service."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query, Request, Response

from app.auth.dependencies import require
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.core.concurrency import IfMatchHeader, set_etag
from app.core.config import Settings
from app.core.db import Session
from app.core.idempotent import idempotent
from app.core.pagination import Cursor, Limit, Page
from app.core.routing import DomainRouter
from app.webhooks import schemas, service

router = DomainRouter(prefix="/v1", tags=["webhooks"])
WebhooksManage = Annotated[Principal, Depends(require(Scope.webhooks_manage))]


def _settings(request: Request) -> Settings:
    return request.app.state.settings


AppSettings = Annotated[Settings, Depends(_settings)]


@router.get(
    "/webhook-event-types",
    operation_id="listWebhookEventTypes",
    response_model=list[schemas.WebhookEventType],
)
async def list_event_types(p: WebhooksManage):
    """The event types an endpoint may subscribe to; each body is described in the `webhooks` section."""
    return service.list_event_types()


@router.get(
    "/webhook-endpoints", operation_id="listWebhookEndpoints", response_model=Page[schemas.WebhookEndpoint]
)
async def list_endpoints(session: Session, p: WebhooksManage, limit: Limit = 50, cursor: Cursor = None):
    items, next_cursor = await service.list_endpoints(session, p, limit, cursor)
    return Page[schemas.WebhookEndpoint](items=items, next_cursor=next_cursor)


@router.post(
    "/webhook-endpoints",
    operation_id="createWebhookEndpoint",
    status_code=201,
    response_model=schemas.WebhookEndpointWithSecret,
)
@idempotent
async def create_endpoint(
    body: schemas.WebhookEndpointCreate,
    session: Session,
    p: WebhooksManage,
    settings: AppSettings,
    response: Response,
):
    """Register an endpoint. The response carries the signing secret: it is never shown again."""
    endpoint = await service.create_endpoint(session, p, settings, body)
    set_etag(response, endpoint.version)
    response.headers["Cache-Control"] = "no-store"
    return endpoint


@router.get(
    "/webhook-endpoints/{endpoint_id}",
    operation_id="getWebhookEndpoint",
    response_model=schemas.WebhookEndpoint,
)
async def get_endpoint(endpoint_id: uuid.UUID, session: Session, p: WebhooksManage, response: Response):
    endpoint = await service.get_endpoint(session, p, endpoint_id)
    set_etag(response, endpoint.version)
    return endpoint


@router.patch(
    "/webhook-endpoints/{endpoint_id}",
    operation_id="updateWebhookEndpoint",
    response_model=schemas.WebhookEndpoint,
)
async def update_endpoint(
    endpoint_id: uuid.UUID,
    body: schemas.WebhookEndpointUpdate,
    session: Session,
    p: WebhooksManage,
    settings: AppSettings,
    version: IfMatchHeader,
    response: Response,
):
    """Change the URL, description, subscriptions or enabled flag. `enabled: true` re-enables a disabled one."""
    endpoint = await service.update_endpoint(session, p, settings, endpoint_id, body, version)
    set_etag(response, endpoint.version)
    return endpoint


@router.post(
    "/webhook-endpoints/{endpoint_id}/rotate-secret",
    operation_id="rotateWebhookEndpointSecret",
    response_model=schemas.WebhookEndpointWithSecret,
)
async def rotate_secret(
    endpoint_id: uuid.UUID,
    session: Session,
    p: WebhooksManage,
    settings: AppSettings,
    response: Response,
    body: schemas.SecretRotation | None = None,
):
    """A new secret; the old one keeps signing beside it until `previous_secret_expires_at`."""
    endpoint = await service.rotate_secret(
        session, p, settings, endpoint_id, body.overlap_seconds if body else None
    )
    set_etag(response, endpoint.version)
    response.headers["Cache-Control"] = "no-store"
    return endpoint


@router.post(
    "/webhook-endpoints/{endpoint_id}/ping",
    operation_id="pingWebhookEndpoint",
    status_code=202,
    response_model=schemas.WebhookDelivery,
)
async def ping_endpoint(endpoint_id: uuid.UUID, session: Session, p: WebhooksManage):
    """Queue a `webhook.ping` to this endpoint; follow the returned delivery to see the answer."""
    return await service.ping_endpoint(session, p, endpoint_id)


@router.get(
    "/webhook-endpoints/{endpoint_id}/deliveries",
    operation_id="listWebhookDeliveries",
    response_model=Page[schemas.WebhookDelivery],
)
async def list_deliveries(
    endpoint_id: uuid.UUID,
    session: Session,
    p: WebhooksManage,
    limit: Limit = 50,
    cursor: Cursor = None,
    status: schemas.DeliveryStatus | None = None,
    event_type: Annotated[str | None, Query(max_length=100)] = None,
):
    """The endpoint's deliveries, oldest first."""
    items, next_cursor = await service.list_deliveries(
        session, p, endpoint_id, limit, cursor, status.value if status else None, event_type
    )
    return Page[schemas.WebhookDelivery](items=items, next_cursor=next_cursor)


@router.get(
    "/webhook-deliveries/{delivery_id}",
    operation_id="getWebhookDelivery",
    response_model=schemas.WebhookDeliveryDetail,
)
async def get_delivery(delivery_id: uuid.UUID, session: Session, p: WebhooksManage):
    """One delivery with the body sent and its latest attempts."""
    return await service.get_delivery(session, p, delivery_id)


@router.post(
    "/webhook-deliveries/{delivery_id}/redeliver",
    operation_id="redeliverWebhookDelivery",
    status_code=202,
    response_model=schemas.WebhookDelivery,
)
async def redeliver(delivery_id: uuid.UUID, session: Session, p: WebhooksManage):
    """Send it again now: the same `webhook-id` and bytes, freshly signed, with a new retry window."""
    return await service.redeliver(session, p, delivery_id)
