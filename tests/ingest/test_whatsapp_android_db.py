"""WhatsApp Android msgstore.db: real fixtures (IPED, lab-whatsapp, chat-history-manager),
real 2021-2025 schemas filled in tmp_path, and hostile inputs."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conductlens.errors import ParseError
from conductlens.ingest import registry
from conductlens.ingest.base import ParseOptions, Source
from conductlens.ingest.pipeline import ingest_path
from conductlens.ingest.whatsapp_android_db import WhatsAppAndroidDb
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

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "ingest"
WA = SAMPLES / "whatsapp_android_db"
CHM = WA / "chat-history-manager"
SCHEMAS = WA / "schemas"
PARSER = WhatsAppAndroidDb()

needs_samples = pytest.mark.skipif(not WA.is_dir(), reason=f"shared samples missing: {WA}")


def parse(path: Path) -> list[Record]:
    return list(PARSER.parse(Source.open(path), ParseOptions()))


def of(records: list[Record], kind: type) -> list:  # type: ignore[type-arg]
    return [r for r in records if isinstance(r, kind)]


def in_chat(records: list[Record], key: str) -> list[Message]:
    return [m for m in of(records, Message) if m.conversation == key]


def utc(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


# -- IPED (2021 transitional schema, legacy `messages` table) ---------------------------


@needs_samples
def test_iped_matches_ipeds_own_assertions() -> None:
    """IPED's WhatsAppParserTest: 74 message bodies, 29 chats, first body and dates."""
    records = parse(WA / "iped_test_whatsAppMsgStore.db")
    messages = of(records, Message)
    assert len(messages) == 74
    assert all(m.text for m in messages)  # every message has a body (system ones composed)
    # IPED's "29 participants" counts one participant list per chat item: 29 chats.
    assert len(of(records, Conversation)) == 29
    chat = in_chat(records, "556183125151@s.whatsapp.net")
    assert [m.text for m in chat] == [
        "This is a test for the IPED Whatsapp Parser.",
        "Messages and calls are end-to-end encrypted",  # IPED: "! MESSAGES_NOW_ENCRYPTED"
        "Would you still say you love me",
        "The game is over",
        "Teste",
    ]
    stamps = [m.timestamp.utc.replace(microsecond=0).isoformat() for m in chat if m.timestamp.utc]
    assert stamps == [
        "2021-06-14T18:55:54+00:00", "2021-06-14T18:55:54+00:00", "2021-06-14T19:02:25+00:00",
        "2021-06-14T19:02:33+00:00", "2021-06-16T17:01:34+00:00",
    ]
    assert chat[0].sender == "owner" and chat[4].sender == "556183125151@s.whatsapp.net"


@needs_samples
def test_iped_group_system_rows_become_membership_events() -> None:
    records = parse(WA / "iped_test_whatsAppMsgStore.db")
    events = of(records, MembershipEvent)
    assert Counter(e.kind for e in events) == {
        MembershipKind.CREATED: 18, MembershipKind.ADDED: 16,
    }
    lar = in_chat(records, "556185747642-1461964508@g.us")
    assert [m.kind for m in lar] == [MessageKind.SYSTEM] * 3
    assert lar[0].text == '+556185747642 created group "Lar"'
    assert lar[1].text == "+556186143035 was added"  # IPED: "! USER_ADDED_TO_GROUP"
    assert lar[1].timestamp.utc == datetime(2016, 4, 29, 21, 15, 8, tzinfo=UTC)
    created = next(e for e in events if e.conversation == lar[0].conversation
                   and e.kind is MembershipKind.CREATED)
    assert created.actor == "556185747642@s.whatsapp.net" and created.detail == "Lar"
    titles = {c.key: c.title for c in of(records, Conversation)}
    assert titles["556185747642-1461964508@g.us"] == "Lar"
    assert all(m.source.table == "messages" and m.source.row_id for m in of(records, Message))


