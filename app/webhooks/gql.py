"""GraphQL for webhook endpoints and deliveries: the same service functions as REST."""

from __future__ import annotations

import uuid

import strawberry
from strawberry.experimental.pydantic import type as pyd_type
from strawberry.scalars import JSON
from strawberry.types import Info

from app.api.gql_context import Context, input_fields, to_model
from app.api.gql_pagination import After, Connection, First, paged
from app.auth.scopes import Scope
from app.core.config import Settings
from app.webhooks import schemas, service

Ctx = Info[Context, None]
strawberry.enum(schemas.DeliveryStatus, name="WebhookDeliveryStatus")
DeliveryStatus = schemas.DeliveryStatus


@pyd_type(model=schemas.WebhookEventType, all_fields=True)
class WebhookEventType:
    pass


@pyd_type(model=schemas.WebhookEndpoint, all_fields=True)
class WebhookEndpoint:
    pass


@pyd_type(
    model=schemas.WebhookEndpointWithSecret,
    all_fields=True,
    description="Returned only by create and rotate: the secret is never shown again.",
)
class WebhookEndpointWithSecret:
    pass


@pyd_type(model=schemas.WebhookAttempt, all_fields=True)
class WebhookAttempt:
    pass


@pyd_type(model=schemas.WebhookDelivery, all_fields=True)
class WebhookDelivery:
    status: DeliveryStatus


@pyd_type(model=schemas.WebhookDeliveryDetail, all_fields=True)
class WebhookDeliveryDetail:
    status: DeliveryStatus
    payload: JSON
    attempts: list[WebhookAttempt]


@strawberry.input
class WebhookEndpointCreateInput:
    url: str
    event_types: list[str]
    description: str = ""
    enabled: bool = True


@strawberry.input(description="Omitted fields are left alone.")
class WebhookEndpointUpdateInput:
    url: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    event_types: list[str] | None = strawberry.UNSET
    enabled: bool | None = strawberry.UNSET


def _settings(info: Ctx) -> Settings:
    request = info.context.request
    if request is None:  # Strawberry's context allows none; ours always runs inside an HTTP request
        raise RuntimeError("a GraphQL resolver ran outside a request")
    return request.app.state.settings


def _endpoint(e: object) -> WebhookEndpoint:
    return WebhookEndpoint.from_pydantic(schemas.WebhookEndpoint.model_validate(e))


def _with_secret(e: object) -> WebhookEndpointWithSecret:
    return WebhookEndpointWithSecret.from_pydantic(schemas.WebhookEndpointWithSecret.model_validate(e))


def _delivery(d: object) -> WebhookDelivery:
    return WebhookDelivery.from_pydantic(schemas.WebhookDelivery.model_validate(d))


@strawberry.type
class WebhooksQuery:
    @strawberry.field(description="The event types an endpoint may subscribe to.")
    def webhook_event_types(self, info: Ctx) -> list[WebhookEventType]:
        info.context.require(Scope.webhooks_manage)
        return [WebhookEventType.from_pydantic(e) for e in service.list_event_types()]

    @strawberry.field
    async def webhook_endpoints(
        self, info: Ctx, first: First = 50, after: After = None
    ) -> Connection[WebhookEndpoint]:
        p = info.context.require(Scope.webhooks_manage)
        return await paged(
            lambda limit, cursor: info.context.read(service.list_endpoints, p, limit, cursor),
            first,
            after,
            lambda i: _endpoint(i),
        )

    @strawberry.field
    async def webhook_endpoint(self, info: Ctx, id: uuid.UUID) -> WebhookEndpoint:
        p = info.context.require(Scope.webhooks_manage)
        return _endpoint(await info.context.read(service.get_endpoint, p, id))

    @strawberry.field(description="An endpoint's deliveries, oldest first.")
    async def webhook_deliveries(
        self,
        info: Ctx,
        endpoint_id: uuid.UUID,
        first: First = 50,
        after: After = None,
        status: DeliveryStatus | None = None,
        event_type: str | None = None,
    ) -> Connection[WebhookDelivery]:
        p = info.context.require(Scope.webhooks_manage)
        return await paged(
            lambda limit, cursor: info.context.read(
                service.list_deliveries,
                p,
                endpoint_id,
                limit,
                cursor,
                status.value if status else None,
                event_type,
            ),
            first,
            after,
            lambda i: _delivery(i),
        )

    @strawberry.field(description="One delivery with the body sent and its latest attempts.")
    async def webhook_delivery(self, info: Ctx, id: uuid.UUID) -> WebhookDeliveryDetail:
        p = info.context.require(Scope.webhooks_manage)
        return WebhookDeliveryDetail.from_pydantic(await info.context.read(service.get_delivery, p, id))


@strawberry.type
class WebhooksMutation:
    @strawberry.mutation(description="The response carries the signing secret: it is never shown again.")
    async def create_webhook_endpoint(
        self, info: Ctx, input: WebhookEndpointCreateInput
    ) -> WebhookEndpointWithSecret:
        p = info.context.require(Scope.webhooks_manage)
        data = to_model(schemas.WebhookEndpointCreate, input_fields(input))
        return _with_secret(await info.context.write(service.create_endpoint, p, _settings(info), data))

    @strawberry.mutation(description="`version` is the version last read (the REST ETag).")
    async def update_webhook_endpoint(
        self, info: Ctx, id: uuid.UUID, version: int, input: WebhookEndpointUpdateInput
    ) -> WebhookEndpoint:
        p = info.context.require(Scope.webhooks_manage)
        data = to_model(schemas.WebhookEndpointUpdate, input_fields(input))
        return _endpoint(
            await info.context.write(service.update_endpoint, p, _settings(info), id, data, version)
        )

    @strawberry.mutation(description="A new secret; the old one keeps signing until previousSecretExpiresAt.")
    async def rotate_webhook_endpoint_secret(
        self, info: Ctx, id: uuid.UUID, overlap_seconds: int | None = None
    ) -> WebhookEndpointWithSecret:
        p = info.context.require(Scope.webhooks_manage)
        data = to_model(schemas.SecretRotation, {"overlap_seconds": overlap_seconds})
        return _with_secret(
            await info.context.write(service.rotate_secret, p, _settings(info), id, data.overlap_seconds)
        )

    @strawberry.mutation(description="Queue a webhook.ping to this endpoint alone.")
    async def ping_webhook_endpoint(self, info: Ctx, id: uuid.UUID) -> WebhookDelivery:
        p = info.context.require(Scope.webhooks_manage)
        return _delivery(await info.context.write(service.ping_endpoint, p, id))

    @strawberry.mutation(description="Send a delivery again now: same webhook-id and body, new retry window.")
    async def redeliver_webhook_delivery(self, info: Ctx, id: uuid.UUID) -> WebhookDelivery:
        p = info.context.require(Scope.webhooks_manage)
        return _delivery(await info.context.write(service.redeliver, p, id))
