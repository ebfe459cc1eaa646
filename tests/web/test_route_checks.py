"""Every route checks the role; walked from ``app.routes`` so a new route cannot slip by."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from conductlens.review.roles import Role, allows
from conductlens.review.sample import World
from conductlens.store import Store
from conductlens.store.tables_review import audit_events

PUBLIC = {("GET", "/login"), ("POST", "/login"), ("POST", "/api/login"),
          ("GET", "/api/openapi.json"), ("HEAD", "/api/openapi.json")}
SIGNED_IN = {("GET", "/"), ("POST", "/logout"), ("GET", "/api/session"),
             ("HEAD", "/"), ("HEAD", "/api/session")}


def _url(path: str, world: World) -> str:
    return (path.replace("{case_id}", str(world.case_id)).replace("{verdict}", "approve")
            .replace("{finding_id}", "1").replace("{message_id}", "1")
            .replace("{conversation_id}", "1").replace("{scope_id}", "1")
            .replace("{request_id}", "1").replace("{participant_id}", "1")
            .replace("{link_id}", "1"))


def test_every_route_is_public_by_name_or_requires_a_permission(routes: list[Any]) -> None:
    assert len(routes) > 30
    for r in routes:
        key = (r.method, r.path)
        if key in PUBLIC:
            assert r.permission is None
        elif key in SIGNED_IN:
            assert r.signed_in, key
        else:
            assert r.permission is not None, f"{key} has no require(...) dependency"


def test_signed_out_requests_are_refused_everywhere(app: Any, world: World,
                                                    routes: list[Any]) -> None:
    client = TestClient(app, base_url="http://localhost", follow_redirects=False)
    for r in routes:
        if (r.method, r.path) in PUBLIC or r.method == "HEAD":
            continue
        response = client.request(r.method, _url(r.path, world))
        expected = 401 if r.path.startswith("/api/") else 303
        assert response.status_code == expected, (r.method, r.path, response.status_code)
        if expected == 303:
            assert response.headers["location"] == "/login"


@pytest.mark.parametrize("role", list(Role))
def test_each_route_refuses_roles_without_its_permission(
    role: Role, login: Any, world: World, routes: list[Any], store: Store,
) -> None:
    client = login(role.value)
    refused = 0
    for r in routes:
        if r.permission is None or r.method == "HEAD":
            continue
        response = client.request(r.method, _url(r.path, world),
                                  headers={"X-CSRF-Token": client.csrf})
        if allows(role, r.permission):
            assert response.status_code not in (401, 403), (role, r.method, r.path)
        else:
            assert response.status_code == 403, (role, r.method, r.path, response.status_code)
            refused += 1
    with store.engine.connect() as conn:
        denied = conn.scalars(select(audit_events.c.id).where(
            audit_events.c.action == "access.denied",
            audit_events.c.username == role.value)).all()
    assert len(denied) >= refused  # every refusal is itself recorded


def test_writes_without_the_csrf_token_are_refused(login: Any, world: World,
                                                   routes: list[Any]) -> None:
    client = login("investigator")
    for r in routes:
        if r.method != "POST" or r.permission is None:
            continue
        if not allows(Role.INVESTIGATOR, r.permission):
            continue
        response = client.post(_url(r.path, world), data={"csrf": "forged"})
        assert response.status_code == 403, r.path
        response = client.post(_url(r.path, world))
        assert response.status_code == 403, r.path
