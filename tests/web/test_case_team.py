"""Attack suite, case teams: a second investigator or supervisor who is not on the case team
guesses its ids. Every case page, API route, search and export must answer exactly as for a
case that does not exist (404), list nothing, leak nothing, and record the attempt."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from conductlens.review import accounts, pseudonyms, scope, team_duties
from conductlens.review.access import ReviewSession
from conductlens.review.roles import Role, allows
from conductlens.review.sample import MESSAGES, PASSWORD, World
from conductlens.store import Store
from conductlens.store.tables_review import audit_events, scopes

CASE_PARAMS = ("{case_id}", "{scope_id}", "{request_id}")
MISSING = 9999
CONTENT = [text for *_, text in MESSAGES] + ["Discriminatory messages", "PSD-2024-0001"]


@pytest.fixture
def outsiders(store: Store, scoped: World) -> World:
    """``investigator2`` and ``supervisor2``: same roles, not on the case team; plus an
    unmasking request and a second proposed scope on the case, so every id names something."""
    for name, role in (("investigator2", Role.INVESTIGATOR), ("supervisor2", Role.SUPERVISOR)):
        accounts.add_user(store.engine, name, PASSWORD, role, name.title())
    ReviewSession(store.engine, scoped.users["investigator"], scoped.case_id).people()
    with store.engine.begin() as conn:
        pseudonyms.request_unmask(conn, scoped.case_id, 2, "Needed for Standard 10", "investigator")
        scope.propose(conn, scoped.case_id, "investigator", subjects=[],
                      conversations=[scoped.sample.group_id], date_from=date(2024, 3, 1),
                      date_to=date(2024, 3, 20), categories=[],
                      rationale="Widen to the whole of March: the complaint says so.")
    return scoped


def _url(path: str, world: World, case_id: int, other_id: int) -> str:
    return (path.replace("{case_id}", str(case_id)).replace("{scope_id}", str(other_id))
            .replace("{request_id}", str(other_id)).replace("{verdict}", "approve")
            .replace("{finding_id}", str(world.sample.finding_ids[0]))
            .replace("{message_id}", str(world.sample.message_ids[1]))
            .replace("{conversation_id}", str(world.sample.group_id)))


def _body(path: str) -> dict[str, Any]:
    if "/search" in path:
        return {"data": {"q": "slag"}, "json": {"q": "slag"}}
    if "/export" in path:
        return {"data": {"recipient": "IOPC", "purpose": "panel"}}
    return {"data": {"reason": "Proportionate and necessary", "decision": "relevant"},
            "json": {"reason": "Proportionate and necessary", "decision": "relevant"}}


def _send(client: Any, method: str, url: str) -> Any:
    kwargs = _body(url)
    if url.startswith("/api/"):
        kwargs.pop("data", None)
    else:
        kwargs.pop("json", None)
        kwargs.setdefault("data", {})["csrf"] = client.csrf
    if method == "GET":
        kwargs = {}
    return client.request(method, url, headers={"X-CSRF-Token": client.csrf}, **kwargs)


def _denials(store: Store, username: str) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(audit_events).where(
            audit_events.c.action == "access.denied",
            audit_events.c.username == username)).mappings().all()
    return [dict(r) for r in rows]


def _case_routes(routes: list[Any], role: Role) -> list[Any]:
    return [r for r in routes if r.permission is not None and r.method != "HEAD"
            and allows(role, r.permission) and any(p in r.path for p in CASE_PARAMS)]


@pytest.mark.parametrize("username", ["investigator2", "supervisor2"])
def test_every_case_route_is_a_recorded_404_off_the_team(
    username: str, login: Any, outsiders: World, routes: list[Any], store: Store,
) -> None:
    client = login(username)
    c, sid = outsiders.case_id, _proposed(store)
    checked = _case_routes(routes, Role(username.rstrip("2")))
    assert len(checked) > 15
    for r in checked:
        other = sid if "{scope_id}" in r.path else 1  # the proposed scope; the request
        hidden = _send(client, r.method, _url(r.path, outsiders, c, other))
        missing = _send(client, r.method, _url(r.path, outsiders, MISSING, MISSING))
        assert hidden.status_code == 404, (r.method, r.path, hidden.status_code)
        assert (hidden.text, missing.status_code) == (missing.text, 404), r.path
        for secret in CONTENT:
            assert secret not in hidden.text, (secret, r.path)
    denied = _denials(store, username)
    on_case = [d for d in denied if d["case_id"] == c]
    assert len(on_case) == len(checked) and len(denied) == 2 * len(checked)
    assert all(json.loads(d["detail"])["why"] == "not on the case team" for d in on_case)


def _proposed(store: Store) -> int:
    """The case's scope awaiting authorisation."""
    with store.engine.connect() as conn:
        return int(conn.scalar(select(scopes.c.id).where(scopes.c.status == "proposed")) or 0)


