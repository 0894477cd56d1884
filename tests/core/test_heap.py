"""A served process freezes its start-up heap and raises the young collector threshold, once."""

from __future__ import annotations

import gc

import pytest

from app.core import heap
from app.core.config import Settings
from app.main import create_app


@pytest.fixture
def fresh_collector(monkeypatch: pytest.MonkeyPatch):
    """As in a process that has not started serving; the worker's own settings restored after."""
    threshold, frozen = gc.get_threshold(), gc.get_freeze_count()
    gc.unfreeze()
    monkeypatch.setattr(heap, "_settled", False)
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)
    if frozen:
        gc.freeze()


async def test_a_served_app_freezes_its_start_up_heap_once(fresh_collector: None) -> None:
    app = create_app(Settings(database_url="postgresql://nobody@127.0.0.1:1/none", auth_mode="development"))
    assert gc.get_freeze_count() == 0
    async with app.router.lifespan_context(app):
        # Everything the schema, the mappers and the models made is out of the collector's walks.
        assert gc.get_freeze_count() > 100_000
        assert gc.get_threshold()[0] == heap.YOUNG_THRESHOLD
        assert heap.settle() is False  # once per process: a second app does not freeze the first's garbage
