"""The warmer counts each scoped case's figures before a page asks, exactly as pages do."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from conductlens.review import counts, warm
from conductlens.review.door import CaseDoor
from conductlens.review.queue import QueueFilter
from conductlens.review.sample import World, write_long_chat
from conductlens.store import Store
from conductlens.store import tables as t


@pytest.fixture(autouse=True)
def nothing_kept() -> Iterator[None]:
    counts._KEPT.clear()
    yield
    counts._KEPT.clear()


def _door(store: Store, world: World) -> CaseDoor:
    return CaseDoor(store.engine, world.users["investigator"], world.case_id)


def _views(door: CaseDoor) -> None:
    """The case page's totals, the queue as first opened, a finding's neighbours, the
    filter's choices and the timeline."""
    door.totals()
    page = door.queue_page(QueueFilter())
    door.queue_choices()
    door.timeline()
    if page.rows:
        door.neighbours(page.rows[0].finding.id, QueueFilter(grouped=False))


def _fresh(store: Store, world: World) -> tuple[int, int, int]:
    """The totals counted now, nothing reused."""
    counts._KEPT.clear()
    got = _door(store, world).totals()
    return got.in_scope, got.withheld, got.findings_in_scope


def _warmed_then_viewed(store: Store, world: World) -> tuple[int, int, int]:
    counts._KEPT.clear()
    assert warm.warm(store.engine) == 1
    kept = dict(counts._KEPT)
    door = _door(store, world)
    _views(door)
    assert dict(counts._KEPT) == kept  # every figure the views used was warmed
    got = door.totals()
    return got.in_scope, got.withheld, got.findings_in_scope


def test_the_views_find_their_figures_warmed(store: Store, scoped: World) -> None:
    warmed = _warmed_then_viewed(store, scoped)
    assert warmed == _fresh(store, scoped)
    with store.engine.connect() as conn:
        messages = int(conn.scalar(select(func.count()).select_from(t.messages)) or 0)
    in_scope, withheld, _ = warmed
    assert withheld > 0 and in_scope + withheld == messages  # out of scope: a total only


def test_no_scope_nothing_warmed(store: Store, world: World) -> None:
    assert warm.warm(store.engine) == 0
    assert not counts._KEPT


def test_warmed_again_after_an_ingest_a_scope_change_and_a_decision(
        store: Store, world: World, authorise: Any) -> None:
    authorise(store, world)
    before = _warmed_then_viewed(store, world)
    long = write_long_chat(store, world.case_id)  # a new exhibit: the store's state moves
    after_ingest = _warmed_then_viewed(store, world)
    # The new chat is outside the scope: only the withheld total grows (by its 623).
    assert after_ingest == (before[0], before[1] + 623, before[2])
    assert after_ingest == _fresh(store, world)
    authorise(store, world, conversations=[world.sample.group_id,
                                                        long.conversation_id])
    widened = _warmed_then_viewed(store, world)
    assert widened == _fresh(store, world) and widened[0] > before[0]
    authorise(store, world, categories=["misogyny"])
    narrowed = _warmed_then_viewed(store, world)
    assert narrowed == _fresh(store, world) and narrowed[2] <= before[2]
    door = _door(store, world)
    fid = door.queue_page(QueueFilter(low=True)).rows[0].finding.id
    door.decide(fid, "relevant")
    decided = _warmed_then_viewed(store, world)
    assert decided == _fresh(store, world)
    assert door.queue_page(QueueFilter(decision="relevant", low=True)).findings == 1


def test_the_thread_warms_when_the_store_or_a_scope_moves(store: Store, world: World,
                                                          authorise: Any) -> None:
    warmer = warm.Warmer(store.engine, every=0.01)
    warmer.start()
    try:
        assert not counts._KEPT  # no scope yet: nothing to count
        authorise(store, world)
        _wait_for(lambda: any(k[1] == "totals" for k in counts._KEPT))
        kept = len(counts._KEPT)
        write_long_chat(store, world.case_id)
        _wait_for(lambda: len(counts._KEPT) > kept)
    finally:
        warmer.stop()
    assert _fresh(store, world)[1] > 0


def _wait_for(done: object, tries: int = 3000) -> None:
    """Polls ``done`` until true (a bound on tries, not a time asserted)."""
    for _ in range(tries):
        if done():  # type: ignore[operator]
            return
        time.sleep(0.01)
    raise AssertionError("the warmer never warmed")
