"""Job kind ``ingest``: add an uploaded file to a case as an exhibit.

The upload route only receives the file (``uploads.save_upload``) and queues this job; the
ingest runs in the worker, through the requester's ``CaseDoor`` (role and team checked again
when it runs, ``exhibit.add`` audited as a direct ingest is). Re-running is safe: one exhibit
is one transaction, and bytes already held (same SHA-256) are linked, never stored twice.
"""

from __future__ import annotations

from sqlalchemy import select

from conductlens.errors import ConductLensError
from conductlens.jobs.base import JobContext, JobKind, Outcome
from conductlens.jobs.queue import UNFINISHED, Job, JobState, add_job
from conductlens.jobs.uploads import Upload, path_of, release, uploads_dir
from conductlens.review.access import Forbidden
from conductlens.review.accounts import User
from conductlens.review.door import CaseDoor
from conductlens.review.roles import Permission, allows
from conductlens.store import Store
from conductlens.store import tables as t
from conductlens.store.tables_jobs import jobs

KIND = "ingest"


def queue_ingest(store: Store, user: User, case_id: int, upload: Upload) -> int:
    """Queue the ingest of a received upload into case ``case_id``, as ``user``."""
    CaseDoor(store.engine, user, case_id).reference()  # an unknown or hidden case: refused
    if not allows(user.role, Permission.EDIT_CASE):
        raise Forbidden(f"{user.role} may not {Permission.EDIT_CASE.value}")
    with store.writing() as conn:
        return add_job(conn, KIND, user, case_id, {
            "sha256": upload.sha256, "name": upload.name, "size": upload.size})


def _upload(job: Job) -> Upload:
    p = job.params
    return Upload(str(p["sha256"]), str(p["name"]), int(p["size"]))


def _run(ctx: JobContext) -> Outcome:
    upload = _upload(ctx.job)
    path = path_of(ctx.store, upload)
    if not path.is_file():
        held = _already_in_case(ctx.store, upload.sha256, int(ctx.job.case_id or 0))
        if held is not None:  # a run that ingested, then died before it was marked done
            return Outcome(held, {"exhibit": held, "duplicate": True})
        raise ConductLensError(f"{upload.name}: the uploaded file is no longer held; "
                               "upload it again")
    door = CaseDoor(ctx.store.engine, ctx.user, int(ctx.job.case_id or 0))
    summary = door.add_exhibit(ctx.store, path, progress=ctx.progress)
    return Outcome(summary.reference, {
        "exhibit": summary.reference, "format": summary.format,
        "conversations": summary.conversations, "messages": summary.messages,
        "participants": summary.participants, "warnings": len(summary.warnings),
        "duplicate": summary.duplicate}, summary.messages)


def _already_in_case(store: Store, sha256: str, case_id: int) -> str | None:
    """The reference of the exhibit with these bytes, if it is in the case already."""
    with store.engine.connect() as conn:
        found = conn.scalar(select(t.exhibits.c.reference)
                            .join(t.case_exhibits, t.case_exhibits.c.exhibit_id == t.exhibits.c.id)
                            .where(t.exhibits.c.sha256 == sha256,
                                   t.case_exhibits.c.case_id == case_id))
    return None if found is None else str(found)


def _hidden(store: Store, job: Job) -> dict[str, str]:
    upload = _upload(job)
    return {str(path_of(store, upload)): upload.name, str(uploads_dir(store)): "the upload",
            str(store.exhibit_dir): "the evidence store"}


def _after(store: Store, job: Job) -> None:
    """Drop the held upload once done, unless another unfinished job needs the same bytes;
    a failed job keeps it, so that ``conductlens jobs run --retry`` can run it again."""
    if job.state != JobState.DONE:
        return
    upload = _upload(job)
    with store.engine.connect() as conn:
        waiting = conn.scalars(select(jobs.c.params).where(
            jobs.c.kind == KIND, jobs.c.id != job.id,
            jobs.c.state.in_([s.value for s in UNFINISHED]))).all()
    if not any(upload.sha256 in params for params in waiting):
        release(store, upload)


INGEST = JobKind(KIND, "Add an exhibit", _run, lambda job: str(job.params.get("name", "")),
                 _hidden, _after)
