"""Job kind ``bundle``: write a case's evidential bundle for a recipient.

The button queues this job; the worker writes ``bundle.html``, ``bundle.pdf`` and
``manifest.json`` into the job's own folder through ``report.bundle.write_bundle`` (read
through the review door as the requester, recorded as a disclosure as before), and the job
page offers the zip. Re-running starts from an empty folder; a run that died after its
disclosure was recorded records a second one, which over-records rather than hides.
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile

from conductlens.errors import ConductLensError
from conductlens.jobs.base import JobContext, JobKind, Outcome, job_folder
from conductlens.jobs.queue import Job, JobState, add_job, job_for
from conductlens.report.bundle import FILES, MANIFEST, verify_bundle, write_bundle
from conductlens.review.access import Forbidden
from conductlens.review.accounts import User
from conductlens.review.door import CaseDoor
from conductlens.review.roles import Permission, allows
from conductlens.store import Store

KIND = "bundle"


def queue_bundle(store: Store, user: User, case_id: int, recipient: str) -> int:
    """Queue the bundle of case ``case_id`` for ``recipient``, as ``user``."""
    CaseDoor(store.engine, user, case_id).reference()  # an unknown or hidden case: refused
    if not allows(user.role, Permission.EDIT_CASE):
        raise Forbidden(f"{user.role} may not {Permission.EDIT_CASE.value}")
    if not recipient.strip():
        raise ConductLensError("recipient: a bundle is disclosed to someone: name them")
    with store.writing() as conn:
        return add_job(conn, KIND, user, case_id, {"recipient": recipient.strip()})


def _run(ctx: JobContext) -> Outcome:
    folder = ctx.folder / "bundle"
    shutil.rmtree(folder, ignore_errors=True)  # a run that died left part of a bundle
    result = write_bundle(ctx.store.engine, ctx.user, int(ctx.job.case_id or 0),
                          str(ctx.job.params["recipient"]), folder)
    return Outcome(result.reference, {"bundle": result.reference, "relied_on": result.relied_on,
                                      "schedule_items": result.schedule_items,
                                      "recipient": str(ctx.job.params["recipient"]),
                                      "names_approved": list(result.names_approved),
                                      "scope_id": result.scope_id})


def made_under(job: Job) -> int | None:
    """The scope bundle job ``job`` was made under (None: a job from before bundles
    recorded it, which is never downloaded)."""
    found = job.summary.get("scope_id")
    return found if isinstance(found, int) else None


def bundle_zip(store: Store, user: User, job_id: int) -> tuple[str, bytes]:
    """The finished bundle of job ``job_id`` as ``(file name, zip bytes)``, for the person
    who asked for it (``job_for``: while their role may ask for it and they may open the
    case); refused if it is not done, its files changed since, or the scope it was made
    under is no longer the scope in force (``CaseDoor.bundle_download``, which records the
    download, or the refusal, before the zip is made)."""
    job = job_for(store, user, job_id)
    if job.kind != KIND or job.state != JobState.DONE or not job.result_ref:
        raise ConductLensError(f"job {job_id} has no finished bundle")
    folder = job_folder(store, job.id) / "bundle"
    problems = verify_bundle(folder)
    if problems:
        raise ConductLensError(f"bundle {job.result_ref} no longer matches its manifest: "
                               f"{problems[0]}")
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    CaseDoor(store.engine, user, int(job.case_id or 0)).bundle_download(
        job.result_ref, str(job.params.get("recipient", "")), dict(manifest["files"]),
        made_under(job))
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in (*FILES, MANIFEST):
            zf.write(folder / name, f"{job.result_ref}/{name}")
    return f"{job.result_ref}.zip", data.getvalue()


def _hidden(store: Store, job: Job) -> dict[str, str]:
    return {str(job_folder(store, job.id)): "the bundle folder",
            str(store.exhibit_dir): "the evidence store"}


BUNDLE = JobKind(KIND, "Evidential bundle", _run,
                 lambda job: f"bundle for {job.params.get('recipient', '')}", _hidden)
