"""Helpers for ``access``: highlight segments, provenance, CSV safety, full-text matching."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement, Connection, Integer, Select, TextClause, column, select, text

from conductlens.ingest._text import search_form
from conductlens.review import scope
from conductlens.review._csv import csv_safe as csv_safe  # re-exported for access
from conductlens.store import tables as t


def highlight_segments(text_: str, spans: Sequence[Sequence[int]]) -> list[tuple[str, bool]]:
    out, pos = [], 0
    for start, end in sorted((int(s), int(e)) for s, e in spans):
        start, end = max(start, pos), min(end, len(text_))
        if start >= end:
            continue
        out.append((text_[pos:start], False))
        out.append((text_[start:end], True))
        pos = end
    out.append((text_[pos:], False))
    return [s for s in out if s[0]]


def local_now() -> datetime:
    return datetime.now().astimezone()


def as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def source_of(m: object) -> str:
    g = m.get  # type: ignore[attr-defined]
    where = g("src_path") or ""
    if g("src_line") is not None:
        where += f":{g('src_line')}"
    if g("src_table"):
        where += f"/{g('src_table')}#{g('src_row')}"
    return str(where)


def fts_words(query: str) -> list[str]:
    cleaned = "".join(ch if ch.isalnum() else " " for ch in search_form(query))
    return [w for w in cleaned.split() if w][:10]


def match_clause(conn: Connection, words: list[str]) -> ColumnElement[bool] | TextClause:
    """Full-text match: FTS5 on SQLite, the generated ``text_tsv`` column on PostgreSQL."""
    if conn.dialect.name == "sqlite":
        phrase = " ".join(f'"{w}"' for w in words)
        hits = text("SELECT rowid FROM messages_fts WHERE messages_fts MATCH :q").bindparams(
            q=phrase).columns(column("rowid", Integer))
        return t.messages.c.id.in_(hits)
    return text("messages.text_tsv @@ plainto_tsquery('simple', :q)").bindparams(
        q=" ".join(words))


def apply_filters(query: Select[tuple[object, ...]], day_from: date | None, day_to: date | None,
             contains: str, flagged_only: bool) -> Select[tuple[object, ...]]:
    if day_from or day_to:
        query = query.where(scope.between_days(day_from, day_to))
    if contains.strip():
        query = query.where(t.messages.c.text_norm.contains(contains.strip().casefold(),
                                                              autoescape=True))
    if flagged_only:
        query = query.where(t.messages.c.id.in_(select(t.findings.c.message_id)))
    return query
