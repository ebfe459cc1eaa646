"""The attack suite: out-of-scope content, unmasked names, injection, CSRF, escalation.

Nothing outside the scope, and no bystander's real name or number, may appear in any page,
API answer, search or export, and every refused attempt is itself recorded.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from conductlens.review import register_csv
from conductlens.review.sample import World
from conductlens.store import Store
from conductlens.store.tables_review import audit_events

OUTSIDE = ("PNC check", "Elm Road", "custody photo", "briefing at 10")
BYSTANDERS = ("Beth Jones", "Carl Diaz", "Dana Fox", "+447700900002", "+447700900003",
              "07700 900003", "+447700900004")


def _denied(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).where(
            audit_events.c.action == "access.denied")) or 0)


def _content_urls(world: World) -> list[str]:
    c = world.case_id
    fids = world.sample.finding_ids
    return [f"/cases/{c}/queue", f"/cases/{c}/findings/{fids[0]}", f"/cases/{c}/findings/{fids[1]}",
            f"/cases/{c}/conversations/{world.sample.group_id}", f"/cases/{c}/people",
            f"/api/cases/{c}/findings", f"/api/cases/{c}/findings/{fids[0]}",
            f"/api/cases/{c}/conversations/{world.sample.group_id}",
            f"/api/cases/{c}/messages/{world.sample.message_ids[2]}"]


def _assert_clean(text: str, where: str) -> None:
    for secret in OUTSIDE + BYSTANDERS:
        assert secret not in text, f"{secret!r} leaked through {where}"


@pytest.mark.parametrize("role", ["investigator", "supervisor"])
def test_in_scope_pages_show_no_bystander_and_nothing_outside(
    role: str, login: Any, scoped: World,
) -> None:
    client = login(role)
    for url in _content_urls(scoped):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_clean(response.text, url)
    for q in ("neighbour", "photo", "the", "Beth", "Dana"):
        for response in (client.post(f"/api/cases/{scoped.case_id}/search", json={"q": q},
                                     headers={"X-CSRF-Token": client.csrf}),
                         client.post(f"/cases/{scoped.case_id}/search",
                                     data={"q": q, "csrf": client.csrf})):
            assert response.status_code == 200
            _assert_clean(response.text, f"search {q!r}")


def test_out_of_scope_ids_and_guesses_are_404_and_recorded(login: Any, scoped: World,
                                                           store: Store) -> None:
    client = login("investigator")
    c, s = scoped.case_id, scoped.sample
    guesses = [f"/cases/{c}/findings/{s.finding_ids[2]}", f"/cases/{c}/findings/{s.finding_ids[3]}",
               f"/cases/{c}/findings/99999", f"/cases/{c}/conversations/{s.private_id}",
               f"/api/cases/{c}/messages/{s.message_ids[7]}", f"/api/cases/{c}/messages/0",
               f"/api/cases/{c}/messages/{s.message_ids[0]}",
               f"/api/cases/{c}/findings/{s.finding_ids[3]}",
               f"/api/cases/{c}/conversations/{s.private_id}", "/cases/999/queue",
               "/api/cases/999/findings"]
    before = _denied(store)
    for url in guesses:
        response = client.get(url)
        assert response.status_code == 404, url
        _assert_clean(response.text, url)
    assert _denied(store) - before >= len(guesses) - 1  # /cases/999/queue: unknown case


def test_decisions_on_out_of_scope_findings_are_refused(login: Any, scoped: World) -> None:
    client = login("investigator")
    url = f"/cases/{scoped.case_id}/findings/{scoped.sample.finding_ids[3]}/decision"
    assert client.post(url, data={"csrf": client.csrf, "decision": "relevant"}
                       ).status_code == 404


def test_without_a_scope_only_totals_are_given(login: Any, world: World) -> None:
    client = login("investigator")
    assert client.get(f"/cases/{world.case_id}/queue").status_code == 404
    for tab in ("overview", "exhibits", "people", "scope", "team", "hours", "disclosure"):
        page = client.get(f"/cases/{world.case_id}?tab={tab}").text
        assert "Out of scope: 9 messages withheld" in page
        # The subject picker lists the staff register; content and non-staff never show.
        for secret in (*OUTSIDE, "slag", "Dana Fox", "+447700900004"):
            assert secret not in page, (tab, secret)


def test_export_holds_only_scoped_pseudonymised_content(login: Any, scoped: World) -> None:
    client = login("investigator")
    response = client.post(f"/cases/{scoped.case_id}/export",
                           data={"csrf": client.csrf, "recipient": "IOPC", "purpose": "panel"})
    assert response.status_code == 200 and "slag" in response.text
    _assert_clean(response.text, "export")


def test_script_in_message_text_is_escaped(login: Any, scoped: World) -> None:
    client = login("investigator")
    page = client.get(f"/cases/{scoped.case_id}/queue").text
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert "script-src 'self'" in client.get("/cases").headers["content-security-policy"]


def test_script_in_names_search_and_case_fields_is_escaped(login: Any, scoped: World,
                                                           store: Store) -> None:
    evil = "<img src=x onerror=alert(1)>"
    register_csv.import_csv(store.engine, f"staff_number,name,force\nX1,{evil},{evil}\n", "admin")
    client = login("investigator")
    assert evil not in client.get("/register").text
    response = client.post("/cases", data={"csrf": client.csrf, "reference": "R<b>1",
                                           "allegation": evil})
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert evil not in page and "R&lt;b&gt;1" in page
    for q in (evil, '" OR * NEAR(', "messages_fts MATCH '*'", "'; DROP TABLE messages; --"):
        response = client.post(f"/cases/{scoped.case_id}/search", data={"q": q,
                                                                        "csrf": client.csrf})
        assert response.status_code == 200 and evil not in response.text


def test_role_escalation_is_refused_and_recorded(login: Any, scoped: World,
                                                 store: Store) -> None:
    inv = login("investigator")
    before = _denied(store)
    attempts = [
        ("/admin/users", {"username": "eve", "password": "x" * 12, "role": "admin"}),
        (f"/cases/{scoped.case_id}/scopes/1/authorise", {"reason": "self-authorised"}),
        (f"/cases/{scoped.case_id}/unmask/1/approve", {"reason": "self-approved"}),
    ]
    for url, data in attempts:
        assert inv.post(url, data={**data, "csrf": inv.csrf}).status_code == 403
    assert inv.get("/audit").status_code == 403
    assert inv.get("/api/audit").status_code == 403
    auditor = login("auditor")
    assert auditor.get(f"/cases/{scoped.case_id}/queue").status_code == 403
    assert auditor.get(f"/api/cases/{scoped.case_id}/findings").status_code == 403
    analyst = login("analyst")
    assert analyst.get(f"/cases/{scoped.case_id}").status_code == 403
    assert "Out of scope" in analyst.get("/cases").text
    assert _denied(store) - before == 8


def test_a_tampered_or_foreign_cookie_is_not_a_session(app: Any, login: Any,
                                                       scoped: World) -> None:
    from fastapi.testclient import TestClient

    client = login("investigator")
    value = client.cookies.get("cl_session")
    forged = TestClient(app, base_url="http://localhost", follow_redirects=False)
    forged.cookies.set("cl_session", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert forged.get("/cases").status_code == 303
    forged.cookies.set("cl_session", "anything")
    assert forged.get("/api/cases").status_code == 401


def test_cross_site_form_posts_fail_without_the_token(login: Any, scoped: World) -> None:
    client = login("supervisor")
    page = client.get(f"/cases/{scoped.case_id}")
    assert page.status_code == 200
    response = client.post(f"/cases/{scoped.case_id}/unmask/1/approve",
                           data={"reason": "forged"}, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
