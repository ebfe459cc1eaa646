"""Sign in and out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from conductlens.review import accounts
from conductlens.review.roles import Role
from conductlens.web.deps import CurrentSession, SettingsDep, SignedIn, StoreDep, signer
from conductlens.web.pages import render
from conductlens.web.settings import WebSettings

router = APIRouter()

LANDING = {Role.ADMIN: "/admin/users", Role.AUDITOR: "/audit", Role.ANALYST: "/cases"}


def set_session_cookie(response: Response, settings: WebSettings, sid: str) -> None:
    response.set_cookie(
        settings.cookie_name, signer(settings).dumps(sid), httponly=True,
        secure=settings.secure_cookies, samesite="strict", path="/",
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return render(request, "login.html", {"error": ""})


@router.post("/login")
def login(
    request: Request, store: StoreDep, settings: SettingsDep,
    username: Annotated[str, Form(max_length=64)], password: Annotated[str, Form(max_length=256)],
) -> Response:
    try:
        user = accounts.authenticate(store.engine, username, password)
    except accounts.LoginRefused as exc:
        return render(request, "login.html", {"error": str(exc)}, 401)
    session = accounts.start_session(store.engine, user)
    response = RedirectResponse(LANDING.get(user.role, "/cases"), status_code=303)
    set_session_cookie(response, settings, session.id)
    return response


@router.post("/logout")
def logout(session: SignedIn, store: StoreDep, settings: SettingsDep) -> Response:
    accounts.end_session(store.engine, session)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(settings.cookie_name, path="/")
    return response


@router.get("/")
def home(session: CurrentSession) -> Response:
    return RedirectResponse(LANDING.get(session.user.role, "/cases"), status_code=303)
