"""Contracts every registered parser keeps, whatever the format."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conductlens.errors import ConductLensError
from conductlens.ingest.base import ParseOptions, Parser, Source
from conductlens.ingest.registry import all_parsers
from conductlens.model import Message, ParseIssue

PARSERS = all_parsers()
IDS = [p.name for p in PARSERS]


@pytest.mark.parametrize("parser", PARSERS, ids=IDS)
def test_parser_declares_itself(parser: Parser) -> None:
    assert parser.name and parser.name == parser.name.lower()
    assert parser.description


def test_names_are_unique() -> None:
    assert len(set(IDS)) == len(IDS)


@pytest.mark.parametrize("parser", PARSERS, ids=IDS)
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=2048))
def test_any_bytes_never_crash(parser: Parser, tmp_path: Path, data: bytes) -> None:
    """Garbage gives a score in 0..1 and, when parsed anyway, records or a ParseError only."""
    path = tmp_path / "input.txt"
    path.write_bytes(data)
    source = Source.open(path)
    score = parser.sniff(source)
    assert 0.0 <= score <= 1.0
    try:
        records = list(parser.parse(source, ParseOptions()))
    except ConductLensError:
        return
    assert all(type(r).__module__ == "conductlens.model" for r in records)


@pytest.mark.parametrize("parser", PARSERS, ids=IDS)
def test_plain_prose_is_not_claimed(parser: Parser, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Shopping list\nmilk\neggs: two dozen\n- bread\n", encoding="utf-8")
    assert parser.sniff(Source.open(path)) < 0.5


def test_issue_records_keep_raw_bytes(tmp_path: Path) -> None:
    """A WhatsApp line with invalid UTF-8 is kept as an issue with its bytes, not replaced."""
    path = tmp_path / "chat.txt"
    good = b"01/03/2026, 07:01 - Tom: hello\n"
    bad = b"01/03/2026, 07:02 - Tom: caf\xe9\n"
    path.write_bytes(good * 3 + bad)
    records = [
        r
        for p in PARSERS
        if p.name == "whatsapp-text"
        for r in p.parse(Source.open(path), ParseOptions())
    ]
    issues = [r for r in records if isinstance(r, ParseIssue)]
    messages = [r for r in records if isinstance(r, Message)]
    assert len(messages) == 3
    assert [i.raw for i in issues] == [bad.rstrip(b"\n")] or [i.raw for i in issues] == [bad]
    assert issues[0].line == 4
