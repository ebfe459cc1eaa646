"""Full-text search over the normalised message text, behind one function."""

from __future__ import annotations

from sqlalchemy import Select, select, text

from conductlens.ingest._text import search_form
from conductlens.store import tables as t


def query_words(query: str) -> list[str]:
    """The words of a query (or a text) as search compares them: normalised (case, letter
    width, accents as ``search_form``), split on anything not a letter or digit. The web
    door and the command line both search with these words."""
    return "".join(ch if ch.isalnum() else " " for ch in search_form(query)).split()


def _fts5_query(query: str) -> str:
    """Each word as a quoted prefix-free token, ANDed: user input never reaches FTS syntax."""
    return " AND ".join(f'"{w}"' for w in query_words(query))


def search_ids(dialect: str, query: str) -> Select[tuple[int]] | None:
    """A SELECT of matching message ids, or None when the query has no words."""
    if dialect == "sqlite":
        fts = _fts5_query(query)
        if not fts:
            return None
        return select(text("rowid")).select_from(text("messages_fts")).where(
            text("messages_fts MATCH :q").bindparams(q=fts)
        )
    words = query_words(query)
    if not words:
        return None
    if dialect == "postgresql":
        tsq = " & ".join(words)
        return select(t.messages.c.id).where(
            text("text_tsv @@ to_tsquery('simple', :q)").bindparams(q=tsq)
        )
    clause = select(t.messages.c.id)
    for w in words:
        clause = clause.where(t.messages.c.text_norm.contains(w))
    return clause
