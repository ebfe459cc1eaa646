"""``QueueSession``: the review queue page by page, its filters, neighbours and bulk decisions.

It extends ``ReviewSession`` (scope, pseudonyms and audit first, as every read there) with
reads whose cost is the page's: the SQL in ``queue`` filters, sorts and pages; only the
shown page's messages are fetched and masked; "next" and "previous" are keyset probes.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from conductlens.errors import ConductLensError, ScopeError
from conductlens.review import counts, scope
from conductlens.review import queue as q
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
class Order:
    """A whole queue as finding ids in order. Grouped, ``ids`` holds one finding per group
    and ``members`` every group's findings in order, group ``g`` from ``starts[g]``."""

    ids: array[int]
    members: array[int] = field(default_factory=lambda: array("q"))
    starts: array[int] = field(default_factory=lambda: array("q"))

    def members_of(self, group: int) -> array[int]:
        end = self.starts[group + 1] if group + 1 < len(self.starts) else len(self.members)
        return self.members[self.starts[group]:end]


@dataclass(frozen=True, slots=True)
class QueueChoices:
    """What the filter form offers: values found inside the scope only."""

    categories: list[str]
    standards: list[str]
    senders: list[str]
    conversations: list[tuple[int, str]]


class QueueSession(ReviewSession):
    """The review queue of one user on one case, a page at a time."""

    def _narrowed(self, sc: scope.Scope, namer: Namer | None, flt: q.QueueFilter
                  ) -> tuple[Any, Any]:
        query, latest = q.base(sc, [])
        senders = _senders(namer, flt.sender) if flt.sender else None
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
            order = self._order(conn, sc, namer, flt, flt.grouped)
            cut = slice((page - 1) * per_page, page * per_page)
            if flt.grouped:
                found = len(order.members)
                rows = self._group_rows(conn, sc, namer, order, range(len(order.ids))[cut])
            else:
                found = len(order.ids)
                rows = [QueueRow(s) for s in self._in_order(conn, sc, namer, order.ids[cut])]
            shown = [r.finding.id for r in rows] + [x.id for r in rows for x in r.members
                                                    if x.id != r.finding.id]
            self._audit(conn, "view.queue", sc, {"finding": shown},
                        {"page": page, "filter": flt.query_string()})
            hidden = self._low_hidden(conn, sc, namer, flt)
        return QueuePage(rows, len(order.ids), found, page, per_page, hidden)

    def _low_hidden(self, conn: Connection, sc: scope.Scope, namer: Namer, flt: q.QueueFilter
                    ) -> int:
        """How many low-severity findings the default queue leaves out of ``flt``'s."""
        if flt.low or flt.severity:
            return 0
        return len(self._order(conn, sc, namer, replace(flt, severity="low"), False).ids)

    def _order(self, conn: Connection, sc: scope.Scope, namer: Namer | None,
               flt: q.QueueFilter, grouped: bool) -> Order:
        """The whole queue ``flt`` asks for, in order, as finding ids (one per group when
        ``grouped``, with its members): counted once per state of the store
        (``counts.kept``; decisions are part of that state only when ``flt`` filters by
        them), so paging, totals and neighbours cost what a page shows. Tags and
        escalations change in place, so a queue filtered by them is counted every time."""
        senders = tuple(_senders(namer, flt.sender)) if flt.sender else ()
        what = ("queue", self.case_id, sc.id, replace(flt, grouped=grouped), senders,
                q.decisions_state(conn) if flt.decision else None)

        def count() -> Order:
            query, _ = self._narrowed(sc, namer, flt)
            if grouped:
                return _grouped_order(conn, query, flt.sort)
            ids = conn.scalars(q.ordered(query.add_columns(t.findings.c.id), flt.sort))
            return Order(array("q", (int(i) for i in ids)))
        if flt.tag or flt.escalation:
            return count()
        return counts.kept(conn, what, count)

    def _in_order(self, conn: Connection, sc: scope.Scope, namer: Namer, ids: Iterable[int]
                  ) -> list[ShownFinding]:
        wanted = list(ids)
        rows = conn.execute(q.finding_rows(sc).where(t.findings.c.id.in_(wanted))
                            ).mappings().all()
        place = {fid: n for n, fid in enumerate(wanted)}
        return self._findings(conn, sc, sorted(rows, key=lambda r: place[int(r["id"])]), namer)

    def _group_rows(self, conn: Connection, sc: scope.Scope, namer: Namer, order: Order,
                    groups: range) -> list[QueueRow]:
        """The rows of groups ``groups`` of ``order``: each group's first finding shown,
        its members (sender, time, latest decision) listed with it."""
        spans = [order.members_of(g) for g in groups]
        wanted = [fid for span in spans for fid in span]
        inside, latest = q.base(sc, [])
        details = {int(r[0]): r for r in conn.execute(inside.add_columns(
            t.findings.c.id, t.messages.c.sender_id, q.SENT, latest.c.decision)
            .where(t.findings.c.id.in_(wanted)))} if wanted else {}
        shown = {s.id: s for s in self._in_order(conn, sc, namer, [x[0] for x in spans if x])}
        rows = []
        for span in spans:
            members = tuple(GroupMember(fid, namer.name(details[fid][1]), details[fid][2],
                                        details[fid][3]) for fid in span if fid in details)
            if members and members[0].id in shown:
                rows.append(QueueRow(shown[members[0].id], members if len(members) > 1 else ()))
        return rows

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
            order = self._order(conn, sc, namer, flt, grouped=False).ids
            place = _index(order, finding_id)
            if place is not None:  # still in the queue: its neighbours are in the order
                return (order[place - 1] if place else None,
                        order[place + 1] if place + 1 < len(order) else None)
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
            categories, standards = self._choices_kept(conn, sc)
            convs = conn.execute(select(t.conversations.c.id, t.conversations.c.title,
                                        t.conversations.c.key, t.conversations.c.is_group)
                                 .where(t.conversations.c.id.in_(sc.conversations))
                                 .order_by(t.conversations.c.id)).all()
            return QueueChoices(
                categories, standards,
                [d.label for d in namer.identities()],
                # A one-to-one chat is usually titled with the other person's name.
                [(int(c[0]), namer.redact(str(c[1] or c[2])) if c[3]
                  else f"One-to-one chat {c[0]}") for c in convs])

    def _choices_kept(self, conn: Connection, sc: scope.Scope) -> tuple[list[str], list[str]]:
        return counts.kept(conn, ("choices", self.case_id, sc.id),
                           lambda: self._offered(conn, sc))

    @staticmethod
    def _offered(conn: Connection, sc: scope.Scope) -> tuple[list[str], list[str]]:
        """The categories and Standards of the findings inside ``sc`` (names, no content)."""
        cats, _ = q.base(sc, [t.findings.c.category])
        stds, _ = q.base(sc, [t.findings.c.standards])
        standards = {s for raw in conn.scalars(stds.distinct()) for s in json.loads(raw)}
        return sorted(conn.scalars(cats.distinct())), sorted(standards)


def _grouped_order(conn: Connection, query: Any, sort: str) -> Order:
    """Groups in the order ``queue.grouped`` gives them, each with its findings in
    ``sort``'s order. Texts are read to group by, never kept."""
    heads = [int(r[0]) for r in conn.execute(q.grouped_heads(query, sort))]
    by_key: dict[tuple[str, str], list[int]] = {}
    key_of: dict[int, tuple[str, str]] = {}
    for fid, cat, text in conn.execute(q.keyed(query, sort)):
        key = (str(cat), str(text))
        by_key.setdefault(key, []).append(int(fid))
        key_of[int(fid)] = key
    members, starts = array("q"), array("q")
    for head in heads:
        starts.append(len(members))
        members.extend(by_key.get(key_of.get(head, ("", "")), ()))
    return Order(array("q", heads), members, starts)


def _senders(namer: Namer | None, label: str) -> list[int]:
    """The participants shown as ``label`` (a sender filter needs the case's ``Namer``)."""
    if namer is None:
        raise ValueError("a sender filter needs the case's Namer")
    return namer.shown_as(label)


def _index(order: array[int], finding_id: int) -> int | None:
    try:
        return order.index(finding_id)
    except ValueError:
        return None
