"""Assemble docs/formats.md from the per-format pages in docs/formats/ (run after editing them)."""

from __future__ import annotations

from pathlib import Path

from conductlens.ingest.registry import all_parsers

DOCS = Path(__file__).resolve().parents[1] / "docs"
INTRO = """# Chat formats

ConductLens recognises each exhibit by asking every format to score it (`conductlens formats`
lists them; `ingest --format NAME` overrides detection). Every file in
`../shared/samples/ingest/` (real exports from other projects' test suites) either ingests or
is refused with a one-line reason; each section below lists them. Bad input never loses
anything: a line, row or object that cannot be read is stored as an *unparsed* record with its
raw bytes and reported with its file and line.

| Format | What it reads |
|---|---|
"""


def main() -> None:
    """Write docs/formats.md."""
    rows = "".join(f"| `{p.name}` | {p.description} |\n" for p in all_parsers())
    general = ("not-exhibits.md", "limits.md")  # about every format: before the formats
    extra = "\n".join((DOCS / "formats" / name).read_text(encoding="utf-8") for name in general)
    pages = sorted(p for p in (DOCS / "formats").glob("*.md") if p.name not in general)
    body = "\n\n".join(page.read_text(encoding="utf-8").strip() for page in pages)
    text = INTRO + rows + "\n" + extra + "\n" + body + "\n"
    (DOCS / "formats.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
