"""One lock order for the whole service (docs/architecture.md, "Lock order"): rows first, the centre's
audit advisory lock last and once, at commit. Real concurrent transactions on real connections; a round
deadlocks when PostgreSQL has to kill one of the two (the masked error is logged with its cause)."""

from __future__ import annotations

import asyncio
import logging
import traceback

from tests.api.conftest import Committed

ROUNDS = 20

CREATE = "mutation({args}) {{ {fields} }}"
UPDATE = "mutation({args}) {{ {fields} }}"


def _create_query(n: int) -> str:
    args = ", ".join(f"$i{k}: LearnerCreateInput!" for k in range(n))
    fields = " ".join(f"l{k}: createLearner(input: $i{k}) {{ id version misId }}" for k in range(n))
    return CREATE.format(args=args, fields=fields)


def _update_query(ids: list[str]) -> tuple[str, dict]:
    args = ", ".join(f"$id{k}: UUID!" for k in range(len(ids)))
    fields = " ".join(
        f'u{k}: updateLearner(id: $id{k}, version: 1, input: {{givenName: "Changed"}}) {{ id }}'
        for k in range(len(ids))
    )
    return UPDATE.format(args=args, fields=fields), {f"id{k}": i for k, i in enumerate(ids)}


async def _learners(committed: Committed, headers: dict, prefix: str, n: int) -> list[dict]:
    inputs = {
        f"i{k}": {
            "givenName": "A",
            "familyName": f"L{k}",
            "dateOfBirth": "2008-01-01",
            "misId": f"{prefix}-{k}",
        }
        for k in range(n)
    }
    r = await committed.client.post(
        "/graphql", json={"query": _create_query(n), "variables": inputs}, headers=headers
    )
    data = r.json()["data"]
    return sorted((data[f"l{k}"] for k in range(n)), key=lambda learner: learner["id"])


def _deadlocked(records: list[logging.LogRecord], *responses) -> bool:
    """PostgreSQL killed a transaction: the cause is in the log (masked errors) or, before the errors
    were masked per request, in the answer itself."""
    texts = [r.text for r in responses]
    texts += ["".join(traceback.format_exception(*r.exc_info)) for r in records if r.exc_info]
    return any("deadlock detected" in t.lower() or "DeadlockDetected" in t for t in texts)


async def _mutate(committed: Committed, headers: dict, ids: list[str]):
    query, variables = _update_query(ids)
    return await committed.client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )


def _problems(response) -> list[str]:
    if response.status_code != 200:
        return [f"status {response.status_code}"]
    return [e.get("extensions", {}).get("code", "uncoded") for e in response.json().get("errors", [])]


async def test_two_multi_field_mutations_in_one_centre_never_deadlock(committed: Committed, auth, caplog):
    headers = auth("exams_officer", centre=committed.centre)
    deadlocked = unexpected = 0
    for round_ in range(ROUNDS):
        caplog.clear()
        l1, l2, l3, l4 = (x["id"] for x in await _learners(committed, headers, f"MM{round_}", 4))
        # A's last field needs the row B's first field locks: with the audit lock taken per field, A
        # holds it while waiting for B's row, and B waits for it while holding that row.
        a, b = await asyncio.gather(
            _mutate(committed, headers, [l1, l2, l3]), _mutate(committed, headers, [l3, l4])
        )
        problems = _problems(a) + _problems(b)
        deadlocked += _deadlocked(caplog.records, a, b)
        # Whoever lost the race for l3 is told it changed: a precondition, never an internal error.
        unexpected += bool(set(problems) - {"precondition-failed"})
    print(f"two multi-field mutations: {deadlocked} of {ROUNDS} rounds deadlocked")
    assert (deadlocked, unexpected) == (0, 0), (
        f"{deadlocked} of {ROUNDS} rounds deadlocked, {unexpected} failed"
    )


async def test_a_mutation_beside_a_bulk_sync_of_the_same_learners_never_deadlocks(
    committed: Committed, auth, caplog
):
    headers = auth("exams_officer", centre=committed.centre)
    deadlocked = unexpected = 0
    for round_ in range(ROUNDS):
        caplog.clear()
        first, second = await _learners(committed, headers, f"MS{round_}", 2)
        # The MIS sends the learners in its own order, here the reverse of the mutation's.
        sync = {
            "learners": [
                {
                    "mis_id": x["misId"],
                    "given_name": "FromMis",
                    "family_name": "L",
                    "date_of_birth": "2008-01-01",
                }
                for x in (second, first)
            ]
        }
        mutation, synced = await asyncio.gather(
            _mutate(committed, headers, [first["id"], second["id"]]),
            committed.client.post("/v1/sync/mis", json=sync, headers=headers),
        )
        problems = _problems(mutation) + ([] if synced.status_code == 200 else [f"sync {synced.status_code}"])
        deadlocked += _deadlocked(caplog.records, mutation, synced)
        unexpected += bool(set(problems) - {"precondition-failed"})
    print(f"mutation beside bulk sync: {deadlocked} of {ROUNDS} rounds deadlocked")
    assert (deadlocked, unexpected) == (0, 0), (
        f"{deadlocked} of {ROUNDS} rounds deadlocked, {unexpected} failed"
    )
