"""Search filters on the page: kept in the URL, true totals, paging, never outside the scope."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from conductlens.review import audit
from conductlens.review.sample import LongChat, World, write_long_chat
from conductlens.store import Store


def _summary(body: str) -> str:
    found = re.search(r'data-testid="search-summary">(.*?)</p>', body, re.S)
    assert found is not None
    return found.group(1)


def test_a_filter_in_the_url_lists_what_it_keeps(login: Any, scoped: World) -> None:
    inv = login("investigator")
    body = inv.get(f"/cases/{scoped.case_id}/search?category=misogyny").text
    assert _summary(body).startswith("1 matching message inside the scope with these filters")
    assert "victim was a proper" in body and "switch the BWV" not in body
    assert '<option value="misogyny" selected>' in body  # the form shows what is in force
    # Both confidentiality findings lie outside the scope: nothing is counted.
    body = inv.get(f"/cases/{scoped.case_id}/search?category=confidentiality").text
    assert _summary(body).startswith("No matching messages")
    assert "PNC check" not in body and "custody photo" not in body


def test_words_come_from_the_form_and_filters_from_the_url(login: Any, scoped: World) -> None:
    inv = login("investigator")
    url = f"/cases/{scoped.case_id}/search"
    plain = inv.post(url, data={"q": "the", "csrf": inv.csrf}).text
    assert _summary(plain).startswith("2 matching messages inside the scope.")
    alan = inv.post(f"{url}?sender={quote('Alan Grant')}", data={"q": "the", "csrf": inv.csrf})
    assert _summary(alan.text).startswith("1 matching message inside the scope with these")
    assert "<mark>the</mark> BWV" in alan.text and "rota" not in alan.text
    # The words form keeps the filters in its address; the words stay out of every URL.
    assert f'action="{url}?sender=Alan+Grant"' in alan.text
    assert "q=the" not in alan.text


def test_filters_page_with_true_totals(login: Any, store: Store, scoped: World) -> None:
    long = write_long_chat(store, scoped.case_id)
    inv = login("investigator")
    # The scope covers the sample group only: the long chat is wholly outside it.
    body = inv.get(f"/cases/{scoped.case_id}/search?conversation={long.conversation_id}").text
    assert _summary(body).startswith("No matching messages")
    body = inv.get(f"/cases/{scoped.case_id}/search?day_from=2024-03-01&day_to=2024-03-31").text
    assert _summary(body).startswith("5 matching messages")  # the scope's own five days


def test_filter_only_pages_link_on_with_the_filter(login: Any, store: Store, chat: LongChat,
                                                   world: World) -> None:
    long = chat
    inv = login("investigator")
    base = f"/cases/{world.case_id}/search?conversation={long.conversation_id}"
    first = inv.get(base).text
    assert _summary(first).startswith("620 matching messages inside the scope with these "
                                      "filters (page 1 of 13)")
    assert f'href="{base}&amp;page=2"' in first
    last = inv.get(base + "&page=13").text
    assert "message number 620 on the night shift" in last and "More results" not in last
    with store.engine.connect() as conn:
        event = audit.export_rows(conn, case_id=world.case_id, action="search")[-1]
    detail, objects = json.loads(event["detail"]), json.loads(event["object_ids"])
    assert detail["filter"] == f"conversation={long.conversation_id}"
    assert detail["matched"] == 620 and len(objects["message"]) == 620 - 12 * 50
