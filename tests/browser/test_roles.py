"""The roles that never read a case, in Chromium: the auditor checks and exports the log, the
analyst reads totals and charts, the admin makes an account and asks for it on a case team.

One server for the module, over the sample case with an authorised scope (no ingest, no
scan): each test signs its role in, works as a user would, and checks the role reaches no
message, finding, search or conversation of the case.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from tests.browser.test_journey import _notice, _shot, _sign_in, _sign_out

from conductlens.review._csv import FORMULA_STARTS
from conductlens.review.sample import MESSAGES
from conductlens.web.routes.audit_log import COLUMNS

pytestmark = pytest.mark.browser

TEXTS = [text for *_, text in MESSAGES]
# Distinctive words of the sample's messages, looked for in the HTML as well (attributes,
# titles): none has a character the templates would escape.
WORDS = ("proper slag", "switch the BWV off", "haha classic", "custody photo", "PNC check",
         "Elm Road", "briefing at 10")
HOSTILE_NAME = '=HYPERLINK("http://example.invalid/x","open me")'
NEW_PASSWORD = "a long and unusual passphrase"


def _no_message_text(page: Any) -> None:
    body, html = page.locator("body").inner_text(), page.content()
    for text in TEXTS:
        assert text not in body, text
    for word in WORDS:
        assert word not in html, word


def _answers(page: Any, base: str, urls: list[str]) -> list[tuple[int, str]]:
    """What each URL answers: its status and the main part of its page."""
    out = []
    for url in urls:
        response = page.goto(base + url)
        out.append((response.status, page.locator("main").inner_text()))
        _no_message_text(page)
    return out


def _real_and_missing(world: Any) -> tuple[list[str], list[str]]:
    s, c = world.sample, world.case_id
    real = [f"/cases/{c}/findings/{s.finding_ids[0]}", f"/cases/{c}/conversations/{s.group_id}",
            f"/cases/{c}/search", f"/cases/{c}/standard10/messages/{s.message_ids[1]}",
            f"/cases/{c}/queue"]
    missing = [re.sub(r"/\d+", "/9999", url) for url in real]
    return real, missing


def _someone_signs_in_as_a_formula(browser: Any, server: Any) -> None:
    page = browser.new_context().new_page()
    page.goto(f"{server.url}/login")
    page.get_by_label("User name").fill(HOSTILE_NAME)
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    assert "wrong user name or password" in page.get_by_role("alert").inner_text()
    page.context.close()


def test_the_auditor_verifies_filters_and_exports_the_log(module_browser: Any,
                                                          case_server: Any) -> None:
    _someone_signs_in_as_a_formula(module_browser, case_server)
    page = _sign_in(module_browser, case_server, "auditor")
    assert page.get_by_role("heading", name="Audit log").is_visible()  # the auditor's landing
    assert "Chain verified" in page.get_by_test_id("verdict").inner_text()
    page.get_by_label("Action").select_option("login.failed")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**action=login.failed**")
    rows = page.locator("table.audit tbody tr")
    assert rows.count() >= 1
    assert {rows.nth(i).get_by_role("cell").nth(3).inner_text()
            for i in range(rows.count())} == {"login.failed"}
    assert page.get_by_role("cell", name=HOSTILE_NAME).is_visible()  # shown as text
    _shot(page, case_server, "10-auditor-filtered")
    with page.expect_download() as started:
        page.get_by_role("link", name="Export CSV of these records").click()
    download = started.value
    assert download.suggested_filename == "audit.csv"
    table = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert table[0] == list(COLUMNS)
    assert len(table) > 1 and {r[3] for r in table[1:]} == {"login.failed"}  # the filter's
    assert "'" + HOSTILE_NAME in [r[2] for r in table[1:]]  # guarded: text, not a formula
    assert not [cell for r in table[1:] for cell in r if cell.startswith(FORMULA_STARTS)]
    _the_auditor_reads_no_message(page, case_server)
    _sign_out(page)


def _the_auditor_reads_no_message(page: Any, server: Any) -> None:
    """The case page gives the auditor its header and totals, no way into the messages; a
    content URL typed in is refused."""
    world = server.world
    page.goto(f"{server.url}/cases/{world.case_id}")
    assert page.get_by_test_id("scope-status").is_visible()
    for name in ("Queue", "Search", "Open the review queue"):
        assert page.get_by_role("link", name=name, exact=True).count() == 0
    _no_message_text(page)
    real, _ = _real_and_missing(world)
    for status, main in _answers(page, server.url, real):
        assert status == 403 and "Not allowed" in main


def test_the_analyst_sees_totals_and_charts_and_no_message(module_browser: Any,
                                                           case_server: Any) -> None:
    world = case_server.world
    page = _sign_in(module_browser, case_server, "analyst")
    row = page.get_by_role("row").filter(has_text=world.sample.reference)
    assert row.get_by_role("cell").nth(5).inner_text() == "2"  # findings inside the scope
    assert row.get_by_role("link").count() == 0  # a reference, not a way into the case
    _no_message_text(page)
    page.get_by_role("link", name="Trends").click()
    assert page.get_by_role("img", name="Findings by category: bar chart").is_visible()
    by_category = page.get_by_test_id("Findings-by-category").inner_text()
    assert "misogyny" in by_category and "confidentiality" not in by_category  # outside
    _no_message_text(page)
    _shot(page, case_server, "11-analyst-trends")
    page.get_by_role("link", name="Key facts").click()
    assert page.get_by_role("heading", level=1).is_visible()
    _no_message_text(page)
    # A message, finding, search or conversation of the case answers as for a missing one.
    real, missing = _real_and_missing(world)
    assert _answers(page, case_server.url, real) == _answers(page, case_server.url, missing)
    for url, other in zip(real, missing, strict=True):
        api = page.request.get(f"{case_server.url}/api{url}")
        gone = page.request.get(f"{case_server.url}/api{other}")
        assert (api.status, api.text()) == (gone.status, gone.text()), url
        assert not any(word in api.text() for word in WORDS)
    _sign_out(page)


def test_the_admin_makes_an_account_and_asks_for_it_on_the_team(module_browser: Any,
                                                                case_server: Any) -> None:
    world = case_server.world
    page = _sign_in(module_browser, case_server, "admin")
    _add_account(page, "dc2002", "Erin Shaw", "investigator")
    assert _notice(page) == "Account dc2002 added (investigator)."
    assert page.get_by_role("cell", name="dc2002", exact=True).is_visible()
    # The same user name again: refused, the values kept, one line naming the field.
    _add_account(page, "dc2002", "Erin Shaw (again)", "supervisor")
    assert page.get_by_test_id("error-add-account").inner_text() == (
        "User name: user 'dc2002' already exists")
    assert page.get_by_label("User name").input_value() == "dc2002"
    assert page.get_by_label("Display name").input_value() == "Erin Shaw (again)"
    assert page.get_by_label("Role", exact=True).input_value() == "supervisor"
    assert page.get_by_label(re.compile(r"^Password")).input_value() == ""  # never sent back
    _shot(page, case_server, "12-admin-account-refused")
    page.get_by_role("link", name="Case teams").click()
    _ask_for_team(page, "dc2002", "Second investigator for the Team B case")
    assert _notice(page).startswith("Asked to add dc2002 to the case team; it waits")
    changes = page.get_by_test_id("team-changes")
    assert "add dc2002" in changes.inner_text() and "awaiting a decision" in changes.inner_text()
    # Asked twice: the second person has not decided yet.
    _ask_for_team(page, "dc2002", "Asked twice by mistake")
    assert page.get_by_test_id("error-team-add").inner_text().startswith(
        "Add to the case team: that change already awaits a decision")
    assert page.get_by_label("Add to the case team").input_value() == "dc2002"
    assert page.get_by_label("Reason for the assignment").input_value() == (
        "Asked twice by mistake")
    _no_message_text(page)
    _shot(page, case_server, "13-admin-team-refused")
    assert page.get_by_role("link", name="Cases", exact=True).count() == 0
    real, _ = _real_and_missing(world)
    for status, main in _answers(page, case_server.url, [f"/cases/{world.case_id}", *real]):
        assert status == 403 and "Not allowed" in main
    _sign_out(page)


def _add_account(page: Any, username: str, name: str, role: str) -> None:
    page.get_by_label("User name").fill(username)
    page.get_by_label("Display name").fill(name)
    page.get_by_label("Role", exact=True).select_option(role)
    page.get_by_label(re.compile(r"^Password")).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Add account").click()


def _ask_for_team(page: Any, username: str, reason: str) -> None:
    page.get_by_label("Add to the case team").select_option(username)
    page.get_by_label("Reason for the assignment").fill(reason)
    page.get_by_role("button", name="Add to team").click()
