"""The review queue as SQL: filters, sorts, pages, groups and neighbours.

A queue page costs what the page shows, not what the store holds: filtering, sorting and
paging run in the database, so only the page's messages are fetched and masked (by
``ReviewSession``). Every query here starts from ``base``, which applies the authorised
scope (``scope.scope_clause``) and its categories, so an out-of-scope finding is never
listed, counted, grouped or offered as a neighbour.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    case,
    false,
    func,
    or_,
    select,
)

from conductlens.review import escalations, scope, tags
from conductlens.store import tables as t
from conductlens.store.groups import exhibits_of
from conductlens.store.tables_review import decisions

SEVERITY_RANK = {"high": 3, "medium": 2, "low": 1}
DECISIONS = ("relevant", "not_relevant", "needs_context")
DECISION_FILTERS = ("undecided", *DECISIONS)
SORTS = ("severity", "time", "category")
PER_PAGE = 200

f, m = t.findings, t.messages
SENT = func.coalesce(m.c.ts_local, m.c.ts_utc)
RANK = case(*((f.c.severity == s, n) for s, n in SEVERITY_RANK.items()), else_=0)
# Messages without a time sort after those with one.
UNDATED = case((SENT.is_(None), 1), else_=0)
# (expression, descending) in the order each sort shows findings; the ids make it total.
ORDERS: dict[str, tuple[tuple[ColumnElement[Any], bool], ...]] = {
    "severity": ((RANK, True), (f.c.score, True), (m.c.id, False), (f.c.id, False)),
    "time": ((UNDATED, False), (SENT, False), (m.c.id, False), (f.c.id, False)),
    "category": ((f.c.category, False), (RANK, True), (f.c.score, True), (m.c.id, False),
                 (f.c.id, False)),
}


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """What the reviewer asked the queue for, as kept in the page's URL."""

    category: str = ""
    severity: str = ""
    standard: str = ""
    sender: str = ""  # the name or pseudonym as the case shows it
    conversation: int | None = None
    day_from: date | None = None
    day_to: date | None = None
    decision: str = ""  # "", "undecided" or one of DECISIONS
    tag: str = ""  # a tag in force on the finding
    escalation: str = ""  # "" or a key of escalations.FILTERS
    low: bool = False  # include low severity (left out by default unless asked for by name)
    sort: str = "severity"
    grouped: bool = True  # identical messages as one row

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            object.__setattr__(self, "sort", "severity")
        if self.decision not in DECISION_FILTERS:
            object.__setattr__(self, "decision", "")
        if self.escalation not in escalations.FILTERS:
            object.__setattr__(self, "escalation", "")

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> QueueFilter:
        """The filter a URL's query asks for; a value that does not parse is left out
        (``undecided=true``, the old link, still means the undecided queue)."""
        got: dict[str, Any] = {}
        for name in ("category", "severity", "standard", "sender", "decision", "tag",
                     "escalation", "sort"):
            if params.get(name, "").strip():
                got[name] = params[name].strip()[:200]
        for name, parse in (("conversation", int), ("day_from", date.fromisoformat),
                            ("day_to", date.fromisoformat)):
            try:
                got[name] = parse(params[name]) if params.get(name) else None
            except ValueError:
                continue
        for name in ("grouped", "low"):
            if params.get(name) in ("0", "1"):
                got[name] = params[name] == "1"
        if params.get("undecided") == "true" and "decision" not in got:
            got["decision"] = "undecided"
        return cls(**got)

    def query_string(self, **changes: Any) -> str:
        """The URL query for this filter (defaults left out), with ``changes`` applied."""
        flt = replace(self, **changes) if changes else self
        default = QueueFilter()
        pairs = []
        for field in fields(self):
            value = getattr(flt, field.name)
            if value != getattr(default, field.name):
                pairs.append((field.name, _as_text(value)))
        return urlencode(pairs)

    @property
    def narrowed(self) -> bool:
        """Whether any filter (not the sort or grouping) is in force."""
        return any(getattr(self, n) for n in ("category", "severity", "standard", "sender",
                                              "conversation", "day_from", "day_to",
                                              "decision", "tag", "escalation"))


