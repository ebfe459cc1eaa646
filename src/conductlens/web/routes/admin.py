"""Accounts (admin only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from conductlens.errors import ConductLensError
from conductlens.review import accounts
from conductlens.review.roles import Role
from conductlens.web.deps import CanManageUsers, StoreDep
from conductlens.web.pages import render

router = APIRouter()


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, session: CanManageUsers, store: StoreDep) -> HTMLResponse:
    return render(request, "users.html", {"users": accounts.list_users(store.engine),
                                          "roles": list(Role)})


@router.post("/admin/users")
def add_user(session: CanManageUsers, store: StoreDep,
             username: Annotated[str, Form(max_length=64, pattern=r"^[a-z0-9._-]+$")],
             password: Annotated[str, Form(max_length=256)],
             role: Annotated[str, Form(max_length=16)],
             display_name: Annotated[str, Form(max_length=120)] = "") -> Response:
    try:
        chosen = Role(role)
    except ValueError as exc:
        raise ConductLensError(f"unknown role {role!r}") from exc
    accounts.add_user(store.engine, username, password, chosen, display_name,
                      actor=session.user.username)
    return RedirectResponse("/admin/users", status_code=303)
