"""Generic CSV / JSONL: the documented examples, bad rows, hostile files, sniff discipline."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conductlens.errors import ParseError
from conductlens.ingest.base import ParseOptions, Source
from conductlens.ingest.generic_table import GenericCsv, GenericJsonl
from conductlens.ingest.pipeline import ingest_path
from conductlens.model import (
    Conversation,
    ExhibitWarning,
    Message,
    MessageKind,
    ParseIssue,
    Participant,
    Record,
)
from conductlens.store import Store
from conductlens.store import tables as t

DATA = Path(__file__).resolve().parents[1] / "data" / "generic"
SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "ingest"
HEADER = "conversation,timestamp,sender,text\n"


def csv_records(path: Path) -> list[Record]:
    return list(GenericCsv().parse(Source.open(path), ParseOptions()))


def jsonl_records(path: Path) -> list[Record]:
    return list(GenericJsonl().parse(Source.open(path), ParseOptions()))


def of(records: list[Record], kind: type) -> list:  # type: ignore[type-arg]
    return [r for r in records if isinstance(r, kind)]


def test_csv_example() -> None:
    source = Source.open(DATA / "example.csv")
    assert GenericCsv().sniff(source) == 0.95 and GenericJsonl().sniff(source) == 0.0
    records = csv_records(DATA / "example.csv")
    assert [c.key for c in of(records, Conversation)] == ["Response team"]
    people = {p.key: p.phone for p in of(records, Participant)}
    assert people == {"PC Smith": "+447700900123", "PS Jones": "+447700900456", "PC Brown": None}
    first, second, photo, system, last = of(records, Message)
    assert first.timestamp.utc == datetime(2024, 3, 1, 8, 15, tzinfo=UTC)
    assert second.text == "Noted 👍\nSee you there"
    assert (second.source.line, second.source.line_end, second.reply_to) == (3, 4, "1")
    assert photo.timestamp.local == datetime(2024, 3, 1, 8, 20) and photo.timestamp.utc is None
    assert photo.kind is MessageKind.MEDIA and photo.attachments[0].file_name == "IMG_0042.jpg"
    assert system.kind is MessageKind.SYSTEM and system.sender is None
    assert last.edited and not second.edited


def test_jsonl_example() -> None:
    source = Source.open(DATA / "example.jsonl")
    assert GenericJsonl().sniff(source) == 0.95 and GenericCsv().sniff(source) == 0.0
    messages = of(jsonl_records(DATA / "example.jsonl"), Message)
    assert [m.text for m in messages] == [
        "Morning all, briefing at 9",
        "Noted 👍\nSee you there",
        "",
    ]
    assert messages[1].source.line == 2 and messages[1].reply_to == "1"


def test_csv_bad_rows_become_issues(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        HEADER + "c,not a date,A,x\nc,2024-01-01T00:00:00,A\n"
        "c,2024-01-01T00:00:00,A,ok\n,2024-01-01T00:00:00,A,no conv\n",
        "utf-8",
    )
    records = csv_records(path)
    issues = of(records, ParseIssue)
    assert [i.line for i in issues] == [2, 3, 5]
    assert "ISO 8601" in issues[0].reason and issues[0].raw == b"c,not a date,A,x"
    assert [m.text for m in of(records, Message)] == ["ok"]


def test_jsonl_bad_lines_become_issues(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    good = '{"conversation": "c", "timestamp": "2024-01-01T00:00:00Z", "sender": "A", "text": "x"}'
    path.write_bytes(
        (good + "\n").encode()
        + b'{"conversation": "c", "timestamp": "2024-01-0\n'
        + b"[1, 2]\n"
        + b'{"conversation": "c", "timestamp": "2024-01-01T00:00:00", "sender": "A", '
        + b'"text": {"nested": 1}}\n'
        + b'{"conversation": "c", "timestamp": "2024-01-01", "sender": "A", "text": "\xff"}\n'
        + b'{"conversation": "c", "timestamp": "99999-01-01", "sender": "A", "text": "y"}\n'
        + (good.replace('"x"}', '"z", "extra": 1}') + "\n").encode()
    )
    records = jsonl_records(path)
    assert [i.line for i in of(records, ParseIssue)] == [2, 3, 4, 5, 6]
    assert [m.text for m in of(records, Message)] == ["x", "z"]
    assert "extra" in of(records, ExhibitWarning)[0].text


@pytest.mark.parametrize(
    "content",
    [
        b"conversation,timestamp,sender,text\n\xff\xfe broken bytes\n",
        b"who,when,what\n1,2,3\n",
        b"",
    ],
)
def test_csv_hostile_files(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    assert GenericCsv().sniff(Source.open(path)) in (0.0, 0.95)
    with pytest.raises(ParseError):
        csv_records(path)


def test_sniff_only_exact_headers(tmp_path: Path) -> None:
    cases = {
        "extra.csv": "conversation,timestamp,sender,text,colour\n",
        "missing.csv": "conversation,timestamp,sender\n",
        "whatsapp.txt": "[01/02/2024, 10:00:00] Ann: conversation,timestamp,sender,text\n",
        "other.jsonl": '{"conversation": "c", "timestamp": "t", "sender": "s"}\n',
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text)
        source = Source.open(path)
        assert GenericCsv().sniff(source) == 0.0 and GenericJsonl().sniff(source) == 0.0, name


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared/samples not present")
def test_never_claims_other_sample_files() -> None:
    for path in SAMPLES.rglob("*"):
        if path.is_file() and path.suffix in (".json", ".txt", ".csv", ".sql", ".md"):
            source = Source.open(path)
            assert GenericCsv().sniff(source) == 0.0, path
            assert GenericJsonl().sniff(source) == 0.0, path


def test_pipeline_and_failure_leaves_nothing(tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "s.db"))
    summary = ingest_path(store, DATA / "example.csv", timezone="Europe/London")
    assert (summary.format, summary.messages, summary.participants) == ("generic-csv", 5, 3)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(HEADER.encode() + b"c,2024-01-01T00:00:00,A,\xff\n")
    fresh = Store.open(str(tmp_path / "fresh.db"))
    with pytest.raises(ParseError, match="UTF-8"):
        ingest_path(fresh, bad)
    with fresh.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(t.exhibits)) == 0
