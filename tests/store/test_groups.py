"""Exhibits in many cases; one conversation held by several exhibits."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from conductlens.cli import app
from conductlens.demo import generate_demo
from conductlens.ingest.pipeline import ingest_path
from conductlens.store import Store
from conductlens.store import tables as t
from conductlens.store.groups import copies_of_messages, exhibits_of, people_across_exhibits

DATA = Path(__file__).resolve().parents[1] / "data" / "whatsapp"
TEAM_B = DATA / "WhatsApp Chat with Response Team B.txt"


def _exhibits_json(db: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(app, ["exhibits", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_the_same_bytes_join_a_second_case(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    runner = CliRunner()

    def ingest(case: str) -> dict[str, object]:
        out = runner.invoke(app, ["ingest", str(TEAM_B), "--db", db, "--case", case, "--json"])
        assert out.exit_code == 0, out.output
        return json.loads(out.stdout)["exhibits"][0]  # type: ignore[no-any-return]

    assert ingest("PSD/1")["duplicate"] is False
    assert ingest("PSD/1")["duplicate"] is True  # already in that case
    second = ingest("PSD/2")
    assert second["duplicate"] is False and second["reference"] == "EXH-00001"
    [row] = _exhibits_json(db)
    assert row["cases"] == ["PSD/1", "PSD/2"] and row["messages"] == 15
    assert {"reference", "sha256", "format", "messages", "cases", "also_in"} <= set(row)
    store = Store.open(db)
    with store.engine.connect() as conn:
        actions = list(conn.scalars(select(t.metadata.tables["audit_events"].c.action)))
        case_two = conn.scalar(select(t.cases.c.id).where(t.cases.c.reference == "PSD/2"))
        assert list(conn.scalars(exhibits_of(case_two))) == [1]
    assert actions.count("exhibit.add") == 1 and actions.count("exhibit.attach") == 1


def test_two_copies_of_one_chat_are_linked(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    store = Store.open(db)
    copy = tmp_path / "WhatsApp Chat with Response Team B (phone 2).txt"
    copy.write_bytes(TEAM_B.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
                     + b"14/02/2024, 12:00 - Bob: only this phone has this one\r\n")
    one = ingest_path(store, TEAM_B, case="PSD/1")
    two = ingest_path(store, copy, case="PSD/1")
    rows = {r["reference"]: r for r in _exhibits_json(db)}
    assert rows[one.reference]["also_in"] == [two.reference]
    assert rows[two.reference]["also_in"] == [one.reference]
    with store.engine.connect() as conn:
        people = people_across_exhibits(conn, [1, 2])
        copies = copies_of_messages(conn, [1, 2])
        texts = dict(conn.execute(select(t.messages.c.id, t.messages.c.text)).all())
    assert len(set(people.values())) == one.participants  # one person each, not two
    assert len(copies) == one.messages  # every message of the first is in the second
    assert all(texts[k] == texts[v] for k, v in copies.items())
    only_two = [i for i, text in texts.items() if text == "only this phone has this one"]
    assert only_two and only_two[0] not in copies


def test_unrelated_chats_are_not_linked(tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "s.db"))
    other = tmp_path / "WhatsApp Chat with Others.txt"
    other.write_text("".join(f"02/03/2024, 10:{i:02d} - Carol: a different chat entirely {i}\n"
                             for i in range(10)), encoding="utf-8")
    ingest_path(store, TEAM_B)
    ingest_path(store, other)
    with store.engine.connect() as conn:
        assert conn.execute(select(t.conversation_links)).all() == []
        people = people_across_exhibits(conn, [1, 2])
    assert len(set(people.values())) == len(people)


def test_the_demo_group_is_one_group_of_about_thirty_people(tmp_path: Path) -> None:
    files = generate_demo(tmp_path / "files")
    store = Store.open(str(tmp_path / "d.db"))
    a = ingest_path(store, files.msgstore_db, case="PSD-DEMO-001", timezone="Europe/London")
    b = ingest_path(store, files.android_txt, case="PSD-DEMO-001", timezone="Europe/London")
    with store.engine.connect() as conn:
        people = people_across_exhibits(conn, [1, 2])
        copies = copies_of_messages(conn, [1, 2])
    assert a.participants + b.participants > 50
    assert 26 <= len(set(people.values())) <= 31
    assert len(copies) > 0.95 * b.messages
