"""Job kind ``scan``: run the baseline policy over a case's messages, off the request.

The case page's button queues this job (one at a time per case: asking again while one is
queued or running answers with that job); the worker runs it through the requester's
``CaseDoor`` (role and team checked again when it runs, ``policy.run`` audited as before).
``scan_store`` commits the findings batch by batch with how far it got, so the job page
shows messages scanned of the total as it goes, the case's views keep working meanwhile,
and a job that died or failed runs again from where it stopped: messages already scanned
with this policy version are never scanned twice, so no finding is ever stored twice.
"""

from __future__ import annotations

from conductlens.jobs.base import JobContext, JobKind, Outcome
from conductlens.jobs.queue import Job, add_job, unfinished
from conductlens.review.access import Forbidden
from conductlens.review.accounts import User
from conductlens.review.door import CaseDoor
from conductlens.review.roles import Permission, allows
from conductlens.store import Store

KIND = "scan"


def queue_scan(store: Store, user: User, case_id: int) -> tuple[int, bool]:
    """Queue a scan of case ``case_id`` as ``user``: ``(job id, True)``, or the case's scan
    already queued or running and ``False`` (two runs at once would scan the same messages)."""
    reference = CaseDoor(store.engine, user, case_id).reference()  # unknown or hidden: refused
    if not allows(user.role, Permission.EDIT_CASE):
        raise Forbidden(f"{user.role} may not {Permission.EDIT_CASE.value}")
    with store.writing() as conn:  # checked and added under the write lock: one per case
        waiting = unfinished(conn, KIND, case_id)
        if waiting is not None:
            return waiting, False
        return add_job(conn, KIND, user, case_id, {"case": reference}), True


def _run(ctx: JobContext) -> Outcome:
    door = CaseDoor(ctx.store.engine, ctx.user, int(ctx.job.case_id or 0))
    summary = door.run_policy(ctx.store, progress=ctx.advance)
    # What the scan did, as totals only. Its findings by severity and by category are not
    # kept: the scan reads the whole case, and outside the authorised scope a reviewer sees
    # totals only, so the job page works them out inside the scope when it is shown
    # (``CasePage.scan_findings``), as the scope then in force allows.
    return Outcome(None, {"policy": summary.policy_version,
                          "messages": summary.messages_scanned,
                          "findings": summary.findings}, summary.messages_scanned)


def _hidden(store: Store, job: Job) -> dict[str, str]:
    return {str(store.exhibit_dir): "the evidence store"}


SCAN = JobKind(KIND, "Baseline policy scan", _run,
               lambda job: f"scan of {job.params.get('case', '')}", _hidden)
