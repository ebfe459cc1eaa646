"""``create_app(store, settings)``: the FastAPI app, server-rendered pages plus a JSON API."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from conductlens.errors import ConductLensError, ScopeError
from conductlens.jobs import JobWorker
from conductlens.review import audit
from conductlens.review.access import Forbidden
from conductlens.review.accounts import LoginRefused, LoginThrottled
from conductlens.review.warm import Warmer
from conductlens.store import Store
from conductlens.web.deps import CaseHidden, NotAuthenticated
from conductlens.web.pages import render
from conductlens.web.routes import ROUTERS
from conductlens.web.settings import WebSettings

log = logging.getLogger(__name__)
SERVER_FAULT = ("The server could not finish this request. Try again; if it happens again, "
                "tell your administrator the time and the page.")

HERE = Path(__file__).parent
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")


def create_app(store: Store, settings: WebSettings | None = None) -> FastAPI:
    app = FastAPI(title="ConductLens", version="0.1.0", docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json", lifespan=_lifespan)
    app.state.store = store
    app.state.settings = settings or WebSettings()
    app.state.jobs = None  # the worker, while the app is served with run_jobs
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for router in ROUTERS:
        app.include_router(router)
    _handlers(app)
    app.middleware("http")(_security_headers)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the job worker and the warmer with the server and stop them with it."""
    worker = JobWorker(app.state.store) if app.state.settings.run_jobs else None
    if worker is not None:
        worker.start()
    app.state.jobs = worker
    warmer = Warmer(app.state.store.engine) if app.state.settings.warm_views else None
    if warmer is not None:
        warmer.start()
    try:
        yield
    finally:
        if warmer is not None:
            warmer.stop()
        if worker is not None:
            worker.stop()
        app.state.jobs = None


async def _security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    if not request.url.path.startswith("/static"):
        response.headers["Cache-Control"] = "no-store"
    return response


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(request: Request, status: int, message: str) -> Response:
    if _is_api(request):
        return JSONResponse({"detail": message}, status_code=status)
    return render(request, "error.html", {"status": status, "message": message}, status)


def _record_refusal(request: Request, why: str, case_id: int | None = None) -> None:
    session = getattr(request.state, "session", None)
    store: Store = request.app.state.store
    audit.record(store.engine, audit.AuditEvent(
        session.user.username if session else "anonymous", "access.denied", case_id,
        detail={"path": request.url.path, "method": request.method, "why": why}))


def _handlers(app: FastAPI) -> None:
    async def not_authenticated(request: Request, _exc: Exception) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": "sign in first"}, status_code=401)
        return RedirectResponse("/login", status_code=303)

    async def out_of_scope(request: Request, exc: Exception) -> Response:
        # The same answer as for an id that does not exist: no oracle for what lies outside,
        # nor for which cases exist beyond the user's case teams.
        if isinstance(exc, CaseHidden):
            _record_refusal(request, exc.why, exc.case_id)
        else:
            _record_refusal(request, "outside the authorised scope")
        return _error(request, 404, "Not found inside the authorised scope.")

    async def forbidden(request: Request, _exc: Exception) -> Response:
        _record_refusal(request, "role")
        return _error(request, 403, "Your role does not allow this.")

    async def refused(request: Request, exc: Exception) -> Response:
        return _error(request, 400, str(exc))

    async def login_refused(request: Request, exc: Exception) -> Response:
        return _error(request, 401, str(exc))

    async def throttled(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginThrottled)
        response = _error(request, 429, str(exc))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

    async def invalid(request: Request, exc: Exception) -> Response:
        # FastAPI's default answer echoes each bad field's input: a password among them.
        assert isinstance(exc, RequestValidationError)
        problems = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")),
                     "type": str(e.get("type", ""))} for e in exc.errors()]
        if _is_api(request):
            return JSONResponse({"detail": problems}, status_code=422)
        fields = ", ".join(str(p["loc"][-1]) for p in problems if p["loc"])
        return _error(request, 422, f"Check these fields: {fields or 'the form'}.")

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return _error(request, exc.status_code, str(exc.detail))

    app.add_exception_handler(NotAuthenticated, not_authenticated)
    app.add_exception_handler(ScopeError, out_of_scope)
    app.add_exception_handler(Forbidden, forbidden)
    app.add_exception_handler(LoginRefused, login_refused)
    app.add_exception_handler(LoginThrottled, throttled)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(ConductLensError, refused)
    async def server_fault(request: Request, exc: Exception) -> Response:
        # The exception's text can hold message content (a database error quotes its
        # parameters): the log gets its kind and the path only.
        log.error("server fault %s on %s %s", type(exc).__name__, request.method,
                  request.url.path)
        return _error(request, 500, SERVER_FAULT)

    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, server_fault)
