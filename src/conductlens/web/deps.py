"""Request dependencies as ``Annotated`` aliases: the store, the session, role checks, CSRF.

``require(permission)`` is the only way a route says who may call it; on unsafe methods it
also checks the CSRF token (form field ``csrf`` or header ``X-CSRF-Token``). A test walks
``app.routes`` and fails for any route that does not depend on it (bar the public ones).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from itsdangerous import BadSignature, URLSafeSerializer

from conductlens.review import accounts, audit
from conductlens.review.accounts import WebSession
from conductlens.review.roles import Permission, allows
from conductlens.store import Store
from conductlens.web.settings import WebSettings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class NotAuthenticated(Exception):
    """No live session: pages redirect to the login form, the API answers 401."""


def store_of(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


def settings_of(request: Request) -> WebSettings:
    return request.app.state.settings  # type: ignore[no-any-return]


StoreDep = Annotated[Store, Depends(store_of)]
SettingsDep = Annotated[WebSettings, Depends(settings_of)]


def signer(settings: WebSettings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret_key, salt="conductlens-session")


def session_of(request: Request, store: StoreDep, settings: SettingsDep) -> WebSession:
    cookie = request.cookies.get(settings.cookie_name)
    if not cookie:
        raise NotAuthenticated()
    try:
        sid = str(signer(settings).loads(cookie))
    except BadSignature as exc:
        raise NotAuthenticated() from exc
    idle = timedelta(minutes=settings.idle_minutes)
    session = accounts.resume_session(store.engine, sid, idle)
    if session is None:
        raise NotAuthenticated()
    request.state.session = session
    return session


CurrentSession = Annotated[WebSession, Depends(session_of)]


async def _check_csrf(request: Request, session: WebSession) -> bool:
    if request.method in SAFE_METHODS:
        return True
    token = request.headers.get("x-csrf-token", "")
    if not token and "form" in request.headers.get("content-type", ""):
        token = str((await request.form()).get("csrf", ""))
    return hmac.compare_digest(token.encode(), session.csrf.encode())


def _deny(store: Store, session: WebSession, request: Request, why: str) -> HTTPException:
    with store.engine.begin() as conn:
        audit.append(conn, audit.AuditEvent(
            session.user.username, "access.denied",
            detail={"path": request.url.path, "method": request.method, "why": why}))
    return HTTPException(403, "not allowed" if why == "role" else "bad or missing CSRF token")


def require(permission: Permission) -> Callable[..., Awaitable[WebSession]]:
    """A dependency: a live session whose role holds ``permission`` (and CSRF on writes)."""

    async def check(request: Request, session: CurrentSession, store: StoreDep) -> WebSession:
        if not allows(session.user.role, permission):
            raise _deny(store, session, request, "role")
        if not await _check_csrf(request, session):
            raise _deny(store, session, request, "csrf")
        return session

    check.permission = permission  # type: ignore[attr-defined]
    return check



async def signed_in(request: Request, session: CurrentSession, store: StoreDep) -> WebSession:
    """Any live session (for sign-out and "who am I"), with CSRF checked on writes."""
    if not await _check_csrf(request, session):
        raise _deny(store, session, request, "csrf")
    return session


SignedIn = Annotated[WebSession, Depends(signed_in)]
P = Permission
CanViewCases = Annotated[WebSession, Depends(require(P.VIEW_CASES))]
CanEditCase = Annotated[WebSession, Depends(require(P.EDIT_CASE))]
CanPropose = Annotated[WebSession, Depends(require(P.PROPOSE_SCOPE))]
CanAuthorise = Annotated[WebSession, Depends(require(P.AUTHORISE_SCOPE))]
CanRead = Annotated[WebSession, Depends(require(P.READ_CONTENT))]
CanDecide = Annotated[WebSession, Depends(require(P.DECIDE))]
CanRequestUnmask = Annotated[WebSession, Depends(require(P.REQUEST_UNMASK))]
CanApproveUnmask = Annotated[WebSession, Depends(require(P.APPROVE_UNMASK))]
CanReadRegister = Annotated[WebSession, Depends(require(P.READ_REGISTER))]
CanManageRegister = Annotated[WebSession, Depends(require(P.MANAGE_REGISTER))]
CanLink = Annotated[WebSession, Depends(require(P.LINK_PARTICIPANTS))]
CanReadAudit = Annotated[WebSession, Depends(require(P.READ_AUDIT))]
CanManageUsers = Annotated[WebSession, Depends(require(P.MANAGE_USERS))]
CanViewTotals = Annotated[WebSession, Depends(require(P.VIEW_TOTALS))]
