"""A finding held by two exhibits of one conversation is listed, counted and charted once,
and its page says which other exhibits hold the message."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import func, select

from conductlens.ingest.pipeline import ingest_path
from conductlens.review import queue as q
from conductlens.review.door import CaseDoor
from conductlens.review.sample import World, write_sample
from conductlens.store import Store
from conductlens.store import tables as t
from conductlens.store.groups import link_conversations, record_copies
from conductlens.store.migrate import alembic_config

TEAM_B = Path(__file__).resolve().parents[1] / "data" / "whatsapp" / \
    "WhatsApp Chat with Response Team B.txt"


def _second_copy(store: Store, world: World) -> int:
    second = write_sample(store)  # the same chat again, as a second phone would hold it
    with store.engine.begin() as conn:
        assert link_conversations(conn, second.exhibit_id) >= 1
        copies = record_copies(conn, second.exhibit_id)
        in_group = conn.scalar(select(func.count()).select_from(t.messages).where(
            t.messages.c.conversation_id == second.group_id))
    assert copies >= in_group > 0  # the group chat is linked; every message there is a copy
    return second.group_id


def test_copies_are_recorded_against_the_first_exhibit(store: Store, world: World) -> None:
    _second_copy(store, world)
    with store.engine.connect() as conn:
        rows = conn.execute(select(t.message_copies.c.message_id, t.message_copies.c.first_id,
                                   t.message_copies.c.first_conversation_id)).all()
        texts = dict(conn.execute(select(t.messages.c.id, t.messages.c.text)).all())
    assert rows and all(texts[a] == texts[b] for a, b, _ in rows)
    assert {c for _, _, c in rows} <= {world.sample.group_id, world.sample.private_id}


def test_the_queue_and_totals_count_a_copied_finding_once(store: Store, world: World,
                                                           authorise: object) -> None:
    group_two = _second_copy(store, world)
    authorise(store, world, conversations=[world.sample.group_id, group_two])  # type: ignore[operator]
    door = CaseDoor(store.engine, world.users["investigator"], world.case_id)
    page = door.queue_page(q.QueueFilter(low=True, grouped=False))
    exhibits = {r.finding.message.exhibit_reference for r in page.rows}
    assert page.findings == 2 and len(page.rows) == 2  # two in-scope findings, not four
    assert exhibits == {"EXH-S0001"}
    assert door.totals().findings_in_scope == 2
    first = page.rows[0].finding
    found, _ = door.finding(first.id)
    assert found.also_in == ("EXH-S0002",)


def test_a_copy_whose_first_is_outside_the_scope_is_shown(store: Store, world: World,
                                                           authorise: object) -> None:
    group_two = _second_copy(store, world)
    authorise(store, world, conversations=[group_two])  # type: ignore[operator]
    door = CaseDoor(store.engine, world.users["investigator"], world.case_id)
    page = door.queue_page(q.QueueFilter(low=True, grouped=False))
    assert page.findings == 2
    assert {r.finding.message.exhibit_reference for r in page.rows} == {"EXH-S0002"}


def test_the_upgrade_finds_copies_in_exhibits_ingested_before_it(tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "s.db"))
    copy = tmp_path / "WhatsApp Chat with Response Team B (phone 2).txt"
    copy.write_bytes(TEAM_B.read_bytes() + b"14/02/2024, 12:00 - Bob: only this phone\n")
    ingest_path(store, TEAM_B, case="PSD/1")
    ingest_path(store, copy, case="PSD/1")
    pairs = select(t.message_copies.c.message_id, t.message_copies.c.first_id)
    with store.engine.connect() as conn:
        at_ingest = sorted(conn.execute(pairs).all())
    assert at_ingest
    cfg = alembic_config()
    with store.engine.begin() as conn:  # back to before the table, as an older store stands
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0022_recipient_names")
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    with store.engine.connect() as conn:
        assert sorted(conn.execute(pairs).all()) == at_ingest