@pytest.mark.parametrize("username", ["investigator2", "supervisor2"])
def test_the_case_list_and_search_show_nothing_off_the_team(
    username: str, login: Any, outsiders: World,
) -> None:
    client = login(username)
    assert client.get("/api/cases").json() == []
    page = client.get("/cases").text
    assert "PSD-2024-0001" not in page and "No cases yet." in page
    for response in (client.post(f"/api/cases/{outsiders.case_id}/search", json={"q": "slag"},
                                 headers={"X-CSRF-Token": client.csrf}),
                     client.post(f"/cases/{outsiders.case_id}/search",
                                 data={"q": "slag", "csrf": client.csrf}),
                     client.post(f"/cases/{outsiders.case_id}/export", data={
                         "csrf": client.csrf, "recipient": "IOPC", "purpose": "panel"})):
        assert response.status_code == 404 and "slag" not in response.text


def _approve_pending(login: Any, store: Store, case_id: int) -> None:
    """The case's supervisor approves the one team change awaiting a decision."""
    with store.engine.connect() as conn:
        (change,) = team_duties.changes(conn, case_id, "requested")
    boss = login("supervisor")
    assert boss.post(f"/team-changes/{change.id}/approve", data={
        "csrf": boss.csrf, "reason": "Agreed, proportionate"}).status_code == 303


def test_a_supervisor_off_the_team_cannot_authorise_its_scope(
    login: Any, outsiders: World, store: Store,
) -> None:
    client = login("supervisor2")
    sid = _proposed(store)
    form = {"reason": "Looks fine to me", "csrf": client.csrf}
    assert client.post(f"/cases/{outsiders.case_id}/scopes/{sid}/authorise",
                       data=form).status_code == 404
    assert client.post(f"/api/scopes/{sid}/authorise", json={"reason": "Looks fine to me"},
                       headers={"X-CSRF-Token": client.csrf}).status_code == 404
    assert client.post("/api/unmask/1/approve", json={"reason": "Looks fine to me"},
                       headers={"X-CSRF-Token": client.csrf}).status_code == 404
    with store.engine.connect() as conn:
        status = conn.scalar(select(scopes.c.status).where(scopes.c.id == sid))
    assert status == "proposed" and len(_denials(store, "supervisor2")) == 3
    # On the team, the same supervisor may: the admin asks, the case's supervisor agrees.
    admin = login("admin")
    assert admin.post(f"/cases/{outsiders.case_id}/team", data={
        "csrf": admin.csrf, "username": "supervisor2", "reason": "Cover for leave"}
    ).status_code == 303
    assert client.post(f"/api/scopes/{sid}/authorise", json={"reason": "Proportionate now"},
                       headers={"X-CSRF-Token": client.csrf}).status_code == 404
    _approve_pending(login, store, outsiders.case_id)
    assert client.post(f"/api/scopes/{sid}/authorise", json={"reason": "Proportionate now"},
                       headers={"X-CSRF-Token": client.csrf}).status_code == 204


def test_membership_opens_and_closes_the_case(login: Any, outsiders: World,
                                              store: Store) -> None:
    inv2, lead = login("investigator2"), login("investigator")
    queue = f"/cases/{outsiders.case_id}/queue"
    assert inv2.get(queue).status_code == 404
    # Off the team, investigator2 cannot put themself on it either.
    assert inv2.post(f"/cases/{outsiders.case_id}/team", data={
        "csrf": inv2.csrf, "username": "investigator2", "reason": "Let me in"}
    ).status_code == 404
    page = lead.get(f"/cases/{outsiders.case_id}?tab=team").text
    assert "Add to the case team" in page
    form = {"csrf": lead.csrf, "username": "investigator2", "reason": "Second reviewer"}
    assert lead.post(f"/cases/{outsiders.case_id}/team", data=form).status_code == 303
    assert inv2.get(queue).status_code == 404  # asked for, not yet approved
    assert "awaiting a decision" in lead.get(f"/cases/{outsiders.case_id}?tab=team").text
    _approve_pending(login, store, outsiders.case_id)
    assert inv2.get(queue).status_code == 200
    assert "PSD-2024-0001" in inv2.get("/cases").text
    form["reason"] = "Review complete"
    assert lead.post(f"/cases/{outsiders.case_id}/team/remove", data=form).status_code == 303
    _approve_pending(login, store, outsiders.case_id)
    assert inv2.get(queue).status_code == 404
    actions = [r["action"] for r in login("auditor").get(
        f"/api/audit?case_id={outsiders.case_id}").json()]
    assert actions.count("case.team.add") == 3 and actions.count("case.team.remove") == 1


def test_admin_manages_teams_but_reads_no_content(login: Any, outsiders: World) -> None:
    admin = login("admin")
    page = admin.get("/admin/teams").text
    assert "PSD-2024-0001" in page and re.search(r"investigator2", page)
    assert "Discriminatory" not in page and "slag" not in page
    assert admin.get(f"/cases/{outsiders.case_id}/queue").status_code == 403
    assert admin.post(f"/cases/{outsiders.case_id}/team/remove", data={
        "csrf": admin.csrf, "username": "investigator", "reason": "Reassigned"}
    ).status_code == 400  # the team keeps one investigator


def test_auditors_and_analysts_are_not_bound_to_teams(login: Any, outsiders: World) -> None:
    auditor = login("auditor")
    assert auditor.get(f"/api/audit?case_id={outsiders.case_id}").status_code == 200
    assert auditor.get(f"/api/cases/{outsiders.case_id}").status_code == 200
    assert "Out of scope" in login("analyst").get("/cases").text
