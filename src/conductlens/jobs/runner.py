"""Running jobs: one at a time, in a worker thread of the web app or from the command line.

``run_job`` claims a queued job, runs its kind as the account that asked for it, and records
done (with what it produced) or failed (with one line: ``messages.one_line``). Progress while
a job runs is kept in memory for this process's pages, and in a small file in the job's
folder for a worker in another process (``serve --no-jobs`` with ``jobs run --watch``): on
SQLite the ingest holds the write lock for its whole exhibit, so a progress row could not be
written until it ends. A scan commits batch by batch, so its progress (messages scanned of
the total) is also written to the job's row after each batch (``JobContext.advance``).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from conductlens.errors import ConductLensError
from conductlens.jobs import queue
from conductlens.jobs.base import JobContext, Outcome, Progress, job_folder
from conductlens.jobs.messages import one_line
from conductlens.jobs.queue import Job, JobState
from conductlens.jobs.registry import KINDS
from conductlens.store import Store

log = logging.getLogger("conductlens.jobs")
_LIVE: dict[int, int] = {}  # job id -> records read so far, while it runs in this process
_LIVE_LOCK = threading.Lock()


PROGRESS_FILE = "progress"  # in the job's folder: records read so far, for other processes
PROGRESS_EVERY = 0.5  # seconds between writes of that file


def live_progress(job: Job, store: Store | None = None) -> int:
    """How far ``job`` has got: the running count if this process runs it, else (given the
    store) what the worker running it in another process last wrote, else the row's."""
    with _LIVE_LOCK:
        if job.id in _LIVE:
            return _LIVE[job.id]
    if store is not None and job.state == JobState.RUNNING:
        try:
            written = int((job_folder(store, job.id) / PROGRESS_FILE).read_text() or 0)
        except (OSError, ValueError):
            written = 0
        return max(written, job.progress_done)
    return job.progress_done


def _progress_writer(folder: Path) -> tuple[Progress, Callable[[], None]]:
    """``(write, clear)``: ``write(n)`` leaves ``n`` in the job's folder, at most every
    ``PROGRESS_EVERY`` seconds and always whole (written aside, then renamed over)."""
    target, last = folder / PROGRESS_FILE, [0.0]

    def write(n: int) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY:
            return
        last[0] = now
        aside = target.with_suffix(".part")
        try:
            aside.write_text(str(n))
            os.replace(aside, target)
        except OSError:  # a full disk costs the figure on other pages, never the job
            pass

    def clear() -> None:
        target.unlink(missing_ok=True)
    return write, clear


def run_job(store: Store, job_id: int, *, retry: bool = False) -> Job:
    """Run job ``job_id`` if it is queued (or, with ``retry``, failed) and return it as it
    ended; a job done already or held by another runner is returned untouched."""
    if not queue.claim(store, job_id, retry=retry):
        return queue.find_job(store, job_id)
    job = queue.find_job(store, job_id)
    kind = KINDS.get(job.kind)

    folder = job_folder(store, job.id)
    share, unshare = _progress_writer(folder)

    def progress(n: int) -> None:
        with _LIVE_LOCK:
            _LIVE[job.id] = n
        share(n)

    def advance(done: int, total: int) -> None:
        progress(done)
        queue.set_progress(store, job.id, done, total)

    try:
        if kind is None:
            raise ConductLensError(f"unknown kind of job {job.kind!r}")
        with store.engine.connect() as conn:
            user = queue.requester(conn, job)
        folder.mkdir(parents=True, exist_ok=True)
        outcome: Outcome = kind.run(JobContext(store, job, user, progress, folder, advance))
    except ConductLensError as exc:
        subject = kind.subject(job) if kind else job.kind
        hidden = kind.hidden(store, job) if kind else {}
        queue.mark_failed(store, job.id, one_line(str(exc), subject, hidden),
                          live_progress(job))
    except Exception as exc:  # noqa: BLE001 - a failed job says why; the server keeps going
        # The exception's text can quote data (a database error echoes its parameters):
        # the log and the page get its class only.
        log.error("job %d (%s) failed: %s", job.id, job.kind, exc.__class__.__name__)
        subject = kind.subject(job) if kind else job.kind
        queue.mark_failed(store, job.id, f"{subject}: failed unexpectedly "
                          f"({exc.__class__.__name__}); ask the custodian to retry it",
                          live_progress(job))
    else:
        queue.mark_done(store, job.id, outcome.result_ref, outcome.summary,
                        outcome.progress or live_progress(job))
    finally:
        unshare()
        with _LIVE_LOCK:
            _LIVE.pop(job.id, None)
    ended = queue.find_job(store, job.id)
    if kind is not None:
        kind.after(store, ended)
    return ended


def run_pending(store: Store, stop: threading.Event | None = None) -> list[Job]:
    """Run queued jobs, oldest first, until none is left (or ``stop`` is set)."""
    ran = []
    while not (stop and stop.is_set()):
        job_id = queue.next_queued(store)
        if job_id is None:
            break
        ran.append(run_job(store, job_id))
    return ran


class JobWorker:
    """The web app's worker: a thread that runs queued jobs, woken when one is queued and
    every ``poll_seconds`` anyway (a job queued by another process)."""

    def __init__(self, store: Store, poll_seconds: float = 2.0) -> None:
        self.store, self.poll_seconds = store, poll_seconds
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Queue again what a killed server left running, then start the thread."""
        queue.requeue_interrupted(self.store)
        self._thread = threading.Thread(target=self._loop, name="conductlens-jobs", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop after the job in hand; a job still running at exit is queued again at the
        next start (every job is safe to re-run)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                run_pending(self.store, self._stop)
            except Exception as exc:  # noqa: BLE001 - the worker must outlive a bad moment
                log.error("job worker: %s", exc.__class__.__name__)
            self._wake.wait(self.poll_seconds)
            self._wake.clear()
