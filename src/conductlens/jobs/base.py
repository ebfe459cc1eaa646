"""What every job kind provides, and what it is given when it runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conductlens.jobs.queue import Job
from conductlens.review.accounts import User
from conductlens.store import Store

Progress = Callable[[int], None]
Advance = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class JobContext:
    """One run of one job: the store, the job, its requester as they are now, a progress
    callback (records read so far, kept in memory), a folder of its own for what it writes,
    and ``advance(done, total)``: progress written to the job's row, for a kind that commits
    as it goes (a scan's batches) and so holds no write lock between calls."""

    store: Store
    job: Job
    user: User
    progress: Progress
    folder: Path
    advance: Advance = lambda _done, _total: None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a job produced: a reference the job page links to, and counts to show."""

    result_ref: str | None
    summary: dict[str, Any] = field(default_factory=dict)
    progress: int = 0


@dataclass(frozen=True, slots=True)
class JobKind:
    """A kind of job. ``run`` must be safe to repeat: a job that died mid-way runs again from
    the start. ``subject`` names what the job is about (the uploaded file, the bundle's
    recipient) for its messages; ``hidden`` maps server paths to the names users know;
    ``after`` runs once the job is recorded as finished (done or failed)."""

    name: str
    label: str
    run: Callable[[JobContext], Outcome]
    subject: Callable[[Job], str]
    hidden: Callable[[Store, Job], dict[str, str]]
    after: Callable[[Store, Job], None] = lambda _store, _job: None


def job_folder(store: Store, job_id: int) -> Path:
    """Where job ``job_id`` writes what it produces (a bundle), outside any request."""
    return store.exhibit_dir / "jobs" / str(job_id)
