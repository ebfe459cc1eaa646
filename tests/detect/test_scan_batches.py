"""`scan_store` commits batch by batch: a stopped run keeps its work, the next continues, and
other writers are not locked out while it runs; the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from conductlens.detect import run
from conductlens.detect.run import scan_store
from conductlens.ingest.pipeline import ingest_path
from conductlens.store import Store
from conductlens.store import tables as t

LINES = [
    "Morning all, briefing at 07:30",
    "Delete this chat before PSD get the phones",
    "Victim's number is 07700 900123, lives at 12 Acacia Road",
    "get our stories straight before the statements",
    "Who is on nights tomorrow?",
    "Delete the messages before they take the phones",
]


def _ingest(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Shift.txt"
    path.write_text("".join(f"01/03/2026, 07:{i:02d} - Sam Patel: {text}\n"
                            for i, text in enumerate(LINES)), encoding="utf-8")
    ingest_path(store, path, case="PSD/1")


def _findings(store: Store) -> list[tuple[object, ...]]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(t.findings.c.message_id, t.findings.c.category).order_by(
                t.findings.c.message_id, t.findings.c.category))]


def test_scan_runs_and_is_incremental(store: Store, tmp_path: Path) -> None:
    _ingest(store, tmp_path)
    first = scan_store(store, case="PSD/1")
    assert first.messages_scanned == len(LINES) and first.findings >= 2
    assert scan_store(store, case="PSD/1").messages_scanned == 0
    assert len(_findings(store)) == first.findings


def test_a_stopped_scan_keeps_its_batches_and_the_next_continues(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ingest(store, tmp_path)
    monkeypatch.setattr(run, "BATCH", 1)

    def stop_after_three(done: int, total: int) -> None:
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        scan_store(store, progress=stop_after_three)
    with store.engine.connect() as conn:
        reached = conn.scalar(select(func.max(t.scan_runs.c.last_message_id)))
        kept = conn.scalar(select(func.count()).select_from(t.findings))
    assert reached is not None and reached >= 3 and kept
    rest = scan_store(store)
    assert rest.messages_scanned == len(LINES) - 3
    clean = tmp_path / "clean"
    clean.mkdir()
    fresh = Store.open(str(clean / "s.db"))
    _ingest(fresh, clean)
    scan_store(fresh)
    assert [f[1] for f in _findings(store)] == [f[1] for f in _findings(fresh)]


def test_other_writers_are_not_locked_out_while_a_scan_runs(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ingest(store, tmp_path)
    monkeypatch.setattr(run, "BATCH", 2)
    wrote: list[int] = []

    def write_meanwhile(done: int, total: int) -> None:
        with store.writing() as conn:  # would wait, then fail, if the scan held the lock
            conn.execute(insert(t.cases).values(reference=f"OTHER/{done}",
                                                created_at=datetime.now(UTC)))
        wrote.append(done)

    scan_store(store, progress=write_meanwhile)
    assert wrote == [2, 4, 6]
