"""Cases: list, open, the case page, exhibits, subjects, hours, notes, status."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from conductlens import jobs
from conductlens.errors import ConductLensError
from conductlens.review import cases, teams
from conductlens.review import door as case_door
from conductlens.review.accounts import WebSession
from conductlens.store import Store
from conductlens.web.deps import (
    CanEditCase,
    CanViewCases,
    CanViewTotals,
    SettingsDep,
    StoreDep,
)
from conductlens.web.pages import render
from conductlens.web.routes._case import case_header, door
from conductlens.web.routes.jobs import wake_worker

router = APIRouter()
Text = Annotated[str, Form(max_length=5000)]


def _back(case_id: int, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/cases/{case_id}{anchor}", status_code=303)


@router.get("/cases", response_class=HTMLResponse)
def case_list(request: Request, session: CanViewTotals, store: StoreDep) -> HTMLResponse:
    with store.engine.connect() as conn:
        ids = teams.visible_cases(conn, session.user, [c.id for c in cases.list_cases(conn)])
    headers = [case_header(store, session, c) for c in ids]
    return render(request, "cases.html", {"headers": headers})


@router.get("/cases/new", response_class=HTMLResponse)
def new_case_form(request: Request, session: CanEditCase) -> HTMLResponse:
    return render(request, "case_new.html", {})


@router.post("/cases")
def open_case(session: CanEditCase, store: StoreDep, reference: Annotated[str, Form(
        max_length=64)], allegation: Text) -> Response:
    return _back(case_door.open_case(store.engine, session.user, reference, allegation))


def case_context(store: Store, session: WebSession, case_id: int) -> dict[str, Any]:
    """Everything the case page shows (also re-shown with a form's error)."""
    d = door(store, session, case_id)
    return {"h": d.header(), **d.overview(),
            "jobs": jobs.list_jobs(store, case_id=case_id, user=session.user, limit=10)}


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: int, session: CanViewCases, store: StoreDep
              ) -> HTMLResponse:
    return render(request, "case.html", case_context(store, session, case_id))


@router.post("/cases/{case_id}/exhibits")
def add_exhibit(request: Request, case_id: int, session: CanEditCase, store: StoreDep,
                settings: SettingsDep, upload: UploadFile) -> Response:
    """Receive the file and queue its ingest; the job page shows how it goes."""
    door(store, session, case_id).reference()  # an unknown or hidden case: nothing is kept
    held = jobs.save_upload(store, upload.file, upload.filename,
                            settings.max_upload_mb * 1024 * 1024)
    job_id = jobs.queue_ingest(store, session.user, case_id, held)
    wake_worker(request)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


@router.post("/cases/{case_id}/scan")
def run_policy(case_id: int, session: CanEditCase, store: StoreDep) -> Response:
    door(store, session, case_id).run_policy(store)
    return _back(case_id, "#exhibits")


@router.post("/cases/{case_id}/subjects")
def add_subject(case_id: int, session: CanEditCase, store: StoreDep,
                person_id: Annotated[int, Form()]) -> Response:
    door(store, session, case_id).add_subject(person_id)
    return _back(case_id, "#subjects")


@router.post("/cases/{case_id}/hours")
def log_hours(case_id: int, session: CanEditCase, store: StoreDep,
              hours: Annotated[float, Form()], note: Annotated[str, Form(max_length=500)] = "",
              activity: Annotated[str, Form(max_length=32)] = "",
              worked_on: Annotated[str, Form(max_length=10)] = "") -> Response:
    try:
        day = date.fromisoformat(worked_on) if worked_on else None
    except ValueError:
        raise ConductLensError(f"worked_on: {worked_on!r} is not a date (YYYY-MM-DD)") from None
    door(store, session, case_id).log_hours(hours, note, activity or None, day)
    return _back(case_id, "#hours")


@router.post("/cases/{case_id}/notes")
def add_note(case_id: int, session: CanEditCase, store: StoreDep, text: Text) -> Response:
    door(store, session, case_id).add_note(text)
    return _back(case_id, "#notes")


@router.post("/cases/{case_id}/status")
def set_status(case_id: int, session: CanEditCase, store: StoreDep,
               status: Annotated[str, Form(max_length=24)]) -> Response:
    door(store, session, case_id).set_status(status)
    return _back(case_id)
