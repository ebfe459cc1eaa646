"""The search page: highlighted, escaped, counted, paged, linked into the conversation."""

from __future__ import annotations

import re
from typing import Any

from conductlens.review.sample import World


def _search(client: Any, case_id: int, q: str, page: int = 1) -> str:
    response = client.post(f"/cases/{case_id}/search",
                           data={"q": q, "page": page, "csrf": client.csrf})
    assert response.status_code == 200
    return str(response.text)


def test_results_are_highlighted_escaped_and_linked(login: Any, scoped: World) -> None:
    inv = login("investigator")
    body = _search(inv, scoped.case_id, "script")
    assert "1 matching message inside the scope" in body
    assert "&lt;<mark>script</mark>&gt;alert" in body and "<script>" not in body
    target = scoped.sample.message_ids[4]
    link = f"/cases/{scoped.case_id}/conversations/{scoped.sample.group_id}?at={target}#m{target}"
    assert f'href="{link}"' in body
    assert f'id="m{target}"' in inv.get(link).text


def test_counts_and_pages(login: Any, scoped: World) -> None:
    inv = login("investigator")
    assert "No matching messages inside the scope" in _search(inv, scoped.case_id, "custody")
    body = _search(inv, scoped.case_id, '"out of order"')
    assert "1 matching message inside" in body and "<mark>out of order</mark>" in body


def test_the_api_reports_the_true_total(login: Any, scoped: World) -> None:
    inv = login("investigator")
    answer = inv.post(f"/api/cases/{scoped.case_id}/search", json={"q": "the", "page": 1},
                      headers={"X-CSRF-Token": inv.csrf}).json()
    assert answer["total"] == len(answer["results"]) >= 1 and answer["pages"] == 1
    assert all(re.search(r"\bthe\b", r["text"], re.I) for r in answer["results"])


def test_the_people_page_shows_counts_in_scope(login: Any, scoped: World) -> None:
    body = login("investigator").get(f"/cases/{scoped.case_id}/people").text
    row = re.search(r"<tr><td><span class=\"name subject\">Alan Grant.*?</tr>", body, re.S)
    assert row is not None
    cells = re.findall(r"<td>(.*?)</td>", row.group(0), re.S)
    assert cells[1:3] == ["2", "2"] and "06 Mar 2024 22:00" in cells[3]
    assert "Beth Jones" not in body and "Participant" in body
