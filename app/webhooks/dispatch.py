"""The worker's statements: fan the outbox out, claim due deliveries, record each attempt, purge old rows.

Hot path (house rule 12): Core statements only, one short transaction each, set-based where it can be.
Crash safety comes from the transactions and the lease:
- fan-out locks a batch of outbox rows (FOR UPDATE SKIP LOCKED), writes the messages and deliveries and
  deletes those outbox rows in one transaction: a worker killed half-way leaves the outbox untouched;
- a claim sets `locked_until` (the lease) and a `lease_token` and commits before the HTTP request: a
  worker killed while sending leaves the lease to expire, and the delivery is claimed again;
- an attempt's result is applied only under the token that claimed it, so a late result from a worker
  whose lease ran out never overwrites a newer one (the attempt itself is still recorded).
Delivery is therefore at least once; receivers de-duplicate on `webhook-id`.

Timing (backoff, leases, windows, purge) reads the database's `now()`, not app.core.clock: it is the
one clock every worker process shares.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, delete, func, literal, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

# The one exception to the write path (tests/events/test_one_write_path.py): a webhook endpoint's own
# configuration and the worker's delivery bookkeeping are audited but are not domain events; an
# event about the endpoints would be delivered to the endpoints themselves.
from app.audit.service import SYSTEM_ROLE, Actor, record
from app.core.config import Settings
from app.core.ids import uuid7
from app.events.models import OutboxEvent
from app.webhooks.catalogue import CATALOGUE, PING, envelope
from app.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookMessage
from app.webhooks.sender import Outcome
from app.webhooks.signing import encode_body

D, E, M = WebhookDelivery, WebhookEndpoint, WebhookMessage
WORKER = "system:webhooks-worker"


def delivery_row(
    centre_id: uuid.UUID, endpoint_id: uuid.UUID, message_id: uuid.UUID, event_type: str, now: Any = None
) -> dict[str, Any]:
    now = now if now is not None else func.now()
    return {
        "id": uuid7(),
        "centre_id": centre_id,
        "endpoint_id": endpoint_id,
        "message_id": message_id,
        "event_type": event_type,
        "status": "pending",
        "attempt_count": 0,
        "retry_count": 0,
        "window_started_at": now,
        "next_attempt_at": now,
    }


def message_row(
    event_id: uuid.UUID, centre_id: uuid.UUID, event_type: str, occurred_at: dt.datetime, data: Any
) -> dict[str, Any]:
    body = encode_body(envelope(event_id, event_type, occurred_at, centre_id, data))
    return {
        "id": event_id,
        "centre_id": centre_id,
        "event_type": event_type,
        "occurred_at": occurred_at,
        "body": body,
    }


async def fan_out(conn: AsyncConnection, batch_size: int) -> int:
    """Turn up to `batch_size` committed outbox events into messages and deliveries. Returns events taken.

    Only committed events are visible here, so an event of a rolled-back transaction never exists for
    the worker. An endpoint receives the events of its centre that it subscribes to, that occurred
    after it was created, while it is enabled.
    """
    async with conn.begin():
        events = (
            await conn.execute(
                select(
                    OutboxEvent.id,
                    OutboxEvent.centre_id,
                    OutboxEvent.event_type,
                    OutboxEvent.payload,
                    OutboxEvent.occurred_at,
                    func.now().label("now"),
                )
                .order_by(OutboxEvent.occurred_at, OutboxEvent.id)
                .limit(batch_size)
                .with_for_update(skip_locked=True)
            )
        ).all()
        if not events:
            return 0
        centre_ids = {e.centre_id for e in events}
        endpoints = (
            await conn.execute(
                select(E.id, E.centre_id, E.event_types, E.created_at).where(
                    E.centre_id.in_(centre_ids), E.enabled.is_(True)
                )
            )
        ).all()
        by_centre: dict[uuid.UUID, list[Any]] = {}
        for endpoint in endpoints:
            by_centre.setdefault(endpoint.centre_id, []).append(endpoint)
        messages, deliveries = [], []
        for event in events:
            # A ping is addressed to one endpoint by the API, never fanned out.
            if event.event_type not in CATALOGUE or event.event_type == PING:
                continue
            targets = [
                ep
                for ep in by_centre.get(event.centre_id, ())
                if event.event_type in ep.event_types and ep.created_at <= event.occurred_at
            ]
            if not targets:
                continue
            messages.append(
                message_row(event.id, event.centre_id, event.event_type, event.occurred_at, event.payload)
            )
            deliveries += [
                delivery_row(event.centre_id, ep.id, event.id, event.event_type, event.now) for ep in targets
            ]
        if messages:
            await conn.execute(pg_insert(M).on_conflict_do_nothing(), messages)
            await conn.execute(pg_insert(D).on_conflict_do_nothing(), deliveries)
        await conn.execute(delete(OutboxEvent).where(OutboxEvent.id.in_([e.id for e in events])))
    return len(events)


@dataclass(frozen=True)
class Claimed:
    delivery_id: uuid.UUID
    centre_id: uuid.UUID
    endpoint_id: uuid.UUID
    message_id: uuid.UUID
    retry_count: int
    url: str
    secrets: list[str]
    body: bytes
    lease_token: uuid.UUID
    endpoint_failing: bool = True  # whether a success must clear the endpoint's failure run


async def claim(conn: AsyncConnection, limit: int, lease_seconds: float) -> list[Claimed]:
    """Lease up to `limit` due deliveries to this worker (committed before any request is sent)."""
    token = uuid.uuid4()
    now = func.now()
    due = (
        select(D.id)
        .join(E, E.id == D.endpoint_id)
        .where(
            D.status == "pending",
            D.next_attempt_at <= now,
            or_(D.locked_until.is_(None), D.locked_until <= now),
            # A ping may test an endpoint that is disabled; nothing else goes to one.
            or_(E.enabled.is_(True), D.event_type == PING),
        )
        .order_by(D.next_attempt_at)
        .limit(limit)
        .with_for_update(of=D, skip_locked=True)
        .cte("due")
    )
    previous_valid = case((E.previous_secret_expires_at > now, E.previous_secret), else_=None)
    stmt = (
        update(D)
        .where(D.id == due.c.id, E.id == D.endpoint_id, M.id == D.message_id)
        .values(locked_until=now + literal(dt.timedelta(seconds=lease_seconds)), lease_token=token)
        .returning(
            D.id,
            D.centre_id,
            D.endpoint_id,
            D.message_id,
            D.retry_count,
            E.url,
            E.secret,
            previous_valid.label("previous_secret"),
            M.body,
            E.failing_since.is_not(None).label("endpoint_failing"),
        )
    )
    async with conn.begin():
        rows = (await conn.execute(stmt)).all()
    return [
        Claimed(
            r.id,
            r.centre_id,
            r.endpoint_id,
            r.message_id,
            r.retry_count,
            r.url,
            [r.secret] + ([r.previous_secret] if r.previous_secret else []),
            r.body,
            token,
            r.endpoint_failing,
        )
        for r in rows
    ]


def backoff_seconds(retry_count: int, settings: Settings, retry_after: float | None = None) -> float:
    """Exponential backoff with ±25 % jitter; a receiver's Retry-After is honoured when it asks for longer."""
    delay = min(
        settings.webhooks_retry_base_seconds * (2 ** max(retry_count - 1, 0)),
        settings.webhooks_retry_max_delay_seconds,
    )
    delay *= random.uniform(0.75, 1.25)
    if retry_after is not None:
        delay = max(delay, min(retry_after, settings.webhooks_retry_max_delay_seconds))
    return delay


