"""Cases: list, open, the case page, exhibits, subjects, hours, notes, status."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from conductlens.errors import ConductLensError
from conductlens.ingest.pipeline import ingest_path
from conductlens.review import audit, cases, pseudonyms, register, scope, team_duties, teams
from conductlens.review.cases import CaseStatus
from conductlens.review.policy_run import record_findings
from conductlens.web.deps import (
    CanEditCase,
    CanViewCases,
    CanViewTotals,
    SettingsDep,
    StoreDep,
)
from conductlens.web.pages import render
from conductlens.web.routes._case import case_header

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
    with store.engine.begin() as conn:
        case_id = cases.open_case(conn, reference, allegation, session.user.username)
    return _back(case_id)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: int, session: CanViewCases, store: StoreDep
              ) -> HTMLResponse:
    header = case_header(store, session, case_id)
    with store.engine.begin() as conn:
        context = {
            "h": header, "exhibits": cases.exhibits(conn, case_id),
            "conversations": cases.conversations(conn, case_id),
            "subjects": cases.subjects(conn, case_id), "notes": cases.notes(conn, case_id),
            "hours": cases.hours_by_person(conn, case_id),
            "scopes": scope.history(conn, case_id),
            "unmasks": pseudonyms.unmask_list(conn, case_id),
            "people": register.list_people(conn), "statuses": list(CaseStatus),
            "activities": cases.ACTIVITIES,
            "team": teams.members(conn, case_id), "assignable": teams.assignable(conn),
            "team_changes": team_duties.changes(conn, case_id),
        }
    return render(request, "case.html", context)


@router.post("/cases/{case_id}/exhibits")
async def add_exhibit(case_id: int, session: CanEditCase, store: StoreDep,
                      settings: SettingsDep, upload: UploadFile) -> Response:
    header_case = _case_ref(store, case_id)
    name = Path(upload.filename or "exhibit").name or "exhibit"
    limit = settings.max_upload_mb * 1024 * 1024
    with tempfile.TemporaryDirectory(prefix="conductlens-upload-") as tmp:
        path = Path(tmp) / name
        await _save(upload, path, limit)
        summary = ingest_path(store, path, case=header_case, added_by=session.user.username)
    with store.engine.begin() as conn:
        ids = cases.exhibit_ids(conn, case_id)
        register.link_by_identifier(conn, ids, session.user.username)
        audit.append(conn, audit.AuditEvent(
            session.user.username, "exhibit.add", case_id, {"exhibit": ids},
            detail={"reference": summary.reference, "sha256": summary.sha256,
                    "messages": summary.messages, "duplicate": summary.duplicate}))
    return _back(case_id, "#exhibits")


@router.post("/cases/{case_id}/scan")
def run_policy(case_id: int, session: CanEditCase, store: StoreDep) -> Response:
    _case_ref(store, case_id)
    record_findings(store, case_id, session.user.username)
    return _back(case_id, "#exhibits")


async def _save(upload: UploadFile, path: Path, limit: int) -> None:
    written = 0
    with path.open("wb") as out:
        while chunk := await upload.read(1 << 20):
            written += len(chunk)
            if written > limit:
                raise ConductLensError(f"the upload is larger than {limit >> 20} MB")
            out.write(chunk)


def _case_ref(store: StoreDep, case_id: int) -> str:
    with store.engine.connect() as conn:
        return cases.find_case(conn, case_id).reference


@router.post("/cases/{case_id}/subjects")
def add_subject(case_id: int, session: CanEditCase, store: StoreDep,
                person_id: Annotated[int, Form()]) -> Response:
    with store.engine.begin() as conn:
        cases.find_case(conn, case_id)
        cases.add_subject(conn, case_id, person_id, session.user.username)
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
    with store.engine.begin() as conn:
        cases.find_case(conn, case_id)
        cases.log_hours(conn, case_id, session.user.username, hours, note,
                        activity or None, day)
    return _back(case_id, "#hours")


@router.post("/cases/{case_id}/notes")
def add_note(case_id: int, session: CanEditCase, store: StoreDep, text: Text) -> Response:
    with store.engine.begin() as conn:
        cases.find_case(conn, case_id)
        cases.add_note(conn, case_id, session.user.username, text)
    return _back(case_id, "#notes")


@router.post("/cases/{case_id}/status")
def set_status(case_id: int, session: CanEditCase, store: StoreDep,
               status: Annotated[str, Form(max_length=24)]) -> Response:
    try:
        new = CaseStatus(status)
    except ValueError as exc:
        raise ConductLensError(f"unknown status {status!r}") from exc
    with store.engine.begin() as conn:
        cases.find_case(conn, case_id)
        cases.set_status(conn, case_id, new, session.user.username)
    return _back(case_id)
