"""The admin's forms (an account, a case team change, a decision on one): a refused form
comes back on its own page with what was typed (never a password) and one line naming the
field to correct, beside that form only; a form that works says what it did."""

from __future__ import annotations

import re
from typing import Any

from conductlens.review import accounts, team_duties
from conductlens.review.roles import Role
from conductlens.review.sample import PASSWORD, World
from conductlens.store import Store

NEW_PASSWORD = "a long and unusual passphrase"


def _post(client: Any, path: str, **data: Any) -> Any:
    return client.post(path, data={**data, "csrf": client.csrf})


def _error(body: str, form: str) -> str:
    found = re.findall(rf'data-testid="error-{re.escape(form)}">(.*?)</p>', body, re.S)
    assert len(found) == 1, f"expected one refusal beside {form}, found {found}"
    return str(found[0])


def test_a_refused_account_keeps_its_values_and_names_the_field(login: Any,
                                                                 world: World) -> None:
    admin = login("admin")
    answer = _post(admin, "/admin/users", username="investigator", password=NEW_PASSWORD,
                   role="supervisor", display_name="Someone Else")
    assert answer.status_code == 400
    body = answer.text
    assert _error(body, "add-account") == "User name: user &#39;investigator&#39; already exists"
    assert 'id="new-username" name="username"' in body and 'value="investigator"' in body
    assert 'value="Someone Else"' in body
    assert "<option selected>supervisor</option>" in body
    assert NEW_PASSWORD not in body  # a password never comes back in a page
    weak = _post(admin, "/admin/users", username="newbie", password="short", role="analyst")
    assert weak.status_code == 400 and _error(weak.text, "add-account").startswith("Password: ")
    assert 'value="newbie"' in weak.text
    empty = _post(admin, "/admin/users", username="  ", password=NEW_PASSWORD, role="analyst")
    assert empty.status_code == 400
    assert _error(empty.text, "add-account").startswith("User name: ")
    role = _post(admin, "/admin/users", username="newbie", password=NEW_PASSWORD, role="boss")
    assert _error(role.text, "add-account") == "Role: unknown role &#39;boss&#39;"


def test_an_added_account_says_so_on_the_accounts_page(login: Any, world: World) -> None:
    admin = login("admin")
    answer = _post(admin, "/admin/users", username="dc2002", password=NEW_PASSWORD,
                   role="investigator", display_name="Erin Shaw")
    assert answer.status_code == 303 and answer.headers["location"] == "/admin/users#user-dc2002"
    page = admin.get("/admin/users").text
    assert 'data-testid="notice">Account dc2002 added (investigator).</p>' in page
    assert 'data-testid="error-add-account"' not in page


def test_a_refused_team_change_on_the_teams_page_keeps_its_values(
        login: Any, store: Store, world: World) -> None:
    accounts.add_user(store.engine, "inv3", PASSWORD, Role.INVESTIGATOR, "Ivy Third")
    admin, case = login("admin"), world.case_id
    blank = _post(admin, f"/cases/{case}/team", username="inv3", reason="     ")
    assert blank.status_code == 400 and "<h1>Case teams</h1>" in blank.text
    assert _error(blank.text, "team-add") == (
        "Reason for the assignment: give a reason for the change to the case team")
    assert '<option value="inv3" selected>' in blank.text
    asked = _post(admin, f"/cases/{case}/team", username="inv3", reason="Second investigator")
    assert asked.status_code == 303 and asked.headers["location"] == f"/admin/teams#case-{case}"
    assert "Asked to add inv3 to the case team" in admin.get("/admin/teams").text
    again = _post(admin, f"/cases/{case}/team", username="inv3", reason="Asked twice by mistake")
    assert again.status_code == 400
    assert _error(again.text, "team-add").startswith(
        "Add to the case team: that change already awaits a decision")
    assert 'value="Asked twice by mistake"' in again.text
    assert '<option value="inv3" selected>' in again.text


def test_a_refused_decision_keeps_its_reason_beside_its_change(
        login: Any, store: Store, world: World) -> None:
    accounts.add_user(store.engine, "inv3", PASSWORD, Role.INVESTIGATOR, "Ivy Third")
    # A second admin the first one made: not a second person for the first one's asks.
    accounts.add_user(store.engine, "admin2", PASSWORD, Role.ADMIN, "Second Admin",
                      actor="admin")
    admin, case = login("admin"), world.case_id
    assert _post(admin, f"/cases/{case}/team", username="inv3",
                 reason="Second investigator").status_code == 303
    with store.engine.connect() as conn:
        (change,) = team_duties.changes(conn, case, "requested")
    own = _post(admin, f"/team-changes/{change.id}/approve", reason="Approving my own ask")
    assert own.status_code == 400
    assert _error(own.text, f"change-{change.id}") == (
        "Decision: a second person must decide this change")
    made = _post(login("admin2"), f"/team-changes/{change.id}/approve",
                 reason="My maker asked me")
    assert made.status_code == 400
    assert _error(made.text, f"change-{change.id}") == (
        "Decision: an account made by the person asking is not a second person")
    assert f'id="tc-{change.id}" name="reason" required minlength="5" value="My maker asked me"' \
        in made.text
    unknown = _post(admin, "/team-changes/999/approve", reason="No such change here")
    assert unknown.status_code == 400 and "Decision: no team change 999" in unknown.text
