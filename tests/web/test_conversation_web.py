"""The conversation page on the web: a finding opens it at its message; pages link on."""

from __future__ import annotations

import re
from typing import Any

from conductlens.review.sample import LongChat, World


def test_open_the_conversation_lands_on_the_finding(login: Any, scoped: World) -> None:
    inv = login("investigator")
    c, s = scoped.case_id, scoped.sample
    page = inv.get(f"/cases/{c}/findings/{s.finding_ids[0]}").text
    link = re.search(r'href="([^"]+)">Open the conversation', page)
    assert link is not None
    url = link.group(1).replace("&amp;", "&")
    assert f"at={s.message_ids[1]}" in url
    body = inv.get(url).text
    assert f'class="msg flagged current" id="m{s.message_ids[1]}"' in body
    assert "Response Team B</h1>" in body and "Conversation 1" not in body


def test_a_late_message_is_one_click_away(login: Any, chat: LongChat, world: World) -> None:
    inv = login("investigator")
    base = f"/cases/{world.case_id}/conversations/{chat.conversation_id}"
    target = chat.message_ids[600]
    body = inv.get(f"{base}?at={target}").text
    assert f'id="m{target}"' in body and "Night Shift C" in body
    assert 'data-testid="earlier"' in body
    assert "message number 621" not in body  # the late ones, outside the scope's days
    for late in chat.late_ids:
        assert f'id="m{late}"' not in body
        assert inv.get(f"{base}?at={late}").status_code == 404
    first = inv.get(base).text
    later = re.search(r'href="([^"]+)" data-testid="later"', first)
    assert later is not None and "after=" in later.group(1)


def test_the_api_pages_with_link_headers(login: Any, chat: LongChat, world: World) -> None:
    inv = login("investigator")
    url = f"/api/cases/{world.case_id}/conversations/{chat.conversation_id}"
    seen: list[int] = []
    while url:
        response = inv.get(url)
        assert response.status_code == 200
        seen += [m["id"] for m in response.json()]
        nxt = re.search(r'<([^>]+)>; rel="next"', response.headers.get("link", ""))
        url = nxt.group(1) if nxt else ""
    assert seen == list(chat.message_ids)


def test_the_page_shows_deleted_media_replies_edits_reactions_and_events(
        login: Any, chat: LongChat, world: World) -> None:
    inv = login("investigator")
    body = inv.get(f"/cases/{world.case_id}/conversations/{chat.conversation_id}?size=60").text
    ids = chat.details

    def item(key: str) -> str:
        found = re.search(rf'<li class="msg[^"]*" id="m{ids[key]}">(.*?)\n</li>', body, re.S)
        assert found is not None, key
        return found.group(0)

    assert 'class="msg system"' in item("system") and "group event" in item("system")
    assert "deleted" in item("deleted") and "the source kept no text" in item("deleted")
    assert "what I said before I deleted it" in item("deleted_kept")
    card = item("media")
    assert "IMG-0001.jpg" in card and "image/jpeg" in card and "20.0 KB" in card
    assert "ab" * 32 in card
    assert "Edited: the source kept no earlier text" in item("edited")
    reply = item("reply")
    assert 'data-testid="quoted"' in reply and f"?at={ids['quoted']}#m{ids['quoted']}" in reply
    assert "Beth" not in reply and "Participant" in reply
    assert "😂" in item("quoted") and "Participant" in item("quoted")
    assert "outside the authorised scope" in item("reply_outside")


def test_message_text_is_escaped(login: Any, scoped: World) -> None:
    body = login("investigator").get(
        f"/cases/{scoped.case_id}/conversations/{scoped.sample.group_id}").text
    assert "<script>alert" not in body and "&lt;script&gt;alert" in body
