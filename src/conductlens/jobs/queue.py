"""The job queue: add a job, claim it, record how it ended, list and find jobs.

Every change of state is one short transaction, so the queue never holds the write lock
while a job works. A job is claimed by one conditional update (``queued`` -> ``running``),
so two runners (the web app's worker and ``conductlens jobs run``) never run it twice.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from conductlens.errors import ConductLensError, ScopeError
from conductlens.review import teams
from conductlens.review.accounts import User
from conductlens.review.roles import Permission, allows
from conductlens.store import Store
from conductlens.store.tables_jobs import jobs
from conductlens.store.writes import inserted_id


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


UNFINISHED = (JobState.QUEUED, JobState.RUNNING)
# What every kind of job needs to be asked for, and so to be seen: an account whose role
# changed since (an investigator made an auditor) no longer holds its jobs or their bundles.
ASK_FOR_JOBS = Permission.EDIT_CASE


@dataclass(frozen=True, slots=True)
class Job:
    """One row of ``jobs``, as read."""

    id: int
    kind: str
    case_id: int | None
    user_id: int | None
    requested_by: str
    state: JobState
    params: dict[str, Any]
    progress_done: int
    progress_total: int | None
    error: str | None
    result_ref: str | None
    attempts: int
    worker: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)


def this_worker() -> str:
    """``host:pid`` of this process: who holds a running job."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _job(row: Any) -> Job:
    r = row._mapping
    return Job(int(r["id"]), str(r["kind"]), r["case_id"], r["user_id"], str(r["requested_by"]),
               JobState(r["state"]), json.loads(r["params"]), int(r["progress_done"]),
               r["progress_total"], r["error"], r["result_ref"], int(r["attempts"]),
               r["worker"], r["created_at"], r["started_at"], r["finished_at"],
               json.loads(r["summary"]) if r["summary"] else {})


def add_job(conn: Connection, kind: str, user: User, case_id: int | None,
            params: dict[str, Any]) -> int:
    """Queue a job of ``kind`` asked for by ``user``; returns its id."""
    return inserted_id(conn.execute(insert(jobs).values(
        kind=kind, case_id=case_id, user_id=user.id, requested_by=user.username,
        state=JobState.QUEUED.value, params=json.dumps(params, sort_keys=True),
        progress_done=0, attempts=0, created_at=datetime.now(UTC))))


def find_job(store: Store, job_id: int) -> Job:
    """The job ``job_id`` (``ConductLensError`` if there is none)."""
    with store.engine.connect() as conn:
        row = conn.execute(select(jobs).where(jobs.c.id == job_id)).first()
    if row is None:
        raise ConductLensError(f"no job {job_id}")
    return _job(row)


def job_for(store: Store, user: User, job_id: int) -> Job:
    """The job ``job_id`` as ``user`` may see it: only the person who asked for it, only while
    their role may still ask for jobs (``ASK_FOR_JOBS``) and only while they may still open
    its case. Anything else answers as if there were no such job."""
    with store.engine.connect() as conn:
        row = conn.execute(select(jobs).where(jobs.c.id == job_id)).first()
        job = _job(row) if row is not None else None
        if (job is None or job.user_id != user.id or not allows(user.role, ASK_FOR_JOBS)
                or (job.case_id is not None and not teams.may_open(conn, user, job.case_id))):
            raise ScopeError("no such job")
    return job


def list_jobs(store: Store, *, case_id: int | None = None, user: User | None = None,
              state: JobState | None = None, limit: int = 100) -> list[Job]:
    """The newest jobs first, optionally of one case, one requester or one state."""
    query = select(jobs).order_by(jobs.c.id.desc()).limit(limit)
    if case_id is not None:
        query = query.where(jobs.c.case_id == case_id)
    if user is not None:
        query = query.where(jobs.c.user_id == user.id)
    if state is not None:
        query = query.where(jobs.c.state == state.value)
    with store.engine.connect() as conn:
        return [_job(r) for r in conn.execute(query)]


