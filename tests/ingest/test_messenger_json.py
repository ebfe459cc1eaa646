"""Facebook/Instagram Messenger JSON: msgvault and chat-miner fixtures, hostile input."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conductlens.errors import ParseError
from conductlens.ingest.base import ParseOptions, Source
from conductlens.ingest.messenger_json import MessengerJson
from conductlens.ingest.pipeline import ingest_path
from conductlens.model import (
    Conversation,
    ExhibitWarning,
    MediaFile,
    MembershipEvent,
    MembershipKind,
    Message,
    MessageKind,
    ParseIssue,
    Reaction,
    Record,
)
from conductlens.store import Store
from conductlens.store import tables as t

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "ingest"
IG = SAMPLES / "instagram_messenger_json"
MV = IG / "msgvault"
needs_samples = pytest.mark.skipif(not IG.is_dir(), reason="shared/samples/ingest not present")


def parse(path: Path) -> list[Record]:
    return list(MessengerJson().parse(Source.open(path), ParseOptions()))


def of(records: list[Record], kind: type) -> list:  # type: ignore[type-arg]
    return [r for r in records if isinstance(r, kind)]


@needs_samples
def test_chat_miner_instagram_matches_target() -> None:
    target = json.loads((IG / "chat-miner_instagram_target.json").read_text())
    messages = of(parse(IG / "chat-miner_instagram_test_export.json"), Message)
    got = [
        {
            "timestamp": m.timestamp.utc.replace(tzinfo=None).isoformat(),
            "author": m.sender,
            "message": m.text,
        }
        for m in messages
    ]
    # chat-miner keeps file order (newest first); we sort oldest first.
    assert got == list(reversed(target))


@needs_samples
def test_json_simple_mojibake_reactions_and_archive() -> None:
    records = parse(MV / "json_simple")
    messages = of(records, Message)
    assert len(of(records, Conversation)) == 2  # inbox + archived_threads
    alice = [m for m in messages if m.conversation.endswith("alice_ABC123")]
    assert [m.text for m in alice] == ["Hello", "café time?", "See you soon"]
    assert alice[0].timestamp.utc == datetime.fromtimestamp(1600000000, UTC)
    reactions = of(records, Reaction)
    assert [(r.sender, r.emoji) for r in reactions] == [("Test User", "❤"), ("Alice Example", "👍")]
    assert all(r.message == alice[1].key for r in reactions)
    assert "\\u00c3" in alice[1].raw or "Ã" in alice[1].raw  # raw keeps the source bytes


@needs_samples
def test_multifile_thread_sorted_across_files() -> None:
    messages = of(parse(MV / "json_multifile"), Message)
    assert [m.text[:9] for m in messages] == ["Message A", "Message B", "Message C", "Message D"]


@needs_samples
def test_group_and_nontext() -> None:
    group = parse(MV / "json_group")
    assert of(group, Conversation)[0].is_group
    assert len(of(group, Message)) == 3
    records = parse(MV / "json_nontext")
    kinds = [m.kind for m in of(records, Message)]
    assert kinds == [
        MessageKind.SYSTEM,
        MessageKind.TEXT,
        MessageKind.CALL,
        MessageKind.CALL,
        MessageKind.MEDIA,
        MessageKind.STICKER,
    ]
    share = of(records, Message)[1]
    assert share.text == "Example share text\nhttps://example.com/article"
    left = of(records, MembershipEvent)
    assert [(e.kind, e.target) for e in left] == [(MembershipKind.LEFT, "Sam NonText")]
    photo = of(records, Message)[4]
    assert photo.attachments[0].file_name == "missing.jpg"
    assert photo.attachments[0].sha256 is None


@needs_samples
@pytest.mark.parametrize("folder", ["json_with_media", "json_with_media_alt"])
def test_media_hashed(folder: str) -> None:
    records = parse(MV / folder)
    att = of(records, Message)[0].attachments[0]
    assert att.sha256 is not None and att.sha256.startswith("b1ff9c8ea3a780ba")
    assert len(of(records, MediaFile)) == 1


@needs_samples
def test_e2ee_layout() -> None:
    records = parse(MV / "e2ee_simple")
    messages = of(records, Message)
    assert len(messages) == 6
    assert {c.title for c in of(records, Conversation)} == {"Alice Example", "Weekend crew"}
    texts = [m.text for m in messages if "alice_1" in m.conversation]
    assert texts == ["Hello", "café time?", "See you soon", "oops"]
    assert messages[[m.text for m in messages].index("oops")].kind is MessageKind.DELETED
    assert [r.emoji for r in of(records, Reaction)] == ["❤"]
    photo = next(m for m in messages if m.attachments)
    assert photo.attachments[0].sha256 is not None
    assert photo.attachments[0].sha256.startswith("42f114e0f62e883f")


@needs_samples
def test_corrupt_sibling_is_an_issue_good_one_ingests() -> None:
    records = parse(MV / "corrupt")
    assert [m.text for m in of(records, Message)] == ["Still valid"]
    issues = of(records, ParseIssue)
    assert len(issues) == 1 and "broken_BAD" in issues[0].path
    assert issues[0].raw.startswith(b"{this is not")
    assert of(records, ExhibitWarning)


@needs_samples
def test_mixed_uses_json_and_says_so() -> None:
    records = parse(MV / "mixed")
    assert [m.text for m in of(records, Message)] == ["Mixed hello", "Mixed reply"]
    assert "HTML" in of(records, ExhibitWarning)[0].text


@needs_samples
def test_html_layouts_read_by_shape() -> None:
    simple = of(parse(MV / "html_simple"), Message)
    assert [(m.sender, m.text) for m in simple] == [
        ("Test User", "Hello"),
        ("Alice Example", "café time?"),
        ("Test User", "See you soon"),
    ]
    assert simple[0].timestamp.local == datetime(2020, 9, 13, 12, 26)
    assert simple[0].timestamp.utc is None  # HTML shows local time only
    assert (simple[0].source.line, simple[0].source.line_end) == (10, 14)
    assert simple[0].raw.startswith('<div class="_a6-p">')
    multi = parse(MV / "html_multi_media")
    photo = of(multi, Message)[1]
    assert photo.text == "Check out this photo"
    assert photo.attachments[0].sha256 is not None
    assert photo.attachments[0].sha256.startswith("b1ff9c8ea3a780ba")
    assert len(of(parse(MV / "html_with_media"), MediaFile)) == 1


@needs_samples
@pytest.mark.parametrize("name", ["layout1.html", "layout2.html", "layout3.html"])
def test_html_timestamp_layouts(name: str) -> None:
    source = Source.open(MV / "html_timestamps" / name)
    assert MessengerJson().sniff(source) > 0
    message = of(parse(MV / "html_timestamps" / name), Message)[0]
    assert (message.sender, message.text) == ("Test User", "ping")
    assert message.timestamp.local == datetime(2019, 10, 19, 14, 37)


def test_html_without_messages_or_bad_bytes(tmp_path: Path) -> None:
    page = tmp_path / "message_1.html"
    page.write_text("<html><body><div>Participants: A, B</div><p>nothing</div></body>")
    with pytest.raises(ParseError, match="no messages"):
        parse(page)
    page.write_bytes(b"<html>\xff\xfe Participants: <div>")
    with pytest.raises(ParseError, match="utf-8"):
        parse(page)


def test_repair_keeps_real_text(tmp_path: Path) -> None:
    doc = {
        "participants": [{"name": "Zoë"}],
        "messages": [
            {"sender_name": "Zoë", "timestamp_ms": 1600000000000, "content": "naïve Ã©"},
        ],
    }
    path = tmp_path / "message_1.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    message = of(parse(path), Message)[0]
    assert message.text == "naïve Ã©"  # not Latin-1 mojibake: kept as is
    assert message.sender == "Zoë"


@pytest.mark.parametrize(
    "content, why",
    [
        (b'{"participants": [], "messages": [{"sender_name"', "not valid JSON"),
        (b"", "empty"),
        (b"\x00\x01\x02\xff", "not valid utf-8"),
        (b'{"foo": 1}', "not a Messenger thread"),
    ],
)
def test_hostile_files(tmp_path: Path, content: bytes, why: str) -> None:
    path = tmp_path / "message_1.json"
    path.write_bytes(content)
    with pytest.raises(ParseError, match=why):
        parse(path)


def test_bad_message_entries_become_issues(tmp_path: Path) -> None:
    doc = {
        "messages": [
            {"sender_name": "A", "timestamp_ms": 10**30, "content": "huge"},
            {"timestamp_ms": 1600000000000, "content": "no sender"},
            {"sender_name": "A", "timestamp_ms": 1600000000000, "content": "fine"},
        ]
    }
    path = tmp_path / "message_1.json"
    path.write_text(json.dumps(doc))
    records = parse(path)
    assert len(of(records, ParseIssue)) == 2
    assert [m.text for m in of(records, Message)] == ["fine"]


@needs_samples
def test_pipeline_and_failed_ingest_leaves_nothing(tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "s.db"))
    summary = ingest_path(store, MV / "json_simple")
    assert (summary.format, summary.messages, summary.reactions) == ("messenger-json", 4, 2)
    broken = tmp_path / "broken"
    (broken / "inbox" / "x").mkdir(parents=True)
    (broken / "inbox" / "x" / "message_1.json").write_text("{nope")
    fresh = Store.open(str(tmp_path / "fresh.db"))
    with pytest.raises(ParseError, match="no readable Messenger thread"):
        ingest_path(fresh, broken)
    with fresh.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(t.exhibits)) == 0
