from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from conductlens.review import accounts
from conductlens.review.roles import Permission
from conductlens.review.sample import (
    PASSWORD,
    LongChat,
    World,
    authorise_sample_scope,
    seed_world,
    write_long_chat,
)
from conductlens.store import Store
from conductlens.web.app import create_app
from conductlens.web.settings import WebSettings

PUBLIC = {("GET", "/login"), ("POST", "/login"), ("POST", "/api/login"),
          ("GET", "/api/openapi.json"), ("HEAD", "/api/openapi.json")}
SIGNED_IN = {("GET", "/"), ("POST", "/logout"), ("GET", "/api/session")}


@dataclass(frozen=True)
class RouteInfo:
    method: str
    path: str
    permission: Permission | None
    signed_in: bool


def _permission(dependant: Any) -> tuple[Permission | None, bool]:
    """The permission a route's dependencies require, and whether any needs a session."""
    found: Permission | None = None
    session = False
    for dep in dependant.dependencies:
        perm = getattr(dep.call, "permission", None)
        if perm is not None:
            found = perm
        if getattr(dep.call, "__name__", "") == "session_of":
            session = True
        inner, inner_session = _permission(dep)
        found = found or inner
        session = session or inner_session or perm is not None
    return found, session


def walk_routes(app: FastAPI) -> list[RouteInfo]:
    """Every (method, path) the app answers, with the permission it requires."""
    from fastapi import routing

    contexts = (routing.iter_route_contexts(app.routes)
                if hasattr(routing, "iter_route_contexts") else app.routes)
    out = []
    for ctx in contexts:
        route = getattr(ctx, "original_route", ctx)
        path = getattr(ctx, "path", None)
        if path is None or path.startswith("/static"):
            continue
        dependant = getattr(route, "dependant", None)
        perm, session = _permission(dependant) if dependant is not None else (None, False)
        for method in sorted(getattr(ctx, "methods", None) or ()):
            out.append(RouteInfo(method, path, perm, session))
    return out


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "_HASHER", PasswordHasher(time_cost=1, memory_cost=64,
                                                            parallelism=1))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(str(tmp_path / "web.db"))
    yield s
    s.close()


@pytest.fixture
def world(store: Store) -> World:
    return seed_world(store)


@pytest.fixture
def scoped(store: Store, world: World) -> World:
    authorise_sample_scope(store, world)
    return world


@pytest.fixture
def narrow_scope(store: Store, world: World) -> Any:
    """``narrow_scope()``: authorise a narrower scope (the Team B group, 5 to 7 March) in
    place of the one in force, as a supervisor would; returns its id."""
    def authorise() -> int:
        return authorise_sample_scope(
            store, world, date_to=date(2024, 3, 7), reason="Narrower, and proportionate.",
            rationale="Only the night of 6 March is needed now; nothing after it.")
    return authorise


@pytest.fixture
def chat(store: Store, world: World) -> LongChat:
    """A 620-message night-shift chat, with a scope covering it and the sample group."""
    long = write_long_chat(store, world.case_id)
    authorise_sample_scope(
        store, world, conversations=[world.sample.group_id, long.conversation_id],
        rationale="Allegation concerns the Team B and night shift groups in March.")
    return long


@pytest.fixture
def app(store: Store) -> FastAPI:
    # No worker thread: a test runs the queued jobs itself (``run_jobs``), when it chooses.
    return create_app(store, WebSettings(secure_cookies=False, secret_key="test-secret",
                                         run_jobs=False))


@pytest.fixture
def run_jobs(store: Store) -> Any:
    """``run_jobs()``: run every queued job now, as the app's worker would; returns the jobs
    as they ended."""
    from conductlens.jobs import run_pending

    return lambda: run_pending(store)


class Client(TestClient):
    csrf: str = ""


def _login(app: FastAPI, username: str) -> Client:
    client = Client(app, base_url="http://localhost", follow_redirects=False)
    response = client.post("/api/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    client.csrf = response.json()["csrf"]
    return client


def csrf_in(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "no CSRF field in the page"
    return match.group(1)


@pytest.fixture
def login(app: FastAPI) -> Any:
    """``login("investigator")``: a client signed in through the API, with its CSRF token."""
    return lambda username: _login(app, username)


@pytest.fixture
def routes(app: FastAPI) -> list[RouteInfo]:
    return walk_routes(app)
