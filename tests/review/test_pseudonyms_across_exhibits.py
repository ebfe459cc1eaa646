"""One pseudonym per person when exhibits hold the same conversation (a phone database and its
text export, or two members' phones): the demo's shift group, and a small pair of exports."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, insert, select

from conductlens.demo import generate_demo
from conductlens.ingest.pipeline import ingest_path
from conductlens.review import pseudonyms as ps
from conductlens.store import Store
from conductlens.store import tables as t
from conductlens.store.tables_review import participant_links, people, pseudonyms

TEAM_B = Path(__file__).resolve().parents[1] / "data" / "whatsapp" / \
    "WhatsApp Chat with Response Team B.txt"


def _numbers(store: Store, case_id: int = 1) -> dict[int, int]:
    with store.engine.begin() as conn:
        ps.assign(conn, case_id)
        rows = conn.execute(select(pseudonyms.c.identity, pseudonyms.c.number)
                            .where(pseudonyms.c.case_id == case_id)).all()
    return {int(i.split(":")[1]): n for i, n in rows if i.startswith("participant:")}


def _two_copies(tmp_path: Path) -> Store:
    store = Store.open(str(tmp_path / "s.db"))
    copy = tmp_path / "WhatsApp Chat with Response Team B (phone 2).txt"
    copy.write_bytes(TEAM_B.read_bytes() + b"14/02/2024, 12:00 - Bob: only this phone\n")
    ingest_path(store, TEAM_B, case="PSD/1")
    ingest_path(store, copy, case="PSD/1")
    return store


def test_each_person_in_two_copies_of_one_chat_gets_one_pseudonym(tmp_path: Path) -> None:
    store = _two_copies(tmp_path)
    numbers = _numbers(store)
    with store.engine.connect() as conn:
        rows = conn.execute(select(t.participants.c.id, t.participants.c.exhibit_id,
                                   t.participants.c.name)).all()
    by_name: dict[str, set[int]] = {}
    for pid, _exhibit, name in rows:
        by_name.setdefault(str(name), set()).add(numbers[int(pid)])
    assert all(len(n) == 1 for n in by_name.values()), by_name
    assert len(set(numbers.values())) == len(by_name) < len(rows)


def test_two_register_people_are_never_merged_by_a_shared_name(tmp_path: Path) -> None:
    store = _two_copies(tmp_path)
    with store.engine.begin() as conn:
        bobs = list(conn.scalars(select(t.participants.c.id)
                                 .where(t.participants.c.name == "Bob")
                                 .order_by(t.participants.c.id)))
        assert len(bobs) == 2
        for n, pid in enumerate(bobs, start=1):
            person = conn.execute(insert(people).values(
                staff_number=f"S{n}", name=f"Robert {n}", force="Test")).inserted_primary_key
            conn.execute(insert(participant_links).values(
                participant_id=pid, person_id=person[0], method="manual", created_by="t",
                created_at=datetime(2024, 3, 1, tzinfo=UTC)))
    numbers = _numbers(store)
    assert numbers[bobs[0]] != numbers[bobs[1]]


def test_the_demo_case_shows_about_thirty_people_not_fifty(tmp_path: Path) -> None:
    files = generate_demo(tmp_path / "files")
    store = Store.open(str(tmp_path / "d.db"))
    ingest_path(store, files.msgstore_db, case="PSD-DEMO-001", timezone="Europe/London")
    ingest_path(store, files.android_txt, case="PSD-DEMO-001", timezone="Europe/London")
    with store.engine.connect() as conn:
        participants = conn.scalar(select(func.count()).select_from(t.participants))
    shown = set(_numbers(store).values())
    assert participants is not None and participants > 50
    assert 26 <= len(shown) <= 31
