"""Scope: propose (investigator), authorise or refuse (supervisor), through the door.

A proposal the door refuses (a subject who is not the case's, an unknown category, a date
range that ends before it starts...) is shown again on the case page with the reason next
to the form, the entered values kept."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from conductlens.errors import ConductLensError
from conductlens.web.deps import CanAuthorise, CanPropose, StoreDep
from conductlens.web.pages import render
from conductlens.web.routes._case import door
from conductlens.web.routes.cases import case_context

router = APIRouter()
Reason = Annotated[str, Form(max_length=5000)]


@router.post("/cases/{case_id}/scopes", response_model=None)
def propose(
    request: Request, case_id: int, session: CanPropose, store: StoreDep, rationale: Reason,
    date_from: Annotated[date, Form()], date_to: Annotated[date, Form()],
    conversations: Annotated[list[int], Form()],
    subjects: Annotated[list[int] | None, Form()] = None,
    categories: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    chosen = [c.strip() for c in categories.split(",") if c.strip()]
    try:
        door(store, session, case_id).propose_scope(
            subjects=subjects or [], conversations=conversations, date_from=date_from,
            date_to=date_to, categories=chosen, rationale=rationale)
    except ConductLensError as exc:
        if type(exc) is not ConductLensError:  # out of scope, hidden case: the usual answer
            raise
        entered = {"rationale": rationale, "date_from": date_from, "date_to": date_to,
                   "conversations": conversations, "subjects": subjects or [],
                   "categories": categories}
        context = case_context(store, session, case_id) | {
            "scope_error": str(exc), "entered": entered}
        return render(request, "case.html", context, 400)
    return RedirectResponse(f"/cases/{case_id}#scope", status_code=303)


@router.post("/cases/{case_id}/scopes/{scope_id}/authorise")
def authorise(case_id: int, scope_id: int, session: CanAuthorise, store: StoreDep,
              reason: Reason) -> Response:
    door(store, session, case_id).decide_scope(scope_id, True, reason)
    return RedirectResponse(f"/cases/{case_id}#scope", status_code=303)


@router.post("/cases/{case_id}/scopes/{scope_id}/refuse")
def refuse(case_id: int, scope_id: int, session: CanAuthorise, store: StoreDep,
           reason: Reason) -> Response:
    door(store, session, case_id).decide_scope(scope_id, False, reason)
    return RedirectResponse(f"/cases/{case_id}#scope", status_code=303)
