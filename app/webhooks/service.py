"""Webhook endpoints and deliveries: the one service REST and GraphQL both call.

Secrets: generated here, returned only by create and rotate, never written to the audit log. Every
change to an endpoint, every ping and every redelivery is audited; the worker's own acts (an endpoint
disabled for 410 or for failing for days) are audited as the system's.

Delivery timing (secret overlap, ping, redelivery) reads the database's `now()`, as the worker does
(app/webhooks/dispatch.py), not app.core.clock.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

# The one exception to the write path (tests/events/test_one_write_path.py): a webhook endpoint's own
# configuration and the worker's delivery bookkeeping are audited but are not domain events; an
# event about the endpoints would be delivered to the endpoints themselves.
from app.audit.service import record
from app.auth.principal import Principal
from app.core.concurrency import IfMatch, check_version
from app.core.config import Settings
from app.core.errors import NotFound, PreconditionFailed, field_problem
from app.core.ids import uuid7
from app.core.pagination import paginate
from app.core.visibility import get_visible
from app.core.writes import apply_changes
from app.webhooks import repository as repo
from app.webhooks import schemas, urls
from app.webhooks.catalogue import CATALOGUE, PING
from app.webhooks.dispatch import delivery_row, message_row
from app.webhooks.errors import UnknownEventType, WebhookUrlRefused
from app.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookMessage
from app.webhooks.signing import generate_secret

SUBJECT = "webhook_endpoint"


def list_event_types() -> list[schemas.WebhookEventType]:
    return [schemas.WebhookEventType(name=e.name, description=e.description) for e in CATALOGUE.values()]


def _check_event_types(event_types: list[str]) -> list[str]:
    unknown = [
        field_problem(
            f"body.event_types.{i}", "unknown_event_type", f"{name!r} is not an event type Verity sends"
        )
        for i, name in enumerate(event_types)
        if name not in CATALOGUE
    ]
    if unknown:
        raise UnknownEventType(
            "Subscribe only to event types in the catalogue (listWebhookEventTypes).", errors=unknown
        )
    return sorted(set(event_types))


async def _check_url(url: str, settings: Settings) -> str:
    try:
        await urls.check(url, settings)
    except urls.UrlRefused as exc:
        raise WebhookUrlRefused(
            f"Verity will not send webhooks to this URL: {exc.message}.",
            errors=[field_problem("body.url", exc.code, exc.message)],
        ) from exc
    return url.strip()


def _snapshot(endpoint: WebhookEndpoint) -> dict[str, Any]:
    # The public view: never the secrets.
    return schemas.WebhookEndpoint.model_validate(endpoint).model_dump(mode="json")


async def create_endpoint(
    session: AsyncSession, p: Principal, settings: Settings, data: schemas.WebhookEndpointCreate
) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(
        id=uuid7(),
        centre_id=p.centre_id,
        url=await _check_url(data.url, settings),
        description=data.description,
        event_types=_check_event_types(data.event_types),
        enabled=data.enabled,
        secret=generate_secret(),
    )
    session.add(endpoint)
    await session.flush()
    await record(session, p, f"{SUBJECT}.created", SUBJECT, endpoint.id, after=_snapshot(endpoint))
    return endpoint


async def get_endpoint(session: AsyncSession, p: Principal, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    return await get_visible(session, repo.endpoints(p), WebhookEndpoint, endpoint_id, "webhook endpoint")


async def list_endpoints(
    session: AsyncSession, p: Principal, limit: int, cursor: str | None
) -> tuple[list[WebhookEndpoint], str | None]:
    return await paginate(session, repo.endpoints(p), WebhookEndpoint.id, limit, cursor)


async def _save(
    session: AsyncSession, p: Principal, endpoint: WebhookEndpoint, action: str, before: dict[str, Any]
) -> WebhookEndpoint:
    try:
        await session.flush()
    except StaleDataError as exc:  # the worker (or another user) changed it between our read and write
        raise PreconditionFailed("The endpoint changed while you were updating it; read it again.") from exc
    await record(session, p, action, SUBJECT, endpoint.id, before=before, after=_snapshot(endpoint))
    return endpoint


async def update_endpoint(
    session: AsyncSession,
    p: Principal,
    settings: Settings,
    endpoint_id: uuid.UUID,
    data: schemas.WebhookEndpointUpdate,
    expected_version: int | IfMatch,
) -> WebhookEndpoint:
    changes = data.model_dump(exclude_unset=True)
    endpoint = await get_endpoint(session, p, endpoint_id)
    check_version(endpoint.version, expected_version)
    for name in ("description", "event_types", "enabled"):
        if name in changes and changes[name] is None:
            changes.pop(name)
    if changes.get("url") is not None and changes["url"] != endpoint.url:
        changes["url"] = await _check_url(changes["url"], settings)
    else:
        changes.pop("url", None)
    if "event_types" in changes:
        changes["event_types"] = _check_event_types(changes["event_types"])
    if changes.get("enabled") and not endpoint.enabled:
        # Re-enabling is the owner's answer to a disabled endpoint: the reason and the failure run go.
        changes.update(disabled_reason=None, disabled_at=None, failing_since=None)
    before = _snapshot(endpoint)
    if not apply_changes(endpoint, changes):
        return endpoint
    return await _save(session, p, endpoint, f"{SUBJECT}.updated", before)


async def rotate_secret(
    session: AsyncSession,
    p: Principal,
    settings: Settings,
    endpoint_id: uuid.UUID,
    overlap_seconds: int | None = None,
) -> WebhookEndpoint:
    """A new secret signs from now on; the old one keeps signing beside it for the overlap."""
    endpoint = await get_endpoint(session, p, endpoint_id)
    overlap = settings.webhooks_secret_overlap_seconds if overlap_seconds is None else overlap_seconds
    before = _snapshot(endpoint)
    now = (await session.execute(select(func.now()))).scalar_one()
    endpoint.previous_secret = endpoint.secret if overlap > 0 else None
    endpoint.previous_secret_expires_at = now + dt.timedelta(seconds=overlap) if overlap > 0 else None
    endpoint.secret = generate_secret()
    return await _save(session, p, endpoint, f"{SUBJECT}.secret_rotated", before)


async def ping_endpoint(session: AsyncSession, p: Principal, endpoint_id: uuid.UUID) -> WebhookDelivery:
    """Queue a `webhook.ping` to this endpoint alone (even a disabled one, to test a fix before enabling)."""
    endpoint = await get_endpoint(session, p, endpoint_id)
    now = (await session.execute(select(func.now()))).scalar_one()
    message = message_row(
        uuid7(), p.centre_id, PING, now, {"endpoint_id": str(endpoint.id), "message": "ping"}
    )
    await session.execute(pg_insert(WebhookMessage).values(message))
    row = delivery_row(p.centre_id, endpoint.id, message["id"], PING)
    delivery = (
        await session.execute(pg_insert(WebhookDelivery).values(row).returning(WebhookDelivery))
    ).scalar_one()
    await record(
        session, p, f"{SUBJECT}.pinged", SUBJECT, endpoint.id, after={"delivery_id": str(delivery.id)}
    )
    return delivery


async def list_deliveries(
    session: AsyncSession,
    p: Principal,
    endpoint_id: uuid.UUID,
    limit: int,
    cursor: str | None,
    status: str | None = None,
    event_type: str | None = None,
) -> tuple[list[WebhookDelivery], str | None]:
    await get_endpoint(session, p, endpoint_id)  # 404 for another centre's endpoint
    stmt = repo.deliveries(p, endpoint_id, status, event_type)
    return await paginate(session, stmt, WebhookDelivery.id, limit, cursor)


async def _delivery(session: AsyncSession, p: Principal, delivery_id: uuid.UUID) -> WebhookDelivery:
    return await get_visible(session, repo.deliveries(p), WebhookDelivery, delivery_id, "webhook delivery")


async def get_delivery(
    session: AsyncSession, p: Principal, delivery_id: uuid.UUID
) -> schemas.WebhookDeliveryDetail:
    delivery = await _delivery(session, p, delivery_id)
    body = (await session.execute(repo.message_body(p, delivery.message_id))).scalar_one()
    attempts = (await session.scalars(repo.latest_attempts(p, delivery.id))).all()
    return schemas.WebhookDeliveryDetail(
        **schemas.WebhookDelivery.model_validate(delivery).model_dump(),
        payload=json.loads(body),
        attempts=[schemas.WebhookAttempt.model_validate(a) for a in attempts],
    )


async def redeliver(session: AsyncSession, p: Principal, delivery_id: uuid.UUID) -> WebhookDelivery:
    """Send the same message again (same webhook-id, same bytes), now, with a fresh retry window.

    A lease held by a worker is dropped, so its late result is recorded as an attempt but no longer
    decides the delivery's state.
    """
    await _delivery(session, p, delivery_id)
    now = func.now()
    stmt = (
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.centre_id == p.centre_id)
        .values(
            status="pending",
            retry_count=0,
            window_started_at=now,
            next_attempt_at=now,
            locked_until=None,
            lease_token=None,
            updated_at=now,
        )
        .returning(WebhookDelivery)
        .execution_options(synchronize_session="fetch")
    )
    delivery = (await session.execute(stmt)).scalar_one_or_none()
    if delivery is None:
        raise NotFound(f"No webhook delivery with id {delivery_id}.")
    await session.refresh(delivery)
    await record(
        session,
        p,
        "webhook_delivery.redelivered",
        "webhook_delivery",
        delivery.id,
        after={"endpoint_id": str(delivery.endpoint_id), "event_id": str(delivery.message_id)},
    )
    return delivery