# One statement records a batch of attempts (always: they happened) and moves each delivery on, but only
# under the lease that claimed it. The wait before the next attempt is computed per row in Python
# (backoff, jitter, Retry-After); whether the retry window is over is decided here, on the database's clock.
_RECORD = text("""
WITH r AS (
  SELECT * FROM unnest(CAST(:ids AS uuid[]), CAST(:tokens AS uuid[]), CAST(:attempt_ids AS uuid[]),
                       CAST(:centre_ids AS uuid[]), CAST(:succeeded AS boolean[]), CAST(:gone AS boolean[]),
                       CAST(:status_codes AS integer[]), CAST(:latencies AS integer[]), CAST(:excerpts AS text[]),
                       CAST(:errors AS text[]), CAST(:waits AS float8[]))
    AS r(id, token, attempt_id, centre_id, succeeded, gone, status_code, latency_ms, excerpt, error, wait)
), attempts AS (
  INSERT INTO webhook_attempts (id, delivery_id, centre_id, attempted_at, succeeded, status_code, latency_ms,
                                response_excerpt, error)
  SELECT attempt_id, id, centre_id, now(), succeeded, status_code, latency_ms, excerpt, error FROM r
), decided AS (
  SELECT r.*, (NOT r.succeeded AND NOT r.gone
               AND now() + make_interval(secs => r.wait) <= d.window_started_at + make_interval(secs => :window))
              AS retry
  FROM r JOIN webhook_deliveries d ON d.id = r.id
)
UPDATE webhook_deliveries d SET
  status = CASE WHEN x.succeeded THEN 'succeeded' WHEN x.retry THEN 'pending' ELSE 'failed' END,
  next_attempt_at = CASE WHEN x.retry THEN now() + make_interval(secs => x.wait) END,
  succeeded_at = CASE WHEN x.succeeded THEN now() ELSE d.succeeded_at END,
  attempt_count = d.attempt_count + 1, retry_count = d.retry_count + 1, last_attempt_at = now(),
  last_status_code = x.status_code, last_error = x.error, locked_until = NULL, lease_token = NULL,
  updated_at = now()
FROM decided x
WHERE d.id = x.id AND d.lease_token = x.token
RETURNING d.id, d.status
""")


