"""Search counted in SQL when masking cannot touch the terms: the same totals as masking."""

from __future__ import annotations

import pytest

from conductlens.review import searching
from conductlens.review.door import CaseDoor
from conductlens.review.pseudonyms import Namer
from conductlens.review.sample import LongChat, World
from conductlens.store import Store
from conductlens.store.search import parse_query

QUERIES = ("message", '"message number"', "mess*", "typo", "out of order", "classi*",
           '"out of"', "the", "number 7", "beth", "jon*", "partic*", "alan", "withheld")


def _door(store: Store, world: World) -> CaseDoor:
    return CaseDoor(store.engine, world.users["investigator"], world.case_id)


def _mask_proof(store: Store, world: World, query: str) -> bool:
    with store.engine.begin() as conn:
        namer = Namer(conn, world.case_id, [world.person_ids["PC1001"]])
        return searching._mask_proof(parse_query(query), namer)


def test_names_numbers_and_mask_words_are_masked_first(store: Store, scoped: World) -> None:
    assert _mask_proof(store, scoped, "order")
    assert _mask_proof(store, scoped, '"out of order"')
    for query in ("Beth", '"Beth Jones"', "jon*", "participant", "partic*", "withheld",
                  "07700", "unit7", "phon*"):
        assert not _mask_proof(store, scoped, query), query


@pytest.mark.parametrize("query", QUERIES)
def test_sql_count_equals_the_masked_count(store: Store, world: World, chat: LongChat,
                                           query: str, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    door = _door(store, world)
    fast = [door.search_page(query, p, size=40) for p in (1, 2, 99)]
    monkeypatch.setattr(searching, "_mask_proof", lambda terms, namer: False)
    slow = [door.search_page(query, p, size=40) for p in (1, 2, 99)]
    for a, b in zip(fast, slow, strict=True):
        assert (a.total, a.page, a.pages) == (b.total, b.page, b.pages), query
        assert [m.id for m in a.results] == [m.id for m in b.results], query
        assert [m.segments for m in a.results] == [m.segments for m in b.results], query


def test_a_prefix_of_a_mask_word_finds_the_masked_mention(store: Store, scoped: World
                                                          ) -> None:
    """"partic*" matches "Participant 02" as shown, though the raw text says "Beth"."""
    door = _door(store, scoped)
    assert door.search_page("partic*").total == door.search_page("participant").total >= 1
    assert door.search_page("beth").total == 0
