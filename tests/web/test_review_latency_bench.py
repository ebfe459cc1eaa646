"""bench/review_latency.py at a tiny size: it builds its store, and every page it times
answers 200 (the figures themselves are the bench's to print, never asserted)."""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import func, select

from conductlens.store import tables as t

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_review_latency_runs_every_page_at_a_small_size(tmp_path: Path) -> None:
    sys.path.insert(0, str(BENCH))
    try:
        import review_latency
    finally:
        sys.path.remove(str(BENCH))
    db = str(tmp_path / "bench.db")
    store, built = review_latency.open_store(db, 20_000, 1_000)
    try:
        with store.engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(t.findings)) >= 1_000
        timings = review_latency.measure(store, built, repeat=2)
        assert set(timings) == set(review_latency.pages(built))
        for name, got in timings.items():
            assert got.statuses == [200, 200, 200], name
            assert len(got.seconds) == 2 and got.p95 >= got.p50 > 0, name
        assert "audit view" in review_latency.report(built, timings, "tiny")
    finally:
        store.close()
    # A second open with the same sizes reuses the store instead of building it again.
    again, same = review_latency.open_store(db, 20_000, 1_000)
    again.close()
    assert same == built
