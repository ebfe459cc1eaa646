"""Signal Desktop decrypted database: chat-history-manager fixture, hostile databases."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conductlens.errors import ParseError
from conductlens.ingest.base import ParseOptions, Source
from conductlens.ingest.pipeline import ingest_path
from conductlens.ingest.registry import all_parsers
from conductlens.ingest.signal_desktop import SignalDesktop
from conductlens.model import (
    MediaFile,
    MembershipEvent,
    MembershipKind,
    Message,
    MessageKind,
    ParseIssue,
    Participant,
    Reaction,
    Record,
)
from conductlens.store import Store
from conductlens.store import tables as t

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "ingest"
CHM = SAMPLES / "signal_desktop_db" / "chat-history-manager"
SIGNAL_TXT = SAMPLES / "signal_txt" / "chat-miner_signal_test_export.txt"
needs_samples = pytest.mark.skipif(not CHM.is_dir(), reason="shared/samples not present")
OWNER = "2dd22dd2-2dd2-2dd2-2dd2-2dd22dd22dd2"
EEEEE = "eeeeeeee-eeee-eeee-eeee-eeeeeeeeeeee"


def parse(path: Path) -> list[Record]:
    return list(SignalDesktop().parse(Source.open(path), ParseOptions()))


def of(records: list[Record], kind: type) -> list:  # type: ignore[type-arg]
    return [r for r in records if isinstance(r, kind)]


@needs_samples
def test_database_file() -> None:
    before = hashlib.sha256((CHM / "plaintext.db").read_bytes()).hexdigest()
    assert SignalDesktop().sniff(Source.open(CHM / "plaintext.db")) >= 0.9
    records = parse(CHM / "plaintext.db")
    people = {p.key: p for p in of(records, Participant)}
    assert people[OWNER].is_owner and people[OWNER].phone == "+998911234567"
    assert people[EEEEE].name == "Eeeee Eeeeeeeeee" and people[EEEEE].phone == "+79993334455"
    messages = of(records, Message)
    assert len(messages) == 5
    assert [m.kind for m in messages] == [
        MessageKind.MEDIA,
        MessageKind.CALL,
        MessageKind.MEDIA,
        MessageKind.MEDIA,
        MessageKind.TEXT,
    ]
    first, call, _, video, edited = messages
    assert (first.sender, first.text) == (OWNER, "Photo caption")
    assert first.timestamp.utc == datetime(2023, 6, 5, 12, 20, 43, 288000, tzinfo=UTC)
    assert first.attachments[0].file_name == "my-photo.jpg"
    assert first.attachments[0].sha256 is None  # a lone database carries no files
    assert (call.text, call.sender) == ("Audio call, outgoing, accepted", OWNER)
    assert video.sender == EEEEE and len(video.attachments) == 2
    assert edited.edited and edited.text == "Edited message, final version"
    assert edited.source.table == "messages" and edited.source.row_id == "6581"
    assert hashlib.sha256((CHM / "plaintext.db").read_bytes()).hexdigest() == before


@needs_samples
def test_folder_hashes_attachments() -> None:
    records = parse(CHM)
    media = {m.path: m.sha256 for m in of(records, MediaFile)}
    assert set(media) == {
        "attachments.noindex/ph/photo-698",
        "attachments.noindex/vi/vid-6578-1",
        "attachments.noindex/vi/vid-6578-2",
    }
    first = of(records, Message)[0]
    assert first.attachments[0].sha256 is not None
    assert first.attachments[0].sha256.startswith("2f483c5afda00de1")
    audio = of(records, Message)[2].attachments[0]
    assert audio.sha256 is None and audio.media_type == "audio/aac"  # not in the fixture


def make_db(path: Path, rows: list[str]) -> Path:
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE conversations(id STRING PRIMARY KEY, json TEXT, type STRING, "
        "name TEXT, profileFullName TEXT, e164 TEXT, serviceId TEXT)"
    )
    db.execute(
        "CREATE TABLE messages(rowid INTEGER PRIMARY KEY, id STRING, json TEXT, "
        "sent_at INTEGER, conversationId STRING)"
    )
    db.execute("INSERT INTO conversations VALUES('g1', '', 'group', 'Shift', NULL, NULL, NULL)")
    db.execute(
        "INSERT INTO conversations VALUES('c1', '', 'private', 'Ann', NULL, "
        "'07700 900123', 'svc-ann')"
    )
    for i, text in enumerate(rows, start=1):
        db.execute(
            "INSERT INTO messages(id, json, sent_at, conversationId) VALUES(?,?,?,?)",
            (f"m{i}", text, i, "g1"),
        )
    db.commit()
    db.close()
    return path


def test_group_change_quote_and_reactions(tmp_path: Path) -> None:
    base = {"conversationId": "g1", "sent_at": 1700000000000}
    rows = [
        json.dumps(
            {
                **base,
                "id": "m1",
                "type": "group-v2-change",
                "groupV2Change": {
                    "from": "svc-ann",
                    "details": [
                        {"type": "member-add", "aci": "svc-bob"},
                        {"type": "title", "newTitle": "Night shift"},
                    ],
                },
            }
        ),
        json.dumps(
            {
                **base,
                "id": "m2",
                "type": "incoming",
                "body": "orig",
                "sourceServiceId": "svc-ann",
                "sent_at": 1700000001000,
                "reactions": [{"emoji": "👍", "fromId": "c1", "timestamp": 1700000002000}],
            }
        ),
        json.dumps(
            {
                **base,
                "id": "m3",
                "type": "incoming",
                "body": "reply",
                "sourceServiceId": "svc-ann",
                "sent_at": 1700000003000,
                "quote": {"id": 2},
            }
        ),
        "{not json",
        json.dumps({**base, "id": "m5", "type": "incoming", "sent_at": 10**20}),
    ]
    records = parse(make_db(tmp_path / "db.sqlite", rows))
    events = of(records, MembershipEvent)
    assert [(e.kind, e.actor, e.target) for e in events] == [
        (MembershipKind.ADDED, "c1", "svc-bob"),
        (MembershipKind.SUBJECT_CHANGED, "c1", None),
    ]
    assert events[1].detail == "Night shift"
    messages = of(records, Message)
    assert messages[0].kind is MessageKind.SYSTEM and messages[0].sender is None
    assert messages[1].sender == "c1"
    assert messages[2].reply_to == "m2"  # the quote's timestamp found the original
    assert [(r.message, r.sender, r.emoji) for r in of(records, Reaction)] == [("m2", "c1", "👍")]
    assert len(of(records, ParseIssue)) == 2
    ann = next(p for p in of(records, Participant) if p.key == "c1")
    assert ann.phone == "+447700900123"


def test_hostile_databases(tmp_path: Path) -> None:
    garbage = tmp_path / "db.sqlite"
    garbage.write_bytes(b"\x8a" * 4096)  # what an encrypted SQLCipher file looks like
    assert SignalDesktop().sniff(Source.open(garbage)) == 0.0
    with pytest.raises(ParseError, match="SQLCipher"):
        parse(garbage)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE x(y)").connection.close()
    assert SignalDesktop().sniff(Source.open(other)) == 0.0
    with pytest.raises(ParseError, match="without Signal"):
        parse(other)


@needs_samples
def test_truncated_database_fails_cleanly(tmp_path: Path) -> None:
    cut = tmp_path / "plaintext.db"
    cut.write_bytes((CHM / "plaintext.db").read_bytes()[:8192])
    store = Store.open(str(tmp_path / "s.db"))
    with pytest.raises(ParseError):
        ingest_path(store, cut, fmt="signal-desktop")
    with store.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(t.exhibits)) == 0


@needs_samples
def test_pipeline_on_folder_copy(tmp_path: Path) -> None:
    folder = Path(shutil.copytree(CHM, tmp_path / "Signal"))
    store = Store.open(str(tmp_path / "s.db"))
    summary = ingest_path(store, folder)
    assert (summary.format, summary.messages, summary.conversations) == ("signal-desktop", 5, 2)
    assert not list(folder.glob("*-wal")) and not list(folder.glob("*-journal"))


@needs_samples
def test_signal_txt_third_party_export_is_not_claimed() -> None:
    source = Source.open(SIGNAL_TXT)
    # whatsapp-text reads this shape (the same "[date, time] Name: text" lines); nothing else may.
    others = [p for p in all_parsers() if p.name != "whatsapp-text"]
    assert all(p.sniff(source) == 0.0 for p in others)
    with pytest.raises(ParseError, match="SQLCipher|SQLite"):
        list(SignalDesktop().parse(source, ParseOptions()))
