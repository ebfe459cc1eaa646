"""Conversation pages through the door: no cap, paged around any message, scope kept."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from conductlens.errors import ScopeError
from conductlens.review.conversation import Filters, Place
from conductlens.review.door import CaseDoor
from conductlens.review.sample import LongChat, World
from conductlens.store import Store
from conductlens.store.tables_review import audit_events


def _door(store: Store, world: World) -> CaseDoor:
    return CaseDoor(store.engine, world.users["investigator"], world.case_id)


def test_a_message_after_position_500_is_reachable(store: Store, world: World,
                                                   chat: LongChat) -> None:
    target = chat.message_ids[560]
    page = _door(store, world).conversation_page(chat.conversation_id, Place(at=target),
                                                 size=50)
    ids = [m.id for m in page.messages]
    assert target in ids and page.at == target and len(ids) == 50
    assert ids == list(chat.message_ids[535:585])  # 25 before it, 25 from it
    assert page.earlier == ids[0] and page.later == ids[-1]


def test_paging_walks_the_whole_conversation_without_a_cap(store: Store, world: World,
                                                           chat: LongChat) -> None:
    door, seen = _door(store, world), []
    page = door.conversation_page(chat.conversation_id, size=200)
    while True:
        seen += [m.id for m in page.messages]
        if page.later is None:
            break
        page = door.conversation_page(chat.conversation_id, Place(after=page.later), size=200)
    assert seen == list(chat.message_ids)  # all 620, in order, none of the late ones
    back = door.conversation_page(chat.conversation_id, Place(before=seen[-200]), size=200)
    assert [m.id for m in back.messages] == seen[-400:-200]


def test_out_of_scope_messages_never_appear_nor_serve_as_a_place(
        store: Store, world: World, chat: LongChat) -> None:
    door = _door(store, world)
    last = door.conversation_page(chat.conversation_id, Place(day=date(2024, 3, 30)), size=10)
    assert [m.id for m in last.messages] == list(chat.message_ids[-10:])
    assert last.later is None and not set(chat.late_ids) & {m.id for m in last.messages}
    for place in (Place(at=chat.late_ids[0]), Place(after=chat.late_ids[0]),
                  Place(at=world.sample.message_ids[7])):  # the private chat's message
        with pytest.raises(ScopeError):
            door.conversation_page(chat.conversation_id, place)
    with pytest.raises(ScopeError):
        door.conversation_page(world.sample.private_id)


def test_the_heading_names_the_group_and_its_dates(store: Store, world: World,
                                                   chat: LongChat) -> None:
    page = _door(store, world).conversation_page(chat.conversation_id, size=5)
    assert page.title == "Night Shift C" and page.is_group
    assert page.first is not None and page.last is not None
    assert (page.first.date(), page.last.date()) == (date(2024, 3, 5), date(2024, 3, 5))
    private = _door(store, world).conversation_page(world.sample.group_id)
    assert private.title == "Response Team B"


def test_jump_to_a_date_and_the_next_finding(store: Store, scoped: World) -> None:
    world = scoped
    door = _door(store, world)
    page = door.conversation_page(world.sample.group_id, Place(day=date(2024, 3, 8)))
    assert page.at == world.sample.message_ids[4] == page.messages[0].id
    first = door.conversation_page(world.sample.group_id, size=2)  # 6 March, 22:00 and 22:00
    assert first.next_finding == world.sample.message_ids[4]  # after the page
    found = door.conversation_page(world.sample.group_id, Place(at=world.sample.message_ids[1]))
    assert found.next_finding == world.sample.message_ids[4]  # after the highlighted one
    last = door.conversation_page(world.sample.group_id, Place(at=found.next_finding))
    assert last.next_finding is None  # the 18 March finding lies outside the scope
    flagged = door.conversation_page(world.sample.group_id, filters=Filters(flagged_only=True))
    assert [m.id for m in flagged.messages] == [world.sample.message_ids[i] for i in (1, 4)]


def test_each_page_is_audited_with_what_it_showed(store: Store, world: World,
                                                  chat: LongChat) -> None:
    page = _door(store, world).conversation_page(chat.conversation_id,
                                                 Place(at=chat.message_ids[600]), size=20)
    with store.engine.connect() as conn:
        last = conn.execute(select(audit_events).order_by(audit_events.c.id.desc())).first()
    assert last is not None and last._mapping["action"] == "view.conversation"
    assert str(page.messages[0].id) in last._mapping["object_ids"]


def test_messages_show_what_the_store_keeps(store: Store, world: World,
                                            chat: LongChat) -> None:
    page = _door(store, world).conversation_page(chat.conversation_id, size=60)
    d, shown = page.details, {m.id: m for m in page.messages}
    ids = chat.details
    assert d[ids["system"]].system and shown[ids["system"]].sender.label == "System"
    assert d[ids["deleted"]].deleted and shown[ids["deleted"]].text == ""
    assert d[ids["deleted_kept"]].deleted
    assert shown[ids["deleted_kept"]].text == "what I said before I deleted it"
    (media,) = d[ids["media"]].media
    assert (media.file_name, media.media_type, media.size, media.sha256) == (
        "IMG-0001.jpg", "image/jpeg", 20480, "ab" * 32)
    assert d[ids["edited"]].edited and not d[ids["reply"]].edited
    quoted = d[ids["reply"]].quoted
    assert quoted is not None and quoted.id == ids["quoted"]  # type: ignore[attr-defined]
    assert "Beth" not in quoted.text and "Participant" in quoted.text  # type: ignore[attr-defined]
    (reaction,) = d[ids["quoted"]].reactions
    assert reaction.emoji == "😂" and reaction.who.masked and reaction.when is not None
    outside = d[ids["reply_outside"]]
    assert outside.quoted is None and outside.quoted_outside
