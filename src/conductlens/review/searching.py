"""Search inside the scope: every match counted, one page shown, the matches highlighted.

``SearchReader`` extends ``ReviewSession`` (so it is part of the one door). Queries are read
as users type them (``store.search.parse_query``: words, ``"phrases"``, ``prefix*``). The raw
index only narrows the candidates, and only with words a mask cannot put into a text; each
candidate is then matched on its *masked* text, so a hidden name or number never matches,
and the total counts exactly the messages a reviewer would be shown. Terms masking can
neither add nor take away (``_mask_proof``: no name word of the case, number or mask word)
are counted and paged in SQL instead, the same total without reading every match. Only
in-scope messages are ever candidates (``scope.scope_clause``); the page's message ids are
audited first.

``SearchFilter`` narrows the candidates as the queue's filters do (category and severity of
a finding on the message, sender as shown, conversation, days), read from the page's URL;
with filters and no words the page lists every in-scope message they match.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, Connection, false, func, select

from conductlens.review import scope
from conductlens.review._shaping import maybe_pseudonym
from conductlens.review.access import ReviewSession, ShownMessage
from conductlens.review.pseudonyms import Namer
from conductlens.review.queue import QueueFilter
from conductlens.review.roles import Permission
from conductlens.store import tables as t
from conductlens.store.search import Term, parse_query, query_words, term_ids

PAGE = 50
MAX_TERMS = 10
Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class SearchFilter:
    """Which in-scope messages a search looks among, as kept in the page's URL."""

    category: str = ""  # messages with a finding of this category (inside the scope's)
    severity: str = ""  # messages with a finding of this severity (the same finding)
    sender: str = ""  # the name or pseudonym as the case shows it
    conversation: int | None = None
    day_from: date | None = None
    day_to: date | None = None

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> SearchFilter:
        """The filter a URL's query asks for, read as the queue reads its own."""
        queue = QueueFilter.from_query(params)
        return cls(**{f.name: getattr(queue, f.name) for f in fields(cls)})

    def query_string(self, **changes: Any) -> str:
        """The URL query for this filter (empty values left out), with ``changes``."""
        flt = replace(self, **changes) if changes else self
        pairs = [(f.name, getattr(flt, f.name)) for f in fields(flt)]
        return urlencode([(k, v.isoformat() if isinstance(v, date) else str(v))
                          for k, v in pairs if v not in ("", None)])

    @property
    def narrowed(self) -> bool:
        return any(getattr(self, f.name) not in ("", None) for f in fields(self))


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


_ASCII_WORD = re.compile(r"[A-Za-z0-9]+")


def word_spans(text: str) -> list[tuple[int, int, str]]:
    """Each word of ``text`` as search compares it, with where it stands in ``text``."""
    if text.isascii():  # most texts, a fifth of the cost: words are runs of letters and digits
        return [(w.start(), w.end(), w.group().lower()) for w in _ASCII_WORD.finditer(text)]
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
        begins_label = term.prefix and any(x.startswith(term.words[-1]) for x in _LABEL_WORDS)
        if not begins_label and not any(maybe_pseudonym(w) for w in term.words):
            out.append(term)
            continue
        whole = term.words[:-1] if term.prefix else term.words
        out += [Term((w,)) for w in whole if not maybe_pseudonym(w)]
    return out


# The words a mask writes ("Participant 04", "[name withheld]", "[phone withheld]").
_LABEL_WORDS = ("participant", "name", "phone", "withheld")


def _mask_proof(terms: Sequence[Term], namer: Namer) -> bool:
    """Whether masking can neither add nor take away a match of ``terms``: no word is one a
    mask writes (nor, for a prefix, begins one) or a number (a phone's digits), and none is
    (or, for a prefix, begins) a word of a name the case could mask. A mask replaces names
    and numbers only, so a run of other words is in the masked text exactly when it is in
    the raw text."""
    hidden = namer.name_words()
    for term in terms:
        if any(maybe_pseudonym(w) or w in hidden or any(c.isdigit() for c in w)
               for w in term.words):
            return False
        last = term.words[-1]
        if term.prefix and any(w.startswith(last) for w in (*hidden, *_LABEL_WORDS)):
            return False
    return True


