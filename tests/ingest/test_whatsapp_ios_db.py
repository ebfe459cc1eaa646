"""WhatsApp iOS ChatStorage.sqlite: no public fixture exists, so a small database with the
real Core Data columns is built in tmp_path; plus hostile inputs."""

from __future__ import annotations

import json
import os
import sqlite3
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conductlens.errors import ParseError
from conductlens.ingest import registry
from conductlens.ingest._chatstorage_proto import quoted_stanza
from conductlens.ingest.base import ParseOptions, Source
from conductlens.ingest.pipeline import ingest_path
from conductlens.ingest.whatsapp_ios_db import WhatsAppIosDb
from conductlens.model import (
    Conversation,
    ExhibitWarning,
    MembershipEvent,
    MembershipKind,
    Message,
    MessageKind,
    Participant,
    Reaction,
    Record,
)
from conductlens.store import Store
from conductlens.store import tables as t

LISTED = (MembershipKind.MEMBER, MembershipKind.PAST_MEMBER)

PARSER = WhatsAppIosDb()
APPLE = datetime(2001, 1, 1, tzinfo=UTC)
T0 = 720_000_000.0  # 2023-10-25, seconds since 2001-01-01

# Column lists as in WhatsApp's Core Data model (a subset of the ~40 real columns).
SCHEMA = """
CREATE TABLE ZWACHATSESSION (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
  ZARCHIVED INTEGER, ZSESSIONTYPE INTEGER, ZUNREADCOUNT INTEGER, ZGROUPINFO INTEGER,
  ZLASTMESSAGE INTEGER, ZLASTMESSAGEDATE TIMESTAMP, ZCONTACTJID VARCHAR, ZPARTNERNAME VARCHAR);
CREATE TABLE ZWAGROUPMEMBER (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
  ZISACTIVE INTEGER, ZISADMIN INTEGER, ZCHATSESSION INTEGER, ZCONTACTNAME VARCHAR,
  ZFIRSTNAME VARCHAR, ZMEMBERJID VARCHAR);
CREATE TABLE ZWAMESSAGE (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
  ZFLAGS INTEGER, ZGROUPEVENTTYPE INTEGER, ZISFROMME INTEGER, ZMESSAGESTATUS INTEGER,
  ZMESSAGETYPE INTEGER, ZSORT INTEGER, ZSTARRED INTEGER, ZCHATSESSION INTEGER,
  ZGROUPMEMBER INTEGER, ZMEDIAITEM INTEGER, ZMESSAGEINFO INTEGER, ZPARENTMESSAGE INTEGER,
  ZMESSAGEDATE TIMESTAMP, ZSENTDATE TIMESTAMP, ZFROMJID VARCHAR, ZPUSHNAME VARCHAR,
  ZSTANZAID VARCHAR, ZTEXT VARCHAR, ZTOJID VARCHAR);
CREATE TABLE ZWAMEDIAITEM (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
  ZFILESIZE INTEGER, ZMOVIEDURATION INTEGER, ZMESSAGE INTEGER, ZLATITUDE FLOAT,
  ZLONGITUDE FLOAT, ZMEDIALOCALPATH VARCHAR, ZMEDIAURL VARCHAR, ZTITLE VARCHAR,
  ZVCARDNAME VARCHAR, ZVCARDSTRING VARCHAR, ZXMPPTHUMBPATH VARCHAR, ZMETADATA BLOB);
CREATE TABLE ZWAMESSAGEINFO (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
  ZMESSAGE INTEGER, ZRECEIPTINFO BLOB);
CREATE TABLE ZWAPROFILEPUSHNAME (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
  ZJID VARCHAR, ZPUSHNAME VARCHAR);
"""
ALICE, BOB = "447700900001@s.whatsapp.net", "447700900002@s.whatsapp.net"
GROUP = "120363000000000009@g.us"


def reply_meta(stanza: str) -> bytes:
    """ZMETADATA protobuf as WhatsApp writes it for a reply: field 5 = quoted stanza id."""
    data = stanza.encode()
    return b"\x08\x01" + b"\x2a" + bytes([len(data)]) + data + b"\x32\x02ab"


def pb(number: int, value: bytes | int) -> bytes:
    """One protobuf field (length-delimited for bytes, varint for ints)."""
    if isinstance(value, int):
        tag, body = number << 3, b""
        while True:
            byte, value = value & 0x7F, value >> 7
            body += bytes([byte | (0x80 if value else 0)])
            if not value:
                break
        return bytes([tag]) + body
    return bytes([number << 3 | 2, len(value)]) + value


