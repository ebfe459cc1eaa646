"""Run a policy over the stored messages and keep the findings (``conductlens scan``).

Incremental and idempotent: a run records the exhibits it reads and the highest message id
it reached for its policy version (``scan_runs``, ``scan_scopes``; see
:mod:`conductlens.detect.marks`), so the next run reads, exhibit by exhibit, only what no run
has scanned yet: newer messages, and every message of an exhibit linked into the case since.
Findings are committed batch by batch with that mark, each in a short write transaction, so
a run that is stopped keeps what it did, the next continues from there, and other users'
writes are not held up for the whole run; messages that already have findings of this
version are skipped as well, so no run ever duplicates a finding. A new policy version has
no runs yet, so it scans everything.
"""

from __future__ import annotations

import json
import multiprocessing
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import DBAPIError

from conductlens.detect import marks
from conductlens.detect.policy import Policy, load_policy
from conductlens.detect.scan import scan_batch
from conductlens.detect.semantic import use_threads
from conductlens.errors import ConductLensError
from conductlens.store import Store, stats, store_trouble
from conductlens.store import tables as t
from conductlens.store.writes import inserted_id

BATCH = 2000
Progress = Callable[[int, int], None]
Item = tuple[str, str]
Row = tuple[int, str, str, str, float, str, str, str, str]


@dataclass
class ScanSummary:
    """What one run did."""

    policy_version: str
    messages_scanned: int = 0
    findings: int = 0
    by_severity: Counter[str] = field(default_factory=Counter)
    by_category: Counter[str] = field(default_factory=Counter)


def _case_id(conn: Connection, case: str | None) -> int | None:
    if case is None:
        return None
    case_id = conn.scalar(select(t.cases.c.id).where(t.cases.c.reference == case))
    if case_id is None:
        raise ConductLensError(f"no case with reference {case!r}")
    return int(case_id)


def _pending(conn: Connection, version: str, run_id: int, whole: bool) -> Iterator[Item]:
    m = t.messages
    query = marks.in_run(select(m.c.id, m.c.text), run_id, version, whole).order_by(m.c.id)
    for row in conn.execution_options(yield_per=BATCH).execute(query):
        yield str(row[0]), row[1]


def _batches(items: Iterator[Item]) -> Iterator[list[Item]]:
    batch: list[Item] = []
    for item in items:
        batch.append(item)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


_WORKER_POLICY: Policy | None = None


def _init_worker(policy_path: str | None) -> None:
    global _WORKER_POLICY
    use_threads(1)  # one process per core already
    _WORKER_POLICY = load_policy(Path(policy_path) if policy_path else None)


def _scan_rows(policy: Policy, batch: Sequence[Item]) -> list[Row]:
    return [
        (
            int(f.message_id),
            f.category,
            json.dumps(list(f.standards)),
            f.severity.label,
            f.score,
            f.detector,
            json.dumps([list(s) for s in f.spans]),
            f.explanation.render(),
            f.policy_version,
        )
        for f in scan_batch(policy, batch)
    ]


def _worker_scan(batch: Sequence[Item]) -> list[Row]:
    assert _WORKER_POLICY is not None, "worker not initialised"
    return _scan_rows(_WORKER_POLICY, batch)


def _store_rows(conn: Connection, rows: list[Row], summary: ScanSummary) -> None:
    if not rows:
        return
    exhibit_of = dict(
        conn.execute(
            select(t.messages.c.id, t.messages.c.exhibit_id).where(
                t.messages.c.id.in_({r[0] for r in rows})
            )
        ).all()
    )
    now = datetime.now(UTC)
    keys = (
        "message_id",
        "category",
        "standards",
        "severity",
        "score",
        "detector",
        "spans",
        "explanation",
        "policy_version",
    )
    values = [
        dict(zip(keys, r, strict=True), exhibit_id=exhibit_of[r[0]], created_at=now) for r in rows
    ]
    conn.execute(insert(t.findings), values)
    summary.findings += len(rows)
    summary.by_severity.update(r[3] for r in rows)
    summary.by_category.update(r[1] for r in rows)


