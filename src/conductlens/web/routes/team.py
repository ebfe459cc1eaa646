"""Case teams: investigators on the team and admins add or remove members, with a reason.

The case-team check itself is not here: ``deps.require`` applies it to every case route.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from conductlens.review import cases, teams
from conductlens.review.accounts import WebSession
from conductlens.review.roles import Role
from conductlens.web.deps import CanAssignTeam, CanManageUsers, StoreDep
from conductlens.web.pages import render

router = APIRouter()
Username = Annotated[str, Form(max_length=64)]
Reason = Annotated[str, Form(max_length=2000)]


def _after(session: WebSession, case_id: int, removed: str = "") -> RedirectResponse:
    if session.user.role == Role.ADMIN:
        return RedirectResponse(f"/admin/teams#case-{case_id}", status_code=303)
    if removed == session.user.username:  # left the team: the case is closed to them now
        return RedirectResponse("/cases", status_code=303)
    return RedirectResponse(f"/cases/{case_id}#team", status_code=303)


@router.post("/cases/{case_id}/team")
def add_member(case_id: int, session: CanAssignTeam, store: StoreDep, username: Username,
               reason: Reason) -> Response:
    with store.engine.begin() as conn:
        teams.add_member(conn, case_id, username.strip(), session.user.username, reason)
    return _after(session, case_id)


@router.post("/cases/{case_id}/team/remove")
def remove_member(case_id: int, session: CanAssignTeam, store: StoreDep, username: Username,
                  reason: Reason) -> Response:
    with store.engine.begin() as conn:
        teams.remove_member(conn, case_id, username.strip(), session.user.username, reason)
    return _after(session, case_id, username.strip())


@router.get("/admin/teams", response_class=HTMLResponse)
def teams_page(request: Request, session: CanManageUsers, store: StoreDep) -> HTMLResponse:
    """Every case's reference and team (no allegation, no content), with the team forms."""
    with store.engine.connect() as conn:
        rows = [(c.id, c.reference, teams.members(conn, c.id)) for c in cases.list_cases(conn)]
        assignable = teams.assignable(conn)
    return render(request, "teams.html", {"rows": rows, "assignable": assignable})