def receipt(*entries: bytes) -> bytes:
    return pb(7, b"".join(entries))


def msg(conn: sqlite3.Connection, pk: int, chat: int, mtype: int, **cols: object) -> None:
    values: dict[str, object] = {
        "Z_PK": pk, "ZCHATSESSION": chat, "ZMESSAGETYPE": mtype, "ZISFROMME": 0,
        "ZMESSAGEDATE": T0 + pk * 60, "ZSTANZAID": f"3EB0{pk:016X}", "ZGROUPEVENTTYPE": 0,
    }
    values.update(cols)
    conn.execute(
        f"INSERT INTO ZWAMESSAGE ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
        tuple(values.values()),
    )


def build(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA)
    conn.executemany(
        "INSERT INTO ZWACHATSESSION (Z_PK, ZCONTACTJID, ZPARTNERNAME, ZSESSIONTYPE) "
        "VALUES (?, ?, ?, ?)",
        [(1, ALICE, "Alice Smith", 0), (2, GROUP, "Shift B", 1)],
    )
    conn.executemany(
        "INSERT INTO ZWAGROUPMEMBER (Z_PK, ZCHATSESSION, ZMEMBERJID, ZCONTACTNAME, ZFIRSTNAME) "
        "VALUES (?, 2, ?, ?, ?)",
        [(1, ALICE, "Alice Smith", "Alice"), (2, BOB, None, "Bob")],
    )
    msg(conn, 1, 1, 0, ZFROMJID=ALICE, ZTOJID="me", ZTEXT="Are you on shift?")
    msg(conn, 2, 1, 0, ZISFROMME=1, ZTEXT="Yes", ZMEDIAITEM=1)
    conn.execute("INSERT INTO ZWAMEDIAITEM (Z_PK, ZMESSAGE, ZMETADATA) VALUES (1, 2, ?)",
                 (reply_meta("3EB00000000000000001"),))
    msg(conn, 3, 2, 6, ZGROUPEVENTTYPE=12, ZGROUPMEMBER=1, ZTEXT="Shift A")
    msg(conn, 4, 2, 6, ZGROUPEVENTTYPE=2, ZGROUPMEMBER=2)
    msg(conn, 5, 2, 0, ZGROUPMEMBER=2, ZFROMJID=GROUP, ZTEXT="Hi all\nsee you at 6",
        ZMESSAGEINFO=1)
    others = pb(1, pb(2, ALICE.encode()) + pb(3, "👍".encode()) + pb(4, 1_700_000_000_000))
    mine = pb(2, pb(2, "😂".encode()) + pb(3, 1_700_000_060_000))
    conn.execute("INSERT INTO ZWAMESSAGEINFO (Z_PK, ZMESSAGE, ZRECEIPTINFO) VALUES (1, 5, ?)",
                 (receipt(others, mine),))
    msg(conn, 12, 1, 10, ZGROUPEVENTTYPE=2, ZMESSAGEDATE=T0)
    msg(conn, 6, 2, 1, ZISFROMME=1, ZMEDIAITEM=2, ZFLAGS=0x80)
    conn.execute("INSERT INTO ZWAMEDIAITEM (Z_PK, ZMESSAGE, ZMEDIALOCALPATH, ZFILESIZE, ZTITLE) "
                 "VALUES (2, 6, 'Media/120363000000000009@g.us/a/b.jpg', 4096, 'the van')")
    msg(conn, 7, 2, 0, ZGROUPMEMBER=1, ZTEXT="Nice", ZPARENTMESSAGE=6)
    msg(conn, 8, 2, 14, ZGROUPMEMBER=2)
    msg(conn, 9, 2, 6, ZGROUPEVENTTYPE=1, ZGROUPMEMBER=1, ZTEXT="Shift B")
    msg(conn, 10, 2, 5, ZGROUPMEMBER=1, ZMEDIAITEM=3)
    conn.execute("INSERT INTO ZWAMEDIAITEM (Z_PK, ZMESSAGE, ZLATITUDE, ZLONGITUDE) "
                 "VALUES (3, 10, 51.5, -0.12)")
    msg(conn, 11, 2, 6, ZGROUPEVENTTYPE=3, ZGROUPMEMBER=2)
    conn.commit()
    conn.close()
    return path