def _as_text(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return value.isoformat() if isinstance(value, date) else str(value)


def latest_decisions(case_id: int) -> tuple[Any, ColumnElement[bool]]:
    """Each finding's latest decision in the case: a ``decisions`` alias, and the clause
    that joins a finding to its latest row (no later one for the same finding and case).
    Each finding is one probe of ``ix_decisions_finding_case`` (migration 0020), where a
    grouped subquery of every decision was rescanned for each finding."""
    latest, newer = decisions.alias("latest"), decisions.alias("newer")
    later = select(newer.c.id).where(newer.c.finding_id == latest.c.finding_id,
                                     newer.c.case_id == case_id, newer.c.id > latest.c.id)
    return latest, and_(latest.c.finding_id == f.c.id, latest.c.case_id == case_id,
                        ~later.exists())


def base(sc: scope.Scope, columns: list[Any], once: bool = True) -> tuple[Select[Any], Any]:
    """``columns`` of the findings inside ``sc`` (with each one's latest decision joinable
    as the returned alias); ``once`` leaves out later copies of a finding shown already
    (``scope.finding_once``), as every listing and count does. The findings of the case's
    exhibits are read first and their messages by id: a scope covering most of a case would
    otherwise walk every message."""
    latest, joined = latest_decisions(sc.case_id)
    query = (select(*columns).select_from(
        f.join(m, m.c.id == f.c.message_id).outerjoin(latest, joined))
        .where(f.c.exhibit_id.in_(exhibits_of(sc.case_id)),
               scope.scope_clause(sc, findings_first=True)))
    if once:
        query = query.where(scope.finding_once(sc))
    if sc.categories:
        query = query.where(f.c.category.in_(sc.categories))
    return query, latest


def finding_rows(sc: scope.Scope, once: bool = False) -> Select[Any]:
    """Whole finding rows inside ``sc``, each with its latest decision (every copy, unless
    ``once``: a finding opened by id or exported is there whichever copy it is)."""
    return with_rows(*base(sc, [], once))


def with_rows(query: Select[Any], latest: Any) -> Select[Any]:
    """``query`` (``base`` with no columns) selecting whole findings and their decisions."""
    return query.add_columns(*f.c, latest.c.decision)


def narrow(query: Select[Any], flt: QueueFilter, sender_ids: list[int] | None,
           latest: Any, case_id: int, username: str) -> Select[Any]:
    """``query`` narrowed by ``flt`` (``sender_ids``: the participants shown as its sender)
    in case ``case_id``, for ``username`` (whose escalations "escalated to me" means)."""
    conds: list[ColumnElement[bool]] = []
    if not flt.low and not flt.severity:  # low findings wait until asked for (issue 8)
        conds.append(f.c.severity != "low")
    if flt.tag:
        conds.append(tags.tagged(case_id, flt.tag))
    if flt.escalation:
        conds.append(escalations.queue_clause(case_id, flt.escalation, username))
    if flt.category:
        conds.append(f.c.category == flt.category)
    if flt.severity:
        conds.append(f.c.severity == flt.severity)
    if flt.standard:
        conds.append(f.c.standards.contains(json.dumps(flt.standard), autoescape=True))
    if flt.sender:
        conds.append(m.c.sender_id.in_(sender_ids) if sender_ids else false())
    if flt.conversation is not None:
        conds.append(m.c.conversation_id == flt.conversation)
    if flt.day_from or flt.day_to:
        conds.append(scope.between_days(flt.day_from, flt.day_to))
    if flt.decision == "undecided":
        conds.append(latest.c.decision.is_(None))
    elif flt.decision:
        conds.append(latest.c.decision == flt.decision)
    return query.where(*conds) if conds else query


def ordered(query: Select[Any], sort: str, reverse: bool = False) -> Select[Any]:
    return query.order_by(*(
        expr.desc() if desc != reverse else expr.asc() for expr, desc in ORDERS[sort]))


def sort_values(sort: str) -> list[ColumnElement[Any]]:
    """The columns whose values place a finding in ``sort``'s order."""
    return [expr for expr, _ in ORDERS[sort]]


def beyond(sort: str, values: list[Any], forward: bool = True) -> ColumnElement[bool]:
    """Findings after (or, not ``forward``, before) the one whose sort values are
    ``values``: a keyset, so a neighbour costs one indexed probe, not a queue."""
    keys = ORDERS[sort]
    clause: ColumnElement[bool] = false()
    for (expr, desc), value in reversed(list(zip(keys, values, strict=True))):
        if value is None:  # only a time can be missing; undated rows share the key before
            later: ColumnElement[bool] = false()
            same: ColumnElement[bool] = expr.is_(None)
        else:
            later = expr < value if desc == forward else expr > value
            same = expr == value
        clause = or_(later, and_(same, clause))
    return clause


def grouped(query: Select[Any], sort: str) -> Select[Any]:
    """One row per (category, identical message text), ordered as its best member would be.

    ``query`` must select nothing yet (``base`` with no columns). Identical raw text masks
    to identical shown text, so a group never mixes messages a reviewer would see apart.
    """
    aggs = [(func.max(e) if desc else func.min(e), desc) for e, desc in ORDERS[sort]]
    return (query.add_columns(f.c.category, m.c.text, func.count().label("n"))
            .group_by(f.c.category, m.c.text)
            .order_by(*(a.desc() if desc else a.asc() for a, desc in aggs)))


def grouped_heads(query: Select[Any], sort: str) -> Select[Any]:
    """``grouped``'s groups in its order, as (lowest finding id, findings)."""
    heads: Any = grouped(query, sort).with_only_columns(
        func.min(f.c.id), func.count(), maintain_column_froms=True)
    return heads  # type: ignore[no-any-return]


def keyed(query: Select[Any], sort: str) -> Select[Any]:
    """(finding id, category, message text) of ``query``'s findings in ``sort``'s order:
    what ``grouped`` groups by, to list each group's members."""
    return ordered(query.add_columns(f.c.id, f.c.category, m.c.text), sort)


def decisions_state(conn: Connection) -> int:
    """The newest decision's id: it moves with every decision (they are never changed)."""
    return int(conn.scalar(select(func.max(decisions.c.id))) or 0)


def group_members(query: Select[Any], latest: Any, keys: list[tuple[str, str]], sort: str
                  ) -> Select[Any]:
    """Rows (category, text, finding id, sender, time, decision) of the findings in the
    groups ``keys``, in order (``query`` as for ``grouped``); the caller keeps exact pairs."""
    cats = sorted({c for c, _ in keys})
    texts = sorted({x for _, x in keys})
    return ordered(query.add_columns(f.c.category, m.c.text, f.c.id, m.c.sender_id, SENT,
                                     latest.c.decision)
                   .where(f.c.category.in_(cats), m.c.text.in_(texts)), sort)


def group_key(query: Select[Any], finding_id: int) -> Select[Any]:
    """The (category, message text) that groups ``finding_id`` (``query`` as for ``grouped``)."""
    return query.add_columns(f.c.category, m.c.text).where(f.c.id == finding_id)


def count_of(query: Select[Any]) -> Select[Any]:
    return select(func.count()).select_from(query.order_by(None).subquery())
