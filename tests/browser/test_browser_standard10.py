"""A reviewer opens an incident's responses and a member's Standard 10 view in Chromium."""

from __future__ import annotations

from typing import Any

import pytest
from tests.browser.test_journey import (
    _admin_approves_the_team_change,
    _investigator_opens_case,
    _shot,
    _sign_in,
    _sign_out,
    _supervisor_authorises,
)

pytestmark = pytest.mark.browser


def test_incident_responses_and_member_record(browser: Any, server: Any) -> None:
    case_url = _investigator_opens_case(browser, server)
    _admin_approves_the_team_change(browser, server)
    _supervisor_authorises(browser, server, case_url)
    page = _sign_in(browser, server, "investigator")
    page.goto(case_url)
    page.get_by_role("link", name="Standard 10").click()
    assert page.get_by_test_id("s10-membership").locator("svg").is_visible()
    assert "Flagged messages outside the scope" in page.get_by_test_id("s10-withheld").inner_text()
    assert "Carl Diaz" not in page.content()  # a bystander stays a pseudonym
    _shot(page, server, "07-standard10")
    page.get_by_test_id("s10-incidents").get_by_role("link").first.click()
    page.wait_for_url("**/standard10/messages/*")
    table = page.get_by_test_id("responses")
    assert "Participant" in table.locator('tr[data-label="challenged"]').inner_text()
    assert "Participant" in table.locator('tr[data-label="endorsed"]').inner_text()
    _shot(page, server, "08-incident-responses")
    page.get_by_role("link", name="Back to Standard 10").click()
    page.get_by_test_id("s10-people").get_by_role("link").filter(has_text="Participant").first.click()
    page.wait_for_url("**/standard10/person*")
    assert page.get_by_test_id("s10-person").get_by_role("row").count() >= 2
    _shot(page, server, "09-member-record")
    _sign_out(page)
