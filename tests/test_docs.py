"""Docs are checked like code: every format, command and detector kind is documented."""

from __future__ import annotations

from pathlib import Path

from conductlens.cli import app
from conductlens.cli.reference import render
from conductlens.ingest.registry import all_parsers

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_every_format_is_documented() -> None:
    text = (DOCS / "formats.md").read_text(encoding="utf-8")
    missing = [p.name for p in all_parsers() if f"`{p.name}`" not in text]
    assert missing == []


def test_cli_reference_is_current() -> None:
    expected = render(app)
    actual = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert actual == expected, "run: python -m conductlens.cli.reference > docs/cli.md"
