"""A job's page (progress, then the exhibit, the scan's findings or the bundle), its JSON
and the bundle's zip.

Only the person who asked for a job sees it, and only while their role may ask for one and
they may open its case; any other id answers as a job that does not exist. What is shown is
read in ``jobs.view`` (through the case's door); a bundle's download is recorded first.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from conductlens import jobs
from conductlens.web.deps import CanViewCases, StoreDep
from conductlens.web.pages import render
from conductlens.web.routes._case import door

router = APIRouter()
REFRESH_SECONDS = 2


def wake_worker(request: Request) -> None:
    """Tell the app's worker a job is waiting (it polls anyway; this saves the wait)."""
    worker = getattr(request.app.state, "jobs", None)
    if worker is not None:
        worker.wake()


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: int, session: CanViewCases, store: StoreDep
             ) -> HTMLResponse:
    job = jobs.job_view(store, session.user, job_id)
    finished = job["state"] in (jobs.JobState.DONE, jobs.JobState.FAILED)
    context: dict[str, Any] = {"job": job, "refresh": 0 if finished else REFRESH_SECONDS}
    if job["case_id"] is not None:
        context["h"] = door(store, session, job["case_id"]).header()
    return render(request, "job.html", context)


@router.get("/api/jobs/{job_id}")
def job_json(job_id: int, session: CanViewCases, store: StoreDep) -> dict[str, Any]:
    shown = jobs.job_view(store, session.user, job_id)
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in shown.items()}


@router.get("/jobs/{job_id}/bundle.zip")
def download_bundle(job_id: int, session: CanViewCases, store: StoreDep) -> Response:
    """The finished bundle (bundle.pdf, bundle.html, manifest.json) as one zip."""
    name, data = jobs.bundle_zip(store, session.user, job_id)
    return Response(data, media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{name}"'})
