"""``QueueTools``: what a reviewer does to findings beyond deciding them: tags with comments,
escalation to a named member of the case team for a second review, and the sender's other
findings inside the scope.

A ``ReviewSession`` mixin of ``CaseDoor``: each write checks the role, the case team and
that every finding it touches lies inside the authorised scope (one outside refuses the
lot), and writes its audit event in the same transaction. What it reads back (tags in
force) are the reviewers' own words about findings the page already shows, never message
content.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine

from conductlens.errors import ConductLensError, ScopeError
from conductlens.review import escalations, scope, tags
from conductlens.review import queue as q
from conductlens.review.access import Forbidden
from conductlens.review.accounts import User
from conductlens.review.pseudonyms import DisplayName, Namer
from conductlens.review.queue import DECISIONS
from conductlens.review.queue_session import QueueSession
from conductlens.review.roles import Permission, allows
from conductlens.store import tables as t

P = Permission
SENDER_LIMIT = 20


@dataclass(frozen=True, slots=True)
class OtherFinding:
    """One more finding of the same sender: what it is, never what the message says."""

    id: int
    category: str
    severity: str
    when: datetime | None
    decision: str | None


@dataclass(frozen=True, slots=True)
class SenderFindings:
    sender: DisplayName
    items: list[OtherFinding]  # the first ``SENDER_LIMIT`` in time order
    total: int  # all of them inside the scope


class QueueTools(QueueSession):
    """Tags and escalations on one case's findings, for one user."""

    def _inside(self, conn: Connection, sc: scope.Scope, finding_ids: list[int]) -> None:
        """Refuse unless every one of ``finding_ids`` is a finding inside ``sc``."""
        found = conn.scalar(self._finding_query(sc, count=True).where(
            t.findings.c.id.in_(finding_ids))) or 0
        if int(found) != len(finding_ids):
            raise ScopeError("no such finding inside the authorised scope")

    def _kept(self, conn: Connection, sc: scope.Scope, finding_ids: Iterable[int]) -> set[int]:
        """Those of ``finding_ids`` that are findings inside ``sc``."""
        ids = sorted({int(i) for i in finding_ids})
        return set(conn.scalars(self._finding_query(sc).with_only_columns(
            t.findings.c.id).where(t.findings.c.id.in_(ids)))) if ids else set()

    def tag_choices(self) -> list[str]:
        """The tags a reviewer may put on a finding (the standard three and the force's)."""
        self._need(P.READ_CONTENT)
        with self.engine.connect() as conn:
            self._open(conn)
            return tags.known(conn)

    def tag(self, finding_ids: Iterable[int], tag: str, comment: str = "") -> int:
        """Put ``tag`` (with ``comment``) on each finding; all or none; one audit event
        naming every finding tagged."""
        self._need(P.DECIDE)
        ids = list(dict.fromkeys(int(i) for i in finding_ids))
        if not ids:
            return 0
        with self.engine.begin() as conn:
            sc = self._scope(conn)
            name = tags.require_known(conn, tag)
            self._inside(conn, sc, ids)
            tags.add(conn, self.case_id, ids, name, comment, self.user.username)
            self._audit(conn, "review.tag", sc, {"finding": ids},
                        {"tag": name, "comment": bool(comment.strip())})
        return len(ids)

    def untag(self, finding_id: int, tag: str) -> None:
        """Take ``tag`` off a finding (its row is kept, marked removed); audited."""
        self._need(P.DECIDE)
        with self.engine.begin() as conn:
            sc = self._scope(conn)
            self._inside(conn, sc, [finding_id])
            name = " ".join(tag.split()).casefold()
            if not tags.remove(conn, self.case_id, finding_id, name, self.user.username):
                raise ConductLensError(f"finding {finding_id} is not tagged {name!r}")
            self._audit(conn, "review.untag", sc, {"finding": [finding_id]}, {"tag": name})

    def tags_of(self, finding_ids: Iterable[int]) -> dict[int, list[tags.FindingTag]]:
        """The tags in force on findings inside the scope (others are left out)."""
        self._need(P.READ_CONTENT)
        with self.engine.connect() as conn:
            sc = self._scope(conn)
            return tags.in_force(conn, self.case_id, self._kept(conn, sc, finding_ids))

    # -- escalation ----------------------------------------------------------------------------
    def escalation_choices(self) -> list[tuple[str, str, str]]:
        """(username, name, role) of the team members this user may escalate to (nobody,
        for a role that may not escalate)."""
        if not allows(self.user.role, P.ESCALATE):
            return []
        with self.engine.connect() as conn:
            self._open(conn)
            return [(m.username, m.display_name, m.role) for m in escalations.reviewers(
                conn, self.case_id, self.user.username)]

    def escalate(self, finding_id: int, to_username: str, note: str) -> int:
        """Send a finding inside the scope to a named reviewer or supervisor on the case
        team, with a note; audited (the note stays out of the log)."""
        self._need(P.ESCALATE)
        with self.engine.begin() as conn:
            sc = self._scope(conn)
            self._inside(conn, sc, [finding_id])
            eid = escalations.escalate(conn, self.case_id, finding_id, to_username, note,
                                       self.user.username)
            self._audit(conn, "review.escalate", sc, {"finding": [finding_id]},
                        {"to": to_username, "escalation": eid})
        return eid

    def second_review(self, finding_id: int, decision: str, note: str = "") -> None:
        """Record the second review of a finding escalated to this user: its decision and
        note close the escalation; audited."""
        self._need(P.READ_CONTENT)
        if decision not in DECISIONS:
            raise ConductLensError(f"decision must be one of {', '.join(DECISIONS)}")
        with self.engine.begin() as conn:
            sc = self._scope(conn)
            self._inside(conn, sc, [finding_id])
            eid = escalations.record_review(conn, self.case_id, finding_id,
                                            self.user.username, decision, note)
            self._audit(conn, "review.second_review", sc, {"finding": [finding_id]},
                        {"decision": decision, "escalation": eid})

    def escalations_of(self, finding_ids: Iterable[int]
                       ) -> dict[int, list[escalations.Escalation]]:
        """The escalations of findings inside the scope (others are left out)."""
        self._need(P.READ_CONTENT)
        with self.engine.connect() as conn:
            sc = self._scope(conn)
            inside = self._kept(conn, sc, finding_ids)
            return escalations.of_findings(conn, self.case_id, inside)

    # -- the sender's other findings -----------------------------------------------------------
    def sender_findings(self, finding_id: int, limit: int = SENDER_LIMIT) -> SenderFindings:
        """The other findings inside the scope whose sender is shown as this finding's
        (the queue's sender filter, so the counts agree); audited with those listed."""
        self._need(P.READ_CONTENT)
        f, m = t.findings, t.messages
        with self.engine.begin() as conn:
            sc = self._scope(conn)
            here, _ = q.base(sc, [m.c.sender_id, f.c.id])
            row = conn.execute(here.where(f.c.id == finding_id)).first()
            if row is None:
                raise ScopeError("no such finding inside the authorised scope")
            namer = Namer(conn, self.case_id, sc.subjects)
            sender = namer.name(row[0])
            if row[0] is None:
                return SenderFindings(sender, [], 0)
            # The queue's own sender filter, in time order: its order is kept (``_order``).
            order = self._order(conn, sc, namer, q.QueueFilter(
                sender=sender.label, sort="time", grouped=False, low=True), False).ids
            wanted = [i for i in order[:limit + 1] if i != finding_id][:limit]
            total = len(order) - (1 if finding_id in order else 0)
            query, latest = q.base(sc, [f.c.id, f.c.category, f.c.severity, q.SENT])
            found = {int(r[0]): r for r in conn.execute(query.add_columns(
                latest.c.decision).where(f.c.id.in_(wanted)))} if wanted else {}
            items = [OtherFinding(i, str(found[i][1]), str(found[i][2]), found[i][3],
                                  found[i][4]) for i in wanted if i in found]
            if items:
                self._audit(conn, "view.sender_findings", sc,
                            {"finding": [x.id for x in items]}, {"of": finding_id})
        return SenderFindings(sender, items, total)


def force_tags(engine: Engine, user: User) -> list[tuple[str, bool]]:
    """Every tag, each with whether the force added it (the standard three cannot go)."""
    _need(user, P.DEFINE_TAGS)
    with engine.connect() as conn:
        return [(name, name not in tags.STANDARD_TAGS) for name in tags.known(conn)]


def define_force_tag(engine: Engine, user: User, name: str) -> str:
    """Add a tag name every case of the force may use (admins and supervisors); audited."""
    _need(user, P.DEFINE_TAGS)
    with engine.begin() as conn:
        return tags.define(conn, name, user.username)


def _need(user: User, permission: Permission) -> None:
    if not allows(user.role, permission):
        raise Forbidden(f"{user.role} may not {permission.value}")
