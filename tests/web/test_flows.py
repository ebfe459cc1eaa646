from __future__ import annotations

import csv
import io
import logging
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from conductlens.review.sample import PASSWORD, World
from conductlens.store import Store
from conductlens.store.tables_review import audit_events


def _sign_in(client: TestClient, username: str, password: str) -> Any:
    """Sign in through the form, as a browser does (the form's CSRF token first)."""
    match = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert match, "no CSRF field in the sign-in form"
    token = match.group(1)
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf": token})


def test_login_page_sets_a_strict_http_only_cookie(app: Any, world: World) -> None:
    client = TestClient(app, base_url="http://localhost", follow_redirects=False)
    response = _sign_in(client, "investigator", PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == "/cases"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    wrong = _sign_in(client, "investigator", "nope nope!")
    assert wrong.status_code == 401 and "wrong user name or password" in wrong.text


def test_secure_cookie_by_default(store: Store, world: World) -> None:
    from conductlens.web.app import create_app

    client = TestClient(create_app(store), base_url="https://localhost", follow_redirects=False)
    response = _sign_in(client, "auditor", PASSWORD)
    assert "secure" in response.headers["set-cookie"].lower()


def test_logout_ends_the_server_side_session(login: Any, world: World) -> None:
    client = login("auditor")
    assert client.get("/audit").status_code == 200
    assert client.post("/logout", data={"csrf": client.csrf}).status_code == 303
    assert client.get("/audit").status_code == 303


def test_api_journey_unmask_and_audit(login: Any, scoped: World, store: Store) -> None:
    inv, sup, aud = login("investigator"), login("supervisor"), login("auditor")
    case = scoped.case_id
    body = inv.get(f"/api/cases/{case}/conversations/{scoped.sample.group_id}").json()
    assert "Participant 03" in {m["sender"] for m in body}
    ask = inv.post(f"/api/cases/{case}/unmask", json={"number": 3, "reason": "laughed along; "
                                                      "Standard 10"},
                   headers={"X-CSRF-Token": inv.csrf})
    assert ask.status_code == 201
    rid = ask.json()["id"]
    assert sup.post(f"/api/unmask/{rid}/approve", json={"reason": "proportionate"},
                    headers={"X-CSRF-Token": sup.csrf}).status_code == 204
    body = inv.get(f"/api/cases/{case}/conversations/{scoped.sample.group_id}").json()
    assert "Carl Diaz" in {m["sender"] for m in body}
    actions = [r["action"] for r in aud.get("/api/audit", params={"case_id": case}).json()]
    assert {"unmask.request", "unmask.approve", "view.conversation"} <= set(actions)
    assert aud.get("/api/audit/verify").json()["ok"] is True


def test_auditor_page_filters_exports_and_shows_a_broken_chain(login: Any, scoped: World,
                                                               store: Store) -> None:
    login("investigator").get(f"/cases/{scoped.case_id}/queue")
    aud = login("auditor")
    page = aud.get("/audit", params={"action": "view.queue"}).text
    rows = page.split("<tbody>")[1]
    assert "Chain verified" in page and "view.queue" in rows and "scope.propose" not in rows
    exported = aud.get("/audit/export.csv", params={"username": "investigator"}).text
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert rows and {r["username"] for r in rows} == {"investigator"}
    with store.engine.begin() as conn:
        conn.execute(update(audit_events).where(audit_events.c.id == 3)
                     .values(justification="rewritten"))
    assert "Chain broken at record 3" in aud.get("/audit").text


def test_no_message_content_reaches_application_logs(
    login: Any, scoped: World, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    client = login("investigator")
    client.get(f"/cases/{scoped.case_id}/queue")
    client.get(f"/cases/{scoped.case_id}/findings/{scoped.sample.finding_ids[0]}")
    client.post(f"/cases/{scoped.case_id}/search", data={"q": "slag", "csrf": client.csrf})
    client.post(f"/cases/{scoped.case_id}/export", data={"csrf": client.csrf,
                                                        "recipient": "x", "purpose": "y"})
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for content in ("slag", "BWV", "classic", "rota"):
        assert content not in logged


def test_the_investigator_can_open_a_case_and_log_work(login: Any, world: World,
                                                       store: Store) -> None:
    inv = login("investigator")
    response = inv.post("/cases", data={"csrf": inv.csrf, "reference": "PSD-2",
                                        "allegation": "Sharing custody images"})
    assert response.status_code == 303
    url = response.headers["location"]
    case_id = int(url.rsplit("/", 1)[1])
    hours = {"hours": "2.5", "note": "triage", "activity": "assessment",
             "worked_on": "2024-03-04"}
    for path, data in ((f"/cases/{case_id}/hours", hours),
                       (f"/cases/{case_id}/notes", {"text": "Phones seized."}),
                       (f"/cases/{case_id}/subjects", {"person_id": "1"}),
                       (f"/cases/{case_id}/status", {"status": "closed"})):
        assert inv.post(path, data={**data, "csrf": inv.csrf}).status_code == 303, path
    page = inv.get(f"{url}?tab=hours").text
    assert "<td>2.50</td>" in page and "Phones seized." in page
    assert "Alan Grant (PC1001)" in inv.get(f"{url}?tab=people").text
    with store.engine.connect() as conn:
        actions = set(conn.scalars(select(audit_events.c.action)))
    assert {"case.open", "case.hours", "case.note", "case.subject", "case.status"} <= actions


def test_supervisor_refuses_a_scope_with_reasons(login: Any, world: World) -> None:
    inv, sup = login("investigator"), login("supervisor")
    response = inv.post(f"/cases/{world.case_id}/scopes", data={
        "csrf": inv.csrf, "conversations": [str(world.sample.private_id)],
        "date_from": "2024-03-01", "date_to": "2024-03-31",
        "rationale": "The private chat may show the PNC disclosure."})
    assert response.status_code == 303
    assert sup.post(f"/cases/{world.case_id}/scopes/1/refuse",
                    data={"csrf": sup.csrf, "reason": "Not yet justified"}).status_code == 303
    page = inv.get(f"/cases/{world.case_id}?tab=scope").text
    assert "Not yet justified" in page and "No authorised scope" in page


def test_openapi_lists_the_api(app: Any) -> None:
    client = TestClient(app, base_url="http://localhost")
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/cases/{case_id}/findings" in paths and "/api/audit/verify" in paths


def _approve_link(sup: Any, url: str, store: Store) -> None:
    from conductlens.store.tables_review import link_requests

    with store.engine.connect() as conn:
        rid = conn.scalar(select(link_requests.c.id).where(link_requests.c.status == "requested"))
    response = sup.post(f"{url}/links/{rid}/approve", data={"csrf": sup.csrf,
                                                            "reason": "Checked the phone"})
    assert response.status_code == 303


def test_link_a_pseudonym_to_a_subject_then_unlink(login: Any, scoped: World,
                                                   store: Store) -> None:
    # A link can reveal who a pseudonym is, so it waits for a supervisor's approval.
    inv, sup = login("investigator"), login("supervisor")
    url = f"/cases/{scoped.case_id}"
    alan = scoped.person_ids["PC1001"]
    response = inv.post(f"{url}/links", data={"csrf": inv.csrf, "number": "4",
                                              "person_id": str(alan), "reason": "same phone"})
    assert response.status_code == 303
    assert "Participant 04" in inv.get(f"{url}/people").text  # nothing changes yet
    _approve_link(sup, url, store)
    people = inv.get(f"{url}/people").text
    assert "Participant 04" not in people  # now shown as Alan Grant, a subject
    assert "Dana Fox" not in people
    response = inv.post(f"{url}/links/remove", data={"csrf": inv.csrf, "person_id": str(alan),
                                                     "reason": "linked in error"})
    assert response.status_code == 303
    _approve_link(sup, url, store)
    with store.engine.connect() as conn:
        actions = list(conn.scalars(select(audit_events.c.action).order_by(audit_events.c.id)))
    assert "link.manual" in actions and actions.count("link.remove") == 2
    assert {"link.request", "unlink.request", "link.approve"} <= set(actions)


def test_every_form_control_has_a_label(login: Any, scoped: World) -> None:
    from html.parser import HTMLParser

    class Controls(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.ids: list[str] = []
            self.labelled: set[str] = set()
            self.in_label = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = dict(attrs)
            if tag == "label":
                self.in_label += 1
                if a.get("for"):
                    self.labelled.add(str(a["for"]))
            if tag in ("input", "select", "textarea") and a.get("type") not in (
                    "hidden", "submit") and not self.in_label:
                self.ids.append(str(a.get("id")))

        def handle_endtag(self, tag: str) -> None:
            if tag == "label":
                self.in_label -= 1

    inv = login("investigator")
    c = scoped.case_id
    for url in ("/cases", f"/cases/{c}", f"/cases/{c}/queue", f"/cases/{c}/people",
                f"/cases/{c}/search", f"/cases/{c}/conversations/{scoped.sample.group_id}",
                f"/cases/{c}/findings/{scoped.sample.finding_ids[0]}", "/register"):
        parser = Controls()
        parser.feed(inv.get(url).text)
        unlabelled = [i for i in parser.ids if i not in parser.labelled]
        assert not unlabelled, (url, unlabelled)
