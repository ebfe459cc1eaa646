"""Running jobs: one at a time, in a worker thread of the web app or from the command line.

``run_job`` claims a queued job, runs its kind as the account that asked for it, and records
done (with what it produced) or failed (with one line: ``messages.one_line``). Progress while
a job runs is kept in memory for the job page: on SQLite the ingest holds the write lock for
its whole exhibit, so a progress row could not be written until it ends anyway. A scan
commits batch by batch, so its progress (messages scanned of the total) is also written to
the job's row after each batch (``JobContext.advance``).
"""

from __future__ import annotations

import logging
import threading

from conductlens.errors import ConductLensError
from conductlens.jobs import queue
from conductlens.jobs.base import JobContext, Outcome, job_folder
from conductlens.jobs.messages import one_line
from conductlens.jobs.queue import Job
from conductlens.jobs.registry import KINDS
from conductlens.store import Store

log = logging.getLogger("conductlens.jobs")
_LIVE: dict[int, int] = {}  # job id -> records read so far, while it runs in this process
_LIVE_LOCK = threading.Lock()


def live_progress(job: Job) -> int:
    """How far ``job`` has got: the running count if this process runs it, else the row's."""
    with _LIVE_LOCK:
        return _LIVE.get(job.id, job.progress_done)


def run_job(store: Store, job_id: int, *, retry: bool = False) -> Job:
    """Run job ``job_id`` if it is queued (or, with ``retry``, failed) and return it as it
    ended; a job done already or held by another runner is returned untouched."""
    if not queue.claim(store, job_id, retry=retry):
        return queue.find_job(store, job_id)
    job = queue.find_job(store, job_id)
    kind = KINDS.get(job.kind)

    def progress(n: int) -> None:
        with _LIVE_LOCK:
            _LIVE[job.id] = n

    def advance(done: int, total: int) -> None:
        progress(done)
        queue.set_progress(store, job.id, done, total)

    try:
        if kind is None:
            raise ConductLensError(f"unknown kind of job {job.kind!r}")
        with store.engine.connect() as conn:
            user = queue.requester(conn, job)
        folder = job_folder(store, job.id)
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
