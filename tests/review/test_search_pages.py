"""Search through the door: true totals, pages, phrases and prefixes, masked and scoped."""

from __future__ import annotations

from datetime import date

import pytest

from conductlens.review.door import CaseDoor
from conductlens.review.sample import LongChat, World
from conductlens.review.searching import SearchFilter, find, segments
from conductlens.store import Store
from conductlens.store.search import Term, parse_query


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


def test_filters_alone_list_every_kept_message_page_by_page(store: Store, world: World,
                                                             chat: LongChat) -> None:
    door = _door(store, world)
    flt = SearchFilter(conversation=chat.conversation_id)
    first = door.search_page("", 1, size=100, flt=flt)
    assert first.total == 620 and first.pages == 7  # the 3 late ones are outside the scope
    seen = [m.id for p in range(1, 8) for m in door.search_page("", p, 100, flt).results]
    assert seen == list(chat.message_ids)
    later = door.search_page("", 1, 100, SearchFilter(conversation=chat.conversation_id,
                                                      day_from=date(2024, 3, 5),
                                                      day_to=date(2024, 3, 31)))
    assert later.total == 620  # a filter never widens the scope


def test_words_and_filters_together(store: Store, world: World, chat: LongChat) -> None:
    door = _door(store, world)
    everywhere = door.search_page("the").total
    group_only = door.search_page("the", flt=SearchFilter(conversation=world.sample.group_id))
    assert group_only.total == 2 < everywhere  # "switch the BWV off", "about the rota"
    by_alan = door.search_page("the", size=500, flt=SearchFilter(sender="Alan Grant"))
    assert [m.sender.label for m in by_alan.results] == ["Alan Grant"] * by_alan.total
    assert by_alan.total > 200
    alan_in_group = SearchFilter(sender="Alan Grant", conversation=world.sample.group_id)
    assert door.search_page("the", flt=alan_in_group).total == 1


@pytest.mark.parametrize(("flt", "total"), [
    (SearchFilter(category="misogyny"), 1),
    (SearchFilter(severity="medium"), 1),  # the BWV message; 18 March's is outside
    (SearchFilter(severity="high"), 1),  # not the private chat's (outside)
    (SearchFilter(category="confidentiality"), 0),  # both such findings lie outside
    (SearchFilter(category="misogyny", severity="medium"), 0),  # the same finding
    (SearchFilter(sender="Alan Grant"), 2),
    (SearchFilter(sender="Nobody At All"), 0),
    (SearchFilter(day_from=date(2024, 3, 8)), 2),
    (SearchFilter(day_to=date(2024, 3, 6)), 3),
])
def test_filters_count_only_inside_the_scope(store: Store, scoped: World, flt: SearchFilter,
                                             total: int) -> None:
    found = _door(store, scoped).search_page("", flt=flt)
    assert found.total == total == len(found.results)


def test_a_category_scope_limits_the_findings_a_filter_sees(store: Store, world: World,
                                                            authorise: object) -> None:
    authorise(store, world, categories=["misuse_of_systems"])  # type: ignore[operator]
    door = _door(store, world)
    assert door.search_page("", flt=SearchFilter(category="misogyny")).total == 0
    assert door.search_page("", flt=SearchFilter(severity="medium")).total == 1


def test_filters_read_from_the_url_as_the_queue_reads_them() -> None:
    flt = SearchFilter.from_query({"category": "misogyny", "conversation": "7",
                                   "day_from": "2024-03-08", "day_to": "not a day",
                                   "decision": "relevant"})
    assert flt == SearchFilter(category="misogyny", conversation=7,
                               day_from=date(2024, 3, 8))
    assert flt.query_string() == "category=misogyny&conversation=7&day_from=2024-03-08"
    assert SearchFilter.from_query({}) == SearchFilter() and not SearchFilter().narrowed
