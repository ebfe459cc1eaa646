"""A job as its page, its JSON and the case page's list show it, read through the case's door.

Only the job's requester sees it (``queue.job_for``). Its file name and error are masked as
the case page masks exhibit names. A finished scan keeps what it did as totals (messages
scanned, findings recorded); its findings by severity and by category are worked out here,
when the page is shown, inside the scope then in force (``CasePage.scan_findings``): the
scan reads the whole case, and outside the scope a reviewer is shown totals only. A finished
bundle says whether it may be downloaded now: not once the scope it was made under has been
replaced (``CaseDoor.bundle_refused``).
"""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from conductlens.jobs.bundle import KIND as BUNDLE
from conductlens.jobs.bundle import made_under
from conductlens.jobs.queue import ASK_FOR_JOBS, Job, JobState, job_for, list_jobs
from conductlens.jobs.registry import KINDS
from conductlens.jobs.runner import live_progress
from conductlens.review.accounts import User
from conductlens.review.door import CaseDoor
from conductlens.review.roles import allows
from conductlens.store import Store

SCAN = "scan"


def job_view(store: Store, user: User, job_id: int) -> dict[str, Any]:
    """Job ``job_id`` as ``user`` may see it (anyone else: as if there were no such job)."""
    job = job_for(store, user, job_id)
    kind = KINDS.get(job.kind)
    subject = kind.subject(job) if kind else job.kind
    summary = dict(job.summary)
    error = job.error or ""
    if job.case_id is not None:
        door = CaseDoor(store.engine, user, job.case_id)
        subject, error = door.masked(subject, error)
        if job.kind == SCAN:
            summary = _scan_summary(door, summary)
        elif job.kind == BUNDLE and job.state == JobState.DONE:
            summary = _bundle_summary(door, job, summary)
    return {"id": job.id, "kind": job.kind, "label": kind.label if kind else job.kind,
            "subject": subject, "case_id": job.case_id,
            "state": job.state.value, "progress": live_progress(job, store),
            "total": job.progress_total,
            "error": error or None, "result": job.result_ref, "summary": summary,
            "requested_by": job.requested_by, "created_at": job.created_at,
            "started_at": job.started_at, "finished_at": job.finished_at}


def _scan_summary(door: CaseDoor, summary: dict[str, Any]) -> dict[str, Any]:
    """A scan's stored totals, with its breakdown inside the authorised scope (a breakdown
    an older job row still holds, over the whole case, is replaced, never shown)."""
    if "policy" not in summary:  # not finished (or failed): nothing to break down
        return summary
    inside = door.scan_findings(str(summary["policy"]))
    counted = asdict(inside)
    return summary | {"by_severity": counted["by_severity"],
                      "by_category": counted["by_category"],
                      "findings_in_scope": inside.findings, "scope_id": inside.scope_id}


def _bundle_summary(door: CaseDoor, job: Job, summary: dict[str, Any]) -> dict[str, Any]:
    """A finished bundle's summary, with whether it may be downloaded now: only while the
    scope it was made under is the scope in force (``download_refused`` says why not)."""
    made = made_under(job)
    return summary | {"scope_id": made, "download_refused": door.bundle_refused(made)}


def case_jobs(store: Store, user: User, case_id: int, limit: int = 10
              ) -> tuple[list[Job], dict[int, int]]:
    """``user``'s newest jobs on case ``case_id`` (file names and errors masked), and how
    far each unfinished one has got (also when a worker in another process runs it)."""
    if not allows(user.role, ASK_FOR_JOBS):  # jobs asked for under a role since left
        return [], {}
    listed = list_jobs(store, case_id=case_id, user=user, limit=limit)
    door = CaseDoor(store.engine, user, case_id)
    shown = []
    for job in listed:
        name, error = door.masked(str(job.params.get("name", "")), job.error or "")
        shown.append(replace(job, params=job.params | ({"name": name} if "name" in job.params
                                                       else {}), error=error or None))
    return shown, {j.id: live_progress(j, store) for j in shown
                   if j.state in (JobState.QUEUED, JobState.RUNNING)}
