"""Conversations page by page, around any message, with no cap.

``ConversationReader`` extends ``ReviewSession`` (so it is part of the one door): a page is
cut in SQL by keyset on ``seq`` (the ``ix_messages_conversation_seq`` index), so it costs what
the page holds, not what the conversation holds; every query carries the scope's clause, so
an out-of-scope message is never selected, counted or used as a place to start; names are
masked by the case's ``Namer``; and the page's message ids are audited before it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, exists, select

from conductlens.errors import ScopeError
from conductlens.review import scope
from conductlens.review.access import ReviewSession, ShownMessage
from conductlens.review.message_details import MessageDetail, describe
from conductlens.review.pseudonyms import Namer
from conductlens.review.roles import Permission
from conductlens.store import tables as t

PAGE = 100  # messages a page shows unless asked otherwise
MAX_PAGE = 500
m = t.messages.c


@dataclass(frozen=True, slots=True)
class Place:
    """Where a page is: around ``at`` (highlighted), just ``after`` or ``before`` a message,
    from the first message on or after ``day``; nothing: the start of the conversation."""

    at: int | None = None
    after: int | None = None
    before: int | None = None
    day: date | None = None


@dataclass(frozen=True, slots=True)
class Filters:
    day_from: date | None = None
    day_to: date | None = None
    flagged_only: bool = False


@dataclass(frozen=True, slots=True)
class ConversationPage:
    """One page of a conversation, inside the scope. ``earlier`` / ``later`` are the first and
    last message ids of the page when more lies that way (None: nothing more);
    ``next_finding`` is the next flagged message after the highlighted one (else after the
    page); ``first`` / ``last`` are when the conversation's in-scope messages begin and end."""

    conversation_id: int
    title: str
    exhibit: str
    is_group: bool
    first: datetime | None
    last: datetime | None
    messages: list[ShownMessage]
    details: dict[int, MessageDetail] = field(default_factory=dict)
    at: int | None = None
    earlier: int | None = None
    later: int | None = None
    next_finding: int | None = None


def _flagged(sc: scope.Scope) -> ColumnElement[bool]:
    """The message has a finding the scope lets the reviewer see."""
    f = t.findings.c
    query = select(f.id).where(f.message_id == m.id)
    if sc.categories:
        query = query.where(f.category.in_(sc.categories))
    return exists(query)


