"""Sign in and out.

The sign-in form carries a CSRF token of its own (there is no session yet): ``GET /login``
sets a signed, short-lived cookie holding a random token and puts the same token in the
form; ``POST /login`` refuses a form whose token does not match its cookie, so another site
cannot sign a browser in to an account of its choosing. Back-off answers 429 with
Retry-After; no answer repeats the password.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from conductlens.review import accounts
from conductlens.review.roles import Role
from conductlens.web.deps import CurrentSession, SettingsDep, SignedIn, StoreDep, signer
from conductlens.web.pages import render
from conductlens.web.settings import WebSettings

router = APIRouter()

LANDING = {Role.ADMIN: "/admin/users", Role.AUDITOR: "/audit", Role.ANALYST: "/cases"}
LOGIN_COOKIE = "cl_login"
LOGIN_FORM_SECONDS = 3600


def set_session_cookie(response: Response, settings: WebSettings, sid: str) -> None:
    response.set_cookie(
        settings.cookie_name, signer(settings).dumps(sid), httponly=True,
        secure=settings.secure_cookies, samesite="strict", path="/",
    )


def client_address(request: Request) -> str:
    """The peer address (uvicorn puts a trusted proxy's X-Forwarded-For here)."""
    return request.client.host if request.client else ""


def _form_signer(settings: WebSettings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="conductlens-login-form")


def _login_page(request: Request, settings: WebSettings, error: str = "",
                status: int = 200) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    response = render(request, "login.html", {"error": error, "csrf": token}, status)
    response.set_cookie(LOGIN_COOKIE, _form_signer(settings).dumps(token), httponly=True,
                        secure=settings.secure_cookies, samesite="strict", path="/login",
                        max_age=LOGIN_FORM_SECONDS)
    return response


def _form_token_ok(request: Request, settings: WebSettings, token: str) -> bool:
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    try:
        expected = str(_form_signer(settings).loads(cookie, max_age=LOGIN_FORM_SECONDS))
    except (BadSignature, SignatureExpired):
        return False
    return bool(token) and hmac.compare_digest(token.encode(), expected.encode())


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, settings: SettingsDep) -> HTMLResponse:
    return _login_page(request, settings)


@router.post("/login")
def login(
    request: Request, store: StoreDep, settings: SettingsDep,
    username: Annotated[str, Form(max_length=64)], password: Annotated[str, Form(max_length=256)],
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    if not _form_token_ok(request, settings, csrf):
        return _login_page(request, settings, "The sign-in form had expired; sign in again.",
                           403)
    try:
        user = accounts.authenticate(store.engine, username, password,
                                     address=client_address(request))
    except accounts.LoginThrottled as exc:
        page = _login_page(request, settings, str(exc), 429)
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    except accounts.LoginRefused as exc:
        return _login_page(request, settings, str(exc), 401)
    session = accounts.start_session(store.engine, user)
    response = RedirectResponse(LANDING.get(user.role, "/cases"), status_code=303)
    set_session_cookie(response, settings, session.id)
    response.delete_cookie(LOGIN_COOKIE, path="/login")
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
