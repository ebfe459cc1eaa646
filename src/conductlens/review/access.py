"""``ReviewSession``: the only reader of message content.

It opens a case only for a user ``teams.may_open`` allows (its team, for investigators and
supervisors); every method applies the authorised scope (``scope.scope_clause``), shows
people through the case's ``Namer`` (pseudonyms), and writes an audit event before content
is returned. Outside the scope it answers with totals only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Select,
    func,
    select,
)

from conductlens.dynamics import standard10
from conductlens.errors import ConductLensError, ScopeError
from conductlens.review import audit, counts, scope, teams
from conductlens.review._csv import findings_csv
from conductlens.review._shaping import (
    apply_filters,
    as_date,
    fts_words,
    local_now,
    match_clause,
    maybe_pseudonym,
    source_of,
)
from conductlens.review.accounts import User
from conductlens.review.cases import CaseStatus, exhibit_ids, find_case, set_status
from conductlens.review.pseudonyms import DisplayName, Namer
from conductlens.review.queue import DECISIONS, SEVERITY_RANK, finding_rows, ordered
from conductlens.review.redact import highlight, words
from conductlens.review.roles import Permission, allows
from conductlens.store import tables as t
from conductlens.store.groups import copy_references, exhibits_of
from conductlens.store.tables_review import decisions

__all__ = ["DECISIONS", "SEVERITY_RANK", "Forbidden", "ReviewSession", "ShownFinding",
           "ShownMessage", "Totals"]


# The most findings one export file holds: beyond it an export is refused, not cut short.
EXPORT_LIMIT = 100_000


class Forbidden(ConductLensError):
    """The user's role does not allow this."""


@dataclass(frozen=True, slots=True)
class Totals:
    in_scope: int
    withheld: int
    findings_in_scope: int


@dataclass(frozen=True, slots=True)
class ShownMessage:
    id: int
    conversation_id: int
    sender: DisplayName
    when: datetime | None
    kind: str
    text: str
    segments: tuple[tuple[str, bool], ...]  # (text, highlighted)
    flagged: bool
    exhibit_reference: str
    source: str


@dataclass(frozen=True, slots=True)
class ShownFinding:
    id: int
    category: str
    severity: str
    score: float
    standards: tuple[str, ...]
    explanation: str
    detector: str
    decision: str | None
    message: ShownMessage
    also_in: tuple[str, ...] = ()  # other exhibits of the case holding a copy of the message


