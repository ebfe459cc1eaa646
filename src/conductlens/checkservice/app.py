"""``create_check_app(policy)``: the stateless check service (``conductlens serve-check``).

``POST /v1/check`` answers the findings ``check --json`` would give and a nudge. Nothing is
stored or logged: no store is opened, the app logs nothing, uvicorn's access log is off (see
:func:`server_config`), responses say ``Cache-Control: no-store``, and a validation error does
not echo the text back. The policy is loaded once and run on a worker thread in batches, so
the event loop keeps answering while messages are checked (see ``checkservice/batcher.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field

from conductlens.checkservice.batcher import Batcher
from conductlens.checkservice.nudge import nudge
from conductlens.checkservice.ratelimit import RateLimiter, retry_after
from conductlens.detect.contract import finding_json
from conductlens.detect.policy import Policy

STATIC = Path(__file__).parent / "static"
MAX_TEXT = 4000
TOO_MANY: dict[int | str, dict[str, object]] = {
    429: {"description": "Too many checks from this client; wait Retry-After seconds"}
}
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")  # fmt: skip


class CheckRequest(BaseModel):
    """A message to check before sending it."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=MAX_TEXT, description="The message, as it would be sent.")


class FindingOut(BaseModel):
    """One finding, exactly as ``conductlens check --json`` gives it."""

    category: str
    standards: list[str]
    severity: str
    score: float
    spans: list[list[int]]
    explanation: str


class CheckResponse(BaseModel):
    """The findings and a plain-language nudge naming the Standard(s)."""

    findings: list[FindingOut]
    nudge: str


def create_check_app(policy: Policy, limiter: RateLimiter | None = None) -> FastAPI:
    """The check service for an already-loaded ``policy``, rate-limited per client address."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        batcher = Batcher(policy)
        await batcher.warm()  # compile lexicons, load models: once, before any request
        batcher.start()
        app.state.batcher = batcher
        yield
        await batcher.stop()

    app = FastAPI(title="ConductLens check before you send", version="1", lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json")  # fmt: skip
    app.state.policy = policy
    app.state.limiter = limiter or RateLimiter(per_minute=60, burst=10)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_api_route("/", _page, methods=["GET"], include_in_schema=False)
    app.add_api_route("/v1/check", _check, methods=["POST"], response_model=CheckResponse,
                      responses=TOO_MANY)  # fmt: skip
    app.add_exception_handler(RequestValidationError, _invalid)
    app.middleware("http")(_headers)
    return app


async def _page() -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html")


async def _check(body: CheckRequest, request: Request) -> Response:
    """Check one message; nothing is kept."""
    client = request.client.host if request.client else "unknown"
    wait = request.app.state.limiter.allow(client)
    if wait:
        return JSONResponse({"detail": "too many checks; try again shortly"}, status_code=429,
                            headers={"Retry-After": retry_after(wait)})  # fmt: skip
    policy: Policy = request.app.state.policy
    findings = await request.app.state.batcher.check(body.text)
    answer = {"findings": [finding_json(f) for f in findings], "nudge": nudge(policy, findings)}
    return JSONResponse(answer)


async def _invalid(request: Request, exc: Exception) -> Response:
    # FastAPI's default answer quotes the input; the message must not travel further.
    message = f'send JSON {{"text": "..."}} with at most {MAX_TEXT:,} characters'
    return JSONResponse({"detail": message}, status_code=422)


async def _headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def server_config(app: FastAPI, host: str, port: int) -> uvicorn.Config:
    """Uvicorn settings for the service: no access log, warnings only (never a message)."""
    return uvicorn.Config(app, host=host, port=port, access_log=False, log_level="warning")
