"""The staff register: people and identifiers, CSV import, manual link and unlink."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from conductlens.review import register
from conductlens.review.roles import Permission, allows
from conductlens.web.deps import (
    CanApproveUnmask,
    CanLink,
    CanManageRegister,
    CanReadRegister,
    StoreDep,
)
from conductlens.web.pages import render
from conductlens.web.routes._case import door

router = APIRouter()
Field = Annotated[str, Form(max_length=200)]


@router.get("/register", response_class=HTMLResponse)
def register_page(request: Request, session: CanReadRegister, store: StoreDep) -> HTMLResponse:
    """People for everyone who may read the register; declared identifiers (phone numbers
    above all, which would undo the pseudonyms in text) only for those who manage it."""
    full = allows(session.user.role, Permission.MANAGE_REGISTER)
    with store.engine.connect() as conn:
        people = [(p, register.person_identifiers(conn, p.id) if full else [])
                  for p in register.list_people(conn)]
    return render(request, "register.html", {"people": people, "identifiers_shown": full})


@router.post("/register/people")
def add_person(session: CanManageRegister, store: StoreDep, staff_number: Field, name: Field,
               force: Field, team: Field = "", role: Field = "", identifiers: Field = ""
               ) -> Response:
    line = "staff_number,name,force,team,role,identifiers\n"
    row = [staff_number, name, force, team, role, identifiers]
    data = line + ",".join('"' + v.replace('"', '""') + '"' for v in row) + "\n"
    register.import_csv(store.engine, data, session.user.username)
    return RedirectResponse("/register", status_code=303)


@router.post("/register/import")
async def import_csv(session: CanManageRegister, store: StoreDep, upload: UploadFile
                     ) -> Response:
    data = (await upload.read()).decode("utf-8-sig")
    register.import_csv(store.engine, data, session.user.username)
    return RedirectResponse("/register", status_code=303)


@router.post("/cases/{case_id}/links")
def link(case_id: int, session: CanLink, store: StoreDep, number: Annotated[int, Form()],
         person_id: Annotated[int, Form()], reason: Field) -> Response:
    """Ask for a link (a supervisor decides: a link can reveal who a pseudonym is)."""
    door(store, session, case_id).request_link(number, person_id, reason)
    return RedirectResponse(f"/cases/{case_id}#links", status_code=303)


@router.post("/cases/{case_id}/links/remove")
def unlink(case_id: int, session: CanLink, store: StoreDep,
           person_id: Annotated[int, Form()], reason: Field) -> Response:
    door(store, session, case_id).request_unlink(person_id, reason)
    return RedirectResponse(f"/cases/{case_id}#links", status_code=303)


@router.post("/cases/{case_id}/links/{link_id}/{verdict}")
def decide_link(case_id: int, link_id: int, verdict: str, session: CanApproveUnmask,
                store: StoreDep, reason: Field) -> Response:
    if verdict not in ("approve", "refuse"):
        return Response(status_code=404)
    door(store, session, case_id).decide_link(link_id, verdict == "approve", reason)
    return RedirectResponse(f"/cases/{case_id}#links", status_code=303)
