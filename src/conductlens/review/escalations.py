"""Escalations: a finding sent to a named member of the case team for a second review.

A finding is escalated to one investigator or supervisor on the case team (not the person
escalating) with a note; it stays "escalated" until that person records a second review
with its own decision and note. One escalation is open on a finding at a time; a reviewed
one may be followed by another. Only ``CaseDoor`` calls the writers here, with the scope
checked and the audit event written in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, exists, insert, select, update

from conductlens.errors import ConductLensError
from conductlens.review import teams
from conductlens.review._ids import inserted_id
from conductlens.review._shaping import local_now
from conductlens.review.roles import CASE_TEAM_ROLES
from conductlens.store import tables as t
from conductlens.store.tables_review import escalations

ESCALATED, REVIEWED = "escalated", "reviewed"
# The queue's escalation filter: "" (any), or one of these.
FILTERS = {"to_me": "escalated to me", "open": "awaiting a second review",
           "reviewed": "second review done"}


@dataclass(frozen=True, slots=True)
class Escalation:
    id: int
    finding_id: int
    to_username: str
    note: str
    status: str
    escalated_by: str
    escalated_at: datetime
    reviewed_at: datetime | None
    review_decision: str | None
    review_note: str

    @property
    def open(self) -> bool:
        return self.status == ESCALATED


def _row(r: object) -> Escalation:
    m = r._mapping  # type: ignore[attr-defined]
    return Escalation(int(m["id"]), int(m["finding_id"]), str(m["to_username"]),
                      str(m["note"]), str(m["status"]), str(m["escalated_by"]),
                      m["escalated_at"], m["reviewed_at"], m["review_decision"],
                      str(m["review_note"] or ""))


def of_findings(conn: Connection, case_id: int, finding_ids: Iterable[int]
                ) -> dict[int, list[Escalation]]:
    """Each finding's escalations, oldest first."""
    ids = sorted(set(finding_ids))
    out: dict[int, list[Escalation]] = {}
    if ids:
        for r in conn.execute(select(escalations).where(
                escalations.c.case_id == case_id, escalations.c.finding_id.in_(ids))
                .order_by(escalations.c.id)):
            out.setdefault(int(r.finding_id), []).append(_row(r))
    return out


def reviewers(conn: Connection, case_id: int, actor: str) -> list[teams.Member]:
    """Who ``actor`` may escalate to: investigators and supervisors on the case team
    whose accounts are confirmed, less ``actor``."""
    roles = {r.value for r in CASE_TEAM_ROLES}
    return [m for m in teams.members(conn, case_id)
            if m.role in roles and m.username != actor and not m.unconfirmed]


def escalate(conn: Connection, case_id: int, finding_id: int, to_username: str, note: str,
             actor: str) -> int:
    """Open an escalation of ``finding_id`` to ``to_username`` (the caller has checked the
    finding lies inside the scope)."""
    if to_username not in {m.username for m in reviewers(conn, case_id, actor)}:
        raise ConductLensError(f"{to_username[:64]!r} is not a reviewer on this case's team "
                               "you may escalate to")
    if len(note.strip()) < 5:
        raise ConductLensError("say why you escalate (a note of at least 5 characters)")
    current = of_findings(conn, case_id, [finding_id]).get(finding_id, [])
    if any(e.open for e in current):
        raise ConductLensError(f"finding {finding_id} is already awaiting a second review")
    return inserted_id(conn.execute(insert(escalations).values(
        case_id=case_id, finding_id=finding_id, to_username=to_username, note=note.strip(),
        status=ESCALATED, escalated_by=actor, escalated_at=local_now())))


def record_review(conn: Connection, case_id: int, finding_id: int, reviewer: str,
                  decision: str, note: str) -> int:
    """Close the escalation of ``finding_id`` to ``reviewer`` with a decision and note."""
    mine = [e for e in of_findings(conn, case_id, [finding_id]).get(finding_id, [])
            if e.open and e.to_username == reviewer]
    if not mine:
        raise ConductLensError(f"finding {finding_id} is not awaiting your second review")
    conn.execute(update(escalations).where(escalations.c.id == mine[0].id).values(
        status=REVIEWED, reviewed_at=local_now(), review_decision=decision,
        review_note=note.strip() or None))
    return mine[0].id


def queue_clause(case_id: int, which: str, username: str) -> ColumnElement[bool]:
    """A queue condition for the escalation filter ``which`` (a key of ``FILTERS``)."""
    c = escalations.c
    conds = [c.case_id == case_id, c.finding_id == t.findings.c.id]
    if which == "to_me":
        conds += [c.status == ESCALATED, c.to_username == username]
    elif which == "open":
        conds.append(c.status == ESCALATED)
    else:
        conds.append(c.status == REVIEWED)
    return exists().where(*conds)