# -- lab-whatsapp (2018 legacy schema) --------------------------------------------------


@needs_samples
def test_lab_whatsapp_legacy_2018() -> None:
    records = parse(WA / "lab-whatsapp_msgstore.db")
    messages = of(records, Message)
    assert len(messages) == 46  # 47 rows minus WhatsApp's "-1" placeholder row
    assert len(of(records, Conversation)) == 2
    assert Counter(m.kind for m in messages) == {
        MessageKind.TEXT: 36, MessageKind.MEDIA: 6, MessageKind.SYSTEM: 2, MessageKind.CALL: 2,
    }
    phones = {p.key: p.phone for p in of(records, Participant)}
    assert phones["5511991689446@s.whatsapp.net"] == "+5511991689446"
    bank = in_chat(records, "5511991689446@s.whatsapp.net")
    assert bank[0].text == "Iae meu , vamos fazer aquele esquema do banco?"
    assert bank[0].sender == "owner"
    photo = next(m for m in bank if m.attachments)
    assert photo.attachments[0].file_name == "IMG-20180517-WA0001.jpg"
    assert photo.attachments[0].kind == "image" and photo.attachments[0].size == 130204
    other = in_chat(records, "5511991880126@s.whatsapp.net")
    assert other[-1].text == "Fechadooo" and other[-1].sender == "5511991880126@s.whatsapp.net"
    assert "Pode crê , vô vê isso tbm\nBoa idéia" in [m.text for m in bank]


# -- chat-history-manager (modern schema + wa.db) ----------------------------------------


@needs_samples
def test_chm_2023_10_folder_with_wa_db() -> None:
    """Mirrors chat-history-manager's loading_2023_10 test, exhibit given as the folder."""
    records = parse(CHM / "whatsapp-android_2023-10")
    group = in_chat(records, "100000000000000001@g.us")
    personal = in_chat(records, "11111@s.whatsapp.net")
    assert len(group) == 2 and len(personal) == 2
    convs = {c.key: c for c in of(records, Conversation)}
    assert convs["100000000000000001@g.us"].title == "My Group"
    assert convs["100000000000000001@g.us"].is_group
    assert [int(m.timestamp.utc.timestamp()) for m in group + personal if m.timestamp.utc] == [
        1643607839, 1661417508, 1687757170, 1693993938,
    ]
    joined, last = group
    assert joined.kind is MessageKind.SYSTEM and joined.sender is None
    assert joined.text == "11111 added Aaaaa Aaaaaaaaaaa"
    assert joined.source.path == "msgstore.db" and joined.source.row_id == "169"
    assert last.text == "Last group message" and last.sender == "owner"
    assert last.edited and last.forwarded and last.reply_to == "GROUPMSG00100"
    assert [m.kind for m in personal] == [MessageKind.LOCATION, MessageKind.DELETED]
    (event,) = of(records, MembershipEvent)
    assert (event.kind, event.actor, event.target) == (
        MembershipKind.ADDED, "11111@s.whatsapp.net", "owner",
    )
    owner = next(p for p in of(records, Participant) if p.is_owner)
    assert owner.name == "Aaaaa Aaaaaaaaaaa" and owner.platform_id == "00000@s.whatsapp.net"


@needs_samples
def test_chm_2026_01_template_text_and_business_name() -> None:
    records = parse(CHM / "whatsapp-android_2026-01" / "msgstore.db")
    (message,) = of(records, Message)
    assert message.text == "Line 1\nLine 2\n\nLine 3"
    assert message.sender == "11111@s.whatsapp.net"
    (conv,) = of(records, Conversation)
    assert conv.title == "WA Verified VName"  # wa.db wa_vnames, as chat-history-manager