class ConversationReader(ReviewSession):
    """Reading a conversation a page at a time (see the module's docstring)."""

    def conversation_page(self, conversation_id: int, place: Place | None = None,
                          filters: Filters | None = None, size: int = PAGE
                          ) -> ConversationPage:
        """The page of ``conversation_id`` at ``place``; an unknown or out-of-scope message
        as a place is refused like an unknown one."""
        self._need(Permission.READ_CONTENT)
        place, filters = place or Place(), filters or Filters()
        size = max(1, min(int(size), MAX_PAGE))
        with self.engine.begin() as conn:
            sc = self._scope(conn)
            if conversation_id not in sc.conversations:
                raise ScopeError("this conversation is outside the authorised scope")
            inside = [scope.scope_clause(sc), m.conversation_id == conversation_id]
            where = inside + self._filter_clauses(sc, filters)
            rows, at = self._window(conn, sc, where, place, size)
            namer = Namer(conn, self.case_id, sc.subjects)
            page = self._page(conn, sc, namer, conversation_id, inside, where, rows, at)
            quoted = [d.quoted.id for d in page.details.values()  # type: ignore[attr-defined]
                      if d.quoted is not None]
            self._audit(conn, "view.conversation", sc, {
                "conversation": [conversation_id],
                "message": [x.id for x in page.messages] + quoted}, {"page": size})
        return page

    @staticmethod
    def _filter_clauses(sc: scope.Scope, filters: Filters) -> list[ColumnElement[bool]]:
        out = []
        if filters.day_from or filters.day_to:
            out.append(scope.between_days(filters.day_from, filters.day_to))
        if filters.flagged_only:
            out.append(_flagged(sc))
        return out

    def _rows(self, conn: Connection, sc: scope.Scope, where: list[ColumnElement[bool]],
              size: int, newest_first: bool = False) -> list[Any]:
        order = m.seq.desc() if newest_first else m.seq
        rows = conn.execute(self._message_query(sc).where(*where).order_by(order)
                            .limit(size)).all()
        return list(rows)[::-1] if newest_first else list(rows)

    @staticmethod
    def _seq_of(conn: Connection, where: list[ColumnElement[bool]], message_id: int) -> int:
        seq = conn.scalar(select(m.seq).where(*where, m.id == message_id))
        if seq is None:
            raise ScopeError("no such message inside the authorised scope")
        return int(seq)

    def _window(self, conn: Connection, sc: scope.Scope, where: list[ColumnElement[bool]],
                place: Place, size: int) -> tuple[list[Any], int | None]:
        """The page's rows in order, and the message to highlight."""
        if place.at is not None:
            seq = self._seq_of(conn, where, place.at)
            before = self._rows(conn, sc, [*where, m.seq < seq], size // 2, newest_first=True)
            return before + self._rows(conn, sc, [*where, m.seq >= seq],
                                       size - len(before)), place.at
        if place.after is not None:
            seq = self._seq_of(conn, where, place.after)
            return self._rows(conn, sc, [*where, m.seq > seq], size), None
        if place.before is not None:
            seq = self._seq_of(conn, where, place.before)
            return self._rows(conn, sc, [*where, m.seq < seq], size, newest_first=True), None
        if place.day is not None:
            rows = self._rows(conn, sc, [*where, scope.between_days(place.day, None)], size)
            if not rows:  # nothing on or after that day: the end of the conversation
                return self._rows(conn, sc, where, size, newest_first=True), None
            return rows, int(rows[0]._mapping["id"])
        return self._rows(conn, sc, where, size), None

    def _page(self, conn: Connection, sc: scope.Scope, namer: Namer, conversation_id: int,
              inside: list[ColumnElement[bool]], where: list[ColumnElement[bool]],
              rows: list[Any], at: int | None) -> ConversationPage:
        shown = self._render(conn, sc, rows, namer)
        ids = [x.id for x in shown]
        title, exhibit, is_group = self._heading(conn, namer, conversation_id)
        first, last = _bound(conn, inside, False), _bound(conn, inside, True)
        if not rows:
            return ConversationPage(conversation_id, title, exhibit, is_group, first, last, [])
        lo, hi = int(rows[0]._mapping["seq"]), int(rows[-1]._mapping["seq"])
        anchor = hi
        if at is not None:
            anchor = next(int(r._mapping["seq"]) for r in rows if r._mapping["id"] == at)

        def quote(reply_ids: list[int]) -> dict[int, object]:
            found = conn.execute(self._message_query(sc).where(m.id.in_(reply_ids))).all()
            return {q.id: q for q in self._render(conn, sc, found, namer)}

        return ConversationPage(
            conversation_id, title, exhibit, is_group, first, last, shown,
            describe(conn, sc, namer, ids, quote), at,
            ids[0] if _any(conn, [*where, m.seq < lo]) else None,
            ids[-1] if _any(conn, [*where, m.seq > hi]) else None,
            conn.scalar(select(m.id).where(*inside, m.seq > anchor, _flagged(sc))
                        .order_by(m.seq).limit(1)))

    @staticmethod
    def _heading(conn: Connection, namer: Namer, conversation_id: int
                 ) -> tuple[str, str, bool]:
        """The group's name (names inside it masked), its exhibit, whether it is a group."""
        c = t.conversations.c
        row = conn.execute(select(c.title, c.platform, c.is_group, t.exhibits.c.reference)
                           .join(t.exhibits, t.exhibits.c.id == c.exhibit_id)
                           .where(c.id == conversation_id)).one()
        title = namer.redact(row.title) if row.title else f"Untitled {row.platform} chat"
        return title, str(row.reference), bool(row.is_group)


def _any(conn: Connection, where: list[ColumnElement[bool]]) -> bool:
    return conn.scalar(select(m.id).where(*where).limit(1)) is not None


def _bound(conn: Connection, inside: list[ColumnElement[bool]], last: bool) -> datetime | None:
    """When the in-scope part of the conversation begins (or ends): one indexed row."""
    row = conn.execute(select(m.ts_local, m.ts_utc).where(*inside)
                       .order_by(m.seq.desc() if last else m.seq).limit(1)).first()
    return None if row is None else (row[0] or row[1])
