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

from sqlalchemy import and_, delete, func, literal, select, text, update
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

    Events no endpoint wants (most centres subscribe to nothing) are deleted first, set-based, and the
    batch takes only events some endpoint wants: they never queue ahead of another centre's events.
    """
    subscribed = (
        select(E.id)
        .where(
            E.centre_id == OutboxEvent.centre_id,
            E.enabled.is_(True),
            OutboxEvent.event_type == E.event_types.any_(),
            E.created_at <= OutboxEvent.occurred_at,
        )
        .exists()
    )
    async with conn.begin():
        unwanted = (
            select(OutboxEvent.id).where(~subscribed).limit(batch_size * 10).with_for_update(skip_locked=True)
        )
        discarded = (await conn.execute(delete(OutboxEvent).where(OutboxEvent.id.in_(unwanted)))).rowcount
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
                .where(subscribed)
                .order_by(OutboxEvent.occurred_at, OutboxEvent.id)
                .limit(batch_size)
                .with_for_update(skip_locked=True)
            )
        ).all()
        if not events:
            return min(discarded, batch_size)
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
    # A full batch (or a full discard) tells the worker to fan out again at once.
    return max(len(events), min(discarded, batch_size))


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


# The fair claim. A slow or failing endpoint must not delay another's deliveries, so the claim works per
# endpoint: it visits each endpoint with pending deliveries (a skip scan of the pending index, one probe
# per such endpoint, not per delivery), takes at most `per_endpoint` of its due ones minus those already
# leased (by any worker), and fills the batch round-robin (every endpoint's first, then every second…).
# An endpoint that answers in 8 s therefore holds at most `per_endpoint` of the workers' slots.
_CLAIM = text("""
WITH RECURSIVE endpoints_pending(id) AS (
  (SELECT endpoint_id FROM webhook_deliveries WHERE status = 'pending' ORDER BY endpoint_id LIMIT 1)
  UNION ALL
  SELECT (SELECT d.endpoint_id FROM webhook_deliveries d
          WHERE d.status = 'pending' AND d.endpoint_id > p.id ORDER BY d.endpoint_id LIMIT 1)
  FROM endpoints_pending p WHERE p.id IS NOT NULL
), leased AS (
  SELECT endpoint_id, count(*) AS n FROM webhook_deliveries
  WHERE status = 'pending' AND locked_until IS NOT NULL AND locked_until > now()
  GROUP BY endpoint_id
), candidates AS (
  SELECT c.id, c.next_attempt_at, coalesce(l.n, 0) AS leased,
         row_number() OVER (PARTITION BY c.endpoint_id ORDER BY c.next_attempt_at, c.id) AS turn
  FROM endpoints_pending p
  JOIN webhook_endpoints e ON e.id = p.id
  CROSS JOIN LATERAL (
    SELECT d.id, d.endpoint_id, d.next_attempt_at FROM webhook_deliveries d
    WHERE d.endpoint_id = e.id AND d.status = 'pending' AND d.next_attempt_at <= now()
      AND (d.locked_until IS NULL OR d.locked_until <= now())
      -- A ping may test an endpoint that is disabled; nothing else goes to one.
      AND (e.enabled OR d.event_type = :ping)
    ORDER BY d.next_attempt_at LIMIT :per_endpoint
    FOR UPDATE OF d SKIP LOCKED
  ) c
  LEFT JOIN leased l ON l.endpoint_id = e.id
), due AS (
  SELECT id FROM candidates WHERE turn + leased <= :per_endpoint
  ORDER BY turn, next_attempt_at LIMIT :limit
)
UPDATE webhook_deliveries d
SET locked_until = now() + make_interval(secs => :lease_seconds), lease_token = :token
FROM due, webhook_endpoints e, webhook_messages m
WHERE d.id = due.id AND e.id = d.endpoint_id AND m.id = d.message_id
RETURNING d.id, d.centre_id, d.endpoint_id, d.message_id, d.retry_count, e.url, e.secret,
          CASE WHEN e.previous_secret_expires_at > now() THEN e.previous_secret END AS previous_secret,
          m.body, e.failing_since IS NOT NULL AS endpoint_failing
""")


async def claim(
    conn: AsyncConnection, limit: int, lease_seconds: float, per_endpoint: int | None = None
) -> list[Claimed]:
    """Lease up to `limit` due deliveries to this worker (committed before any request is sent), at most
    `per_endpoint` in flight to any one endpoint across all workers (default: no more than `limit`)."""
    token = uuid.uuid4()
    params = {
        "ping": PING,
        "per_endpoint": per_endpoint or limit,
        "limit": limit,
        "lease_seconds": lease_seconds,
        "token": token,
    }
    async with conn.begin():
        return await _claim_in(conn, token, params)


async def _claim_in(conn: AsyncConnection, token: uuid.UUID, params: dict[str, Any]) -> list[Claimed]:
    rows = (await conn.execute(_CLAIM, params)).all()
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
    async with conn.begin():
        return await _record_in(conn, results, settings)


async def record_and_claim(
    conn: AsyncConnection,
    results: list[tuple[Claimed, Outcome]],
    settings: Settings,
    limit: int,
    lease_seconds: float,
    per_endpoint: int | None = None,
) -> tuple[list[str | None], list[Claimed]]:
    """The worker's round trip (issue 18): record the finished attempts and lease the next batch in one
    transaction. The claim sees the leases the record has just released, so an endpoint at its limit
    gets its freed slots back in the same commit; one commit per round instead of two."""
    token = uuid.uuid4()
    params = {
        "ping": PING,
        "per_endpoint": per_endpoint or limit,
        "limit": limit,
        "lease_seconds": lease_seconds,
        "token": token,
    }
    async with conn.begin():
        statuses = await _record_in(conn, results, settings) if results else []
        claimed = await _claim_in(conn, token, params) if limit > 0 else []
    return statuses, claimed


async def _record_in(
    conn: AsyncConnection, results: list[tuple[Claimed, Outcome]], settings: Settings
) -> list[str | None]:
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
    rows = (await conn.execute(_RECORD, {**params, "window": settings.webhooks_retry_window_seconds})).all()
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