def scan_store(
    store: Store,
    *,
    policy_path: Path | None = None,
    case: str | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> ScanSummary:
    """Scan stored messages not yet scanned with this policy version; store the findings."""
    try:
        return _scan(store, policy_path, case, workers, progress)
    except DBAPIError as exc:
        raise ConductLensError(f"scan stopped: {store_trouble(exc)} (the findings of the "
                               "batches done are kept; run it again to continue)") from None


def _scan(
    store: Store, policy_path: Path | None, case: str | None, workers: int,
    progress: Progress | None,
) -> ScanSummary:
    policy = load_policy(policy_path)
    started = datetime.now(UTC)
    summary = ScanSummary(policy_version=policy.version)
    with store.writing() as conn:  # the scope is read and recorded under the write lock
        case_id = _case_id(conn, case)
        scope = marks.scope_of(conn, case_id)
        start = marks.marks(conn, policy.version, scope)
        run_id = inserted_id(conn.execute(insert(t.scan_runs).values(
            policy_version=policy.version, case_id=case_id,
            last_message_id=min(start.values(), default=0),
            messages_scanned=0, findings=0, started_at=started, finished_at=started,
        )))
        if scope:
            conn.execute(insert(t.scan_scopes), [
                {"run_id": run_id, "exhibit_id": e, "scanned_to": start[e]} for e in scope])
    with store.engine.connect() as reader:
        total, last_id = _extent(reader, policy.version, run_id)
    # Reading streams on its own connection (a server-side cursor on PostgreSQL), while
    # each batch's findings are written and committed on another.
    with store.engine.connect() as reader:
        batches = _batches(_pending(reader, policy.version, run_id, case_id is None))
        for rows, size, reached in _run(policy, policy_path, batches, workers):
            with store.writing() as conn:
                _store_rows(conn, rows, summary)
                summary.messages_scanned += size
                _mark(conn, run_id, reached, summary)
            if progress is not None:
                progress(summary.messages_scanned, total)
    with store.writing() as conn:
        _mark(conn, run_id, last_id, summary)
        stats.refresh(conn)
    return summary


def _mark(conn: Connection, run_id: int, reached: int, summary: ScanSummary) -> None:
    """Record how far the run has got, in the transaction that stored its findings."""
    conn.execute(
        update(t.scan_runs).where(t.scan_runs.c.id == run_id).values(
            last_message_id=reached, messages_scanned=summary.messages_scanned,
            findings=summary.findings, finished_at=datetime.now(UTC),
        )
    )


def _extent(conn: Connection, version: str, run_id: int) -> tuple[int, int]:
    """How many messages the run will read (for progress), and the newest id of its scope
    (its mark once it is done: every message of its scope up to there is then scanned)."""
    m, s = t.messages, t.scan_scopes
    count = conn.scalar(marks.in_run(select(func.count()).select_from(m), run_id, version))
    newest = conn.scalar(select(func.max(m.c.id)).join(s, s.c.exhibit_id == m.c.exhibit_id)
                         .where(s.c.run_id == run_id))
    floor = conn.scalar(select(t.scan_runs.c.last_message_id)
                        .where(t.scan_runs.c.id == run_id))
    return int(count or 0), int(newest or floor or 0)


def _run(
    policy: Policy, policy_path: Path | None, batches: Iterator[list[Item]], workers: int
) -> Iterator[tuple[list[Row], int, int]]:
    if workers <= 1:
        for batch in batches:
            yield _scan_rows(policy, batch), len(batch), int(batch[-1][0])
        return
    path = str(policy_path) if policy_path else None
    # Spawned, not forked: a fork of a process whose torch thread pool has run can deadlock.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(path,)
    ) as pool:
        # A bounded window of batches in flight keeps memory flat on a national backlog.
        window: deque[tuple[int, int, Future[list[Row]]]] = deque()
        for batch in batches:
            window.append((len(batch), int(batch[-1][0]), pool.submit(_worker_scan, batch)))
            if len(window) >= 2 * workers:
                size, reached, future = window.popleft()
                yield future.result(), size, reached
        while window:
            size, reached, future = window.popleft()
            yield future.result(), size, reached