def parse(path: Path) -> list[Record]:
    return list(PARSER.parse(Source.open(path), ParseOptions()))


def of(records: list[Record], kind: type) -> list:  # type: ignore[type-arg]
    return [r for r in records if isinstance(r, kind)]


def test_chatstorage_maps_chats_people_messages_and_events(tmp_path: Path) -> None:
    records = parse(build(tmp_path / "ChatStorage.sqlite"))
    convs = {c.key: c for c in of(records, Conversation)}
    assert convs[ALICE].title == "Alice Smith" and not convs[ALICE].is_group
    assert convs[GROUP].title == "Shift B" and convs[GROUP].is_group
    people = {p.key: p for p in of(records, Participant)}
    assert people[ALICE].name == "Alice Smith" and people[ALICE].phone == "+447700900001"
    assert people[BOB].name == "Bob" and people["owner"].is_owner
    messages = of(records, Message)
    assert len(messages) == 12
    banner, *direct = [m for m in messages if m.conversation == ALICE]
    assert (banner.kind, banner.sender) == (MessageKind.SYSTEM, None)
    assert banner.text == "Messages and calls are end-to-end encrypted"
    assert [(m.sender, m.text) for m in direct] == [(ALICE, "Are you on shift?"), ("owner", "Yes")]
    assert direct[0].timestamp.utc == APPLE + timedelta(seconds=T0 + 60)
    assert direct[0].key == "3EB00000000000000001"
    assert direct[1].reply_to == "3EB00000000000000001"  # from ZMETADATA field 5
    group = [m for m in messages if m.conversation == GROUP]
    assert [m.text for m in group] == [
        'Alice Smith created group "Shift A"', "Bob was added", "Hi all\nsee you at 6",
        "the van", "Nice", "", 'Alice Smith changed the subject to "Shift B"', "", "Bob left",
    ]
    assert [m.kind for m in group] == [
        MessageKind.SYSTEM, MessageKind.SYSTEM, MessageKind.TEXT, MessageKind.MEDIA,
        MessageKind.TEXT, MessageKind.DELETED, MessageKind.SYSTEM, MessageKind.LOCATION,
        MessageKind.SYSTEM,
    ]
    assert group[2].sender == BOB and group[3].sender == "owner" and group[3].forwarded
    assert group[3].attachments[0].file_name == "Media/120363000000000009@g.us/a/b.jpg"
    assert group[3].attachments[0].size == 4096 and group[3].attachments[0].kind == "image"
    assert group[4].reply_to == group[3].key  # from ZPARENTMESSAGE
    assert group[0].source.table == "ZWAMESSAGE" and group[0].source.row_id == "3"
    # Member table rows (``member`` / ``past_member``) are checked in tests/dynamics.
    events = [(e.kind, e.actor, e.target, e.detail) for e in of(records, MembershipEvent)
              if e.kind not in LISTED]
    assert events == [
        (MembershipKind.CREATED, ALICE, None, "Shift A"),
        (MembershipKind.ADDED, None, BOB, None),
        (MembershipKind.SUBJECT_CHANGED, ALICE, None, "Shift B"),
        (MembershipKind.LEFT, None, BOB, None),
    ]
    got = [(r.message, r.sender, r.emoji, r.timestamp.utc) for r in of(records, Reaction)]
    assert got == [
        (group[2].key, ALICE, "👍", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        (group[2].key, "owner", "😂", datetime(2023, 11, 14, 22, 14, 20, tzinfo=UTC)),
    ]


def test_member_change_rows_are_counted_not_guessed(tmp_path: Path) -> None:
    db = build(tmp_path / "ChatStorage.sqlite")
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE ZWAGROUPMEMBERSCHANGE (Z_PK INTEGER PRIMARY KEY, "
                 "ZCHANGETYPE INTEGER, ZCHANGEDATE TIMESTAMP, ZGROUPJID VARCHAR, "
                 "ZMEMBERJIDS VARCHAR)")
    conn.executemany("INSERT INTO ZWAGROUPMEMBERSCHANGE VALUES (?, ?, ?, ?, ?)",
                     [(1, 3, T0, GROUP, BOB), (2, 7, T0 + 5, GROUP, ALICE)])
    conn.commit()
    conn.close()
    records = parse(db)
    warnings = [r.text for r in records if isinstance(r, ExhibitWarning)]
    assert any(w.startswith("ZWAGROUPMEMBERSCHANGE: 2 group member change rows") for w in warnings)
    events = [r for r in records if isinstance(r, MembershipEvent)]
    assert not [e for e in events if e.source.table == "ZWAGROUPMEMBERSCHANGE"]


def test_quoted_stanza_ignores_non_replies() -> None:
    assert quoted_stanza(reply_meta("ABCDEF0123456789ABCD")) == "ABCDEF0123456789ABCD"
    assert quoted_stanza(b"bplist00....") is None
    assert quoted_stanza(b"\x2a\x7f\x00") is None  # length past the end
    assert quoted_stanza(b"\x2a\x02\xff\xfe") is None  # not ASCII
    assert quoted_stanza(None) is None


def test_sniff_and_folder_exhibit(tmp_path: Path) -> None:
    folder = tmp_path / "backup"
    folder.mkdir()
    db = build(folder / "ChatStorage.sqlite")
    parser, score = registry.pick_parser(Source.open(db))
    assert parser.name == "whatsapp-ios-db" and score >= 0.9
    assert PARSER.sniff(Source.open(folder)) == 0.9
    records = parse(folder)
    assert len(of(records, Message)) == 12
    assert of(records, Message)[0].source.path == "ChatStorage.sqlite"


def test_ingest_links_replies(tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "s.db"), tmp_path / "exhibits")
    summary = ingest_path(store, build(tmp_path / "ChatStorage.sqlite"))
    assert (summary.conversations, summary.messages, summary.membership_events) == (2, 12, 6)
    assert summary.reactions == 2
    with store.engine.connect() as conn:
        linked = conn.scalar(select(func.count()).select_from(t.messages)
                             .where(t.messages.c.reply_to_id.is_not(None)))
        reacted = conn.scalar(select(func.count()).select_from(t.reactions)
                              .where(t.reactions.c.message_id.is_not(None)))
    assert (linked, reacted) == (2, 2)


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("truncated", "truncated"),
        ("random", "not an SQLite database"),
        ("empty-sqlite", "no ZWAMESSAGE/ZWACHATSESSION tables"),
        ("partial", "no ZWACHATSESSION table"),
    ],
)
def test_hostile_files_are_refused_and_store_unchanged(
    tmp_path: Path, case: str, reason: str
) -> None:
    bad = tmp_path / "in" / "ChatStorage.sqlite"
    bad.parent.mkdir()
    if case == "truncated":
        good = build(tmp_path / "good.sqlite").read_bytes()
        bad.write_bytes(good[: len(good) // 2])
    elif case == "random":
        bad.write_bytes(os.urandom(4096))
    else:
        conn = sqlite3.connect(bad)
        conn.execute("PRAGMA user_version = 1")
        if case == "partial":
            conn.execute("CREATE TABLE ZWAMESSAGE (Z_PK INTEGER PRIMARY KEY, ZCHATSESSION INTEGER, "
                         "ZISFROMME INTEGER, ZMESSAGEDATE TIMESTAMP, ZMESSAGETYPE INTEGER)")
        conn.commit()
        conn.close()
    with pytest.raises(ParseError, match=reason):
        parse(bad)
    store = Store.open(str(tmp_path / "s.db"), tmp_path / "exhibits")
    with pytest.raises(ParseError):
        ingest_path(store, bad, fmt="whatsapp-ios-db")
    with store.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(t.exhibits)) == 0


def test_demo_chatstorage_matches_ground_truth(tmp_path: Path) -> None:
    """The demo's ChatStorage.sqlite against its ground truth (edits, a demo-only ZFLAGS bit,
    are not read)."""
    demo = pytest.importorskip("conductlens.demo")
    files = demo.generate_demo(tmp_path / "demo", scale=0.2)
    truth = json.loads(files.ground_truth.read_text(encoding="utf-8"))["counts"]
    records = parse(files.chatstorage_sqlite)
    messages = of(records, Message)
    kinds = Counter(m.kind for m in messages)
    assert len(messages) == truth["chatstorage_message_rows"]
    assert kinds[MessageKind.TEXT] == truth["text_messages"]
    assert kinds[MessageKind.MEDIA] == truth["media_messages"]
    assert kinds[MessageKind.DELETED] == truth["deleted_messages"]
    assert sum(m.reply_to is not None for m in messages) == truth["replies"]
    assert len(of(records, Reaction)) == truth["reactions"]
    got = Counter(e.kind.value for e in of(records, MembershipEvent) if e.kind not in LISTED)
    assert dict(got) == dict(truth["membership_by_kind"])