async def record_outcomes(
    conn: AsyncConnection, results: list[tuple[Claimed, Outcome]], settings: Settings
) -> list[str | None]:
    """Record attempts, in one transaction; return each delivery's new status (None: its lease was lost)."""
    if not results:
        return []
    params: dict[str, list] = {
        k: []
        for k in (
            "ids",
            "tokens",
            "attempt_ids",
            "centre_ids",
            "succeeded",
            "gone",
            "status_codes",
            "latencies",
            "excerpts",
            "errors",
            "waits",
        )
    }
    for claimed, outcome in results:
        wait = (
            0.0
            if outcome.succeeded or outcome.gone
            else backoff_seconds(claimed.retry_count + 1, settings, outcome.retry_after)
        )
        for key, value in (
            ("ids", claimed.delivery_id),
            ("tokens", claimed.lease_token),
            ("attempt_ids", uuid7()),
            ("centre_ids", claimed.centre_id),
            ("succeeded", outcome.succeeded),
            ("gone", outcome.gone),
            ("status_codes", outcome.status_code),
            ("latencies", outcome.latency_ms),
            ("excerpts", outcome.response_excerpt),
            ("errors", outcome.error),
            ("waits", wait),
        ):
            params[key].append(value)
    async with conn.begin():
        rows = (
            await conn.execute(_RECORD, {**params, "window": settings.webhooks_retry_window_seconds})
        ).all()
        statuses = {row.id: row.status for row in rows}
        recorded = [(c, o) for c, o in results if c.delivery_id in statuses]
        # The endpoint's health: a success ends its run of failures; a failure starts one (or, when the
        # run has lasted too long, disables it); 410 Gone disables it at once.
        succeeded = {c.endpoint_id for c, o in recorded if o.succeeded}
        healed = {c.endpoint_id for c, o in recorded if o.succeeded and c.endpoint_failing}
        if healed:
            await conn.execute(
                update(E).where(E.id.in_(healed), E.failing_since.is_not(None)).values(failing_since=None)
            )
        gone = {c.endpoint_id: c.centre_id for c, o in recorded if o.gone}
        for endpoint_id, centre_id in gone.items():
            await _disable(
                conn,
                centre_id,
                endpoint_id,
                "The receiver answered 410 Gone: it no longer wants these events.",
            )
        failed = {
            c.endpoint_id: (c.centre_id, o.error)
            for c, o in recorded
            if not o.succeeded and not o.gone and c.endpoint_id not in succeeded
        }
        if failed:
            now = func.now()
            limit = literal(dt.timedelta(seconds=settings.webhooks_disable_after_seconds))
            runs = (
                await conn.execute(
                    update(E)
                    .where(E.id.in_(failed))
                    .values(failing_since=func.coalesce(E.failing_since, now))
                    .returning(E.id, E.failing_since, (E.failing_since < now - limit).label("too_long"))
                )
            ).all()
            days = settings.webhooks_disable_after_seconds / 86400
            for run in runs:
                if run.too_long:
                    centre_id, error = failed[run.id]
                    await _disable(
                        conn,
                        centre_id,
                        run.id,
                        f"Every attempt has failed since {run.failing_since:%Y-%m-%d %H:%M} UTC "
                        f"(over {days:g} days); last error: {error}"[:500],
                    )
    return [statuses.get(c.delivery_id) for c, _ in results]


