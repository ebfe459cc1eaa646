"""Full-text search over the normalised message text, behind one function."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Select, select, text

from conductlens.ingest._text import search_form
from conductlens.store import tables as t


def query_words(query: str) -> list[str]:
    """The words of a query (or a text) as search compares them: normalised (case, letter
    width, accents as ``search_form``), split on anything not a letter or digit. The web
    door and the command line both search with these words."""
    return "".join(ch if ch.isalnum() else " " for ch in search_form(query)).split()


@dataclass(frozen=True, slots=True)
class Term:
    """One thing a query asks for: a word, a phrase (several words in a row), and whether
    its last word is a prefix (``custod*``)."""

    words: tuple[str, ...]
    prefix: bool = False


_QUOTED = re.compile(r'"([^"]*)"?')


def parse_query(query: str) -> list[Term]:
    """Terms as users type them: ``"a phrase"`` in double quotes, ``word*`` for a prefix,
    anything else a word; words are normalised as ``query_words``."""
    terms: list[Term] = []
    pos = 0
    for found in _QUOTED.finditer(query):
        terms += _loose(query[pos:found.start()])
        words = tuple(query_words(found.group(1)))
        if words:
            terms.append(Term(words, found.group(1).rstrip().endswith("*")))
        pos = found.end()
    return terms + _loose(query[pos:])


def _loose(part: str) -> list[Term]:
    """Unquoted tokens; one with inner punctuation ("don't", "07700-900003") is a phrase."""
    out = []
    for token in part.split():
        words = tuple(query_words(token))
        if words:
            out.append(Term(words, token.endswith("*")))
    return out


def term_ids(dialect: str, terms: list[Term]) -> Select[tuple[int]] | None:
    """A SELECT of ids of messages holding every term (phrases in order, prefixes as
    prefixes) in the raw index, or None when there are no terms. The door checks each on
    the masked text: this only narrows."""
    if not terms:
        return None
    if dialect == "sqlite":
        fts = " AND ".join('"' + " ".join(x.words) + '"' + ("*" if x.prefix else "")
                           for x in terms)
        return select(text("rowid")).select_from(text("messages_fts")).where(
            text("messages_fts MATCH :q").bindparams(q=fts))
    if dialect == "postgresql":
        tsq = " & ".join("(" + " <-> ".join(x.words) + (":*" if x.prefix else "") + ")"
                         for x in terms)
        return select(t.messages.c.id).where(
            text("text_tsv @@ to_tsquery('simple', :q)").bindparams(q=tsq))
    clause = select(t.messages.c.id)
    for x in terms:
        for w in x.words:
            clause = clause.where(t.messages.c.text_norm.contains(w))
    return clause


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
