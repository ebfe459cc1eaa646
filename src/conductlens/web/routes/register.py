"""The staff register: people and identifiers, CSV import, manual link and unlink."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from conductlens.review import pseudonyms, register
from conductlens.web.deps import CanLink, CanManageRegister, CanReadRegister, StoreDep
from conductlens.web.pages import render

router = APIRouter()
Field = Annotated[str, Form(max_length=200)]


@router.get("/register", response_class=HTMLResponse)
def register_page(request: Request, session: CanReadRegister, store: StoreDep) -> HTMLResponse:
    with store.engine.connect() as conn:
        people = [(p, register.person_identifiers(conn, p.id))
                  for p in register.list_people(conn)]
    return render(request, "register.html", {"people": people})


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
    with store.engine.begin() as conn:
        pseudonyms.link_pseudonym(conn, case_id, number, person_id, session.user.username,
                                  reason)
    return RedirectResponse(f"/cases/{case_id}#links", status_code=303)


@router.post("/cases/{case_id}/links/remove")
def unlink(case_id: int, session: CanLink, store: StoreDep,
           person_id: Annotated[int, Form()], reason: Field) -> Response:
    with store.engine.begin() as conn:
        pseudonyms.unlink_person(conn, case_id, person_id, session.user.username, reason)
    return RedirectResponse(f"/cases/{case_id}#links", status_code=303)
