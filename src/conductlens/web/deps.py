"""Request dependencies as ``Annotated`` aliases: the store, the session, role checks, CSRF.

``require(permission)`` is the only way a route says who may call it; on unsafe methods it
also checks the CSRF token (form field ``csrf`` or header ``X-CSRF-Token``), and for any
route about one case it checks the case team (``_case_gate``). A test walks ``app.routes``
and fails for any route that does not depend on it (bar the public ones).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Connection, select

from conductlens.errors import ScopeError
from conductlens.review import accounts, audit, teams
from conductlens.review.accounts import WebSession
from conductlens.review.roles import Permission, allows, team_bound
from conductlens.store import Store
from conductlens.store.tables_review import link_requests, scopes, team_changes, unmask_requests
from conductlens.web.settings import WebSettings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class NotAuthenticated(Exception):
    """No live session: pages redirect to the login form, the API answers 401."""


class CaseHidden(ScopeError):
    """A case the user may not reach: answered exactly like a case that does not exist."""

    def __init__(self, case_id: int | None, why: str) -> None:
        super().__init__("no such case")
        self.case_id, self.why = case_id, why


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
    session = accounts.resume_session(store.engine, sid, idle,
                                      lifetime=timedelta(hours=settings.session_hours))
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
    audit.record(store.engine, audit.AuditEvent(
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
        _case_gate(request, session, store)
        return session

    check.permission = permission  # type: ignore[attr-defined]
    return check


# Path parameters that name a case, directly or through something that belongs to one.
_OWNERS = (("scope_id", scopes), ("request_id", unmask_requests),
           ("change_id", team_changes), ("link_id", link_requests))


def _case_in_path(conn: Connection, params: dict[str, str]) -> int | None:
    """The case a route's path is about; ``None`` for an id that matches nothing."""
    try:
        if "case_id" in params:
            return int(params["case_id"])
        for name, table in _OWNERS:
            if name in params:
                found = conn.scalar(select(table.c.case_id)
                                    .where(table.c.id == int(params[name])))
                return None if found is None else int(found)
    except ValueError:
        return None
    return None


def _case_gate(request: Request, session: WebSession, store: Store) -> None:
    """Investigators and supervisors reach a case only on its team; anyone else's attempt,
    like a guess at a case that does not exist, is a recorded 404 (``CaseHidden``)."""
    params = request.path_params
    if not team_bound(session.user.role) or not any(
            k in params for k in ("case_id", *(n for n, _ in _OWNERS))):
        return
    with store.engine.connect() as conn:
        case_id = _case_in_path(conn, params)
        if case_id is not None and teams.may_open(conn, session.user, case_id):
            return
        exists = case_id is not None and teams.case_exists(conn, case_id)
    raise CaseHidden(case_id if exists else None,
                     "not on the case team" if exists else "no such case")


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
CanAssignTeam = Annotated[WebSession, Depends(require(P.ASSIGN_TEAM))]
CanDecideTeam = Annotated[WebSession, Depends(require(P.DECIDE_TEAM))]
CanDefineTags = Annotated[WebSession, Depends(require(P.DEFINE_TAGS))]
CanEscalate = Annotated[WebSession, Depends(require(P.ESCALATE))]
