"""Scope: propose (investigator), authorise or refuse (supervisor)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse, Response

from conductlens.errors import ConductLensError
from conductlens.review import scope
from conductlens.web.deps import CanAuthorise, CanPropose, StoreDep

router = APIRouter()
Reason = Annotated[str, Form(max_length=5000)]


@router.post("/cases/{case_id}/scopes")
def propose(
    case_id: int, session: CanPropose, store: StoreDep, rationale: Reason,
    date_from: Annotated[date, Form()], date_to: Annotated[date, Form()],
    conversations: Annotated[list[int], Form()],
    subjects: Annotated[list[int] | None, Form()] = None,
    categories: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    with store.engine.begin() as conn:
        scope.propose(conn, case_id, session.user.username, subjects=subjects or [],
                      conversations=conversations, date_from=date_from, date_to=date_to,
                      categories=[c.strip() for c in categories.split(",") if c.strip()],
                      rationale=rationale)
    return RedirectResponse(f"/cases/{case_id}#scope", status_code=303)


def _scope_case(store: StoreDep, case_id: int, scope_id: int) -> None:
    with store.engine.connect() as conn:
        if scope_id not in {s.id for s in scope.history(conn, case_id)}:
            raise ConductLensError(f"no scope {scope_id} in this case")


@router.post("/cases/{case_id}/scopes/{scope_id}/authorise")
def authorise(case_id: int, scope_id: int, session: CanAuthorise, store: StoreDep,
              reason: Reason) -> Response:
    _scope_case(store, case_id, scope_id)
    with store.engine.begin() as conn:
        scope.authorise(conn, scope_id, session.user.username, reason)
    return RedirectResponse(f"/cases/{case_id}#scope", status_code=303)


@router.post("/cases/{case_id}/scopes/{scope_id}/refuse")
def refuse(case_id: int, scope_id: int, session: CanAuthorise, store: StoreDep,
           reason: Reason) -> Response:
    _scope_case(store, case_id, scope_id)
    with store.engine.begin() as conn:
        scope.refuse(conn, scope_id, session.user.username, reason)
    return RedirectResponse(f"/cases/{case_id}#scope", status_code=303)
