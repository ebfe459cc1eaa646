"""``QueueSession``: the review queue page by page, its filters, neighbours and bulk decisions.

It extends ``ReviewSession`` (scope, pseudonyms and audit first, as every read there) with
reads whose cost is the page's: the SQL in ``queue`` filters, sorts and pages; only the
shown page's messages are fetched and masked; "next" and "previous" are keyset probes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from conductlens.errors import ConductLensError, ScopeError
from conductlens.review import queue as q
from conductlens.review import scope
from conductlens.review.access import ReviewSession, ShownFinding
from conductlens.review.pseudonyms import DisplayName, Namer
from conductlens.review.roles import Permission
from conductlens.store import tables as t

MAX_PER_PAGE = 500


@dataclass(frozen=True, slots=True)
class GroupMember:
    """One finding of a group of identical messages (its text is the group's)."""

    id: int
    sender: DisplayName
    when: datetime | None
    decision: str | None


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One row of the queue: a finding, and the group it stands for (empty when alone)."""

    finding: ShownFinding
    members: tuple[GroupMember, ...] = ()

    @property
    def count(self) -> int:
        return max(1, len(self.members))


@dataclass(frozen=True, slots=True)
class QueuePage:
    rows: list[QueueRow]
    total: int  # rows over all pages (groups, when grouped)
    findings: int  # findings over all pages
    page: int
    per_page: int
    low_hidden: int = 0  # low-severity findings the filter would match, left out by default

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True, slots=True)
class QueueChoices:
    """What the filter form offers: values found inside the scope only."""

    categories: list[str]
    standards: list[str]
    senders: list[str]
    conversations: list[tuple[int, str]]


class QueueSession(ReviewSession):
    """The review queue of one user on one case, a page at a time."""

    def _narrowed(self, sc: scope.Scope, namer: Namer, flt: q.QueueFilter
                  ) -> tuple[Any, Any]:
        query, latest = q.base(sc, [])
        senders = namer.shown_as(flt.sender) if flt.sender else None
        return q.narrow(query, flt, senders, latest, sc.case_id,
                        self.user.username), latest

    def queue_page(self, flt: q.QueueFilter, page: int = 1, per_page: int = q.PER_PAGE
                   ) -> QueuePage:
        """Page ``page`` of the findings inside the scope that ``flt`` asks for; audited
        with the findings shown (a group's members included)."""
        self._need(Permission.READ_CONTENT)
        per_page = max(1, min(per_page, MAX_PER_PAGE))
        page = max(1, page)
        with self.engine.begin() as conn:
            sc = self._scope(conn)
            namer = Namer(conn, self.case_id, sc.subjects)
            query, latest = self._narrowed(sc, namer, flt)
            found = int(conn.scalar(q.count_of(query.add_columns(t.findings.c.id))) or 0)
            if flt.grouped:
                total = int(conn.scalar(q.count_of(q.grouped(query, flt.sort))) or 0)
                rows = self._group_rows(conn, sc, namer, query, latest, flt, page, per_page)
            else:
                total = found
                page_rows = conn.execute(q.ordered(q.with_rows(query, latest), flt.sort)
                                         .limit(per_page).offset((page - 1) * per_page)
                                         ).mappings().all()
                rows = [QueueRow(s) for s in self._findings(conn, sc, page_rows, namer)]
            shown = [r.finding.id for r in rows] + [x.id for r in rows for x in r.members
                                                    if x.id != r.finding.id]
            self._audit(conn, "view.queue", sc, {"finding": shown},
                        {"page": page, "filter": flt.query_string()})
            hidden = self._low_hidden(conn, sc, namer, flt)
        return QueuePage(rows, total, found, page, per_page, hidden)

    def _low_hidden(self, conn: Connection, sc: scope.Scope, namer: Namer, flt: q.QueueFilter
                    ) -> int:
        """How many low-severity findings the default queue leaves out of ``flt``'s."""
        if flt.low or flt.severity:
            return 0
        query, _ = self._narrowed(sc, namer, replace(flt, severity="low"))
        return int(conn.scalar(q.count_of(query.add_columns(t.findings.c.id))) or 0)

    def _group_rows(self, conn: Connection, sc: scope.Scope, namer: Namer, query: Any,
                    latest: Any, flt: q.QueueFilter, page: int, per_page: int
                    ) -> list[QueueRow]:
        groups = conn.execute(q.grouped(query, flt.sort).limit(per_page)
                              .offset((page - 1) * per_page)).all()
        keys = [(str(g[0]), str(g[1])) for g in groups]
        members: dict[tuple[str, str], list[GroupMember]] = {k: [] for k in keys}
        if keys:
            for cat, text, fid, sender, when, decision in conn.execute(
                    q.group_members(query, latest, keys, flt.sort)):
                if (cat, text) in members:
                    members[(cat, text)].append(GroupMember(int(fid), namer.name(sender),
                                                            when, decision))
        heads = [members[k][0].id for k in keys if members[k]]
        shown = {s.id: s for s in self._findings(conn, sc, conn.execute(
            q.finding_rows(sc).where(t.findings.c.id.in_(heads))).mappings().all(), namer)}
        return [QueueRow(shown[members[k][0].id],
                         tuple(members[k]) if len(members[k]) > 1 else ())
                for k in keys if members[k] and members[k][0].id in shown]

    def neighbours(self, finding_id: int, flt: q.QueueFilter) -> tuple[int | None, int | None]:
        """The findings before and after ``finding_id`` in the queue ``flt`` asks for (the
        finding itself need not match it any more, e.g. once decided)."""
        self._need(Permission.READ_CONTENT)
        with self.engine.connect() as conn:
            sc = self._scope(conn)
            namer = Namer(conn, self.case_id, sc.subjects)
            here, _ = q.base(sc, q.sort_values(flt.sort), once=False)
            values = conn.execute(here.where(t.findings.c.id == finding_id)).first()
            if values is None:
                raise ScopeError("no such finding inside the authorised scope")
            query, _ = self._narrowed(sc, namer, flt)
            query = query.add_columns(t.findings.c.id)
            out = []
            for forward in (False, True):
                probe = q.ordered(query.where(q.beyond(flt.sort, list(values), forward)),
                                  flt.sort, reverse=not forward).limit(1)
                out.append(conn.scalar(probe))
        return out[0], out[1]

    def group_of(self, finding_id: int, flt: q.QueueFilter) -> list[int]:
        """The findings shown as one row with ``finding_id`` in the queue ``flt`` asks for
        (itself alone when not grouped)."""
        self._need(Permission.READ_CONTENT)
        if not flt.grouped:
            return [finding_id]
        with self.engine.connect() as conn:
            sc = self._scope(conn)
            namer = Namer(conn, self.case_id, sc.subjects)
            query, latest = self._narrowed(sc, namer, flt)
            key = conn.execute(q.group_key(query, finding_id)).first()
            if key is None:
                return []
            pair = (str(key[0]), str(key[1]))
            rows = conn.execute(q.group_members(query, latest, [pair], flt.sort)).all()
        return [int(r[2]) for r in rows if (r[0], r[1]) == pair]

    def decide_many(self, finding_ids: Iterable[int], decision: str, note: str = "") -> int:
        """The same decision on each finding, each recorded and audited as a single
        decision is; all or none (one outside the scope refuses the lot)."""
        self._need(Permission.DECIDE)
        if decision not in q.DECISIONS:
            raise ConductLensError(f"decision must be one of {', '.join(q.DECISIONS)}")
        ids = list(dict.fromkeys(int(i) for i in finding_ids))
        with self.engine.begin() as conn:
            sc = self._scope(conn)
            for fid in ids:
                self._decide_in(conn, sc, fid, decision, note)
        return len(ids)

    def queue_choices(self) -> QueueChoices:
        """Categories, Standards, senders and conversations the filter form offers."""
        self._need(Permission.READ_CONTENT)
        with self.engine.connect() as conn:
            sc = self._scope(conn)
            namer = Namer(conn, self.case_id, sc.subjects)
            cats, _ = q.base(sc, [t.findings.c.category])
            stds, _ = q.base(sc, [t.findings.c.standards])
            standards = {s for raw in conn.scalars(stds.distinct()) for s in json.loads(raw)}
            convs = conn.execute(select(t.conversations.c.id, t.conversations.c.title,
                                        t.conversations.c.key, t.conversations.c.is_group)
                                 .where(t.conversations.c.id.in_(sc.conversations))
                                 .order_by(t.conversations.c.id)).all()
            return QueueChoices(
                sorted(conn.scalars(cats.distinct())), sorted(standards),
                [d.label for d in namer.identities()],
                # A one-to-one chat is usually titled with the other person's name.
                [(int(c[0]), namer.redact(str(c[1] or c[2])) if c[3]
                  else f"One-to-one chat {c[0]}") for c in convs])