@needs_samples
def test_chm_2026_05_album_and_media() -> None:
    records = parse(CHM / "whatsapp-android_2026-05" / "msgstore.db")
    group = in_chat(records, "100000000000000001@g.us")
    # chat-history-manager folds the album into one message; each row is kept here.
    assert [m.kind for m in group] == [MessageKind.OTHER, MessageKind.MEDIA, MessageKind.MEDIA]
    assert group[1].text == "Multiline\n\nmessage"
    assert [m.attachments[0].file_name for m in group[1:]] == [
        "Media/album-2.jpg", "Media/album-1.jpg",
    ]
    assert group[1].attachments[0].media_type == "image/jpeg"
    assert group[1].attachments[0].size == 136724
    personal = in_chat(records, "11111@s.whatsapp.net")
    assert [m.attachments[0].file_name for m in personal] == [
        "Media/sent-cart.jpeg", "Media/sent-business-item.jpg",
    ]
    assert [m.sender for m in personal] == ["owner", "11111@s.whatsapp.net"]


@needs_samples
def test_hand_made_mini_schema_is_refused() -> None:
    with pytest.raises(ParseError, match="lacks key_id, message_type"):
        parse(WA / "msgstore-web-viewer_sample_msgstore.db")


@needs_samples
def test_sniff_scores() -> None:
    for path in (WA / "iped_test_whatsAppMsgStore.db", WA / "lab-whatsapp_msgstore.db",
                 CHM / "whatsapp-android_2023-10" / "msgstore.db"):
        parser, score = registry.pick_parser(Source.open(path))
        assert parser.name == "whatsapp-android-db" and score >= 0.9
    assert PARSER.sniff(Source.open(CHM / "whatsapp-android_2023-10")) == 0.9


# -- real 2021-2025 schemas filled in tmp_path -------------------------------------------


