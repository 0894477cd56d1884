"""Fair delivery (issue 18): a slow endpoint cannot delay another endpoint's deliveries, and events no
endpoint wants never queue ahead of the ones that some endpoint does.

Real HTTP to local receivers, the worker in-process on committed data. Nothing here asserts a duration:
the slow endpoint's first answer is the clock (every fast delivery arrives before it).
"""

from __future__ import annotations

import uuid

from app.webhooks import dispatch
from tests.conftest import CENTRE_A, CENTRE_B
from tests.webhooks.receiver import Receiver
from tests.webhooks.test_delivery import emit_events, endpoint, run_until

SLOW_SECONDS = 8.0


async def test_an_8_second_endpoint_does_not_delay_another_endpoints_deliveries(live, auth, receiver):
    slow = Receiver(delay=SLOW_SECONDS)
    slow.start()
    try:
        await endpoint(live, auth, slow.url, ["learner.created"], centre=CENTRE_A)
        await endpoint(live, auth, receiver.url, ["learner.created"], centre=CENTRE_B)
        # The slow centre's events are older: a claim in due order alone would give it every slot.
        await emit_events(live, 20, centre=CENTRE_A)
        fast_ids = await emit_events(live, 10, centre=CENTRE_B)
        settings = live.settings_with(
            webhooks_concurrency=8, webhooks_endpoint_concurrency=2, webhooks_timeout_seconds=SLOW_SECONDS + 5
        )
        await run_until(live, lambda: receiver.ids() >= set(fast_ids), settings=settings, limit=60)

        assert receiver.ids() == set(fast_ids)
        slow_requests = slow.snapshot()
        assert slow_requests, "the slow endpoint was attempted too"
        first_slow_answer = min(r.at for r in slow_requests) + SLOW_SECONDS
        assert max(r.at for r in receiver.snapshot()) < first_slow_answer
        # It held no more slots than its limit while the fast one was served.
        assert len(slow_requests) <= 2
    finally:
        slow.stop()


async def test_events_no_endpoint_wants_never_queue_ahead(live, auth, receiver):
    await endpoint(live, auth, receiver.url, ["learner.created"], centre=CENTRE_B)
    nobody = uuid.uuid4()  # a centre with no endpoint: its events are the oldest and the most
    await emit_events(live, 120, centre=nobody)
    await emit_events(live, 30, centre=CENTRE_A)  # a centre with no endpoint either
    wanted = await emit_events(live, 5, centre=CENTRE_B)
    async with live.engine.connect() as conn:
        await dispatch.fan_out(conn, batch_size=20)  # one batch, far smaller than the unwanted backlog
    rows = await live.sql("SELECT message_id FROM webhook_deliveries")
    assert {str(r.message_id) for r in rows} == set(wanted)
