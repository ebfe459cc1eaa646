"""Phone member tables and read receipts, over the demo's generated msgstore.db and
ChatStorage.sqlite: stored with their rows, fed to membership, and shown by ``responses``."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from sqlalchemy import Connection, select
from typer.testing import CliRunner

from conductlens.cli import app
from conductlens.demo.render_ios_sqlite import write_chatstorage
from conductlens.demo.render_msgstore import write_msgstore
from conductlens.demo.scenario import build_scenario
from conductlens.dynamics.flow import load_flow
from conductlens.dynamics.membership import build_roster
from conductlens.ingest.pipeline import ingest_path
from conductlens.store import Store
from conductlens.store import tables as t

SCALE = 0.3
LURKER = "447700900999"  # a current member who never posts and no system message mentions


def _store(tmp: Path, exhibit: Path) -> Store:
    store = Store.open(f"sqlite:///{tmp / 'c.db'}", tmp / "objects")
    ingest_path(store=store, path=exhibit, timezone="Europe/London")
    return store


def _events(conn: Connection, kind: str) -> list[tuple[str, str | None]]:
    e = t.membership_events.c
    return [(r.source, r.detail) for r in conn.execute(
        select(e.source, e.detail).where(e.kind == kind).order_by(e.id))]


def test_android_member_tables_become_events(tmp_path: Path) -> None:
    db = write_msgstore(build_scenario(seed=7, scale=SCALE), tmp_path / "msgstore.db")
    raw = sqlite3.connect(db)
    current = raw.execute("SELECT _id, rank FROM group_participant_user ORDER BY _id").fetchall()
    past = raw.execute("SELECT _id, is_leave FROM group_past_participant_user ORDER BY _id"
                       ).fetchall()
    raw.close()
    with _store(tmp_path, db).engine.connect() as conn:
        members = _events(conn, "member")
        gone = _events(conn, "past_member")
    assert [s for s, _ in members] == [f"group_participant_user#{i}" for i, _ in current]
    ranks = {0: "rank=member", 1: "rank=admin", 2: "rank=creator"}
    assert [d for _, d in members] == [ranks[r] for _, r in current]
    assert [s for s, _ in gone] == [f"group_past_participant_user#{i}" for i, _ in past]
    assert [d for _, d in gone] == ["left" if x else "removed" for _, x in past]


def test_ios_member_table_becomes_events(tmp_path: Path) -> None:
    db = write_chatstorage(build_scenario(seed=7, scale=SCALE), tmp_path / "ChatStorage.sqlite")
    raw = sqlite3.connect(db)
    rows = raw.execute("SELECT Z_PK, ZISACTIVE, ZISADMIN FROM ZWAGROUPMEMBER ORDER BY Z_PK"
                       ).fetchall()
    raw.close()
    with _store(tmp_path, db).engine.connect() as conn:
        members = _events(conn, "member")
        gone = _events(conn, "past_member")
    assert members == [(f"ZWAGROUPMEMBER#{pk}", "admin" if admin else "member")
                       for pk, active, admin in rows if active]
    assert len(gone) == sum(1 for _, active, _ in rows if not active) > 0


def test_receipts_are_stored_with_their_rows(tmp_path: Path) -> None:
    db = write_msgstore(build_scenario(seed=7, scale=SCALE), tmp_path / "msgstore.db")
    raw = sqlite3.connect(db)
    total, read = raw.execute("SELECT count(*), sum(read_timestamp > 0) FROM receipt_user"
                              ).fetchone()
    raw.close()
    with _store(tmp_path, db).engine.connect() as conn:
        rows = conn.execute(select(t.receipts)).all()
    assert len(rows) == total > 0
    assert all(r.message_id is not None and r.recipient_id is not None for r in rows)
    assert sum(r.read_utc is not None for r in rows) == read
    assert {r.source for r in rows} == {f"receipt_user#{i}" for i in range(1, total + 1)}


def _with_lurker_and_read(path: Path) -> tuple[int, int]:
    """Add a silent current member and one read receipt; return (message row, receipt row)."""
    raw = sqlite3.connect(path)
    with raw:
        group = raw.execute("SELECT group_jid_row_id FROM group_participant_user").fetchone()[0]
        jid = raw.execute("INSERT INTO jid (user, server, agent, device, type, raw_string) "
                          "VALUES (?, 's.whatsapp.net', 0, 0, 0, ?)",
                          (LURKER, f"{LURKER}@s.whatsapp.net")).lastrowid
        raw.execute("INSERT INTO group_participant_user (group_jid_row_id, user_jid_row_id, "
                    "rank, pending, add_timestamp) VALUES (?, ?, 0, 0, 0)", (group, jid))
        mid, ts = raw.execute("SELECT _id, timestamp FROM message WHERE from_me = 1 AND "
                              "message_type = 0 ORDER BY _id DESC LIMIT 1").fetchone()
        receipt = raw.execute("INSERT INTO receipt_user (message_row_id, "
                              "receipt_user_jid_row_id, receipt_timestamp, read_timestamp, "
                              "played_timestamp) VALUES (?, ?, ?, ?, -1)",
                              (mid, jid, ts + 1000, ts + 5000)).lastrowid
    raw.close()
    assert receipt is not None
    return int(mid), int(receipt)


def test_responses_shows_a_listed_silent_member_and_a_read(tmp_path: Path) -> None:
    db = write_msgstore(build_scenario(seed=7, scale=SCALE), tmp_path / "msgstore.db")
    row, receipt = _with_lurker_and_read(db)
    store_db = str(tmp_path / "s.db")
    result = CliRunner().invoke(app, ["ingest", str(db), "--db", store_db, "--case", "PSD-1"])
    assert result.exit_code == 0, result.output
    store = Store.open(f"sqlite:///{store_db}", tmp_path / "objects")
    with store.engine.connect() as conn:
        m = t.messages.c
        mid = conn.execute(select(m.id).where(m.src_table == "message",
                                              m.src_row == str(row))).scalar_one()
        roster = build_roster(load_flow(conn, 1))
    (listed,) = [i for i in roster.intervals if i.confidence == "listed"]
    lurker = roster.members[listed.member].name
    assert listed.end is None and listed.start == 0.0
    out = CliRunner().invoke(app, ["responses", "--db", store_db, "--message", str(mid),
                                   "--json"])
    assert out.exit_code == 0, out.output
    (rec,) = [json.loads(line) for line in out.stdout.splitlines()]
    assert lurker in rec["present"] and lurker in rec["silent"]
    assert rec["evidence"][lurker] == [f"read:receipt_user#{receipt}",
                                       f"member:group_participant_user#{_last_member(db)}"]
    reads = [n for n, ids in rec["evidence"].items() if any(str(i).startswith("read:")
                                                            for i in ids)]
    assert len(reads) > 1  # the demo's own receipts for the owner's message count too


def _last_member(path: Path) -> int:
    raw = sqlite3.connect(path)
    (last,) = raw.execute("SELECT max(_id) FROM group_participant_user").fetchone()
    raw.close()
    return int(last)


def test_demo_members_all_have_other_evidence(tmp_path: Path) -> None:
    """In the demo every listed member also joined or posted, so no interval rests on the
    table alone (the lurker above is the only ``listed`` one)."""
    db = write_msgstore(build_scenario(seed=7, scale=SCALE), tmp_path / "msgstore.db")
    with _store(tmp_path, db).engine.connect() as conn:
        roster = build_roster(load_flow(conn, 1))
    assert roster.intervals
    assert not [i for i in roster.intervals if i.confidence == "listed"]
