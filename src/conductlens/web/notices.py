"""What an action did, said on the page it leads to ("Subject added: Alan Grant").

A form's POST answers with a redirect (so a reload never repeats it) and the confirmation
rides along in a short-lived signed cookie: not in the URL, where a subject's name would
reach access logs and browser history, and not forgeable by a link someone else sends.
The cookie names the user and the page it was set for; that page shows and clears it (a
notice never turns up on another page opened meanwhile).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from conductlens.web.settings import WebSettings

COOKIE = "cl_notice"
SECONDS = 120  # long enough for the redirect to land, short enough to go stale
MAX_CHARS = 300


def _signer(settings: WebSettings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="conductlens-notice")


def _user(request: Request) -> str:
    session = getattr(request.state, "session", None)
    return session.user.username if session else ""


def done(request: Request, url: str, text: str) -> RedirectResponse:
    """A 303 to ``url`` whose page will say ``text``."""
    settings: WebSettings = request.app.state.settings
    response = RedirectResponse(url, status_code=303)
    token = _signer(settings).dumps([_user(request), urlsplit(url).path, text[:MAX_CHARS]])
    response.set_cookie(COOKIE, token, max_age=SECONDS, httponly=True, samesite="strict",
                        secure=settings.secure_cookies, path="/")
    return response


def take(request: Request) -> str | None:
    """The notice waiting for this request's user on this page, if any (a stale, forged or
    someone else's cookie says nothing)."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        user, path, text = _signer(request.app.state.settings).loads(token, max_age=SECONDS)
    except (BadSignature, ValueError, TypeError):
        return None
    return str(text) if (user, path) == (_user(request), request.url.path) else None


def clear(response: Response) -> None:
    """Drop the notice once its page has been rendered with it."""
    response.delete_cookie(COOKIE, path="/")
