"""Helpers for ``access``: provenance, CSV safety, full-text matching, filters."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ColumnElement, Connection, Select, false, select

from conductlens.review import scope
from conductlens.review._csv import csv_safe as csv_safe  # re-exported for access
from conductlens.store import tables as t
from conductlens.store.search import query_words, search_ids


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
    return query_words(query)[:10]


def match_clause(conn: Connection, words: list[str]) -> ColumnElement[bool]:
    """Messages holding every word (the store's one search, as the command line uses)."""
    ids = search_ids(conn.dialect.name, " ".join(words))
    return t.messages.c.id.in_(ids) if ids is not None else false()


def maybe_pseudonym(word: str) -> bool:
    """Whether masking may put ``word`` into a text ("participant", a number, "withheld")."""
    return word.isdigit() or word in {"participant", "name", "phone", "withheld"}


def apply_filters(query: Select[tuple[object, ...]], day_from: date | None, day_to: date | None,
                  flagged_only: bool) -> Select[tuple[object, ...]]:
    """Date and flagged filters (a word filter runs on the masked text, in ``access``)."""
    if day_from or day_to:
        query = query.where(scope.between_days(day_from, day_to))
    if flagged_only:
        query = query.where(t.messages.c.id.in_(select(t.findings.c.message_id)))
    return query