def next_queued(store: Store) -> int | None:
    """The oldest queued job's id."""
    with store.engine.connect() as conn:
        found = conn.scalar(select(func.min(jobs.c.id)).where(
            jobs.c.state == JobState.QUEUED.value))
    return None if found is None else int(found)


def claim(store: Store, job_id: int, *, retry: bool = False) -> bool:
    """Mark the job running for this process; False if it is not queued (or, with
    ``retry``, failed), e.g. done already or held by another runner."""
    states = [JobState.QUEUED.value] + ([JobState.FAILED.value] if retry else [])
    with store.writing() as conn:
        result = conn.execute(update(jobs).where(jobs.c.id == job_id, jobs.c.state.in_(states))
                              .values(state=JobState.RUNNING.value, worker=this_worker(),
                                      attempts=jobs.c.attempts + 1, error=None,
                                      started_at=datetime.now(UTC), finished_at=None))
        return bool(result.rowcount == 1)


def set_progress(store: Store, job_id: int, done: int, total: int | None) -> None:
    """Record on the job's row how far it has got, for a kind that commits as it goes (a
    scan, batch by batch): another process's page and ``conductlens jobs list`` see it."""
    with store.writing() as conn:
        conn.execute(update(jobs).where(jobs.c.id == job_id, jobs.c.state == JobState.RUNNING.value)
                     .values(progress_done=done, progress_total=total))


def unfinished(conn: Connection, kind: str, case_id: int) -> int | None:
    """The id of a queued or running job of ``kind`` for case ``case_id``, if there is one."""
    found = conn.scalar(select(func.min(jobs.c.id)).where(
        jobs.c.kind == kind, jobs.c.case_id == case_id,
        jobs.c.state.in_([s.value for s in UNFINISHED])))
    return None if found is None else int(found)


def mark_done(store: Store, job_id: int, result_ref: str | None, summary: dict[str, Any],
              progress: int) -> None:
    with store.writing() as conn:
        conn.execute(update(jobs).where(jobs.c.id == job_id).values(
            state=JobState.DONE.value, result_ref=result_ref, progress_done=progress,
            summary=json.dumps(summary, sort_keys=True), error=None, worker=None,
            finished_at=datetime.now(UTC)))


def mark_failed(store: Store, job_id: int, error: str, progress: int) -> None:
    with store.writing() as conn:
        conn.execute(update(jobs).where(jobs.c.id == job_id).values(
            state=JobState.FAILED.value, error=error, progress_done=progress, worker=None,
            finished_at=datetime.now(UTC)))


def requeue_interrupted(store: Store) -> list[int]:
    """Queue again the jobs left running by a process of this host that is gone (killed,
    power cut): each job is safe to re-run, so it simply starts over."""
    host = socket.gethostname()
    with store.engine.connect() as conn:
        held = conn.execute(select(jobs.c.id, jobs.c.worker).where(
            jobs.c.state == JobState.RUNNING.value)).all()
    stale = [int(i) for i, worker in held if _gone(str(worker or ""), host)]
    if stale:
        with store.writing() as conn:
            conn.execute(update(jobs).where(jobs.c.id.in_(stale),
                                            jobs.c.state == JobState.RUNNING.value)
                         .values(state=JobState.QUEUED.value, worker=None))
    return stale


def _gone(worker: str, host: str) -> bool:
    name, _, pid = worker.rpartition(":")
    if name != host or not pid.isdigit():
        return not worker  # another host's job is that host's to recover
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def requester(conn: Connection, job: Job) -> User:
    """The account that asked for ``job``, as it is now (a disabled account runs nothing)."""
    from conductlens.review.roles import Role
    from conductlens.store.tables_review import users

    row = conn.execute(select(users.c.id, users.c.username, users.c.display_name, users.c.role)
                       .where(users.c.id == job.user_id, users.c.active.is_(True))).first()
    if row is None:
        raise ConductLensError(f"the account {job.requested_by} that asked for this job "
                               "is disabled or gone")
    return User(int(row.id), str(row.username), str(row.display_name), Role(row.role))