async def record_outcome(
    conn: AsyncConnection, claimed: Claimed, outcome: Outcome, settings: Settings
) -> str | None:
    return (await record_outcomes(conn, [(claimed, outcome)], settings))[0]


async def _disable(conn: AsyncConnection, centre_id: uuid.UUID, endpoint_id: uuid.UUID, reason: str) -> None:
    """Disable the endpoint, say why (shown to its owner), and audit it as the system's act."""
    disabled = (
        await conn.execute(
            update(E)
            .where(E.id == endpoint_id, E.enabled.is_(True))
            .values(
                enabled=False,
                disabled_reason=reason,
                disabled_at=func.now(),
                version=E.version + 1,
                updated_at=func.now(),
            )
            .returning(E.id)
        )
    ).scalar_one_or_none()
    if disabled is not None:
        await record(
            conn,
            Actor(WORKER, SYSTEM_ROLE, centre_id),
            "webhook_endpoint.disabled",
            "webhook_endpoint",
            endpoint_id,
            before={"enabled": True},
            after={"enabled": False, "disabled_reason": reason},
        )


def _uuid7_floor(when: dt.datetime) -> uuid.UUID:
    return uuid.UUID(int=(int(when.timestamp() * 1000) & ((1 << 48) - 1)) << 80)


async def purge(conn: AsyncConnection, retention_days: int, batch: int = 1000) -> int:
    """Delete finished deliveries older than the retention, their attempts, and messages left without any."""
    cutoff = func.now() - literal(dt.timedelta(days=retention_days))
    # Ids are UUIDv7: every delivery created before the cutoff has a smaller id, so the primary key's
    # index bounds the scan.
    id_bound = _uuid7_floor(dt.datetime.now(dt.UTC) - dt.timedelta(days=retention_days))
    async with conn.begin():
        ids = list(
            (
                await conn.execute(
                    select(D.id)
                    .where(D.id < id_bound, D.status != "pending", D.updated_at < cutoff)
                    .limit(batch)
                    .with_for_update(skip_locked=True)
                )
            ).scalars()
        )
        if not ids:
            return 0
        await conn.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(ids)))
        message_ids = set(
            (await conn.execute(delete(D).where(D.id.in_(ids)).returning(D.message_id))).scalars()
        )
        orphan = and_(M.id.in_(message_ids), ~select(D.id).where(D.message_id == M.id).exists())
        await conn.execute(delete(M).where(orphan))
    return len(ids)
