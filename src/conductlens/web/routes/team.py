"""Case teams: ask for a change, and the second person's decision (``team_duties``).

The case-team check itself is not here: ``deps.require`` applies it to every case route
(and to ``change_id`` routes through the change's case). On the case page each change
answers on the team tab with a notice saying what happened (done, or awaiting a second
person), and an admin's on the teams page; either way a refused form comes back with what
was typed and one line naming the field to correct.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Connection

from conductlens.errors import ConductLensError
from conductlens.review import cases, team_duties, teams
from conductlens.review.accounts import WebSession
from conductlens.review.roles import Role
from conductlens.store import Store
from conductlens.web.deps import CanAssignTeam, CanDecideTeam, CanManageUsers, StoreDep
from conductlens.web.notices import done
from conductlens.web.pages import render
from conductlens.web.routes._case import act_on_case, tab_url

router = APIRouter()
Username = Annotated[str, Form(max_length=64)]
Reason = Annotated[str, Form(max_length=2000)]
WAITS = "; it waits for the case's supervisor or another admin"


def _change(request: Request, store: Store, session: WebSession, case_id: int, form: str,
            entered: dict[str, Any], change: Callable[[Connection], str],
            to: Callable[[], str] | None = None) -> Response:
    def act(_door: object) -> str:
        with store.engine.begin() as conn:
            return change(conn)
    if session.user.role == Role.ADMIN:  # the teams page, refused forms kept as on a tab
        try:
            notice = act(None)
        except ConductLensError as exc:
            if type(exc) is not ConductLensError:
                raise
            return _teams(request, store, session, {"form": form, "message": str(exc),
                                                    "case_id": case_id}, entered, exc)
        return done(request, f"/admin/teams#case-{case_id}", notice)
    return act_on_case(request, store, session, case_id, tab="team", form=form,
                       entered=entered, act=act, to=to)


def _named(reason: str, reason_field: str, other_field: str,
           change: Callable[[Connection], str]) -> Callable[[Connection], str]:
    """``change`` whose refusal names the field to correct: the reason (checked first, as
    the library does) or ``other_field`` (who, or the change asked for)."""
    def run(conn: Connection) -> str:
        try:
            teams.reason_given(reason)
        except ConductLensError as exc:
            raise ConductLensError(f"{reason_field}: {exc}") from None
        try:
            return change(conn)
        except ConductLensError as exc:
            if type(exc) is not ConductLensError:
                raise
            raise ConductLensError(f"{other_field}: {exc}") from None
    return run


@router.post("/cases/{case_id}/team", response_model=None)
def add_member(request: Request, case_id: int, session: CanAssignTeam, store: StoreDep,
               username: Username, reason: Reason) -> Response:
    who = username.strip()

    def change(conn: Connection) -> str:
        pending = teams.add_member(conn, case_id, who, session.user.username, reason)
        return f"Asked to add {who} to the case team{WAITS}." if pending else (
            f"{who} added to the case team.")
    return _change(request, store, session, case_id, "team-add",
                   {"username": who, "reason": reason},
                   _named(reason, "Reason for the assignment", "Add to the case team", change))


@router.post("/cases/{case_id}/team/remove", response_model=None)
def remove_member(request: Request, case_id: int, session: CanAssignTeam, store: StoreDep,
                  username: Username, reason: Reason) -> Response:
    who, left = username.strip(), []

    def change(conn: Connection) -> str:
        if teams.remove_member(conn, case_id, who, session.user.username, reason):
            return f"Asked to remove {who} from the case team{WAITS}."
        left.append(who == session.user.username)
        return f"{who} removed from the case team."

    def to() -> str:  # left the team: the case is closed to them now
        return "/cases" if any(left) else tab_url(case_id, "team")
    return _change(request, store, session, case_id, "team-remove",
                   {"username": who, "reason": reason},
                   _named(reason, "Reason for the removal", "Remove from the case team", change),
                   to)


def _decide(request: Request, change_id: int, session: WebSession, store: Store,
            approve: bool, reason: str) -> Response:
    with store.engine.connect() as conn:
        found = team_duties.get(conn, change_id)
    what = f"{found.change} {found.username}" if found else f"change {change_id}"

    def change(conn: Connection) -> str:
        team_duties.decide(conn, change_id, session.user, approve, reason)
        return f"Team change {'approved' if approve else 'refused'}: {what}."
    return _change(request, store, session, found.case_id if found else 0,
                   f"change-{change_id}", {"reason": reason},
                   _named(reason, "Reason", "Decision", change))


@router.post("/team-changes/{change_id}/approve", response_model=None)
def approve_change(request: Request, change_id: int, session: CanDecideTeam, store: StoreDep,
                   reason: Reason) -> Response:
    return _decide(request, change_id, session, store, True, reason)


@router.post("/team-changes/{change_id}/refuse", response_model=None)
def refuse_change(request: Request, change_id: int, session: CanDecideTeam, store: StoreDep,
                  reason: Reason) -> Response:
    return _decide(request, change_id, session, store, False, reason)


@router.post("/cases/{case_id}/team/confirm", response_model=None)
def confirm_member(request: Request, case_id: int, session: CanDecideTeam, store: StoreDep,
                   username: Username, reason: Reason) -> Response:
    """The case's supervisor confirms an account its maker put on the team."""
    who = username.strip()

    def change(conn: Connection) -> str:
        team_duties.confirm_account(conn, who, session.user, reason)
        return f"Account {who} confirmed: it may now open the case."
    return _change(request, store, session, case_id, f"confirm-{who}", {"reason": reason},
                   _named(reason, "Reason", "Confirm account", change))


@router.get("/admin/teams", response_class=HTMLResponse)
def teams_page(request: Request, session: CanManageUsers, store: StoreDep) -> HTMLResponse:
    """Every case's reference and team (no allegation, no content), with the team forms
    and the changes awaiting a decision."""
    return _teams(request, store, session)


def _teams(request: Request, store: Store, session: WebSession,
           error: dict[str, Any] | None = None, entered: dict[str, Any] | None = None,
           refusal: ConductLensError | None = None) -> HTMLResponse:
    """The teams page; with ``error``, shown again (400) with the reason beside the refused
    form of its case and what was typed in it (``refusal`` is raised as ever when that case
    is not on the page: an unknown change)."""
    with store.engine.connect() as conn:
        rows = [(c.id, c.reference, teams.members(conn, c.id),
                 team_duties.changes(conn, c.id)) for c in cases.list_cases(conn)]
        assignable = teams.assignable(conn)
    if error is not None and refusal is not None and error["case_id"] not in {
            r[0] for r in rows}:
        raise refusal
    return render(request, "teams.html", {"rows": rows, "assignable": assignable,
                                          "me": session.user.username, "error": error,
                                          "entered": entered or {}},
                  400 if error else 200)
