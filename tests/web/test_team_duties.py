"""Separation of duties (issue 9, item 4): no one person decides who reads a case."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from conductlens.errors import ConductLensError
from conductlens.review import accounts, team_duties, teams
from conductlens.review.roles import Role
from conductlens.review.sample import PASSWORD, World
from conductlens.store import Store
from conductlens.store.tables_review import audit_events

SOCK = "an unguessable passphrase"


def _pending(store: Store, case_id: int) -> int:
    with store.engine.connect() as conn:
        (change,) = team_duties.changes(conn, case_id, "requested")
    return change.id


def _post(client: Any, url: str, **form: str) -> int:
    return int(client.post(url, data={"csrf": client.csrf, **form}).status_code)


def test_an_admin_alone_cannot_give_a_self_made_account_the_case(
        app: FastAPI, login: Any, store: Store, scoped: World) -> None:
    case = scoped.case_id
    admin = login("admin")
    assert _post(admin, "/admin/users", username="sock", password=SOCK, role="supervisor",
                 display_name="Sock Puppet") == 303
    assert _post(admin, "/admin/users", username="admin3", password=SOCK, role="admin") == 303
    assert _post(admin, f"/cases/{case}/team", username="sock",
                 reason="Cover for the supervisor") == 303
    change = _pending(store, case)
    # Not the asker, not an admin the asker made.
    assert _post(admin, f"/team-changes/{change}/approve", reason="Approving myself") == 400
    admin3 = _sign_in(app, "admin3")
    assert _post(admin3, f"/team-changes/{change}/approve", reason="My maker asked") == 400
    sock = accounts.authenticate(store.engine, "sock", SOCK)
    with store.engine.connect() as conn:
        assert not teams.may_open(conn, sock, case)
    # The case's supervisor approves the change: the account joins, but may not read yet.
    boss = login("supervisor")
    page = boss.get(f"/cases/{case}?tab=team").text
    assert "awaiting a decision" in page and "Cover for the supervisor" in page
    assert _post(boss, f"/team-changes/{change}/approve", reason="Known to me") == 303
    puppet = _sign_in(app, "sock")
    assert puppet.get(f"/cases/{case}").status_code == 404
    with store.engine.connect() as conn:
        assert teams.is_member(conn, case, "sock") and not teams.may_open(conn, sock, case)
    # Its maker cannot confirm it; the case's supervisor (a second person) can.
    assert _post(admin, "/admin/users/sock/confirm", reason="It is really them") == 400
    page = boss.get(f"/cases/{case}?tab=team").text
    assert "awaiting confirmation" in page and "/team/confirm" in page
    assert _post(boss, f"/cases/{case}/team/confirm", username="sock",
                 reason="Met them in person") == 303
    assert puppet.get(f"/cases/{case}").status_code == 200
    with store.engine.connect() as conn:
        actions = set(conn.scalars(select(audit_events.c.action)))
    assert {"case.team.request", "case.team.approve", "case.team.add", "user.confirm"} <= actions


def _sign_in(app: FastAPI, username: str) -> Any:
    client = TestClient(app, base_url="http://localhost", follow_redirects=False)
    response = client.post("/api/login", json={"username": username, "password": SOCK})
    assert response.status_code == 200, response.text
    client.csrf = response.json()["csrf"]  # type: ignore[attr-defined]
    return client


def test_a_second_admin_may_approve_and_the_case_supervisor_acts_alone(
        store: Store, world: World) -> None:
    accounts.add_user(store.engine, "admin2", PASSWORD, Role.ADMIN, actor="system")
    accounts.add_user(store.engine, "inv2", PASSWORD, Role.INVESTIGATOR, actor="admin")
    admin2 = accounts.authenticate(store.engine, "admin2", PASSWORD)
    inv2 = accounts.authenticate(store.engine, "inv2", PASSWORD)
    with store.engine.begin() as conn:
        change = teams.add_member(conn, world.case_id, "inv2", "admin", "Second reviewer")
        assert change is not None
        team_duties.decide(conn, change, admin2, True, "Agreed by a second admin")
        assert teams.is_member(conn, world.case_id, "inv2")
        assert not teams.may_open(conn, inv2, world.case_id)  # made and asked for by admin
        team_duties.confirm_account(conn, "inv2", admin2, "Checked the warrant card")
        assert teams.may_open(conn, inv2, world.case_id)
        # The case's supervisor changes the team alone (they are the second person).
        assert teams.remove_member(conn, world.case_id, "inv2", "supervisor",
                                   "Review complete") is None
        assert not teams.is_member(conn, world.case_id, "inv2")


@pytest.mark.parametrize("decider", ["investigator", "auditor", "analyst"])
def test_only_the_case_supervisor_or_an_admin_decides(store: Store, world: World,
                                                      decider: str) -> None:
    accounts.add_user(store.engine, "inv2", PASSWORD, Role.INVESTIGATOR)
    with store.engine.begin() as conn:
        change = teams.add_member(conn, world.case_id, "inv2", "admin", "Second reviewer")
        assert change is not None
        with pytest.raises(ConductLensError):
            team_duties.decide(conn, change, world.users[decider], True, "Looks fine")
