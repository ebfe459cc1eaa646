"""Accounts (admin only): add, unlock, disable, enable, reset a password, change a role,
confirm an account another admin made. Each action is a thin call into ``account_admin``
(audited there); a password is never put back into a page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from conductlens.errors import ConductLensError
from conductlens.review import account_admin, accounts, passwords, team_duties
from conductlens.review.roles import Role
from conductlens.web.deps import CanManageUsers, StoreDep
from conductlens.web.pages import render

router = APIRouter()
Reason = Annotated[str, Form(max_length=2000)]
Password = Annotated[str, Form(max_length=passwords.MAX_LENGTH)]
BACK = "/admin/users"


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError as exc:
        raise ConductLensError(f"unknown role {value[:16]!r}") from exc


def _back(username: str = "") -> RedirectResponse:
    return RedirectResponse(f"{BACK}#user-{username}" if username else BACK, status_code=303)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, session: CanManageUsers, store: StoreDep) -> HTMLResponse:
    return render(request, "users.html", {
        "accounts": account_admin.list_accounts(store.engine), "roles": list(Role),
        "me": session.user.username, "min_length": passwords.MIN_LENGTH})


@router.post("/admin/users")
def add_user(session: CanManageUsers, store: StoreDep,
             username: Annotated[str, Form(max_length=64, pattern=r"^[a-z0-9._-]+$")],
             password: Password,
             role: Annotated[str, Form(max_length=16)],
             display_name: Annotated[str, Form(max_length=120)] = "") -> Response:
    accounts.add_user(store.engine, username, password, _role(role), display_name,
                      actor=session.user.username)
    return _back(username)


@router.post("/admin/users/{username}/unlock")
def unlock(username: str, session: CanManageUsers, store: StoreDep, reason: Reason) -> Response:
    account_admin.unlock(store.engine, username, session.user.username, reason)
    return _back(username)


@router.post("/admin/users/{username}/disable")
def disable(username: str, session: CanManageUsers, store: StoreDep, reason: Reason) -> Response:
    account_admin.set_active(store.engine, username, False, session.user.username, reason)
    return _back(username)


@router.post("/admin/users/{username}/enable")
def enable(username: str, session: CanManageUsers, store: StoreDep, reason: Reason) -> Response:
    account_admin.set_active(store.engine, username, True, session.user.username, reason)
    return _back(username)


@router.post("/admin/users/{username}/password")
def reset_password(username: str, session: CanManageUsers, store: StoreDep, password: Password,
                   reason: Reason) -> Response:
    account_admin.reset_password(store.engine, username, password, session.user.username,
                                 reason)
    return _back(username)


@router.post("/admin/users/{username}/role")
def change_role(username: str, session: CanManageUsers, store: StoreDep,
                role: Annotated[str, Form(max_length=16)], reason: Reason) -> Response:
    account_admin.set_role(store.engine, username, _role(role), session.user.username, reason)
    return _back(username)


@router.post("/admin/users/{username}/confirm")
def confirm(username: str, session: CanManageUsers, store: StoreDep, reason: Reason) -> Response:
    with store.engine.begin() as conn:
        team_duties.confirm_account(conn, username, session.user, reason)
    return _back(username)
