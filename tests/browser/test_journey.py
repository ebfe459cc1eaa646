"""The whole journey, each role in its own browser context, driving Debian's Chromium."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from conductlens.cli import audit as audit_cli
from conductlens.cli import review as review_cli

pytestmark = pytest.mark.browser


def _sign_in(browser: Any, server: Any, username: str) -> Any:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{server.url}/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(server.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("user").is_visible()
    return page


def _sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    page.context.close()


def _shot(page: Any, server: Any, name: str) -> None:
    page.screenshot(path=str(server.artifacts / f"{name}.png"), full_page=True)


def _cli(*args: str) -> Any:
    app = typer.Typer()
    review_cli.register(app)
    audit_cli.register(app)
    return CliRunner().invoke(app, list(args))


def _investigator_opens_case(browser: Any, server: Any) -> str:
    page = _sign_in(browser, server, "investigator")
    page.get_by_role("link", name="Open a case").click()
    page.get_by_label("Case reference").fill("PSD-2024-0042")
    page.get_by_label("Allegation summary").fill("Misogynistic messages in the Team B group")
    page.get_by_role("button", name="Open case").click()
    assert "Case PSD-2024-0042 opened" in _notice(page)
    # Only the case team reaches the case: the investigator assigns the supervisor.
    page.get_by_test_id("tab-team").click()
    page.get_by_label("Add to the case team").select_option(value="supervisor")
    page.get_by_label("Reason for the assignment").fill("Supervises Team B conduct cases")
    page.get_by_role("button", name="Add to team").click()
    # Separation of duties: the change waits for a second person (an admin here).
    assert "Asked to add supervisor to the case team" in _notice(page)
    assert page.get_by_test_id("team-changes").get_by_text("awaiting a decision").is_visible()
    page.get_by_test_id("tab-exhibits").click()
    page.get_by_label("Add an exhibit").set_input_files(str(server.export))
    page.get_by_role("button", name="Add exhibit").click()
    # The ingest runs as a job: its page refreshes itself until the exhibit's link appears.
    page.get_by_role("link", name="EXH-00001").click()
    assert page.get_by_role("cell", name="EXH-00001").is_visible()
    page.get_by_role("button", name="Run the baseline policy").click()
    # The scan is a job too: its page refreshes itself until the findings are counted.
    assert "Scan queued" in _notice(page)
    # The first scan in a server process loads the conduct model (torch and the encoder).
    page.get_by_test_id("scan-summary").wait_for(timeout=180_000)
    assert "findings recorded." in page.get_by_test_id("scan-summary").inner_text()
    # no scope yet: nothing is inside it, so the findings are not broken down (totals only)
    assert "No scope is authorised yet" in page.get_by_test_id("scan-in-scope").inner_text()
    page.get_by_role("link", name="Back to the case").click()
    page.get_by_test_id("tab-people").click()
    page.get_by_label("Add a subject from the staff register").select_option(
        label="Alan Grant (PC1001)")
    page.get_by_role("button", name="Add subject").click()
    assert _notice(page) == "Subject added: Alan Grant (PC1001)."
    page.get_by_test_id("tab-scope").click()
    page.get_by_label("Team B (EXH-00001, 7 messages)").check()
    page.get_by_label("First day").fill("2024-03-05")
    page.get_by_label("Last day").fill("2024-03-15")
    page.get_by_label("Necessity and proportionality").fill(
        "The complaint concerns the Team B group between 5 and 15 March; nothing wider.")
    page.get_by_role("button", name="Propose scope").click()
    assert "Scope #1 proposed" in _notice(page)
    assert "Scope awaiting authorisation" in page.get_by_test_id("scope-status").inner_text()
    assert "Out of scope: 7 messages withheld" in page.get_by_test_id("withheld").inner_text()
    _shot(page, server, "01-case-scope-proposed")
    _log_hours(page, server)
    url = page.url.split("?")[0]
    _sign_out(page)
    return url


def _notice(page: Any) -> str:
    return str(page.get_by_test_id("notice").inner_text())


def _log_hours(page: Any, server: Any) -> None:
    """Hours and notes: a refused entry keeps what was typed; totals per person and activity."""
    page.get_by_test_id("tab-hours").click()
    page.get_by_label("Day worked").fill("2024-04-02")
    page.get_by_label("Activity", exact=True).select_option("evidence_review")
    page.get_by_label("Hours", exact=True).fill("2.5")
    page.get_by_label("Note", exact=True).fill("Read the Team B export")
    page.get_by_role("button", name="Log hours").click()
    assert _notice(page) == "Logged 2.5 h of evidence review on 02 Apr 2024."
    assert "evidence review 2.50" in page.get_by_test_id("hours-by-activity").inner_text(
        ).replace("\t", " ")
    page.get_by_label("Add a note").fill("Exhibit received from the complainant.")
    page.get_by_role("button", name="Add note").click()
    assert _notice(page) == "Note added."
    assert page.get_by_text("Exhibit received from the complainant.").is_visible()
    _shot(page, server, "01a-hours-and-notes")


def _admin_approves_the_team_change(browser: Any, server: Any) -> None:
    page = _sign_in(browser, server, "admin")
    page.goto(f"{server.url}/admin/teams")
    page.locator("input[id^='tc-']").fill("Agreed: the Team B supervisor")
    page.get_by_role("button", name="Approve").click()
    assert page.get_by_test_id("member-supervisor").is_visible()
    _sign_out(page)


def _supervisor_authorises(browser: Any, server: Any, case_url: str) -> None:
    page = _sign_in(browser, server, "supervisor")
    page.goto(f"{case_url}?tab=scope")
    page.get_by_label("Reasons for your decision").fill("Necessary and proportionate.")
    page.get_by_role("button", name="Authorise").click()
    assert _notice(page) == "Scope #1 authorised."
    assert "authorised by supervisor" in page.get_by_test_id("scope-status").inner_text()
    _shot(page, server, "02-scope-authorised")
    _sign_out(page)


def _investigator_reviews(browser: Any, server: Any, case_url: str) -> None:
    page = _sign_in(browser, server, "investigator")
    page.goto(case_url)
    page.get_by_role("link", name="Open the review queue").click()
    assert page.locator("svg.timeline").is_visible()
    assert "posted the custody photo" not in page.content()  # 18 March: outside
    assert "<script>alert" not in page.content()
    _shot(page, server, "03-queue")
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url("**/findings/*")
    _tag_and_escalate_by_keyboard(page, server)
    page.keyboard.press("r")
    assert page.get_by_label("relevant", exact=True).is_checked()
    page.get_by_label("Note", exact=True).fill("Demeaning remark about a victim")
    _shot(page, server, "04-finding")
    page.get_by_role("button", name="Record decision").click()
    _decide_in_the_queue_by_keyboard(page, server, case_url)
    page.get_by_role("link", name="People").click()
    assert page.get_by_text("Participant 03").first.is_visible()
    assert "Carl Diaz" not in page.content()
    row = page.get_by_role("row").filter(has_text="Participant 03")
    row.get_by_label("Reason").fill("Laughed at the remark: a Standard 10 question")
    row.get_by_role("button", name="Ask to unmask").click()
    assert "Asked to unmask Participant 03" in _notice(page)
    _search_with_a_filter(page, server, case_url)
    _sign_out(page)


def _decide_in_the_queue_by_keyboard(page: Any, server: Any, case_url: str) -> None:
    """In the queue, c records "needs context" for the selected finding at once, and the
    queue comes back with the selection on the finding after it."""
    page.goto(f"{case_url}/queue")
    rows = page.locator("li.finding")
    page.keyboard.press("j")
    page.keyboard.press("j")
    chosen = rows.nth(1).get_attribute("id")
    with page.expect_navigation():
        page.keyboard.press("c")
    assert "needs context" in page.locator(f"#{chosen}").inner_text()
    after = min(2, rows.count() - 1)
    assert "selected" in (rows.nth(after).get_attribute("class") or "")
    _shot(page, server, "04d-queue-decided-by-key")


def _search_with_a_filter(page: Any, server: Any, case_url: str) -> None:
    """A sender filter goes into the address; words then search only among what it keeps."""
    page.goto(f"{case_url}/search")
    page.get_by_label("Sender").select_option("Alan Grant")
    page.get_by_role("button", name="Apply filters").click()
    assert "sender=Alan+Grant" in page.url
    summary = page.get_by_test_id("search-summary").inner_text()
    assert summary.startswith("2 matching messages inside the scope with these filters")
    assert "Not funny" not in page.content()  # Beth's reply: another sender
    page.get_by_label("Words").fill("BWV")
    page.get_by_role("button", name="Search").click()
    assert "sender=Alan+Grant" in page.url and "BWV" not in page.url
    assert page.get_by_test_id("search-summary").inner_text().startswith("1 matching message")
    _shot(page, server, "04c-search-filtered")


def _focused(page: Any) -> str:
    return str(page.evaluate("document.activeElement ? document.activeElement.id : ''"))


def _tag_and_escalate_by_keyboard(page: Any, server: Any) -> None:
    """On a finding: keys keep working after r (no trap in the radios), ? lists them, t and
    e reach the tag and escalation forms, Esc gives the keys back."""
    page.keyboard.press("n")
    assert page.get_by_label("not relevant", exact=True).is_checked()
    page.keyboard.press("?")
    help_list = page.locator("#keys-help")
    assert help_list.is_visible() and "escalate" in help_list.inner_text()
    page.keyboard.press("Escape")
    assert not help_list.is_visible()
    page.keyboard.press("t")
    assert _focused(page) == "tag-name"
    page.keyboard.press("Escape")  # out of the field: the keys work again
    assert _focused(page) != "tag-name"
    page.keyboard.press("t")
    page.get_by_label("Tag (key t)").select_option("non-compliant")
    page.get_by_label("Comment").fill("Victim-blaming; Standard 1 and 9")
    page.get_by_role("button", name="Add tag").click()
    tags = page.get_by_test_id("finding-tags")
    assert "non-compliant" in tags.inner_text() and "Victim-blaming" in tags.inner_text()
    page.keyboard.press("e")
    assert _focused(page) == "esc-to"
    page.get_by_label("Escalate to (key e)").select_option("supervisor")
    page.get_by_label("Note for the second reviewer").fill("Second opinion on gross misconduct")
    page.get_by_role("button", name="Escalate").click()
    assert "awaiting second review" in page.get_by_test_id("escalations").inner_text()
    _shot(page, server, "04a-finding-tagged-escalated")


def _supervisor_second_review(browser: Any, server: Any, case_url: str) -> None:
    page = _sign_in(browser, server, "supervisor")
    page.goto(f"{case_url}/queue?escalation=to_me")
    assert page.get_by_label("Escalation").input_value() == "to_me"
    assert page.get_by_text("escalated to supervisor").first.is_visible()
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url("**/findings/*")
    page.get_by_label("Second review decision").select_option("relevant")
    page.get_by_label("Second review note").fill("Agreed: refer for a misconduct meeting")
    page.get_by_role("button", name="Record second review").click()
    done = page.get_by_test_id("escalations").inner_text()
    assert "Second review by supervisor" in done and "Agreed: refer" in done
    _shot(page, server, "04b-second-review")
    page.goto(f"{case_url}/queue?escalation=to_me")
    assert "escalated to supervisor" not in page.content()
    _sign_out(page)


def _supervisor_unmasks(browser: Any, server: Any, case_url: str) -> None:
    page = _sign_in(browser, server, "supervisor")
    page.goto(case_url + "?tab=people#unmasking")
    page.get_by_label("Reasons", exact=True).fill("Proportionate for Standard 10")
    page.get_by_role("button", name="Approve").click()
    assert _notice(page) == "Unmasking request 1 approved."
    assert "approved" in page.locator("#unmasking").inner_text()
    page.get_by_role("link", name="People", exact=True).click()
    assert page.get_by_text("Carl Diaz").first.is_visible()
    _sign_out(page)


def _auditor_checks(browser: Any, server: Any) -> None:
    page = _sign_in(browser, server, "auditor")
    assert "Chain verified" in page.get_by_test_id("verdict").inner_text()
    log = page.locator("table.audit").inner_text()
    for action in ("login", "case.open", "case.team.add", "exhibit.add", "policy.run",
                   "scope.propose", "scope.authorise", "view.queue", "view.finding",
                   "review.decide", "review.tag", "review.escalate", "review.second_review",
                   "unmask.request", "unmask.approve", "view.people"):
        assert action in log, action
    assert "slag" not in log  # the log records what was seen, never the content
    _shot(page, server, "05-audit-log")
    assert _cli("audit", "verify", "--db", server.db).exit_code == 0
    with sqlite3.connect(server.db) as conn:
        conn.execute("UPDATE audit_events SET username = 'someone' WHERE id = 12")
    result = _cli("audit", "verify", "--db", server.db)
    assert result.exit_code == 1 and "record 12" in result.output
    page.reload()
    assert "Chain broken at record 12" in page.get_by_test_id("verdict").inner_text()
    _shot(page, server, "06-audit-broken")
    page.context.close()


def test_the_whole_journey(browser: Any, server: Any) -> None:
    case_url = _investigator_opens_case(browser, server)
    _admin_approves_the_team_change(browser, server)
    _supervisor_authorises(browser, server, case_url)
    _investigator_reviews(browser, server, case_url)
    _supervisor_second_review(browser, server, case_url)
    _supervisor_unmasks(browser, server, case_url)
    _auditor_checks(browser, server)
