"""The people of a case as a reviewer sees them: how much each said and was flagged for
inside the scope, when, and their membership of the scope's groups.

``PeopleReader`` extends ``ReviewSession`` (part of the one door). Everything counted is
inside the scope (``scope.scope_clause``, and the scope's categories for findings); people
are shown through the case's ``Namer`` (pseudonyms), several participant rows shown under
one name are one person here; membership comes from the exhibits' own membership events in
the scope's conversations and days (a phone's undated member table rows included), and
admin status only where the store records it. No message text is read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from conductlens.review import register, scope
from conductlens.review.access import ReviewSession
from conductlens.review.message_details import within_days
from conductlens.review.pseudonyms import DisplayName, Namer
from conductlens.review.roles import Permission
from conductlens.store import tables as t
from conductlens.store.groups import exhibits_of

JOINING = {"created", "added", "joined", "joined_by_link"}
LEAVING = {"left", "removed"}


@dataclass(frozen=True, slots=True)
class Period:
    """A stretch of membership of one group; None ends are not recorded."""

    conversation: int
    start: datetime | None
    end: datetime | None
    how: str  # the event that opened it ("added", "joined", "member table", ...)


@dataclass
class PersonInCase:
    shown: DisplayName
    messages: int = 0
    findings: int = 0
    first: datetime | None = None
    last: datetime | None = None
    periods: list[Period] = field(default_factory=list)
    admin: list[str] = field(default_factory=list)  # what the store says, as it says it
    # For a person shown by name: where each register link came from (exhibit: how).
    linked_by: list[str] = field(default_factory=list)


def _subject(kind: str, actor: int | None, target: int | None) -> int | None:
    if kind in ("added", "removed") and target is not None:
        return target
    return actor if actor is not None else target


def _bounds(a: datetime | None, b: datetime | None, low: bool) -> datetime | None:
    known = [x for x in (a, b) if x is not None]
    return (min(known) if low else max(known)) if known else None


class PeopleReader(ReviewSession):
    """Who takes part in a case (see the module's docstring)."""

    def people_overview(self) -> list[PersonInCase]:
        """Every participant of the case once, as shown, with in-scope counts and times,
        membership periods and admin status; audited."""
        self._need(Permission.READ_CONTENT)
        with self.engine.begin() as conn:
            sc = self._scope(conn)
            namer = Namer(conn, self.case_id, sc.subjects)
            people: dict[str, PersonInCase] = {}

            def person(pid: int | None) -> PersonInCase:
                shown = namer.name(pid)
                return people.setdefault(shown.label, PersonInCase(shown))

            pids = conn.scalars(select(t.participants.c.id).where(
                t.participants.c.exhibit_id.in_(exhibits_of(self.case_id))))
            for pid in pids:
                person(int(pid))
            self._links(conn, namer, person)
            self._count(conn, sc, person)
            self._membership(conn, sc, person)
            shown = sorted(people.values(), key=lambda p: (p.shown.kind, p.shown.label))
            self._audit(conn, "view.people", sc, {})
        return shown

    def _links(self, conn: Connection, namer: Namer, person: Any) -> None:
        """Link sources for participants shown by name only: for a pseudonym, saying it is
        linked to the register would say it is a member of staff."""
        ids = list(conn.scalars(select(t.exhibits.c.id)
                                .where(t.exhibits.c.id.in_(exhibits_of(self.case_id)))))
        for source in register.link_sources(conn, exhibit_ids=[int(i) for i in ids]):
            if not namer.name(source.participant_id).masked:
                person(source.participant_id).linked_by.append(
                    f"{source.exhibit}: {source.how}")

    def _count(self, conn: Connection, sc: scope.Scope, person: Any) -> None:
        m, f = t.messages.c, t.findings.c
        when = func.coalesce(m.ts_local, m.ts_utc)
        rows = conn.execute(select(m.sender_id, func.count(), func.min(when), func.max(when))
                            .where(scope.scope_clause(sc), m.sender_id.is_not(None))
                            .group_by(m.sender_id))
        for pid, count, first, last in rows:
            p = person(int(pid))
            p.messages += int(count)
            p.first, p.last = _bounds(p.first, first, True), _bounds(p.last, last, False)
        found = (select(m.sender_id, func.count(f.id)).select_from(
            t.findings.join(t.messages, t.messages.c.id == f.message_id))
            .where(scope.scope_clause(sc), scope.finding_once(sc), m.sender_id.is_not(None))
            .group_by(m.sender_id))
        if sc.categories:
            found = found.where(f.category.in_(sc.categories))
        for pid, count in conn.execute(found):
            person(int(pid)).findings += int(count)

    def _membership(self, conn: Connection, sc: scope.Scope, person: Any) -> None:
        e = t.membership_events.c
        rows = conn.execute(select(e.kind, e.actor_id, e.target_id, e.ts_local, e.ts_utc,
                                   e.detail, e.conversation_id)
                            .where(e.conversation_id.in_(sc.conversations),
                                   e.exhibit_id.in_(exhibits_of(self.case_id)),
                                   within_days(e.ts_local, e.ts_utc, sc.date_from,
                                                sc.date_to))
                            .order_by(e.conversation_id, e.ts_utc, e.ts_local, e.seq))
        for kind, actor, target, local, utc, detail, conv in rows:
            who = _subject(str(kind), actor, target)
            if who is None:
                continue
            _apply(person(int(who)), str(kind), local or utc, detail, int(conv))


def _apply(p: PersonInCase, kind: str, when: datetime | None, detail: str | None,
           conversation: int) -> None:
    """One membership event onto a person's periods and admin status."""
    if kind in JOINING or (kind == "member" and when is not None):
        p.periods.append(Period(conversation, when, None, kind.replace("_", " ")))
    elif kind in LEAVING or (kind == "past_member" and when is not None):
        open_ = [i for i, x in enumerate(p.periods)
                 if x.conversation == conversation and x.end is None]
        if open_:
            i = open_[-1]
            p.periods[i] = Period(conversation, p.periods[i].start, when, p.periods[i].how)
        else:  # a leave with no recorded arrival: a member from before the record starts
            p.periods.append(Period(conversation, None, when, "before the record starts"))
    elif kind == "member":
        p.periods.append(Period(conversation, None, None, "listed in the member table"))
    if kind == "admin_changed":
        p.admin.append(f"admin change recorded{' ' + when.strftime('%d %b %Y') if when else ''}")
    if kind == "member" and detail and _says_admin(detail.split(";")):
        p.admin.append(f"member table: {detail}")


def _says_admin(parts: Iterable[str]) -> bool:
    return any(x.strip() in ("admin", "rank=admin", "rank=creator") for x in parts)
