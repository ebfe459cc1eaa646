"""Case teams: ask for a change, and the second person's decision (``team_duties``).

The case-team check itself is not here: ``deps.require`` applies it to every case route
(and to ``change_id`` routes through the change's case).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from conductlens.review import cases, team_duties, teams
from conductlens.review.accounts import WebSession
from conductlens.review.roles import Role
from conductlens.web.deps import CanAssignTeam, CanDecideTeam, CanManageUsers, StoreDep
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
        applied = teams.remove_member(conn, case_id, username.strip(), session.user.username,
                                      reason) is None
    return _after(session, case_id, username.strip() if applied else "")


def _decide(change_id: int, session: WebSession, store: StoreDep, approve: bool,
            reason: str) -> Response:
    with store.engine.begin() as conn:
        change = team_duties.get(conn, change_id)
        team_duties.decide(conn, change_id, session.user, approve, reason)
    return _after(session, change.case_id if change else 0)


@router.post("/team-changes/{change_id}/approve")
def approve_change(change_id: int, session: CanDecideTeam, store: StoreDep,
                   reason: Reason) -> Response:
    return _decide(change_id, session, store, True, reason)


@router.post("/team-changes/{change_id}/refuse")
def refuse_change(change_id: int, session: CanDecideTeam, store: StoreDep,
                  reason: Reason) -> Response:
    return _decide(change_id, session, store, False, reason)


@router.post("/cases/{case_id}/team/confirm")
def confirm_member(case_id: int, session: CanDecideTeam, store: StoreDep, username: Username,
                   reason: Reason) -> Response:
    """The case's supervisor confirms an account its maker put on the team."""
    with store.engine.begin() as conn:
        team_duties.confirm_account(conn, username.strip(), session.user, reason)
    return _after(session, case_id)


@router.get("/admin/teams", response_class=HTMLResponse)
def teams_page(request: Request, session: CanManageUsers, store: StoreDep) -> HTMLResponse:
    """Every case's reference and team (no allegation, no content), with the team forms
    and the changes awaiting a decision."""
    with store.engine.connect() as conn:
        rows = [(c.id, c.reference, teams.members(conn, c.id),
                 team_duties.changes(conn, c.id)) for c in cases.list_cases(conn)]
        assignable = teams.assignable(conn)
    return render(request, "teams.html", {"rows": rows, "assignable": assignable,
                                          "me": session.user.username})