class ReviewSession:
    """One user's reading of one case, within the scope in force."""

    def __init__(self, engine: Engine, user: User, case_id: int) -> None:
        self.engine, self.user, self.case_id = engine, user, case_id

    # -- helpers -----------------------------------------------------------------------------
    def _need(self, permission: Permission) -> None:
        if not allows(self.user.role, permission):
            raise Forbidden(f"{self.user.role} may not {permission.value}")

    def _open(self, conn: Connection) -> None:
        """An unknown case and a case off the user's team look the same: no such case."""
        if not teams.may_open(conn, self.user, self.case_id):
            raise ScopeError("no such case")

    def _scope(self, conn: Connection) -> scope.Scope:
        self._open(conn)
        return scope.require(conn, self.case_id)

    def _audit(self, conn: Connection, action: str, sc: scope.Scope | None,
               ids: dict[str, list[int]], detail: dict[str, object] | None = None) -> None:
        audit.append(conn, audit.AuditEvent(
            self.user.username, action, self.case_id, ids,
            sc.justification() if sc else "", detail))

    def refuse(self, what: str, ids: dict[str, list[int]]) -> None:
        """Record an attempt that was refused (out of scope, wrong role, unknown id)."""
        with self.engine.begin() as conn:
            sc = scope.current(conn, self.case_id)
            self._audit(conn, "access.denied", sc, ids, {"what": what})

    def _namer(self, conn: Connection, subjects: Sequence[int]) -> Namer:
        """How people are shown to this reader: the case's pseudonyms and unmaskings
        (a disclosure's session shows its recipient's approvals instead)."""
        return Namer(conn, self.case_id, subjects)

    def _shown(self, rows: Sequence[object], namer: Namer,
               flagged: dict[int, list[list[int]]]) -> list[ShownMessage]:
        """Messages as shown: names masked first, highlights moved onto the masked text."""
        out = []
        for row in rows:
            m = row._mapping  # type: ignore[attr-defined]
            masked = namer.mask(m["text"])
            segs = highlight(masked, flagged.get(m["id"], []))
            out.append(ShownMessage(
                m["id"], m["conversation_id"], namer.name(m["sender_id"]),
                m["ts_local"] or m["ts_utc"], m["kind"], masked.text,
                tuple(segs), m["id"] in flagged, m["reference"], namer.redact(source_of(m))))
        return out

    def _message_query(self, sc: scope.Scope) -> Select[tuple[object, ...]]:
        return (select(t.messages, t.exhibits.c.reference)
                .join(t.exhibits, t.exhibits.c.id == t.messages.c.exhibit_id)
                .where(scope.scope_clause(sc)))

    def _spans(self, conn: Connection, message_ids: list[int]) -> dict[int, list[list[int]]]:
        rows = conn.execute(select(t.findings.c.message_id, t.findings.c.spans)
                            .where(t.findings.c.message_id.in_(message_ids)))
        out: dict[int, list[list[int]]] = {}
        for mid, spans in rows:
            out.setdefault(int(mid), []).extend(json.loads(spans))
        return out

    def _render(self, conn: Connection, sc: scope.Scope, rows: Sequence[object],
                namer: Namer | None = None) -> list[ShownMessage]:
        namer = namer or self._namer(conn, sc.subjects)
        ids = [int(r._mapping["id"]) for r in rows]  # type: ignore[attr-defined]
        return self._shown(rows, namer, self._spans(conn, ids))

    # -- totals (no content) -------------------------------------------------------------------
    def totals(self) -> Totals:
        self._need(Permission.VIEW_TOTALS)
        with self.engine.connect() as conn:
            self._open(conn)
            total, inside, found = self._counts(conn, scope.current(conn, self.case_id))
        return Totals(inside, total - inside, found)

    def _counts(self, conn: Connection, sc: scope.Scope | None) -> tuple[int, ...]:
        """(messages of the case, inside ``sc``, findings inside ``sc``), counted once per
        state of the store (``counts``)."""
        def count() -> tuple[int, ...]:
            clause = scope.scope_clause(sc)
            in_case = t.messages.c.exhibit_id.in_(exhibit_ids(conn, self.case_id))
            total = conn.scalar(select(func.count()).where(in_case)) or 0
            inside = conn.scalar(select(func.count()).where(in_case, clause)) or 0
            found = conn.scalar(self._finding_query(sc, count=True)
                                .where(scope.finding_once(sc))) or 0
            return int(total), int(inside), int(found)
        return counts.kept(conn, ("totals", self.case_id, sc.id if sc else None), count)

    # -- findings ------------------------------------------------------------------------------
    def _finding_query(self, sc: scope.Scope | None, count: bool = False
                       ) -> Select[Any]:
        f = t.findings
        query = (select(func.count()) if count else select(f)).select_from(
            f.join(t.messages, t.messages.c.id == f.c.message_id)).where(
            scope.scope_clause(sc, findings_first=True))
        if sc is not None:  # read the case's findings first, their messages by id
            query = query.where(f.c.exhibit_id.in_(exhibits_of(sc.case_id)))
        if sc is not None and sc.categories:
            query = query.where(f.c.category.in_(sc.categories))
        return query

    def queue(self, include_decided: bool = True, limit: int = 200) -> list[ShownFinding]:
        """Findings inside the scope, most severe first (then score, then time); only the
        first ``limit`` are fetched and masked."""
        self._need(Permission.READ_CONTENT)
        with self.engine.begin() as conn:
            sc = self._scope(conn)
            query = ordered(finding_rows(sc, once=True), "severity")
            if not include_decided:
                query = query.where(query.selected_columns.decision.is_(None))
            shown = self._findings(conn, sc, conn.execute(query.limit(limit)).mappings().all())
            self._audit(conn, "view.queue", sc, {"finding": [f.id for f in shown]})
        return shown

    def _findings(self, conn: Connection, sc: scope.Scope, rows: Sequence[Any],
                  namer: Namer | None = None) -> list[ShownFinding]:
        """``rows`` (``queue.finding_rows``) as shown: only their messages fetched and masked."""
        namer = namer or self._namer(conn, sc.subjects)
        mids = list(dict.fromkeys(int(r["message_id"]) for r in rows))
        msgs = {m.id: m for m in self._render(conn, sc, conn.execute(
            self._message_query(sc).where(t.messages.c.id.in_(mids))).all(), namer)}
        return [ShownFinding(
            int(r["id"]), str(r["category"]), str(r["severity"]), float(r["score"]),
            tuple(json.loads(str(r["standards"]))), namer.redact(str(r["explanation"])),
            str(r["detector"]), r["decision"], msgs[int(r["message_id"])])
            for r in rows if int(r["message_id"]) in msgs]

    def finding(self, finding_id: int, around: int = 3
                ) -> tuple[ShownFinding, list[ShownMessage]]:
        """One finding in scope and the in-scope messages around it in its conversation."""
        self._need(Permission.READ_CONTENT)
        with self.engine.begin() as conn:
            sc = self._scope(conn)
            row = conn.execute(finding_rows(sc).where(t.findings.c.id == finding_id)
                               ).mappings().first()
            if row is None:
                raise ScopeError("no such finding inside the authorised scope")
            found = self._findings(conn, sc, [row])[0]
            found = replace(found, also_in=tuple(copy_references(
                conn, found.message.id, exhibit_ids(conn, self.case_id))))
            context = self._context(conn, sc, found.message, around)
            self._audit(conn, "view.finding", sc, {"finding": [finding_id],
                                                   "message": [m.id for m in context]})
        return found, context

    def _context(self, conn: Connection, sc: scope.Scope, msg: ShownMessage, around: int
                 ) -> list[ShownMessage]:
        seq = conn.scalar(select(t.messages.c.seq).where(t.messages.c.id == msg.id)) or 0
        rows = conn.execute(self._message_query(sc).where(
            t.messages.c.conversation_id == msg.conversation_id,
            t.messages.c.seq.between(seq - around, seq + around)).order_by(t.messages.c.seq)
        ).all()
        return self._render(conn, sc, rows)

    def decide(self, finding_id: int, decision: str, note: str = "") -> None:
        self._need(Permission.DECIDE)
        if decision not in DECISIONS:
            raise ConductLensError(f"decision must be one of {', '.join(DECISIONS)}")
        with self.engine.begin() as conn:
            self._decide_in(conn, self._scope(conn), finding_id, decision, note)

    def _decide_in(self, conn: Connection, sc: scope.Scope, finding_id: int, decision: str,
                   note: str) -> None:
        """Record one decision inside the scope, with its own audit event."""
        inside = conn.scalar(self._finding_query(sc, count=True).where(
            t.findings.c.id == finding_id))
        if not inside:
            raise ScopeError("no such finding inside the authorised scope")
        conn.execute(decisions.insert().values(
            case_id=self.case_id, finding_id=finding_id, decision=decision,
            note=note or None, username=self.user.username, created_at=local_now()))
        self._audit(conn, "review.decide", sc, {"finding": [finding_id]},
                    {"decision": decision})
        if find_case(conn, self.case_id).status == CaseStatus.SCOPE_AUTHORISED:
            set_status(conn, self.case_id, CaseStatus.UNDER_REVIEW, self.user.username)

    # -- conversations, messages, search, export -----------------------------------------------
    def conversation(self, conversation_id: int, *, day_from: date | None = None,
                     day_to: date | None = None, contains: str = "", flagged_only: bool = False,
                     limit: int = 500) -> list[ShownMessage]:
        self._need(Permission.READ_CONTENT)
        with self.engine.begin() as conn:
            sc = self._scope(conn)
            if conversation_id not in sc.conversations:
                raise ScopeError("this conversation is outside the authorised scope")
            query = self._message_query(sc).where(
                t.messages.c.conversation_id == conversation_id)
            query = apply_filters(query, day_from, day_to, flagged_only)
            if contains.strip():  # on the masked text: a hidden name never matches
                shown = [m for m in self._render(conn, sc, conn.execute(
                    query.order_by(t.messages.c.seq)).all())
                    if contains.strip().casefold() in m.text.casefold()][:limit]
            else:
                shown = self._render(conn, sc, conn.execute(
                    query.order_by(t.messages.c.seq).limit(limit)).all())
            self._audit(conn, "view.conversation", sc, {"conversation": [conversation_id],
                                                        "message": [m.id for m in shown]})
        return shown

    def message(self, message_id: int) -> ShownMessage:
        self._need(Permission.READ_CONTENT)
        with self.engine.begin() as conn:
            sc = self._scope(conn)
            rows = conn.execute(self._message_query(sc).where(t.messages.c.id == message_id)).all()
            if not rows:
                raise ScopeError("no such message inside the authorised scope")
            shown = self._render(conn, sc, rows)[0]
            self._audit(conn, "view.message", sc, {"message": [message_id]})
        return shown

    def search(self, query: str, limit: int = 100) -> tuple[list[ShownMessage], int]:
        """Search inside the scope, on the masked text (a hidden name or number never
        matches); also how many messages of the case lie outside the scope (a total for the
        scope, the same whatever the query)."""
        self._need(Permission.READ_CONTENT)
        terms = fts_words(query)
        if not terms:
            return [], 0
        with self.engine.begin() as conn:
            sc = self._scope(conn)
            namer = self._namer(conn, sc.subjects)
            candidates = self._message_query(sc).order_by(t.messages.c.id)
            raw = [w for w in terms if not maybe_pseudonym(w)]
            if raw:  # words a mask cannot add: the raw index narrows the candidates
                candidates = candidates.where(match_clause(conn, raw))
            shown = []
            for part in conn.execute(candidates).partitions(500):
                for m in self._render(conn, sc, part, namer):
                    if set(terms) <= words(m.text):
                        shown.append(m)
                if len(shown) >= limit:
                    break
            shown = shown[:limit]
            outside = self._withheld(conn, sc)
            self._audit(conn, "search", sc, {"message": [m.id for m in shown]},
                        {"terms": len(terms), "withheld": outside})
        return shown, outside

    def _withheld(self, conn: Connection, sc: scope.Scope) -> int:
        total, inside, _ = self._counts(conn, sc)
        return total - inside

    def export_csv(self, recipient: str, purpose: str) -> str:
        """Disclose every in-scope finding and its message as CSV (a recorded disclosure):
        all of them, or a refusal naming how many there are; never a silent first page."""
        self._need(Permission.READ_CONTENT)
        if not recipient.strip() or not purpose.strip():
            raise ConductLensError("an export needs a recipient and a purpose")
        with self.engine.begin() as conn:
            sc = self._scope(conn)
            items = self._all_findings(conn, sc)
            self._audit(conn, "export", sc, {"finding": [f.id for f in items]},
                        {"recipient": recipient.strip(), "purpose": purpose.strip()})
        return findings_csv(items)

    def _all_findings(self, conn: Connection, sc: scope.Scope) -> list[ShownFinding]:
        """Every finding in ``sc``, masked a batch at a time; refuses above ``EXPORT_LIMIT``
        and if any finding could not be shown (an export is all or nothing)."""
        query = ordered(finding_rows(sc), "severity")
        total = int(conn.scalar(select(func.count()).select_from(query.subquery())) or 0)
        if total > EXPORT_LIMIT:
            raise ConductLensError(
                f"this export would hold {total:,} findings, more than the {EXPORT_LIMIT:,} "
                "one file may hold; narrow the scope (dates, conversations or categories)")
        namer = self._namer(conn, sc.subjects)
        items: list[ShownFinding] = []
        for part in conn.execute(query).mappings().partitions(500):
            items += self._findings(conn, sc, part, namer)
        if len(items) != total:
            raise ConductLensError(f"only {len(items):,} of {total:,} findings could be "
                                   "shown; nothing was exported")
        return items

    def timeline(self) -> list[tuple[date, str, int]]:
        """(day, category, findings) inside the scope: counts only."""
        self._need(Permission.READ_CONTENT)
        with self.engine.connect() as conn:
            return self._timeline_kept(conn, self._scope(conn))

    def _timeline_kept(self, conn: Connection, sc: scope.Scope
                       ) -> list[tuple[date, str, int]]:
        return counts.kept(conn, ("timeline", self.case_id, sc.id),
                           lambda: self._timeline(conn, sc))

    def _timeline(self, conn: Connection, sc: scope.Scope) -> list[tuple[date, str, int]]:
        day = func.coalesce(t.messages.c.ts_local, t.messages.c.ts_utc)
        rows = conn.execute(self._finding_query(sc).with_only_columns(
            day, t.findings.c.category).where(scope.finding_once(sc))).all()
        per_day: dict[tuple[date, str], int] = {}
        for when, category in rows:
            if when is not None:
                key = (as_date(when), str(category))
                per_day[key] = per_day.get(key, 0) + 1
        return sorted((d, c, n) for (d, c), n in per_day.items())

    def people(self) -> list[DisplayName]:
        self._need(Permission.READ_CONTENT)
        with self.engine.begin() as conn:
            sc = self._scope(conn)
            shown = self._namer(conn, sc.subjects).identities()
            self._audit(conn, "view.people", sc, {})
        return shown

    def standard10(self) -> standard10.Standard10View:
        """Group dynamics of the in-scope flagged messages (Standard 10): people as the case
        shows them; flagged messages outside the scope only as a total; audited."""
        self._need(Permission.READ_CONTENT)
        with self.engine.begin() as conn:
            sc = self._scope(conn)
            inside = scope.scope_clause(sc)
            view = standard10.build(
                conn, standard10.flagged_in(conn, inside, sc.categories),
                standard10.scoped_texts(conn, inside), self._namer(conn, sc.subjects).name,
                standard10.withheld(conn, inside, exhibit_ids(conn, self.case_id)))
            self._audit(conn, "view.standard10", sc, {"message": view.message_ids},
                        {"withheld": view.withheld})
        return view
