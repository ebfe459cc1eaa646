"""The evidence store: one transaction per exhibit, dedup by hash, links, search, round trip."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from conductlens.errors import ParseError
from conductlens.ingest import pipeline
from conductlens.ingest.base import ParseOptions, Source
from conductlens.model import (
    Attachment,
    Conversation,
    MembershipEvent,
    MembershipKind,
    Message,
    MessageKind,
    ParseIssue,
    Participant,
    Reaction,
    Record,
    SourceRef,
    Timestamp,
)
from conductlens.store import Store, reads
from conductlens.store import tables as t


class FakeParser:
    """Yields a fixed list of records; optionally fails after them."""

    name: ClassVar[str] = "fake"
    description: ClassVar[str] = "records given by the test"

    def __init__(self, records: list[Record], fail: bool = False) -> None:
        self.records = records
        self.fail = fail

    def sniff(self, source: Source) -> float:
        return 1.0

    def parse(self, source: Source, options: ParseOptions) -> Iterator[Record]:
        yield from self.records
        if self.fail:
            raise ParseError(str(source.path), "truncated in the middle")


def _msg(i: int, text: str, sender: str | None = "a", **kw: Any) -> Message:
    return Message(
        conversation="c", sender=sender, timestamp=Timestamp(local=datetime(2026, 3, 1, 9, i)),
        kind=kw.pop("kind", MessageKind.TEXT), text=text, raw=f"line {i}: {text}",
        source=SourceRef(line=i + 1), key=str(i), **kw,
    )


def _records() -> list[Record]:
    return [
        Conversation(key="c", platform="fake", title="Team 3", is_group=True),
        Participant(key="a", name="Alice Smith", phone="+447700900001"),
        _msg(0, "Morning all, who's on lates?"),
        _msg(1, "Me 🙋", sender="b", reply_to="0"),
        _msg(2, "", sender="a", kind=MessageKind.MEDIA,
             attachments=(Attachment(file_name="IMG-1.jpg", kind="image", sha256="ab" * 32),)),
        Reaction(conversation="c", message="1", sender="a", emoji="👍", timestamp=Timestamp(),
                 source=SourceRef(line=9)),
        MembershipEvent(conversation="c", kind=MembershipKind.ADDED, actor="a", target="d",
                        timestamp=Timestamp(local=datetime(2026, 3, 1, 9, 5)),
                        source=SourceRef(line=6)),
        ParseIssue(path="chat.txt", line=7, reason="unrecognised line", raw=b"\xff\xfe bad"),
    ]


def _ingest(store: Store, tmp_path: Path, parser: FakeParser, name: str = "chat.txt",
            content: str = "x", **kw: Any) -> pipeline.IngestSummary:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    orig = pipeline.parser_named
    pipeline.parser_named = lambda _name: parser  # type: ignore[assignment,return-value]
    try:
        return pipeline.ingest_path(store, path, fmt="fake", **kw)
    finally:
        pipeline.parser_named = orig


def _count(store: Store, table: t.Table) -> int:
    with store.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)


def test_ingest_counts_and_links(store: Store, tmp_path: Path) -> None:
    summary = _ingest(store, tmp_path, FakeParser(_records()), case="PSD-1")
    assert (summary.messages, summary.conversations, summary.unparsed) == (3, 1, 1)
    assert summary.participants == 3  # a, plus b and d created from references
    assert summary.membership_events == 1 and summary.reactions == 1
    with store.engine.connect() as conn:
        reply = conn.execute(select(t.messages).where(t.messages.c.seq == 2)).mappings().one()
        first = conn.execute(select(t.messages).where(t.messages.c.seq == 1)).mappings().one()
        assert reply["reply_to_id"] == first["id"]
        reaction = conn.execute(select(t.reactions)).mappings().one()
        assert reaction["message_id"] == reply["id"]
        raw = conn.scalar(select(t.unparsed.c.raw))
        assert raw == b"\xff\xfe bad"


def test_same_file_twice_is_not_duplicated(store: Store, tmp_path: Path) -> None:
    first = _ingest(store, tmp_path, FakeParser(_records()))
    again = _ingest(store, tmp_path, FakeParser(_records()))
    assert not first.duplicate and again.duplicate
    assert again.sha256 == first.sha256 and again.messages == 3
    assert _count(store, t.exhibits) == 1 and _count(store, t.messages) == 3


def test_failed_ingest_leaves_store_unchanged(store: Store, tmp_path: Path) -> None:
    _ingest(store, tmp_path, FakeParser(_records()), name="good.txt", content="good")
    before = {tb.name: _count(store, tb) for tb in t.metadata.sorted_tables}
    with pytest.raises(ParseError, match="truncated"):
        _ingest(store, tmp_path, FakeParser(_records(), fail=True), name="bad.txt", content="b")
    after = {tb.name: _count(store, tb) for tb in t.metadata.sorted_tables}
    assert after == before


def test_original_is_kept_content_addressed(store: Store, tmp_path: Path) -> None:
    summary = _ingest(store, tmp_path, FakeParser(_records()), content="original bytes")
    kept = store.exhibit_dir / "objects" / summary.sha256[:2] / summary.sha256
    assert kept.read_text() == "original bytes"


def test_search_ignores_case_and_width(store: Store, tmp_path: Path) -> None:
    _ingest(store, tmp_path, FakeParser(_records()))
    with store.engine.connect() as conn:
        found = list(reads.iter_messages(conn, query="WHO'S on LATES"))
        none = list(reads.iter_messages(conn, query="nothing-like-this"))
    assert [r["text"] for r in found] == ["Morning all, who's on lates?"]
    assert none == []


def test_timezone_gives_offset_aware_times(store: Store, tmp_path: Path) -> None:
    _ingest(store, tmp_path, FakeParser(_records()), timezone="Europe/London")
    with store.engine.connect() as conn:
        first = next(reads.iter_messages(conn))
    assert first["timestamp"] == "2026-03-01T09:00:00+00:00"


def test_local_time_stays_naive_without_zone(store: Store, tmp_path: Path) -> None:
    _ingest(store, tmp_path, FakeParser(_records()))
    with store.engine.connect() as conn:
        first = next(reads.iter_messages(conn))
    assert first["timestamp"] == "2026-03-01T09:00:00"
    assert first["source"]["line"] == 1


_UNIQUE = itertools.count()
texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=80
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(bodies=st.lists(texts, min_size=1, max_size=8))
def test_text_round_trips_exactly(sqlite_store: Store, tmp_path: Path, bodies: list[str]) -> None:
    """Whatever a parser yields comes back out of the store byte for byte."""
    records: list[Record] = [_msg(i, body) for i, body in enumerate(bodies)]
    content = f"exhibit {next(_UNIQUE)}"
    summary = _ingest(sqlite_store, tmp_path, FakeParser(records), content=content)
    with sqlite_store.engine.connect() as conn:
        got = [
            r["text"] for r in reads.iter_messages(conn)
            if r["exhibit_sha256"] == summary.sha256
        ]
    assert got == bodies


def test_folder_exhibit_with_symlink_is_refused(sqlite_store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "chat.txt").write_text("x", encoding="utf-8")
    secret = tmp_path / "outside.txt"
    secret.write_text("not evidence", encoding="utf-8")
    (folder / "link.txt").symlink_to(secret)
    with pytest.raises(ParseError, match="symbolic link"):
        pipeline.ingest_path(sqlite_store, folder, fmt="generic-jsonl")
    assert _count(sqlite_store, t.exhibits) == 0
