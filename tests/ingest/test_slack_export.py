"""Slack workspace export: the msgvault slackdump fixture, a zip of it, hostile input."""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conductlens.errors import ParseError
from conductlens.ingest.base import ParseOptions, Source
from conductlens.ingest.pipeline import ingest_path
from conductlens.ingest.slack_export import SlackExport
from conductlens.model import (
    Conversation,
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
STANDARD = SAMPLES / "slack_export" / "msgvault" / "slackdump_standard"
needs_samples = pytest.mark.skipif(not STANDARD.is_dir(), reason="shared/samples not present")


def parse(path: Path) -> list[Record]:
    return list(SlackExport().parse(Source.open(path), ParseOptions()))


def of(records: list[Record], kind: type) -> list:  # type: ignore[type-arg]
    return [r for r in records if isinstance(r, kind)]


def check_standard(records: list[Record]) -> None:
    assert [(p.key, p.name) for p in of(records, Participant)] == [
        ("UALICE", "Alice Test"),
        ("UBOB", "Bob Test"),
    ]
    conv = of(records, Conversation)[0]
    assert (conv.key, conv.title, conv.is_group) == ("C001", "general", True)
    first, second = of(records, Message)
    assert (first.sender, first.text) == ("UALICE", "first day <@UBOB>")
    assert first.timestamp.utc == datetime(2024, 1, 1, 0, 0, 0, 1, tzinfo=UTC)
    assert first.reply_to is None
    assert first.attachments[0].file_name == "what do these colored bars mean?.txt"
    assert first.attachments[0].size == 26
    assert (second.sender, second.reply_to) == ("UBOB", "1704067200.000001")
    assert [(r.sender, r.emoji, r.message) for r in of(records, Reaction)] == [
        ("UALICE", ":eyes:", "1704153600.000002"),
        ("UBOB", ":eyes:", "1704153600.000002"),
    ]


@needs_samples
def test_standard_folder() -> None:
    assert SlackExport().sniff(Source.open(STANDARD)) >= 0.9
    check_standard(parse(STANDARD))


@needs_samples
def test_standard_zip(tmp_path: Path) -> None:
    archive = Path(shutil.make_archive(str(tmp_path / "export"), "zip", STANDARD))
    assert SlackExport().sniff(Source.open(archive)) >= 0.9
    check_standard(parse(archive))


def make_export(root: Path, day: object) -> Path:
    root.mkdir()
    (root / "users.json").write_text(json.dumps([{"id": "U1", "name": "u1"}]))
    (root / "channels.json").write_text(json.dumps([{"id": "C1", "name": "ops"}]))
    (root / "ops").mkdir()
    (root / "ops" / "2024-02-01.json").write_text(day if isinstance(day, str) else json.dumps(day))
    return root


def test_join_leave_edit_and_bad_entries(tmp_path: Path) -> None:
    root = make_export(
        tmp_path / "x",
        [
            {
                "type": "message",
                "subtype": "channel_join",
                "ts": "1706745600.0001",
                "user": "U1",
                "text": "<@U1> has joined the channel",
            },
            {
                "type": "message",
                "ts": "1706745601.0001",
                "user": "U1",
                "text": "hi",
                "edited": {"user": "U1", "ts": "1706745609.0"},
            },
            {
                "type": "message",
                "subtype": "channel_leave",
                "ts": "1706745602.0001",
                "user": "U1",
                "text": "<@U1> has left the channel",
            },
            {"type": "message", "ts": "99999999999999999999", "text": "huge ts"},
            "not an object",
        ],
    )
    records = parse(root)
    messages = of(records, Message)
    assert [m.kind for m in messages] == [MessageKind.SYSTEM, MessageKind.TEXT, MessageKind.SYSTEM]
    assert messages[0].sender is None and messages[1].edited
    assert [e.kind for e in of(records, MembershipEvent)] == [
        MembershipKind.JOINED,
        MembershipKind.LEFT,
    ]
    assert len(of(records, ParseIssue)) == 2


def test_truncated_day_file_is_an_issue(tmp_path: Path) -> None:
    root = make_export(tmp_path / "x", '[{"type": "message", "ts": "17067')
    issues = of(parse(root), ParseIssue)
    assert len(issues) == 1 and issues[0].path == "ops/2024-02-01.json"
    assert issues[0].raw.startswith(b'[{"type"')


def test_hostile_exports(tmp_path: Path) -> None:
    root = make_export(tmp_path / "x", [])
    (root / "users.json").write_text('{"not": "a list"}')
    with pytest.raises(ParseError, match="not a list"):
        parse(root)
    (root / "users.json").write_bytes(b"\xff\xfe")
    with pytest.raises(ParseError, match="utf-8"):
        parse(root)
    other = tmp_path / "y"
    other.mkdir()
    (other / "notes.json").write_text("[]")
    assert SlackExport().sniff(Source.open(other)) == 0.0
    with pytest.raises(ParseError, match="not a Slack export"):
        parse(other)


def test_zip_slip_member_refused(tmp_path: Path) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("users.json", "[]")
        zf.writestr("channels.json", '[{"id": "C1", "name": ".."}]')
        zf.writestr("../2024-01-01.json", "[]")
    with pytest.raises(ParseError, match="unsafe path"):
        parse(archive)


@needs_samples
def test_pipeline_and_failure_leaves_nothing(tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "s.db"))
    summary = ingest_path(store, STANDARD)
    assert (summary.format, summary.messages, summary.reactions) == ("slack-export", 2, 2)
    empty = make_export(tmp_path / "empty", [])
    (empty / "channels.json").write_text("[")
    fresh = Store.open(str(tmp_path / "fresh.db"))
    with pytest.raises(ParseError):
        ingest_path(fresh, empty)
    with fresh.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(t.exhibits)) == 0
