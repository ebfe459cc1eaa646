"""Search through the door: true totals, pages, phrases and prefixes, masked and scoped."""

from __future__ import annotations

import pytest

from conductlens.review.door import CaseDoor
from conductlens.review.sample import LongChat, World, write_long_chat
from conductlens.review.searching import find, segments
from conductlens.store import Store
from conductlens.store.search import Term, parse_query


@pytest.fixture
def chat(store: Store, world: World, authorise: object) -> LongChat:
    long = write_long_chat(store, world.case_id)
    authorise(store, world, conversations=[world.sample.group_id,  # type: ignore[operator]
                                           long.conversation_id])
    return long


def _door(store: Store, world: World) -> CaseDoor:
    return CaseDoor(store.engine, world.users["investigator"], world.case_id)


@pytest.mark.parametrize(("query", "terms"), [
    ("delete this", [Term(("delete",)), Term(("this",))]),
    ('"get our stories" straight', [Term(("get", "our", "stories")), Term(("straight",))]),
    ("custod* photo", [Term(("custod",), True), Term(("photo",))]),
    ("don't", [Term(("don", "t"))]),
    ('"half a phrase', [Term(("half", "a", "phrase"))]),
    ("*** \"\"", []),
])
def test_queries_are_read_as_users_type_them(query: str, terms: list[Term]) -> None:
    assert parse_query(query) == terms


def test_matches_are_found_and_cut_for_highlighting() -> None:
    text = "<b>Custody</b> photo, custodian's note"
    spans = find(text, parse_query("custod* photo"))
    assert spans is not None
    assert [text[s:e] for s, e in sorted(spans)] == ["Custody", "photo", "custodian"]
    # Words in a row make a phrase whatever stands between them (as the index sees it).
    assert find(text, parse_query('"photo custodian"')) == [(15, 31)]
    assert find(text, parse_query('"photo note"')) is None
    assert segments(text, spans)[0] == ("<b>", False)


def test_the_total_is_true_and_every_page_reachable(store: Store, world: World,
                                                    chat: LongChat) -> None:
    door = _door(store, world)
    first = door.search_page('"message number"', size=50)
    assert first.total == 612 and first.pages == 13  # 620 in scope less 8 special ones
    assert first.summary == "612 matching messages"
    seen = [m.id for p in range(1, first.pages + 1)
            for m in door.search_page('"message number"', p, size=50).results]
    assert len(seen) == 612 and set(seen) <= set(chat.message_ids)
    assert not set(seen) & set(chat.late_ids)  # the 20 March ones are never matched


def test_one_match_is_one_matching_message(store: Store, world: World, chat: LongChat) -> None:
    found = _door(store, world).search_page("typo")
    assert found.summary == "1 matching message" and found.total == 1
    (m,) = found.results
    assert ("typo", True) in m.segments and m.id == chat.details["edited"]


def test_prefixes_and_phrases(store: Store, scoped: World) -> None:
    door = _door(store, scoped)
    assert door.search_page("classi*").total == 1  # "haha classic"
    assert door.search_page("classi").total == 0
    assert door.search_page('"out of order"').total == 1
    assert door.search_page('"order out of"').total == 0


def test_out_of_scope_and_hidden_names_never_match(store: Store, scoped: World) -> None:
    door = _door(store, scoped)
    for query in ("custody", "neighbour", "Beth", '"Beth Jones"', "Morning"):
        found = door.search_page(query)
        assert (found.total, found.results) == (0, []), query
    assert door.search_page("participant").total >= 1  # as shown, a pseudonym
