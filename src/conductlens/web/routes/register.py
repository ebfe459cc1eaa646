"""The staff register: people and their declared identifiers, CSV import, matching
participants again, manual link and unlink requests."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from conductlens.errors import ConductLensError
from conductlens.review import matching, register, register_csv
from conductlens.review.accounts import WebSession
from conductlens.review.door import CaseDoor
from conductlens.review.identifiers import KINDS, LABELS
from conductlens.review.roles import Permission, allows
from conductlens.web.deps import (
    CanApproveUnmask,
    CanLink,
    CanManageRegister,
    CanReadRegister,
    SettingsDep,
    StoreDep,
)
from conductlens.web.pages import render
from conductlens.web.routes._case import act_on_case

router = APIRouter()
Field = Annotated[str, Form(max_length=200)]


def _page(request: Request, session: WebSession, store: StoreDep,
          result: dict[str, object] | None = None) -> HTMLResponse:
    """People for everyone who may read the register; declared identifiers (phone numbers
    above all, which would undo the pseudonyms in text) and where each link came from only
    for those who manage it."""
    full = allows(session.user.role, Permission.MANAGE_REGISTER)
    with store.engine.connect() as conn:
        people = [(p, register.person_identifiers(conn, p.id) if full else [],
                   register.link_sources(conn, person_id=p.id) if full else [])
                  for p in register.list_people(conn)]
    return render(request, "register.html", {
        "people": people, "identifiers_shown": full, "kinds": KINDS, "labels": LABELS,
        "result": result})


@router.get("/register", response_class=HTMLResponse)
def register_page(request: Request, session: CanReadRegister, store: StoreDep) -> HTMLResponse:
    return _page(request, session, store)


@router.post("/register/people", response_class=HTMLResponse)
def add_person(request: Request, session: CanManageRegister, store: StoreDep,
               settings: SettingsDep, staff_number: Field, name: Field, force: Field,
               team: Field = "", role: Field = "", identifiers: Field = "") -> HTMLResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["staff_number", "name", "force", "team", "role", "identifiers"])
    writer.writerow([staff_number, name, force, team, role, identifiers])
    report = register_csv.import_csv(store.engine, buffer.getvalue(), session.user.username,
                                     settings.phone_region)
    return _page(request, session, store, {"title": "Person added", "report": report})


@router.post("/register/people/{person_id}/identifiers", response_class=HTMLResponse)
def add_identifier(request: Request, person_id: int, session: CanManageRegister,
                   store: StoreDep, settings: SettingsDep, kind: Field, value: Field,
                   declared_on: Field = "") -> HTMLResponse:
    try:
        when = date.fromisoformat(declared_on) if declared_on.strip() else None
    except ValueError:
        raise ConductLensError(f"{declared_on!r} is not a date (use YYYY-MM-DD)") from None
    with store.engine.begin() as conn:
        outcome = register.add_identifier(conn, person_id, kind, value, when,
                                          session.user.username, settings.phone_region)
    said = {"added": "Identifier added.", "dated": "Already held; its date is now recorded.",
            "known": "Already held: nothing changed."}[outcome]
    return _page(request, session, store, {"title": said, "report": None})


@router.post("/register/import", response_class=HTMLResponse)
async def import_csv(request: Request, session: CanManageRegister, store: StoreDep,
                     settings: SettingsDep, upload: UploadFile) -> HTMLResponse:
    try:
        data = (await upload.read()).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConductLensError("the register CSV is not UTF-8 text") from None
    report = register_csv.import_csv(store.engine, data, session.user.username,
                                     settings.phone_region)
    return _page(request, session, store, {"title": "CSV imported", "report": report})


@router.post("/register/match", response_class=HTMLResponse)
def match(request: Request, session: CanManageRegister, store: StoreDep,
          settings: SettingsDep) -> HTMLResponse:
    """Match every exhibit's unlinked participants again (after the register changed)."""
    with store.engine.begin() as conn:
        found = matching.link_everywhere(conn, session.user.username, settings.phone_region)
    return _page(request, session, store, {"title": found.summary() + ".", "report": None})


@router.post("/cases/{case_id}/links", response_model=None)
def link(request: Request, case_id: int, session: CanLink, store: StoreDep,
         number: Annotated[int, Form()], person_id: Annotated[int, Form()], reason: Field
         ) -> Response:
    """Ask for a link (a supervisor decides: a link can reveal who a pseudonym is)."""
    def act(d: CaseDoor) -> str:
        d.request_link(number, person_id, reason)
        return (f"Asked to link Participant {number:02d} to the register; a supervisor on "
                "the case team decides.")
    return act_on_case(request, store, session, case_id, tab="people", form="link",
                       entered={"number": number, "person_id": person_id, "reason": reason},
                       act=act)


@router.post("/cases/{case_id}/links/remove", response_model=None)
def unlink(request: Request, case_id: int, session: CanLink, store: StoreDep,
           person_id: Annotated[int, Form()], reason: Field) -> Response:
    def act(d: CaseDoor) -> str:
        d.request_unlink(person_id, reason)
        return "Asked to remove the case's links to that person; a supervisor decides."
    return act_on_case(request, store, session, case_id, tab="people", form="unlink",
                       entered={"person_id": person_id, "reason": reason}, act=act)


@router.post("/cases/{case_id}/links/{link_id}/{verdict}", response_model=None)
def decide_link(request: Request, case_id: int, link_id: int, verdict: str,
                session: CanApproveUnmask, store: StoreDep, reason: Field) -> Response:
    if verdict not in ("approve", "refuse"):
        return Response(status_code=404)

    def act(d: CaseDoor) -> str:
        d.decide_link(link_id, verdict == "approve", reason)
        return f"Link request {link_id} {verdict}d."
    return act_on_case(request, store, session, case_id, tab="people",
                       form=f"link-{link_id}", entered={"reason": reason}, act=act)
