"""The case page in tabs: each renders alone, every action says what it did, a refused form
comes back with its values and a reason naming the field, and hours add up."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from conductlens.review import cases
from conductlens.review.sample import World
from conductlens.store import Store

TABS = {"overview": "Overview", "exhibits": "Exhibits", "people": "Subjects",
        "scope": "Scope (Article 8)", "team": "Case team", "hours": "Hours",
        "disclosure": "Outcomes and disclosure"}


def _notice(body: str) -> str | None:
    found = re.search(r'data-testid="notice">(.*?)</p>', body, re.S)
    return found.group(1) if found else None


def _post(client: Any, path: str, **data: Any) -> Any:
    return client.post(path, data={**data, "csrf": client.csrf})


@pytest.mark.parametrize("tab", list(TABS))
def test_each_tab_shows_its_own_part_and_fits_a_screen(login: Any, scoped: World,
                                                       tab: str) -> None:
    body = login("investigator").get(f"/cases/{scoped.case_id}?tab={tab}").text
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", body)
    assert TABS[tab] in headings
    assert not (set(TABS.values()) - {TABS[tab]}) & set(headings)  # the other tabs' parts
    assert f'data-testid="tab-{tab}" aria-current="page"' in body
    assert body.count("<form") - 1 <= 5  # the sign-out form aside; the old page held them all


def test_an_unknown_tab_is_the_overview(login: Any, scoped: World) -> None:
    body = login("investigator").get(f"/cases/{scoped.case_id}?tab=nonsense").text
    assert 'data-testid="tab-overview" aria-current="page"' in body
    assert "Alan Grant" in body  # the subjects at a glance


def test_adding_a_subject_says_who_once_and_only_there(login: Any, scoped: World) -> None:
    inv = login("investigator")
    people = inv.get(f"/cases/{scoped.case_id}?tab=people").text
    picker = people[people.index('id="person_id"'):people.index("</select>",
                                                                people.index('id="person_id"'))]
    assert "Alan Grant" not in picker and "Beth Jones" in picker  # already a subject: not offered
    answer = _post(inv, f"/cases/{scoped.case_id}/subjects",
                   person_id=scoped.person_ids["PC1002"])
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/cases/{scoped.case_id}?tab=people"
    assert "Beth" not in answer.headers["location"] + answer.headers["set-cookie"]
    assert _notice(inv.get("/cases").text) is None  # not on another page
    assert _notice(inv.get(answer.headers["location"]).text) == (
        "Subject added: Beth Jones (PC1002).")
    assert _notice(inv.get(answer.headers["location"]).text) is None  # said once
    again = _post(inv, f"/cases/{scoped.case_id}/subjects",
                  person_id=scoped.person_ids["PC1002"])
    assert again.status_code == 400
    assert "Subject: that person is already a subject of this case" in again.text


def test_a_forged_or_borrowed_notice_says_nothing(login: Any, scoped: World) -> None:
    inv, sup = login("investigator"), login("supervisor")
    answer = _post(inv, f"/cases/{scoped.case_id}/notes", text="Phones seized.")
    token = answer.cookies.get("cl_notice") or inv.cookies.get("cl_notice")
    assert token
    sup.cookies.set("cl_notice", token)
    assert _notice(sup.get(f"/cases/{scoped.case_id}?tab=hours").text) is None
    inv.cookies.delete("cl_notice")
    inv.cookies.set("cl_notice", token[:-3] + "abc")
    assert _notice(inv.get(f"/cases/{scoped.case_id}?tab=hours").text) is None


def test_hours_are_kept_per_person_day_and_activity_with_totals(login: Any, store: Store,
                                                                scoped: World) -> None:
    inv = login("investigator")
    url = f"/cases/{scoped.case_id}/hours"
    for hours, activity, day, note in (("2.5", "assessment", "2024-04-02", "triage"),
                                       ("1.25", "interview", "2024-04-03", "PC Grant")):
        answer = _post(inv, url, hours=hours, activity=activity, worked_on=day, note=note)
        assert answer.status_code == 303
    with store.engine.begin() as conn:
        cases.log_hours(conn, scoped.case_id, "supervisor", 1.0, "review", "assessment",
                        date(2024, 4, 4))
    body = inv.get(f"/cases/{scoped.case_id}?tab=hours").text
    assert _notice(body) == "Logged 1.25 h of interview on 03 Apr 2024."

    def rows(testid: str) -> list[list[str]]:
        table = body[body.index(f'data-testid="{testid}"'):]
        table = table[:table.index("</table>")]
        return [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r)
                for r in re.findall(r"<tr>(.*?)</tr>", table, re.S)][1:]
    assert rows("hours-by-person") == [["investigator", "3.75"], ["supervisor", "1.00"],
                                       ["All", "4.75"]]
    assert rows("hours-by-activity") == [["assessment", "3.50"], ["interview", "1.25"]]
    assert rows("hours-entries")[0] == ["04 Apr 2024", "supervisor", "assessment", "1.00",
                                        "review"]
    assert ["03 Apr 2024", "investigator", "interview", "1.25", "PC Grant"] in rows(
        "hours-entries")
    overview = inv.get(f"/cases/{scoped.case_id}").text
    assert "4.75 h in 3 entries" in overview


@pytest.mark.parametrize(("form", "message"), [
    ({"hours": "lots", "activity": "interview", "worked_on": "2024-04-02"},
     "Hours: &#39;lots&#39; is not a number"),
    ({"hours": "30", "activity": "interview", "worked_on": "2024-04-02"},
     "Hours: give between 0.25 and 24 for one entry"),
    ({"hours": "2", "activity": "", "worked_on": "2024-04-02"},
     "Activity: choose one from the list"),
    ({"hours": "2", "activity": "interview", "worked_on": "April"},
     "Day worked: give the day as YYYY-MM-DD"),
])
def test_refused_hours_keep_what_was_typed(login: Any, scoped: World, store: Store,
                                           form: dict[str, str], message: str) -> None:
    inv = login("investigator")
    answer = _post(inv, f"/cases/{scoped.case_id}/hours", note="kept note", **form)
    assert answer.status_code == 400
    assert f'data-testid="error-hours">{message}</p>' in answer.text
    assert 'value="kept note"' in answer.text and f'value="{form["hours"]}"' in answer.text
    assert f'name="worked_on" type="date" required value="{form["worked_on"]}"' in answer.text
    if form["activity"]:
        assert f'<option value="{form["activity"]}" selected>' in answer.text
    with store.engine.connect() as conn:
        assert cases.notes(conn, scoped.case_id) == []
        assert not conn.exec_driver_sql("select count(*) from case_hours").scalar()


def test_every_case_action_names_what_it_did(login: Any, scoped: World) -> None:
    inv, sup = login("investigator"), login("supervisor")
    c = scoped.case_id
    said = []
    for client, path, data in (
            (inv, f"/cases/{c}/notes", {"text": "Phones seized."}),
            (inv, f"/cases/{c}/status", {"status": "under_review"}),
            (inv, f"/cases/{c}/scopes", {
                "conversations": [str(scoped.sample.group_id)], "date_from": "2024-03-01",
                "date_to": "2024-03-31", "rationale": "The whole of March for the group."}),
            (sup, f"/cases/{c}/scopes/2/refuse", {"reason": "March is too wide"}),
            (inv, f"/cases/{c}/unmask", {"number": "3", "reason": "Who laughed along?"})):
        answer = _post(client, path, **data)
        assert answer.status_code == 303, (path, answer.text[-300:])
        said.append(_notice(client.get(answer.headers["location"]).text))
    assert said == [
        "Note added.", "Case status set to under review.",
        "Scope #2 proposed (01 Mar 2024 to 31 Mar 2024, 1 conversation); a supervisor on "
        "the case team decides it.", "Scope #2 refused.",
        "Asked to unmask Participant 03; a supervisor on the case team decides."]


def test_a_refused_decision_or_note_keeps_the_form(login: Any, scoped: World) -> None:
    inv = login("investigator")
    c = scoped.case_id
    answer = _post(inv, f"/cases/{c}/notes", text="   ")
    assert answer.status_code == 400 and "Note: write the note first" in answer.text
    assert 'aria-current="page">Hours and notes' in answer.text
    assert _post(inv, f"/cases/{c}/scopes", conversations=[str(scoped.sample.group_id)],
                 date_from="2024-03-01", date_to="2024-03-31",
                 rationale="The whole of March for the group.").status_code == 303
    sup = login("supervisor")
    answer = _post(sup, f"/cases/{c}/scopes/2/authorise", reason="  ")
    assert answer.status_code == 400
    assert 'data-testid="error-decide-2">give reasons for the decision</p>' in answer.text


def test_the_team_picker_offers_only_those_not_on_the_team(login: Any, scoped: World) -> None:
    inv = login("investigator")
    body = inv.get(f"/cases/{scoped.case_id}?tab=team").text
    picker = body[body.index('name="username"'):body.index("</select>",
                                                           body.index('name="username"'))]
    assert "(supervisor, supervisor)" not in picker and "(investigator," not in picker
    answer = _post(inv, f"/cases/{scoped.case_id}/team", username="supervisor",
                   reason="Already here")
    assert answer.status_code == 400
    assert ('data-testid="error-team-add">Add to the case team: supervisor is already on the '
            'case team') in answer.text
    assert 'value="Already here"' in answer.text


def test_a_scope_names_its_conversations_not_their_row_numbers(login: Any,
                                                               scoped: World) -> None:
    body = login("investigator").get(f"/cases/{scoped.case_id}?tab=scope").text
    box = body.split('<article class="scopebox')[1].split("<strong>Rationale")[0]
    assert "; 1 conversation (" in box and "conversations 1" not in box


def test_outcome_labels_read_as_words(login: Any, scoped: World) -> None:
    body = login("investigator").get(f"/cases/{scoped.case_id}/outcomes").text
    assert ">Sexual orientation</label>" in body and ">age</label>" not in body