def _in_range(page: int, total: int, size: int) -> int:
    return max(1, min(int(page), max(-(-total // size), 1)))


class SearchReader(ReviewSession):
    """Searching a case inside its scope (see the module's docstring)."""

    def search_page(self, query: str, page: int = 1, size: int = PAGE,
                    flt: SearchFilter | None = None) -> SearchPage:
        """Page ``page`` (from 1) of the in-scope messages matching ``query`` among those
        ``flt`` lets through, oldest first (no words but a filter: all it lets through)."""
        self._need(Permission.READ_CONTENT)
        terms = parse_query(query)[:MAX_TERMS]
        flt = flt or SearchFilter()
        size = max(1, min(int(size), 500))
        with self.engine.begin() as conn:
            sc = self._scope(conn)
            if not terms and not flt.narrowed:
                return SearchPage(query, [], 0, 1, 0, self._withheld(conn, sc))
            namer = Namer(conn, self.case_id, sc.subjects)
            where = self._filtered(sc, namer, flt)
            total, ids, page = self._page_ids(conn, sc, namer, terms, where, page, size)
            rows = conn.execute(self._message_query(sc).where(t.messages.c.id.in_(ids))
                                .order_by(t.messages.c.id)).all()
            shown = [replace(m, segments=segments(m.text, find(m.text, terms) or []))
                     if terms else m for m in self._render(conn, sc, rows, namer)]
            withheld = self._withheld(conn, sc)
            self._audit(conn, "search", sc, {"message": ids}, {
                "terms": len(terms), "matched": total, "page": page,
                "withheld": withheld, "filter": flt.query_string()})
        return SearchPage(query, shown, total, page, -(-total // size), withheld)

    def _page_ids(self, conn: Connection, sc: scope.Scope, namer: Namer,
                  terms: Sequence[Term], where: list[ColumnElement[bool]], page: int,
                  size: int) -> tuple[int, list[int], int]:
        """(total, the page's ids, the page number kept in range). Words are matched on
        masked text, so every candidate is read; filters alone count and page in SQL."""
        if terms and _mask_proof(terms, namer):
            return self._counted(conn, sc, terms, where, page, size)
        if terms:
            matched = self._matching(conn, sc, namer, terms, where)
            page = _in_range(page, len(matched), size)
            return len(matched), matched[(page - 1) * size:page * size], page
        m = t.messages.c
        total = int(conn.scalar(select(func.count()).where(scope.scope_clause(sc), *where))
                    or 0)
        page = _in_range(page, total, size)
        ids = conn.scalars(select(m.id).where(scope.scope_clause(sc), *where)
                           .order_by(m.id).limit(size).offset((page - 1) * size))
        return total, [int(i) for i in ids], page

    def _counted(self, conn: Connection, sc: scope.Scope, terms: Sequence[Term],
                 where: list[ColumnElement[bool]], page: int, size: int
                 ) -> tuple[int, list[int], int]:
        """``_page_ids`` for terms masking cannot touch (``_mask_proof``): the raw index's
        matches are then exactly the masked text's, so they are counted and paged in SQL
        and only the page is read (a word in a fifth of 4M messages: 21 s before)."""
        m = t.messages.c
        ids = term_ids(conn.dialect.name, list(terms))
        inside = [scope.scope_clause(sc), *where,
                  m.id.in_(ids) if ids is not None else false()]
        total = int(conn.scalar(select(func.count()).where(*inside)) or 0)
        page = _in_range(page, total, size)
        got = conn.scalars(select(m.id).where(*inside).order_by(m.id)
                           .limit(size).offset((page - 1) * size))
        return total, [int(i) for i in got], page

    def _filtered(self, sc: scope.Scope, namer: Namer, flt: SearchFilter
                  ) -> list[ColumnElement[bool]]:
        """Conditions on messages for ``flt``; a finding counts only in the scope's
        categories, as the queue counts it."""
        m, f = t.messages.c, t.findings.c
        conds: list[ColumnElement[bool]] = []
        if flt.category or flt.severity:
            has = select(f.id).where(f.message_id == m.id)
            for wanted, column in ((flt.category, f.category), (flt.severity, f.severity)):
                if wanted:
                    has = has.where(column == wanted)
            if sc.categories:
                has = has.where(f.category.in_(sc.categories))
            conds.append(has.exists())
        if flt.sender:
            senders = namer.shown_as(flt.sender)
            conds.append(m.sender_id.in_(senders) if senders else false())
        if flt.conversation is not None:
            conds.append(m.conversation_id == flt.conversation)
        if flt.day_from or flt.day_to:
            conds.append(scope.between_days(flt.day_from, flt.day_to))
        return conds

    def _matching(self, conn: Connection, sc: scope.Scope, namer: Namer,
                  terms: Sequence[Term], where: Sequence[ColumnElement[bool]] = ()
                  ) -> list[int]:
        """Ids of every in-scope message (meeting ``where``) whose masked text holds all
        ``terms``."""
        m = t.messages.c
        candidates = (select(m.id, m.text).where(scope.scope_clause(sc), *where)
                      .order_by(m.id))
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