def schema_db(path: Path, schema: Path) -> sqlite3.Connection:
    """A database with a real WhatsApp schema (statements the dump repeats are skipped)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    buf = ""
    for line in schema.read_text(encoding="utf-8").splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            # FTS shadow tables are already made by their virtual table, etc.
            with contextlib.suppress(sqlite3.Error):
                conn.execute(buf)
            buf = ""
    conn.execute("COMMIT")
    conn.isolation_level = "DEFERRED"
    return conn


def insert(conn: sqlite3.Connection, table: str, **values: object) -> None:
    cols = ", ".join(values)
    conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' * len(values))})",
                 tuple(values.values()))


def add_jid(conn: sqlite3.Connection, row: int, user: str, server: str) -> None:
    insert(conn, "jid", _id=row, user=user, server=server, raw_string=f"{user}@{server}")


def add_message(conn: sqlite3.Connection, row: int, chat: int, key: str, **extra: object) -> None:
    values: dict[str, object] = {
        "_id": row, "chat_row_id": chat, "from_me": 0, "key_id": key,
        "timestamp": 1_700_000_000_000 + row * 1000, "message_type": 0, "sort_id": row,
    }
    values.update(extra)
    insert(conn, "message", **values)


@needs_samples
@pytest.mark.parametrize("schema", sorted(SCHEMAS.glob("*.sql")), ids=lambda p: p.stem)
def test_every_real_schema_reads(tmp_path: Path, schema: Path) -> None:
    db = tmp_path / "msgstore.db"
    conn = schema_db(db, schema)
    add_jid(conn, 1, "447700900123", "s.whatsapp.net")
    insert(conn, "chat", _id=1, jid_row_id=1)
    add_message(conn, 1, 1, "K1", text_data="Hello from a real schema")
    add_message(conn, 2, 1, "K2", from_me=1, text_data="Reply")
    conn.commit()
    conn.close()
    records = parse(db)
    assert [m.text for m in of(records, Message)] == ["Hello from a real schema", "Reply"]
    person = next(p for p in of(records, Participant) if not p.is_owner)
    assert person.phone == "+447700900123"


def build_2025(db: Path) -> None:
    """A 2025 database with LIDs, reactions, replies, edits and every system action we map."""
    conn = schema_db(db, SCHEMAS / "msgstore_schema_2025-03-09.sql")
    add_jid(conn, 1, "120363000000000001", "g.us")
    add_jid(conn, 2, "447700900001", "s.whatsapp.net")  # Alice
    add_jid(conn, 3, "447700900002", "s.whatsapp.net")  # Bob
    add_jid(conn, 4, "99887766", "lid")  # Alice's LID
    add_jid(conn, 5, "447700900003", "s.whatsapp.net")  # Bob's new number
    insert(conn, "jid_map", lid_row_id=4, jid_row_id=2)
    insert(conn, "lid_display_name", lid_row_id=4, display_name="Alice")
    insert(conn, "chat", _id=7, jid_row_id=1, subject="Shift B")
    insert(conn, "group_participant_user", group_jid_row_id=1, user_jid_row_id=3)
    add_message(conn, 10, 7, "CREATED", message_type=7, sender_jid_row_id=4,
                text_data="Shift A")
    insert(conn, "message_system", message_row_id=10, action_type=11)
    add_message(conn, 11, 7, "ADDED", message_type=7, sender_jid_row_id=4)
    insert(conn, "message_system", message_row_id=11, action_type=12)
    insert(conn, "message_system_chat_participant", message_row_id=11, user_jid_row_id=3)
    add_message(conn, 12, 7, "HELLO", sender_jid_row_id=4, text_data="Morning all")
    add_message(conn, 13, 7, "REPLY", sender_jid_row_id=3, text_data="Morning!!")
    insert(conn, "message_quoted", message_row_id=13, chat_row_id=7,
           parent_message_chat_row_id=7, from_me=0, key_id="HELLO")
    insert(conn, "message_edit_info", message_row_id=13, original_key_id="REPLY",
           edited_timestamp=1, sender_timestamp=1)
    add_message(conn, 14, 7, "SUBJECT", message_type=7, sender_jid_row_id=4,
                text_data="Shift B")
    insert(conn, "message_system", message_row_id=14, action_type=1)
    insert(conn, "message_system_value_change", message_row_id=14, old_data="Shift A")
    add_message(conn, 15, 7, "PHOTO", message_type=1, from_me=1, text_data="the van")
    insert(conn, "message_media", message_row_id=15, chat_row_id=7,
           file_path="Media/WhatsApp Images/IMG-1.jpg", mime_type="image/jpeg", file_size=2048)
    add_message(conn, 16, 7, "GONE", message_type=15, sender_jid_row_id=3)
    insert(conn, "message_revoked", message_row_id=16, revoked_key_id="GONE")
    add_message(conn, 17, 7, "NUMBER", message_type=7, sender_jid_row_id=3)
    insert(conn, "message_system", message_row_id=17, action_type=10)
    insert(conn, "message_system_number_change", message_row_id=17, old_jid_row_id=3,
           new_jid_row_id=5)
    add_message(conn, 18, 7, "LEFT", message_type=7, sender_jid_row_id=5)
    insert(conn, "message_system", message_row_id=18, action_type=5)
    insert(conn, "message_system_chat_participant", message_row_id=18, user_jid_row_id=5)
    add_message(conn, 19, 7, "LINK", message_type=7, sender_jid_row_id=3)
    insert(conn, "message_system", message_row_id=19, action_type=20)
    insert(conn, "message_system_chat_participant", message_row_id=19, user_jid_row_id=3)
    add_message(conn, 20, 7, "KICK", message_type=7, sender_jid_row_id=4)
    insert(conn, "message_system", message_row_id=20, action_type=7)
    insert(conn, "message_system_chat_participant", message_row_id=20, user_jid_row_id=3)
    insert(conn, "message_add_on", _id=1, chat_row_id=7, from_me=0, key_id="R1",
           sender_jid_row_id=3, parent_message_row_id=12, timestamp=1_700_000_100_000,
           message_add_on_type=56)
    insert(conn, "message_add_on_reaction", message_add_on_row_id=1, reaction="👍")
    insert(conn, "message_add_on", _id=2, chat_row_id=7, from_me=1, key_id="R2",
           parent_message_row_id=12, timestamp=1_700_000_200_000, message_add_on_type=56)
    insert(conn, "message_add_on_reaction", message_add_on_row_id=2, reaction="")
    conn.commit()
    conn.close()


@needs_samples
def test_modern_2025_schema_maps_everything(tmp_path: Path) -> None:
    db = tmp_path / "msgstore.db"
    build_2025(db)
    records = parse(db)
    chat = in_chat(records, "120363000000000001@g.us")
    alice, bob = "447700900001@s.whatsapp.net", "447700900002@s.whatsapp.net"
    assert [m.text for m in chat] == [
        'Alice created group "Shift A"',
        "Alice added +447700900002",
        "Morning all",
        "Morning!!",
        'Alice changed the subject from "Shift A" to "Shift B"',
        "the van",
        "",
        "+447700900002 changed their number to +447700900003",
        "+447700900003 left",
        "+447700900002 joined using this group's invite link",
        "Alice removed +447700900002",
    ]
    assert chat[2].sender == alice  # LID 99887766@lid mapped to the phone JID
    assert chat[3].reply_to == "HELLO" and chat[3].edited and chat[3].sender == bob
    assert chat[5].sender == "owner" and chat[5].kind is MessageKind.MEDIA
    assert chat[5].attachments[0].file_name == "Media/WhatsApp Images/IMG-1.jpg"
    assert chat[6].kind is MessageKind.DELETED
    # Member table rows (``member`` / ``past_member``) are checked in tests/dynamics.
    events = [(e.kind, e.actor, e.target, e.detail) for e in of(records, MembershipEvent)
              if e.kind not in LISTED]
    assert events == [
        (MembershipKind.CREATED, alice, None, "Shift A"),
        (MembershipKind.ADDED, alice, bob, None),
        (MembershipKind.SUBJECT_CHANGED, alice, None, "Shift B"),
        (MembershipKind.NUMBER_CHANGED, bob, "447700900003@s.whatsapp.net",
         "+447700900002 -> +447700900003"),
        (MembershipKind.LEFT, "447700900003@s.whatsapp.net", "447700900003@s.whatsapp.net",
         None),
        (MembershipKind.JOINED_BY_LINK, bob, bob, None),
        (MembershipKind.REMOVED, alice, bob, None),
    ]
    (reaction,) = of(records, Reaction)  # the withdrawn (empty) reaction is not a reaction
    assert (reaction.message, reaction.sender, reaction.emoji) == ("HELLO", bob, "👍")
    names = {p.key: p.name for p in of(records, Participant)}
    assert names[alice] == "Alice"
    assert "99887766@lid" not in names


@needs_samples
def test_ingest_links_replies_and_reactions(tmp_path: Path) -> None:
    folder = tmp_path / "exhibit"
    folder.mkdir()
    build_2025(folder / "msgstore.db")
    store = Store.open(str(tmp_path / "s.db"), tmp_path / "exhibits")
    summary = ingest_path(store, folder)
    assert summary.format == "whatsapp-android-db"
    assert (summary.conversations, summary.messages, summary.reactions) == (1, 11, 1)
    assert summary.membership_events == 8  # 7 from system messages, 1 member table row
    with store.engine.connect() as conn:
        linked = conn.scalar(select(func.count()).select_from(t.messages)
                             .where(t.messages.c.reply_to_id.is_not(None)))
        reacted = conn.scalar(select(func.count()).select_from(t.reactions)
                              .where(t.reactions.c.message_id.is_not(None)))
    assert (linked, reacted) == (1, 1)


# -- hostile inputs ----------------------------------------------------------------------


def empty_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 1")  # forces a real header on disk
    conn.commit()
    conn.close()


def other_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('not a chat')")
    conn.commit()
    conn.close()


@needs_samples
@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("truncated", "truncated"),
        ("random", "not an SQLite database"),
        ("empty-sqlite", "has no tables"),
        ("no-message-tables", "no message or messages table"),
        ("crypt14", "encrypted WhatsApp backup (crypt14/15): decrypt it first"),
    ],
)
def test_hostile_files_are_refused_and_store_unchanged(
    tmp_path: Path, case: str, reason: str
) -> None:
    name = "msgstore.db.crypt14" if case == "crypt14" else "msgstore.db"
    bad = tmp_path / "in" / name
    bad.parent.mkdir()
    if case == "truncated":
        bad.write_bytes((WA / "lab-whatsapp_msgstore.db").read_bytes()[:40960])
    elif case in ("random", "crypt14"):
        bad.write_bytes(os.urandom(4096))
    elif case == "empty-sqlite":
        empty_sqlite(bad)
    else:
        other_sqlite(bad)
    with pytest.raises(ParseError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse(bad)
    store = Store.open(str(tmp_path / "s.db"), tmp_path / "exhibits")
    with pytest.raises(ParseError):
        ingest_path(store, bad, fmt="whatsapp-android-db")
    with store.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(t.exhibits)) == 0


@needs_samples
def test_damaged_wa_db_costs_only_names(tmp_path: Path) -> None:
    shutil.copy(CHM / "whatsapp-android_2023-10" / "msgstore.db", tmp_path / "msgstore.db")
    (tmp_path / "wa.db").write_bytes(b"garbage" * 100)
    records = parse(tmp_path)
    (warning,) = of(records, ExhibitWarning)
    assert "wa.db could not be read" in warning.text
    assert len(of(records, Message)) == 4


@needs_samples
def test_original_is_never_written(tmp_path: Path) -> None:
    db = tmp_path / "msgstore.db"
    shutil.copy(WA / "iped_test_whatsAppMsgStore.db", db)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    parse(db)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["msgstore.db"]  # no -wal/-shm


# -- the demo generator's msgstore.db against its own ground truth -----------------------


def test_demo_msgstore_matches_ground_truth(tmp_path: Path) -> None:
    demo = pytest.importorskip("conductlens.demo")
    files = demo.generate_demo(tmp_path / "demo", scale=0.2)
    truth = json.loads(files.ground_truth.read_text(encoding="utf-8"))["counts"]
    records = parse(files.msgstore_db.parent)  # the folder: msgstore.db + wa.db
    messages = of(records, Message)
    kinds = Counter(m.kind for m in messages)
    assert len(messages) == truth["msgstore_message_rows"]
    assert len(messages) - kinds[MessageKind.SYSTEM] == truth["messages"]
    assert kinds[MessageKind.TEXT] == truth["text_messages"]
    assert kinds[MessageKind.MEDIA] == truth["media_messages"]
    assert kinds[MessageKind.DELETED] == truth["deleted_messages"]
    assert sum(m.edited for m in messages) == truth["edited_messages"]
    assert sum(m.reply_to is not None for m in messages) == truth["replies"]
    assert len(of(records, Reaction)) == truth["reactions"]
    events = Counter(e.kind.value for e in of(records, MembershipEvent)
                     if e.kind not in LISTED)
    assert dict(events) == truth["membership_by_kind"]
    assert not of(records, ExhibitWarning)


@needs_samples
def test_unmerged_wal_file_is_reported(tmp_path: Path) -> None:
    shutil.copy(CHM / "whatsapp-android_2023-10" / "msgstore.db", tmp_path / "msgstore.db")
    (tmp_path / "msgstore.db-wal").write_bytes(b"\0" * 512)
    records = parse(tmp_path / "msgstore.db")
    (warning,) = of(records, ExhibitWarning)
    assert warning.text.startswith("msgstore.db-wal (512 bytes) was not read")
    assert len(of(records, Message)) == 4
    assert (tmp_path / "msgstore.db-wal").read_bytes() == b"\0" * 512
