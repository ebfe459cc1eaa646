"""Cases: list, open, the case page (a tab at a time), exhibits, subjects, hours, notes,
status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from conductlens import jobs
from conductlens.errors import ConductLensError
from conductlens.review import cases, teams
from conductlens.review import door as case_door
from conductlens.review import hours as case_hours
from conductlens.review.door import CaseDoor
from conductlens.web.deps import (
    CanEditCase,
    CanViewCases,
    CanViewTotals,
    SettingsDep,
    StoreDep,
)
from conductlens.web.notices import done
from conductlens.web.pages import render
from conductlens.web.routes._case import act_on_case, case_context, case_header, door, tab_url
from conductlens.web.routes.jobs import wake_worker

router = APIRouter()
Text = Annotated[str, Form(max_length=5000)]
Short = Annotated[str, Form(max_length=32)]


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
def open_case(request: Request, session: CanEditCase, store: StoreDep,
              reference: Annotated[str, Form(max_length=64)], allegation: Text) -> Response:
    case_id = case_door.open_case(store.engine, session.user, reference, allegation)
    return done(request, tab_url(case_id), f"Case {reference.strip()} opened; you are on "
                "its team.")


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: int, session: CanViewCases, store: StoreDep,
              tab: Annotated[str, Query(max_length=16)] = "overview",
              everything: Annotated[bool, Query(alias="all")] = False) -> HTMLResponse:
    """One tab of the case page (``?tab=exhibits``...; the overview without one)."""
    return render(request, "case.html", case_context(store, session, case_id, tab, everything))


@router.post("/cases/{case_id}/exhibits")
def add_exhibit(request: Request, case_id: int, session: CanEditCase, store: StoreDep,
                settings: SettingsDep, upload: UploadFile) -> Response:
    """Receive the file and queue its ingest; the job page shows how it goes."""
    door(store, session, case_id).reference()  # an unknown or hidden case: nothing is kept
    held = jobs.save_upload(store, upload.file, upload.filename,
                            settings.max_upload_mb * 1024 * 1024)
    job_id = jobs.queue_ingest(store, session.user, case_id, held)
    wake_worker(request)
    return done(request, f"/jobs/{job_id}", f"Exhibit received: job {job_id} adds it to the "
                "case in the background.")


@router.post("/cases/{case_id}/scan")
def run_policy(request: Request, case_id: int, session: CanEditCase, store: StoreDep
               ) -> Response:
    """Queue the baseline policy's scan of the case; the job page shows how it goes."""
    job_id, queued = jobs.queue_scan(store, session.user, case_id)
    wake_worker(request)
    if not queued:
        return done(request, f"/jobs/{job_id}", f"This case's scan is already under way: "
                    f"job {job_id}.")
    return done(request, f"/jobs/{job_id}", f"Scan queued: job {job_id} runs the baseline "
                "policy over the case's messages in the background.")


@router.post("/cases/{case_id}/subjects", response_model=None)
def add_subject(request: Request, case_id: int, session: CanEditCase, store: StoreDep,
                person_id: Annotated[int, Form()]) -> Response:
    return act_on_case(request, store, session, case_id, tab="people", form="subject",
                       entered={"person_id": person_id},
                       act=lambda d: f"Subject added: {d.add_subject(person_id)}.")


@router.post("/cases/{case_id}/hours", response_model=None)
def log_hours(request: Request, case_id: int, session: CanEditCase, store: StoreDep,
              hours: Short = "", activity: Short = "", worked_on: Short = "",
              note: Annotated[str, Form(max_length=500)] = "") -> Response:
    entered = {"hours": hours, "activity": activity, "worked_on": worked_on, "note": note}

    def act(d: CaseDoor) -> str:
        entry = case_hours.read_form(hours, activity, worked_on, note)
        d.log_hours(entry.hours, entry.note, entry.activity, entry.worked_on)
        return (f"Logged {entry.hours:g} h of {entry.activity.replace('_', ' ')} on "
                f"{entry.worked_on:%d %b %Y}.")
    return act_on_case(request, store, session, case_id, tab="hours", form="hours",
                       entered=entered, act=act)


@router.post("/cases/{case_id}/notes", response_model=None)
def add_note(request: Request, case_id: int, session: CanEditCase, store: StoreDep,
             text: Text = "") -> Response:
    def act(d: CaseDoor) -> str:
        if not text.strip():
            raise ConductLensError("Note: write the note first")
        d.add_note(text)
        return "Note added."
    return act_on_case(request, store, session, case_id, tab="hours", form="note",
                       entered={"text": text}, act=act)


@router.post("/cases/{case_id}/status", response_model=None)
def set_status(request: Request, case_id: int, session: CanEditCase, store: StoreDep,
               status: Annotated[str, Form(max_length=24)]) -> Response:
    def act(d: CaseDoor) -> str:
        d.set_status(status)
        return f"Case status set to {status.replace('_', ' ')}."
    return act_on_case(request, store, session, case_id, tab="overview", form="status",
                       entered={"status": status}, act=act)
