"""`verity worker`: fan the outbox out and deliver due webhooks, until told to stop.

Run any number of these, anywhere: they share the work through `FOR UPDATE SKIP LOCKED` and hold no
state of their own. SIGTERM/SIGINT stop claiming and let the attempts in flight finish; SIGKILL loses
nothing either (see app/webhooks/dispatch.py), it only delays the deliveries it had leased.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from app.appeals.worklist import mark_overdue
from app.core import heap
from app.core.config import Settings
from app.core.db import make_engine, make_sessionmaker, resolve_urls
from app.core.idempotency import purge_expired
from app.records.service import checkpoint_centres, run_retention
from app.records.signing import SigningKeyMissing
from app.webhooks import dispatch
from app.webhooks.client import Client
from app.webhooks.sender import Outcome, make_client, send

log = logging.getLogger("verity.webhooks.worker")
PURGE_EVERY_SECONDS = 600.0


@dataclass
class WorkerStats:
    events: int = 0  # outbox events fanned out
    attempts: int = 0
    succeeded: int = 0
    lease_lost: int = 0


async def _attempt(
    client: Client,
    settings: Settings,
    claimed: dispatch.Claimed,
    results: list[tuple[dispatch.Claimed, Outcome]],
) -> None:
    outcome = await send(
        client, settings, claimed.url, str(claimed.message_id), claimed.body, claimed.secrets
    )
    if not outcome.succeeded:
        log.info("delivery %s to %s failed: %s", claimed.delivery_id, claimed.url, outcome.error)
    results.append((claimed, outcome))


async def _record(
    engine: AsyncEngine,
    settings: Settings,
    results: list[tuple[dispatch.Claimed, Outcome]],
    stats: WorkerStats,
) -> None:
    """Record the finished attempts in one transaction. If the database is away they are dropped: their
    leases expire and the deliveries are attempted again (at least once, never lost)."""
    batch = results[:]
    results.clear()
    try:
        async with engine.connect() as conn:
            statuses = await dispatch.record_outcomes(conn, batch, settings)
    except Exception:
        log.exception(
            "could not record %d attempts; they will be retried when their leases expire", len(batch)
        )
        return
    _count(stats, batch, statuses)


def _count(
    stats: WorkerStats, batch: list[tuple[dispatch.Claimed, Outcome]], statuses: list[str | None]
) -> None:
    stats.attempts += len(batch)
    stats.succeeded += sum(o.succeeded for _, o in batch)
    stats.lease_lost += sum(s is None for s in statuses)


async def _anchor(engine: AsyncEngine, settings: Settings) -> None:
    """R-96: checkpoint every chain that moved (app/records/checkpoints.py). A missing key is logged,
    not retried in a tight loop: deliveries go on."""
    try:
        await checkpoint_centres(make_sessionmaker(engine), settings)
    except SigningKeyMissing as exc:
        log.error("audit checkpoints not written: %s", exc)


async def mark_overdue_appeals(conn: AsyncConnection) -> int:
    """R-61: the scheduled pass that fires `appeal.stage_overdue` (idempotent; app/appeals/worklist.py)."""
    async with AsyncSession(bind=conn, expire_on_commit=False) as session, session.begin():
        return await mark_overdue(session)


async def run_worker(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    concurrency: int | None = None,
    engine: AsyncEngine | None = None,
) -> WorkerStats:
    """Loop until `stop` is set; then finish the attempts in flight and return what was done."""
    concurrency = concurrency or settings.webhooks_concurrency
    stop = stop or asyncio.Event()
    own_engine = engine is None
    if engine is None:
        urls = resolve_urls(settings)
        engine = make_engine(urls.app, role=urls.app_role, pool_size=concurrency + 2)
    client = make_client(settings, concurrency)
    stats = WorkerStats()
    in_flight: set[asyncio.Task] = set()
    results: list[tuple[dispatch.Claimed, Outcome]] = []
    stopping = asyncio.ensure_future(stop.wait())
    last_purge, last_fan_out, failures = 0.0, 0.0, 0
    last_checkpoint, last_retention = 0.0, 0.0
    taken = 0
    # Claims that found less than asked (`starved`) wait for this many finished attempts.
    batch_after_starved = max(1, min(settings.webhooks_endpoint_concurrency, concurrency) // 2)
    starved, last_claim = False, 0.0
    try:
        while not stop.is_set():
            free = concurrency - len(in_flight)
            # Fan out again at once while the outbox has more; otherwise look once per poll interval.
            fan_out_due = (
                taken == settings.webhooks_batch_size
                or time.monotonic() - last_fan_out >= settings.webhooks_poll_interval_seconds
            )
            # A round (record the finished attempts, claim the next batch: one transaction) when a
            # quarter of the slots are free, or when idle. After a claim that found less than it asked
            # for (the endpoints with work are at their limit), wait until a few attempts have finished
            # or the poll interval has passed: each round is a commit.
            claim_due = (free >= max(1, concurrency // 4) or (free and not in_flight)) and (
                not starved
                or len(results) >= batch_after_starved
                or not in_flight
                or time.monotonic() - last_claim >= settings.webhooks_poll_interval_seconds
            )
            purge_due = time.monotonic() - last_purge > PURGE_EVERY_SECONDS
            claimed: list[dispatch.Claimed] = []
            try:
                if fan_out_due or claim_due or purge_due:
                    async with engine.connect() as conn:
                        if fan_out_due:
                            last_fan_out = time.monotonic()
                            taken = await dispatch.fan_out(conn, settings.webhooks_batch_size)
                            stats.events += taken
                        if claim_due:
                            asked, last_claim = free, time.monotonic()
                            batch = results[:]
                            results.clear()  # if the round fails, their leases expire: retried
                            statuses, claimed = await dispatch.record_and_claim(
                                conn,
                                batch,
                                settings,
                                free,
                                settings.webhooks_lease_seconds,
                                min(settings.webhooks_endpoint_concurrency, concurrency),
                            )
                            _count(stats, batch, statuses)
                            starved = len(claimed) < asked
                        if purge_due:
                            last_purge = time.monotonic()
                            await dispatch.purge(conn, settings.webhooks_retention_days)
                            async with conn.begin():
                                await purge_expired(conn)  # the worker is the service's scheduler
                            await mark_overdue_appeals(conn)
                if time.monotonic() - last_checkpoint >= settings.audit_checkpoint_interval_seconds:
                    last_checkpoint = time.monotonic()
                    await _anchor(engine, settings)
                if time.monotonic() - last_retention >= settings.retention_interval_seconds:
                    # records whose period has run go (app/records/retention.py).
                    last_retention = time.monotonic()
                    await run_retention(make_sessionmaker(engine), settings, dry_run=False)
                failures = 0
            except Exception:
                failures += 1
                log.exception("worker loop failed (%d in a row); retrying", failures)
                await asyncio.wait({stopping}, timeout=min(30.0, 0.5 * 2**failures))
                continue
            for c in claimed:
                task = asyncio.create_task(_attempt(client, settings, c, results))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
            more = taken == settings.webhooks_batch_size or (claim_due and len(claimed) == free)
            if not more or len(in_flight) >= concurrency:
                # Wait for a free slot, the next poll, or the signal to stop.
                await asyncio.wait(
                    in_flight | {stopping},
                    timeout=settings.webhooks_poll_interval_seconds,
                    return_when=asyncio.FIRST_COMPLETED,
                )
        if in_flight:
            await asyncio.wait(in_flight)
        await _record(engine, settings, results, stats)
    finally:
        stopping.cancel()
        await client.aclose()
        if own_engine:
            await engine.dispose()
    return stats


def main(settings: Settings, concurrency: int | None = None) -> None:
    """The CLI entry point: log to stderr, stop gracefully on SIGTERM and SIGINT."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    async def run() -> WorkerStats:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        log.info("webhook worker started (concurrency %d)", concurrency or settings.webhooks_concurrency)
        return await run_worker(settings, stop=stop, concurrency=concurrency)

    heap.settle()  # what start-up built, frozen before the first claim (app/core/heap.py)
    stats = asyncio.run(run())
    log.info(
        "webhook worker stopped: %d events fanned out, %d attempts, %d succeeded",
        stats.events,
        stats.attempts,
        stats.succeeded,
    )
