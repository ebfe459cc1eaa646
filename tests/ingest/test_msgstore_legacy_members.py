"""Legacy Android msgstore.db: group members from ``group_participants`` and read receipts
from ``receipts`` and the one-to-one message rows, in WhatsApp's own pre-2021 schema."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conductlens.errors import ParseError
from conductlens.ingest.base import ParseOptions, Source
from conductlens.ingest.whatsapp_android_db import WhatsAppAndroidDb
from conductlens.model import MembershipEvent, MembershipKind, Participant, Receipt, Record

# WhatsApp's own CREATE statements (as in IPED's 2021 schema dump), trimmed of unused tables.
SCHEMA = """
CREATE TABLE chat_list (_id INTEGER PRIMARY KEY AUTOINCREMENT, key_remote_jid TEXT UNIQUE,
  message_table_id INTEGER, subject TEXT, creation INTEGER, sort_timestamp INTEGER);
CREATE TABLE messages (_id INTEGER PRIMARY KEY AUTOINCREMENT, key_remote_jid TEXT NOT NULL,
  key_from_me INTEGER, key_id TEXT NOT NULL, status INTEGER, needs_push INTEGER, data TEXT,
  timestamp INTEGER, media_url TEXT, media_mime_type TEXT, media_wa_type TEXT,
  media_size INTEGER, media_name TEXT, media_caption TEXT, remote_resource TEXT,
  received_timestamp INTEGER, receipt_server_timestamp INTEGER,
  receipt_device_timestamp INTEGER, read_device_timestamp INTEGER,
  played_device_timestamp INTEGER, quoted_row_id INTEGER, forwarded INTEGER);
CREATE TABLE group_participants (_id INTEGER PRIMARY KEY AUTOINCREMENT, gjid TEXT NOT NULL,
  jid TEXT NOT NULL, admin INTEGER, pending INTEGER, sent_sender_key INTEGER);
CREATE TABLE receipts (_id INTEGER PRIMARY KEY AUTOINCREMENT, key_remote_jid TEXT NOT NULL,
  key_id TEXT NOT NULL, remote_resource TEXT, receipt_device_timestamp INTEGER,
  read_device_timestamp INTEGER, played_device_timestamp INTEGER);
"""
GROUP = "447700900001-1600000000@g.us"
ANNA, BEN, CARL = (f"4477009001{n}@s.whatsapp.net" for n in ("11", "22", "33"))
T0 = 1_600_000_000_000  # ms


def build(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA)
    conn.executemany("INSERT INTO chat_list (key_remote_jid, subject) VALUES (?, ?)",
                     [(GROUP, "Late shift"), (BEN, None)])
    msg = ("INSERT INTO messages (key_remote_jid, key_from_me, key_id, status, data, timestamp,"
           " media_wa_type, remote_resource, receipt_device_timestamp, read_device_timestamp,"
           " played_device_timestamp) VALUES (?, ?, ?, 0, ?, ?, '0', ?, ?, ?, ?)")
    conn.executemany(msg, [
        (GROUP, 1, "G1", "morning all", T0, None, None, None, None),
        (GROUP, 0, "G2", "morning", T0 + 60_000, ANNA, None, None, None),
        (BEN, 1, "D1", "are you in today", T0 + 120_000, None, T0 + 121_000, T0 + 300_000, None),
        (BEN, 1, "D2", "ok", T0 + 400_000, None, 0, 0, 0),  # never delivered: no receipt
    ])
    conn.executemany("INSERT INTO group_participants (gjid, jid, admin, pending) VALUES (?,?,?,?)",
                     [(GROUP, "", 1, 0), (GROUP, ANNA, 0, 0), (GROUP, BEN, 1, 0),
                      (GROUP, CARL, 0, 1), ("other@g.us", ANNA, 0, 0)])
    conn.executemany(
        "INSERT INTO receipts (key_remote_jid, key_id, remote_resource, receipt_device_timestamp,"
        " read_device_timestamp, played_device_timestamp) VALUES (?,?,?,?,?,?)",
        [(GROUP, "G1", ANNA, T0 + 1_000, T0 + 5_000, None),
         (GROUP, "G1", CARL, T0 + 2_000, None, None),
         (GROUP, "G2", BEN, T0 + 61_000, None, None)])  # G2 is Anna's: not the owner's receipt
    conn.commit()
    conn.close()
    return path


def records(tmp_path: Path) -> list[Record]:
    db = build(tmp_path / "msgstore.db")
    return list(WhatsAppAndroidDb().parse(Source.open(db), ParseOptions()))


def at(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def test_group_participants_become_member_events_naming_their_row(tmp_path: Path) -> None:
    got = records(tmp_path)
    members = [r for r in got if isinstance(r, MembershipEvent) and r.conversation == GROUP]
    assert [(m.kind, m.target, m.detail) for m in members] == [
        (MembershipKind.MEMBER, "owner", "rank=admin"),
        (MembershipKind.MEMBER, ANNA, "rank=member"),
        (MembershipKind.MEMBER, BEN, "rank=admin"),
        (MembershipKind.MEMBER, CARL, "rank=member; pending"),
    ]
    assert [m.source.row_id for m in members] == ["1", "2", "3", "4"]
    assert {m.source.table for m in members} == {"group_participants"}
    # Carl never posted: the member table is the only record of him, and he is a participant.
    assert CARL in {p.key for p in got if isinstance(p, Participant)}


def test_receipts_table_and_one_to_one_rows_become_receipts(tmp_path: Path) -> None:
    got = [r for r in records(tmp_path) if isinstance(r, Receipt)]
    summary = [(r.conversation, r.message, r.recipient, r.delivered.utc, r.read.utc,
                r.source.table, r.source.row_id) for r in got]
    assert summary == [
        (GROUP, "G1", ANNA, at(T0 + 1_000), at(T0 + 5_000), "receipts", "1"),
        (GROUP, "G1", CARL, at(T0 + 2_000), None, "receipts", "2"),
        (BEN, "D1", BEN, at(T0 + 121_000), at(T0 + 300_000), "messages", "3"),
    ]
    assert all(r.played.utc is None for r in got)


def test_a_legacy_store_without_these_tables_still_reads(tmp_path: Path) -> None:
    db = build(tmp_path / "msgstore.db")
    conn = sqlite3.connect(db)
    conn.executescript("DROP TABLE group_participants; DROP TABLE receipts;")
    conn.close()
    got = list(WhatsAppAndroidDb().parse(Source.open(db), ParseOptions()))
    assert not [r for r in got if isinstance(r, MembershipEvent | Receipt)
                and r.source.table in ("group_participants", "receipts")]
    assert [r.source.table for r in got if isinstance(r, Receipt)] == ["messages"]


def test_a_view_in_place_of_a_member_or_receipt_table_is_refused_at_once(
    tmp_path: Path,
) -> None:
    db = build(tmp_path / "msgstore.db")
    conn = sqlite3.connect(db)
    conn.executescript(
        "DROP TABLE receipts; CREATE VIEW receipts AS WITH RECURSIVE r(_id, key_remote_jid, "
        "key_id, remote_resource, receipt_device_timestamp, read_device_timestamp, "
        "played_device_timestamp) AS (SELECT 1, 'a', 'b', NULL, 1, 1, 1 UNION ALL "
        "SELECT _id + 1, 'a', 'b', NULL, 1, 1, 1 FROM r) SELECT * FROM r;")
    conn.close()
    with pytest.raises(ParseError, match="'receipts' is a view, not a table"):
        list(WhatsAppAndroidDb().parse(Source.open(db), ParseOptions()))
