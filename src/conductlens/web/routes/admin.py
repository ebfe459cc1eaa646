"""Accounts (admin only): add, unlock, disable, enable, reset a password, change a role,
confirm an account another admin made. Each action is a thin call into ``account_admin``
(audited there); a password is never put back into a page."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from conductlens.errors import ConductLensError
from conductlens.review import account_admin, accounts, passwords, team_duties
from conductlens.review.accounts import WebSession
from conductlens.review.roles import Role
from conductlens.store import Store
from conductlens.web.deps import CanManageUsers, StoreDep
from conductlens.web.notices import done
from conductlens.web.pages import render

router = APIRouter()
Reason = Annotated[str, Form(max_length=2000)]
Password = Annotated[str, Form(max_length=passwords.MAX_LENGTH)]
BACK = "/admin/users"
USERNAME = re.compile(r"[a-z0-9._-]{1,64}")


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError as exc:
        raise ConductLensError(f"unknown role {value[:16]!r}") from exc


def _back(username: str = "") -> RedirectResponse:
    return RedirectResponse(f"{BACK}#user-{username}" if username else BACK, status_code=303)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, session: CanManageUsers, store: StoreDep) -> HTMLResponse:
    return _users(request, session, store)


def _users(request: Request, session: WebSession, store: Store, error: str = "",
           entered: dict[str, str] | None = None) -> HTMLResponse:
    """The accounts page; with ``error``, the add form refused, its values kept (never the
    password) and the reason on one line naming the field."""
    return render(request, "users.html", {
        "accounts": account_admin.list_accounts(store.engine), "roles": list(Role),
        "me": session.user.username, "min_length": passwords.MIN_LENGTH,
        "error": {"form": "add-account", "message": error} if error else None,
        "entered": entered or {}}, 400 if error else 200)


def _new_account(username: str, password: str, role: str) -> tuple[str, Role]:
    """The form's user name and role checked, or a refusal naming the field to correct."""
    name = username.strip()
    if not USERNAME.fullmatch(name):
        raise ConductLensError("User name: use lower-case letters, digits, dots, dashes or "
                               "underscores (up to 64)")
    try:
        chosen = _role(role)
    except ConductLensError as exc:
        raise ConductLensError(f"Role: {exc}") from None
    problem = passwords.problem(password, name)
    if problem:
        raise ConductLensError(f"Password: {problem}")
    return name, chosen


@router.post("/admin/users", response_model=None)
def add_user(request: Request, session: CanManageUsers, store: StoreDep,
             username: Annotated[str, Form(max_length=64)] = "",
             password: Password = "",
             role: Annotated[str, Form(max_length=16)] = "",
             display_name: Annotated[str, Form(max_length=120)] = "") -> Response:
    entered = {"username": username, "display_name": display_name, "role": role}
    try:
        name, chosen = _new_account(username, password, role)
        try:
            accounts.add_user(store.engine, name, password, chosen, display_name.strip(),
                              actor=session.user.username)
        except ConductLensError as exc:  # the checks above passed: the name is taken
            raise ConductLensError(f"User name: {exc}") from None
    except ConductLensError as exc:
        return _users(request, session, store, str(exc), entered)
    return done(request, f"{BACK}#user-{name}", f"Account {name} added ({chosen.value}).")


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
