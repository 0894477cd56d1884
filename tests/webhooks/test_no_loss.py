"""Proof of no loss: the real `verity worker`, killed with SIGKILL again and again, loses no committed event,
never sends one from a rolled-back transaction, and signs every request so Standard Webhooks verifies it.

Setup: a database of its own (committed data, not the rolled-back fixture), a real HTTP receiver on
127.0.0.1 that answers 503 to a few requests, over a thousand events written while the worker is started
and SIGKILLed at random points, then one last worker left to finish and stopped with SIGTERM.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import sys
import uuid
from collections import Counter
from pathlib import Path

import standardwebhooks
from sqlalchemy import text

from app.auth.principal import Principal
from app.auth.scopes import Role
from app.core.db import make_engine, make_sessionmaker
from app.learners import service as learners
from app.learners.schemas import LearnerCreate
from app.webhooks import service as webhooks
from app.webhooks.schemas import WebhookEndpointCreate
from tests.conftest import APP_ROLE, CENTRE_A, CENTRE_B, ROOT, migrate, recreate_database, system_actor
from tests.webhooks.conftest import DEV_WEBHOOKS
from tests.webhooks.outbox_rows import outbox_row
from tests.webhooks.receiver import Answer, Receiver

TRANSACTIONS = 240  # about 1,400 events, about 10 % of the transactions rolled back
KILLS = 6  # at least; the worker is killed for as long as events are being written
SEED = int(os.environ.get("WEBHOOKS_NO_LOSS_SEED", random.randrange(1 << 30)))


def _worker_command() -> list[str]:
    script = shutil.which("verity", path=str(Path(sys.executable).parent))
    return (
        [script, "worker"] if script else [sys.executable, "-c", "from app.cli import main; main()", "worker"]
    )


def _worker_env(url: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("VERITY_") and k not in ("DATABASE_URL", "MIGRATION_DATABASE_URL")
    }
    env.update(
        {
            "DATABASE_URL": url,
            "VERITY_DATABASE_ROLE": APP_ROLE,  # logs in as owner, works as the app role
            "VERITY_WEBHOOKS_ALLOW_HTTP": "true",
            "VERITY_WEBHOOKS_ALLOW_LOOPBACK": "true",
            "VERITY_WEBHOOKS_RETRY_BASE_SECONDS": "0.1",
            "VERITY_WEBHOOKS_RETRY_MAX_DELAY_SECONDS": "0.5",
            # A killed worker's leases come back after 2 s.
            "VERITY_WEBHOOKS_LEASE_SECONDS": "2",
            "VERITY_WEBHOOKS_TIMEOUT_SECONDS": "1.5",
            "VERITY_WEBHOOKS_POLL_INTERVAL_SECONDS": "0.05",
            "VERITY_WEBHOOKS_BATCH_SIZE": "100",
        }
    )
    return env


class Workers:
    def __init__(self, url: str, log: Path) -> None:
        self.env, self.log = _worker_env(url), log
        self.process: asyncio.subprocess.Process | None = None
        self.started = 0

    async def start(self) -> None:
        self.started += 1
        with self.log.open("ab") as out:
            self.process = await asyncio.create_subprocess_exec(
                *_worker_command(), cwd=str(ROOT), env=self.env, stdout=out, stderr=out
            )

    async def stop(self, sig: signal.Signals) -> int:
        assert self.process is not None
        self.process.send_signal(sig)
        return await self.process.wait()


async def _setup(url: str, receiver: Receiver) -> dict[str, dict]:
    engine = make_engine(url, role=APP_ROLE, pool_size=2)
    settings_ = __import__("app.core.config", fromlist=["Settings"]).Settings(**DEV_WEBHOOKS)
    from app.centres import service as centres
    from app.centres.schemas import CentreCreate

    hooks = {}
    try:
        async with make_sessionmaker(engine)() as session:
            for centre_id, number in ((CENTRE_A, "11111"), (CENTRE_B, "22222")):
                await centres.create_centre(
                    session,
                    system_actor(centre_id),
                    CentreCreate(centre_number=number, name=f"Centre {number}", nation="england_wales"),
                )
            for path, centre, types in (
                ("/hook", CENTRE_A, ["learner.created", "learner.updated"]),
                ("/second", CENTRE_A, ["learner.created"]),
                ("/b", CENTRE_B, ["learner.created"]),
            ):
                hoc = Principal.of("test-hoc", centre, frozenset({Role.hoc}))
                endpoint = await webhooks.create_endpoint(
                    session,
                    hoc,
                    settings_,
                    WebhookEndpointCreate(url=receiver.url.replace("/hook", path), event_types=types),
                )
                hooks[path] = {"secret": endpoint.secret, "centre": centre, "types": set(types)}
            await session.commit()
    finally:
        await engine.dispose()
    return hooks


async def _write(
    url: str, hooks: dict[str, dict], rng: random.Random, done: asyncio.Event
) -> tuple[set[tuple[str, str]], set[str], set[str]]:
    """Commit (or roll back) transactions of 1 to 11 events; return the expected (path, id) pairs."""
    engine = make_engine(url, role=APP_ROLE, pool_size=2)
    expected: set[tuple[str, str]] = set()
    committed: set[str] = set()
    rolled_back: set[str] = set()
    try:
        sessions = make_sessionmaker(engine)
        for n in range(TRANSACTIONS):
            async with sessions() as session:
                events: list[tuple[str, uuid.UUID, str]] = []
                for _ in range(rng.randint(1, 11)):
                    centre = rng.choice((CENTRE_A, CENTRE_B))
                    event_type = rng.choice(("learner.created", "learner.updated"))
                    event_id = await outbox_row(session, centre, event_type, {"n": n, "note": "Zoë"})
                    events.append((str(event_id), centre, event_type))
                if n % 25 == 0:  # now and then a real domain write, audited, with its own event
                    hoc = Principal.of("test-hoc", CENTRE_A, frozenset({Role.hoc}))
                    learner = await learners.create_learner(
                        session,
                        hoc,
                        LearnerCreate(
                            given_name="Amara", family_name=f"Bello{n}", date_of_birth="2008-03-14"
                        ),
                    )
                    event_id = (
                        await session.execute(
                            text("SELECT id FROM outbox WHERE payload->>'id' = :id"), {"id": str(learner.id)}
                        )
                    ).scalar_one()
                    events.append((str(event_id), CENTRE_A, "learner.created"))
                if rng.random() < 0.1:
                    await session.rollback()
                    rolled_back |= {e for e, _, _ in events}
                    continue
                await session.commit()
            for event_id, centre, event_type in events:
                committed.add(event_id)
                expected |= {
                    (path, event_id)
                    for path, h in hooks.items()
                    if h["centre"] == centre and event_type in h["types"]
                }
            await asyncio.sleep(rng.uniform(0, 0.05))
    finally:
        done.set()
        await engine.dispose()
    return expected, committed, rolled_back


async def _leased(owner) -> int:
    async with owner.connect() as conn:
        return (
            await conn.execute(text("SELECT count(*) FROM webhook_deliveries WHERE locked_until > now()"))
        ).scalar_one()


async def test_sigkilled_workers_lose_nothing_and_invent_nothing(server_url, worker_id_name, tmp_path):
    rng = random.Random(SEED)
    url = await recreate_database(server_url, f"verity_test_webhooks_noloss_{worker_id_name}")
    await asyncio.to_thread(migrate, url, "heads")
    answers = random.Random(SEED + 1)
    receiver = Receiver(
        answer=lambda _r, _n: Answer(503) if answers.random() < 0.03 else Answer(204), delay=0.03
    )
    receiver.start()
    workers = Workers(url, tmp_path / "worker.log")
    owner = make_engine(url, pool_size=1)
    try:
        hooks = await _setup(url, receiver)
        writing_done = asyncio.Event()
        writer = asyncio.create_task(_write(url, hooks, rng, writing_done))
        orphaned = 0

        # Kill the worker at random points while events are being written and delivered.
        while workers.started < KILLS or not writing_done.is_set():
            await workers.start()
            await asyncio.sleep(rng.uniform(0.8, 2.0))
            for _ in range(200):  # prefer a moment when it holds leases (a bound, not a timed assertion)
                if await _leased(owner):
                    break
                await asyncio.sleep(0.05)
            assert await workers.stop(signal.SIGKILL) == -signal.SIGKILL
            orphaned += await _leased(owner)  # what the dead worker held: it must come back by itself
        expected, committed, rolled_back = await writer
        assert len(committed) >= 1100 and rolled_back, (len(committed), len(rolled_back))

        # The last worker finishes the job; this loop only bounds a failing test, nothing is timed.
        await workers.start()
        for _ in range(3000):
            got = {(r.path, r.webhook_id) for r in receiver.snapshot()}
            async with owner.connect() as conn:
                unfinished = (
                    await conn.execute(
                        text(
                            "SELECT (SELECT count(*) FROM outbox) + "
                            "(SELECT count(*) FROM webhook_deliveries WHERE status <> 'succeeded')"
                        )
                    )
                ).scalar_one()
            if expected <= got and unfinished == 0:
                break
            await asyncio.sleep(0.05)
        assert await workers.stop(signal.SIGTERM) == 0, (tmp_path / "worker.log").read_text()[-3000:]
    finally:
        if workers.process and workers.process.returncode is None:
            workers.process.kill()
            await workers.process.wait()
        receiver.stop()
        await owner.dispose()

    # Verity knows it: nothing left in the outbox, every delivery recorded as succeeded (a lease that
    # never came back after a kill would leave one pending).
    assert unfinished == 0, f"{unfinished} events or deliveries unfinished (seed {SEED})"
    requests = receiver.snapshot()
    received = {(r.path, r.webhook_id) for r in requests}
    # Every committed event reached every endpoint that subscribed to it, at least once ...
    assert expected - received == set(), f"lost {len(expected - received)} deliveries (seed {SEED})"
    # ... nothing else was sent, and nothing from a rolled-back transaction ever was.
    assert received - expected == set(), f"unexpected deliveries (seed {SEED})"
    assert {i for _, i in received} & rolled_back == set()
    assert orphaned > 0, "no kill left a leased delivery behind: the test did not exercise the lease"
    # Every request verifies with the Standard Webhooks reference verifier, and says what it carries.
    for r in requests:
        payload = standardwebhooks.Webhook(hooks[r.path]["secret"]).verify(r.body, r.headers)
        assert payload["id"] == r.webhook_id and payload["centre_id"] == str(hooks[r.path]["centre"])
    # Retries and redeliveries after a kill repeat the same bytes under the same webhook-id.
    bodies: dict[tuple[str, str], bytes] = {}
    for r in requests:
        assert bodies.setdefault((r.path, r.webhook_id), r.body) == r.body
    duplicates = sum(n - 1 for n in Counter((r.path, r.webhook_id) for r in requests).values())
    print(
        f"seed {SEED}: {len(committed)} committed events, {len(rolled_back)} rolled back, "
        f"{len(expected)} deliveries, {len(requests)} requests ({duplicates} repeats), "
        f"{workers.started} worker processes, {orphaned} deliveries orphaned by kills"
    )
