"""Search inside the scope: every match counted, one page shown, the matches highlighted.

``SearchReader`` extends ``ReviewSession`` (so it is part of the one door). Queries are read
as users type them (``store.search.parse_query``: words, ``"phrases"``, ``prefix*``). The raw
index only narrows the candidates, and only with words a mask cannot put into a text; each
candidate is then matched on its *masked* text, so a hidden name or number never matches,
and the total counts exactly the messages a reviewer would be shown. Only in-scope messages
are ever candidates (``scope.scope_clause``); the page's message ids are audited first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import Connection, select

from conductlens.review import scope
from conductlens.review._shaping import maybe_pseudonym
from conductlens.review.access import ReviewSession, ShownMessage
from conductlens.review.pseudonyms import Namer
from conductlens.review.roles import Permission
from conductlens.store import tables as t
from conductlens.store.search import Term, parse_query, query_words, term_ids

PAGE = 50
MAX_TERMS = 10
Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of results. ``total`` counts every in-scope match; ``withheld`` is how many
    of the case's messages lie outside the scope (never searched)."""

    query: str
    results: list[ShownMessage]
    total: int
    page: int
    pages: int
    withheld: int

    @property
    def summary(self) -> str:
        """ "342 matching messages", "1 matching message", "No matching messages"."""
        if self.total == 0:
            return "No matching messages"
        return f"{self.total:,} matching message{'' if self.total == 1 else 's'}"


def word_spans(text: str) -> list[tuple[int, int, str]]:
    """Each word of ``text`` as search compares it, with where it stands in ``text``."""
    out, start = [], None
    for i, ch in enumerate(text + " "):
        if ch.isalnum():
            start = i if start is None else start
        elif start is not None:
            out += [(start, i, w) for w in query_words(text[start:i])]
            start = None
    return out


def _hits(words: Sequence[tuple[int, int, str]], term: Term) -> list[Span]:
    n, out = len(term.words), []
    for i in range(len(words) - n + 1):
        run = [w for _, _, w in words[i:i + n]]
        last_ok = run[-1].startswith(term.words[-1]) if term.prefix else run[-1] == term.words[-1]
        if last_ok and run[:-1] == list(term.words[:-1]):
            out.append((words[i][0], words[i + n - 1][1]))
    return out


def find(text: str, terms: Sequence[Term]) -> list[Span] | None:
    """Where each term stands in ``text``, or None when one of them is not there."""
    words, spans = word_spans(text), []
    for term in terms:
        hits = _hits(words, term)
        if not hits:
            return None
        spans += hits
    return spans


def segments(text: str, spans: Sequence[Span]) -> tuple[tuple[str, bool], ...]:
    """``text`` cut into (part, highlighted); the template escapes each part."""
    out, pos = [], 0
    for start, end in sorted(spans):
        start = max(start, pos)
        if start < end:
            out += [(text[pos:start], False), (text[start:end], True)]
            pos = end
    out.append((text[pos:], False))
    return tuple(s for s in out if s[0])


def _narrowing(terms: Sequence[Term]) -> list[Term]:
    """Terms the raw index may narrow by: words masking cannot add to a text ("participant",
    numbers); a phrase holding one is narrowed by its other whole words alone."""
    out = []
    for term in terms:
        if not any(maybe_pseudonym(w) for w in term.words):
            out.append(term)
            continue
        whole = term.words[:-1] if term.prefix else term.words
        out += [Term((w,)) for w in whole if not maybe_pseudonym(w)]
    return out


class SearchReader(ReviewSession):
    """Searching a case inside its scope (see the module's docstring)."""

    def search_page(self, query: str, page: int = 1, size: int = PAGE) -> SearchPage:
        """Page ``page`` (from 1) of the in-scope messages matching ``query``, oldest first."""
        self._need(Permission.READ_CONTENT)
        terms = parse_query(query)[:MAX_TERMS]
        size = max(1, min(int(size), 500))
        with self.engine.begin() as conn:
            sc = self._scope(conn)
            if not terms:
                return SearchPage(query, [], 0, 1, 0, self._withheld(conn, sc))
            namer = Namer(conn, self.case_id, sc.subjects)
            matched = self._matching(conn, sc, namer, terms)
            pages = -(-len(matched) // size)
            page = max(1, min(int(page), max(pages, 1)))
            ids = matched[(page - 1) * size:page * size]
            rows = conn.execute(self._message_query(sc).where(t.messages.c.id.in_(ids))
                                .order_by(t.messages.c.id)).all()
            shown = [replace(m, segments=segments(m.text, find(m.text, terms) or []))
                     for m in self._render(conn, sc, rows, namer)]
            withheld = self._withheld(conn, sc)
            self._audit(conn, "search", sc, {"message": ids}, {
                "terms": len(terms), "matched": len(matched), "page": page,
                "withheld": withheld})
        return SearchPage(query, shown, len(matched), page, pages, withheld)

    def _matching(self, conn: Connection, sc: scope.Scope, namer: Namer,
                  terms: Sequence[Term]) -> list[int]:
        """Ids of every in-scope message whose masked text holds all ``terms``."""
        m = t.messages.c
        candidates = select(m.id, m.text).where(scope.scope_clause(sc)).order_by(m.id)
        narrow = term_ids(conn.dialect.name, _narrowing(terms))
        if narrow is not None:
            candidates = candidates.where(m.id.in_(narrow))
        out = []
        for part in conn.execute(candidates).partitions(1000):
            out += [int(mid) for mid, text in part
                    if find(namer.mask(text).text, terms) is not None]
        return out

    def search(self, query: str, limit: int = 100) -> tuple[list[ShownMessage], int]:
        """The first ``limit`` matches and the withheld total (see ``search_page``)."""
        found = self.search_page(query, 1, limit)
        return found.results, found.withheld
