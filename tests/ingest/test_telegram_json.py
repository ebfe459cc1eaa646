"""Telegram Desktop JSON: real fixtures (chat-miner, chat-history-manager), hostile input."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conductlens.errors import ParseError
from conductlens.ingest.base import ParseOptions, Source
from conductlens.ingest.pipeline import ingest_path
from conductlens.ingest.telegram_json import TelegramJson
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

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "ingest"
TG = SAMPLES / "telegram_json"
CHM = TG / "chat-history-manager"
needs_samples = pytest.mark.skipif(not TG.is_dir(), reason="shared/samples/ingest not present")


def parse(path: Path) -> list[Record]:
    return list(TelegramJson().parse(Source.open(path), ParseOptions()))


def of(records: list[Record], kind: type) -> list:  # type: ignore[type-arg]
    return [r for r in records if isinstance(r, kind)]


@needs_samples
@pytest.mark.parametrize(
    "name", ["chat-miner_test_single_export.json", "chat-miner_test_batch_export.json"]
)
def test_chat_miner_matches_target(name: str) -> None:
    target = json.loads((TG / "chat-miner_target.json").read_text())
    messages = of(parse(TG / name), Message)
    got = [
        {
            "timestamp": m.timestamp.utc.replace(tzinfo=None).isoformat(),
            "author": m.sender[5:],
            "message": m.text,
        }
        for m in messages
    ]
    # chat-miner joins entity parts with a space; Telegram's parts are contiguous slices of
    # the message, so the faithful text joins them with nothing.
    target[1]["message"] = "Link:https://telegram.org/"
    assert got == target


@needs_samples
def test_full_export_folder_counts_and_values() -> None:
    records = parse(CHM / "telegram_2020-01_full")
    messages = of(records, Message)
    assert len(messages) == 50
    assert Counter(type(r).__name__ for r in records)["Conversation"] == 4
    by_key = {m.key: m for m in messages}
    # Entity array joined exactly (link text between the plain parts, nothing added).
    assert by_key["10415"].text.startswith("девиз Вольво:\nhttp://cs5.pikabu.ru/")
    assert by_key["10415"].text.endswith(".jpgгыгы")
    assert by_key["39740"].reply_to == "39739"
    assert by_key["67346"].edited and not by_key["4730"].edited
    assert by_key["27100"].forwarded
    sticker = by_key["4744"]
    assert sticker.kind is MessageKind.STICKER
    assert sticker.attachments[0].sha256 is not None
    assert sticker.attachments[0].sha256.startswith("6e50e8bf3bd6b48a")
    assert by_key["10699"].attachments[0].omitted
    assert by_key["129455"].kind is MessageKind.LOCATION
    assert by_key["74752"].kind is MessageKind.CONTACT
    assert len(of(records, MediaFile)) == 7
    calls = [m for m in messages if m.kind is MessageKind.CALL]
    assert [c.key for c in calls] == ["40149", "40163"]


@needs_samples
def test_full_export_zip_hashes_media(tmp_path: Path) -> None:
    archive = shutil.make_archive(str(tmp_path / "export"), "zip", CHM, "telegram_2020-01_full")
    source = Source.open(Path(archive))
    assert TelegramJson().sniff(source) >= 0.9
    records = list(TelegramJson().parse(source, ParseOptions()))
    assert len(of(records, Message)) == 50
    media = of(records, MediaFile)
    assert len(media) == 7
    assert all(m.path.startswith("telegram_2020-01_full/chats/") for m in media)


@needs_samples
def test_2020_01_ordered_chat_matches_chat_history_manager() -> None:
    messages = [
        m
        for m in of(parse(CHM / "telegram_2020-01.result.json"), Message)
        if m.conversation == "chat4321012345"
    ]
    assert [m.text for m in messages] == [
        "Message from null-names contact",
        "These messages...",
        "...have the same timestamp...",
        "...but different IDs...",
        "...and we expect order to be preserved.",
    ]


@needs_samples
def test_2020_01_service_messages_and_membership() -> None:
    records = parse(CHM / "telegram_2020-01.result.json")
    events = of(records, MembershipEvent)
    kinds = Counter(e.kind for e in events)
    assert kinds[MembershipKind.CREATED] == 1
    assert kinds[MembershipKind.ADDED] == 5  # 4 members at creation + 1 invite
    assert kinds[MembershipKind.LEFT] == 1  # Ddddddd removed themself
    left = next(e for e in events if e.kind is MembershipKind.LEFT)
    assert left.actor == left.target == "user333333333"
    system = [m for m in of(records, Message) if m.kind is MessageKind.SYSTEM]
    assert all(m.sender is None for m in system)
    assert system[0].text == (
        'Wwwwww Www: create group "ppppppp gggggg" '
        "(Wwwwww Www, Nnnnnnn, Aaaaa Aaaaaaaaaaa, Eeeee Eeeeeeeeee)"
    )
    owner = next(p for p in of(records, Participant) if p.is_owner)
    assert (owner.key, owner.phone) == ("user11111111", "+998911234567")
    eeeee = next(p for p in of(records, Participant) if p.key == "user44444444")
    assert eeeee.phone == "+79993334455"  # from the account's contacts


@needs_samples
def test_2021_06_supergroup_matches_chat_history_manager() -> None:
    messages = of(parse(CHM / "telegram_2021-06_supergroup.result.json"), Message)
    assert len(messages) == 4
    assert messages[0].kind is MessageKind.SYSTEM
    assert messages[0].timestamp.local == datetime(2020, 12, 22, 23, 11, 21)
    assert messages[1].text == "Message text with emoji 🙂"
    assert messages[2].text == "Message from an added user"
    assert messages[3].kind is MessageKind.CONTACT


@needs_samples
def test_2025_12_edited_unixtime_forward_and_unavailable_file() -> None:
    records = parse(CHM / "telegram_2025-12.result.json")
    by_key = {m.key: m for m in of(records, Message)}
    assert by_key["11113"].edited and by_key["11113"].kind is MessageKind.POLL
    assert by_key["11112"].forwarded
    assert by_key["11115"].attachments[0].omitted
    assert by_key["11112"].timestamp.utc == datetime(2022, 10, 11, 14, 49, 12, tzinfo=UTC)


@needs_samples
@pytest.mark.parametrize("path", sorted(CHM.glob("*.result.json")), ids=lambda p: p.name)
def test_every_chat_history_manager_fixture_parses_without_issues(path: Path) -> None:
    source = Source.open(path)
    assert TelegramJson().sniff(source) >= 0.9
    records = parse(path)
    assert of(records, Message)
    assert not of(records, ParseIssue)


def test_reactions_and_text_entities(tmp_path: Path) -> None:
    doc = {
        "name": "R",
        "type": "personal_chat",
        "id": 5,
        "messages": [
            {
                "id": 1,
                "type": "message",
                "date": "2024-01-01T10:00:00",
                "date_unixtime": "1704103200",
                "from": "Ann",
                "from_id": "user1",
                "text": [{"type": "bold", "text": "Hi"}, " there"],
                "text_entities": [
                    {"type": "bold", "text": "Hi"},
                    {"type": "plain", "text": " there"},
                ],
                "reactions": [
                    {
                        "type": "emoji",
                        "count": 1,
                        "emoji": "👍",
                        "recent": [
                            {"from": "Bob", "from_id": "user2", "date": "2024-01-01T10:01:00"}
                        ],
                    }
                ],
            },
        ],
    }
    path = tmp_path / "result.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    records = parse(path)
    assert of(records, Message)[0].text == "Hi there"
    reaction = of(records, Reaction)[0]
    assert (reaction.message, reaction.sender, reaction.emoji) == ("1", "user2", "👍")


@pytest.mark.parametrize(
    "content, why",
    [
        (b'{"messages": [{"type": "message", "date_unixtime": "1"', "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not valid utf-8"),
        (b"[1, 2, 3]", "not a Telegram export"),
        (b'{"about": "x"}', "not a Telegram export"),
    ],
)
def test_hostile_files_raise(tmp_path: Path, content: bytes, why: str) -> None:
    path = tmp_path / "result.json"
    path.write_bytes(content)
    with pytest.raises(ParseError, match=why):
        parse(path)


def test_bad_messages_become_issues(tmp_path: Path) -> None:
    doc = {
        "messages": [
            "not an object",
            {"id": 1, "type": "message", "date_unixtime": "1e300", "text": "x"},
            {"id": 2, "type": "message", "date_unixtime": "1704103200", "text": 42},
            {"id": 3, "type": "message", "date_unixtime": "1704103200", "text": "ok", "from": "A"},
        ]
    }
    path = tmp_path / "result.json"
    path.write_text(json.dumps(doc))
    records = parse(path)
    assert len(of(records, ParseIssue)) == 3
    assert [m.text for m in of(records, Message)] == ["ok"]


def test_oversized_json_is_refused_not_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conductlens.ingest import _export_files

    monkeypatch.setattr(_export_files, "MAX_JSON_BYTES", 100)
    path = tmp_path / "result.json"
    path.write_text(json.dumps({"messages": [{"type": "message", "text": "x" * 200}]}))
    with pytest.raises(ParseError, match="too big"):
        parse(path)


def test_sniff_does_not_take_messenger_json() -> None:
    head = b'{"participants": [], "messages": [{"sender_name": "A", "timestamp_ms": 1}]}'
    assert TelegramJson().sniff(Source(path=Path("x.json"), head=head)) == 0.0


@needs_samples
def test_ingest_through_pipeline_and_failure_leaves_no_exhibit(tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "s.db"))
    summary = ingest_path(store, CHM / "telegram_2020-01_full")
    assert (summary.format, summary.messages, summary.conversations) == ("telegram-json", 50, 4)
    assert summary.membership_events == 8
    bad = tmp_path / "result.json"
    bad.write_text('{"messages": [{"type": "message", "date_unixtime"')
    with pytest.raises(ParseError):
        ingest_path(store, bad, fmt="telegram-json")
    store2 = Store.open(str(tmp_path / "s2.db"))
    with pytest.raises(ParseError):
        ingest_path(store2, bad, fmt="telegram-json")
    with store2.engine.connect() as conn:
        from sqlalchemy import func, select

        from conductlens.store import tables as t

        assert conn.scalar(select(func.count()).select_from(t.exhibits)) == 0
