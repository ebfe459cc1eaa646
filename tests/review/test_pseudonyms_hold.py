"""Pseudonyms that hold under attack: search, highlights, first names, links, exhibit names.

Each test is one of the attacks in issue 9, run against the sample case: Beth (01), Alan
(02, the subject, shown by name), Carl (03) and Dana (04, not in the register).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select, update

from conductlens.errors import ConductLensError
from conductlens.review import links, matching, register
from conductlens.review.access import Forbidden
from conductlens.review.door import CaseDoor
from conductlens.review.pseudonyms import Namer
from conductlens.review.redact import WITHHELD_PHONE, Redactor
from conductlens.review.sample import World
from conductlens.store import Store
from conductlens.store import tables as t

HIDDEN = ("Beth", "Jones", "Carl", "Diaz", "Dana", "Fox", "07700 900003", "900003",
          "+447700900003", "+447700900002", "+447700900004")


@pytest.fixture
def wide(store: Store, world: World, authorise: object) -> World:
    """Both conversations, 5-15 March: the private chat names Dana by her first name."""
    authorise(store, world, conversations=[world.sample.group_id,  # type: ignore[operator]
                                           world.sample.private_id])
    return world


def _door(store: Store, world: World, role: str = "investigator") -> CaseDoor:
    return CaseDoor(store.engine, world.users[role], world.case_id)


def _everything(store: Store, world: World) -> list[tuple[str, str]]:
    d = _door(store, world)
    return [(m.sender.label, m.text) for c in (world.sample.group_id, world.sample.private_id)
            for m in d.conversation(c)]


def test_searching_a_hidden_name_or_number_finds_nothing(store: Store, wide: World) -> None:
    d = _door(store, wide)
    for q in HIDDEN:
        results, _ = d.search(q)
        assert results == [], q
    results, _ = d.search("Participant 01")
    assert [m.id for m in results] == [wide.sample.message_ids[2]]
    (found,), _ = d.search("out of order")
    assert "Beth" not in found.text and "Participant 01" in found.text


def test_the_conversation_filter_runs_on_the_masked_text(store: Store, wide: World) -> None:
    d = _door(store, wide)
    assert d.conversation(wide.sample.group_id, contains="Beth") == []
    assert len(d.conversation(wide.sample.group_id, contains="participant 01")) == 1


def test_first_names_and_phone_numbers_in_text_are_masked(store: Store, wide: World) -> None:
    texts = [text for _, text in _everything(store, wide)]
    assert "Participant 04, keep this between us: the PNC check on your neighbour" in texts
    assert "call me on Participant 03 about the rota" in texts
    for text in texts:
        for secret in HIDDEN:
            assert secret not in text


@pytest.mark.parametrize(("span", "marked"), [
    ((16, 20), "Participant 01"),  # "Beth" alone: the whole pseudonym, not half a name
    ((21, 26), "Participant 01"),  # "Jones" alone
    ((10, 18), "Alan. Participant 01"),  # a span that starts before and ends inside
])
def test_a_highlight_over_part_of_a_name_covers_the_whole_pseudonym(
        store: Store, scoped: World, span: tuple[int, int], marked: str) -> None:
    mid = scoped.sample.message_ids[2]  # "Not funny Alan. Beth Jones here: ..."
    with store.engine.begin() as conn:
        fid = conn.execute(insert(t.findings).values(
            message_id=mid, exhibit_id=scoped.sample.exhibit_id, category="misogyny",
            standards=json.dumps([]), severity="high", score=0.99, detector="test",
            spans=json.dumps([list(span)]), explanation="planted", policy_version="t",
            created_at=datetime.now(UTC))).inserted_primary_key[0]
    found, _ = _door(store, scoped).finding(int(fid))
    assert [s for s, hit in found.message.segments if hit] == [marked]
    assert "".join(s for s, _ in found.message.segments) == found.message.text
    assert "Beth" not in found.message.text and "Jones" not in found.message.text


def _people(store: Store, world: World) -> list[str]:
    return [p.label for p in _door(store, world).people()]


def _approve_pending_link(store: Store, world: World) -> None:
    from conductlens.store.tables_review import link_requests

    with store.engine.connect() as conn:
        rid = conn.scalar(select(link_requests.c.id).where(link_requests.c.status == "requested"))
    _door(store, world, "supervisor").decide_link(int(rid or 0), True, "checked the phone")


def test_unlinking_and_relinking_change_no_number_and_no_text(store: Store, wide: World) -> None:
    before_people, before_text = _people(store, wide), _everything(store, wide)
    beth = wide.person_ids["PC1002"]
    _door(store, wide).request_unlink(beth, "to see which number vanishes")
    assert (_people(store, wide), _everything(store, wide)) == (before_people, before_text)
    _approve_pending_link(store, wide)
    assert _people(store, wide) == before_people  # no number vanished, none appeared
    assert _everything(store, wide) == before_text
    _door(store, wide).request_link(4, beth, "Dana may be Beth's second phone")
    _approve_pending_link(store, wide)
    assert _people(store, wide) == before_people  # linking renumbers no one
    assert _everything(store, wide) == before_text


def test_linking_waits_for_someone_else_to_approve(store: Store, scoped: World) -> None:
    alan = scoped.person_ids["PC1001"]
    rid = _door(store, scoped).request_link(3, alan, "same officer, second phone")
    assert "Participant 03" in _people(store, scoped)  # nothing changes on one person's word
    with store.engine.begin() as conn, pytest.raises(ConductLensError, match="own request"):
        links.decide(conn, scoped.case_id, rid, "investigator", True, "self-approval")
    with pytest.raises(Forbidden, match="may not"):
        _door(store, scoped).decide_link(rid, True, "investigators cannot decide")
    _approve_pending_link(store, scoped)
    assert "Participant 03" not in _people(store, scoped)
    assert "Alan Grant" in _people(store, scoped)


def test_exhibit_and_conversation_names_are_masked(store: Store, scoped: World) -> None:
    with store.engine.begin() as conn:
        conn.execute(update(t.exhibits).values(original_name="WhatsApp Chat with Dana Fox.txt"))
        conn.execute(update(t.conversations).where(
            t.conversations.c.id == scoped.sample.group_id).values(title="Carl's leaving do"))
    door = _door(store, scoped)
    assert [e.original_name for e in door.case_tab("exhibits")["exhibits"]] == [
        "WhatsApp Chat with Participant 04.txt"]
    titles = [c.title for c in door.case_tab("scope")["conversations"]]
    assert "Participant 03's leaving do" in titles and not any("Carl" in x for x in titles)


def test_a_register_person_named_in_text_gets_a_lasting_pseudonym(store: Store,
                                                                  world: World) -> None:
    with store.engine.begin() as conn:
        register.add_person(conn, "PC2000", "Zoe Quinn", "Example Police")
        first = Namer(conn, world.case_id, []).redact("ask zoe QUINN about it")
    with store.engine.begin() as conn:
        again = Namer(conn, world.case_id, []).redact("Zoe said no")
    assert first == "ask Participant 05 about it" and again == "Participant 05 said no"


@pytest.mark.parametrize("raw", [
    "07700 900003", "+44 7700 900003", "0044-7700-900003", "(07700) 900003", "07700900003",
    "+44 (0)7700 900003"])
def test_phone_numbers_are_masked_in_any_format(raw: str) -> None:
    redactor = Redactor(lambda key: "Participant 03", lambda key: "Participant 03")
    redactor.add_phone("+447700900003", "participant:3")
    assert redactor.redact(f"ring {raw} now") == "ring Participant 03 now"


def test_ranks_and_contact_notes_are_not_masked_as_names() -> None:
    redactor = Redactor(lambda key: "Participant 20", lambda key: "Participant 20")
    redactor.add_name("Sgt Dave Khan Work", "participant:20", contact=True)
    assert redactor.redact("ask the Sgt at work if Dave or khan are in") == (
        "ask the Sgt at work if Participant 20 or Participant 20 are in")


def test_a_register_name_and_name_like_words_stay_masked_whole() -> None:
    redactor = Redactor(lambda key: "Participant 21", lambda key: "Participant 21")
    redactor.add_name("Officer Di Home", "person:21")  # a register name: every word of it
    redactor.add_name("Di Work", "participant:22", contact=True)  # "Di" is a name, not a DI
    assert redactor.redact("officer said go home, then Di said work") == (
        "Participant 21 said go Participant 21, then Participant 21 said work")


def test_unknown_numbers_are_withheld_and_dates_are_kept() -> None:
    redactor = Redactor(lambda key: None, lambda key: None)
    assert redactor.redact("ring 07700 900999") == f"ring {WITHHELD_PHONE}"
    assert redactor.redact("on 05/03/2024 at 10:30") == "on 05/03/2024 at 10:30"


def test_a_first_name_two_people_share_is_withheld_not_guessed(store: Store,
                                                               world: World) -> None:
    with store.engine.begin() as conn:
        register.add_person(conn, "PC2001", "Beth Ahmed", "Example Police")
        text = Namer(conn, world.case_id, []).redact("Beth said so")
    assert text == "[name withheld] said so"


def test_numbers_survive_a_new_exhibit(store: Store, scoped: World) -> None:
    from conductlens.review.sample import write_sample

    before = _people(store, scoped)
    second = write_sample(store)  # the same people again, in a second exhibit of the case
    with store.engine.begin() as conn:
        matching.link_by_identifier(conn, [second.exhibit_id], "investigator")
    assert _people(store, scoped) == before  # the same people keep the same numbers


def test_you_is_a_word_not_the_phone_owners_name(store: Store, world: World) -> None:
    """A WhatsApp text export names the phone's owner "You": the word "you" in a message
    stays "you" rather than becoming that owner's pseudonym."""
    from conductlens.ingest._whatsapp_emit import OWNER
    from conductlens.review.pseudonyms import OWNER_SELF

    assert OWNER_SELF == OWNER
    with store.engine.begin() as conn:
        conn.execute(insert(t.participants).values(
            exhibit_id=world.sample.exhibit_id, key=OWNER, name=OWNER, is_owner=True))
        text = Namer(conn, world.case_id, []).redact("not if you leave Beth in charge")
    assert text == "not if you leave Participant 01 in charge"
