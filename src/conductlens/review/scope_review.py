"""What a scope would expose, shown to the supervisor who decides it; known categories.

A supervisor authorises what they can see: the subjects (who will be shown by name), the
conversations by name, the days, the participants those conversations hold in those days
(subjects by name, everyone else by pseudonym) and how many messages and findings the scope
opens to review.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import Connection, func, select

from conductlens.review import cases, counts
from conductlens.review.pseudonyms import Namer
from conductlens.review.scope import Scope, scope_clause
from conductlens.store import tables as t


@dataclass(frozen=True, slots=True)
class ScopeReview:
    subjects: tuple[str, ...]  # "Name (staff number)"
    conversations: tuple[str, ...]
    participants: tuple[str, ...]  # as the reviewers would see them
    messages: int
    findings: int


@cache
def _policy_categories() -> frozenset[str]:
    from conductlens.detect.policy import load_policy

    return frozenset(c.id for c in load_policy().categories)


def known_categories(conn: Connection, case_id: int) -> set[str]:
    """The baseline policy's categories and any a finding of the case carries."""
    found = counts.kept(conn, ("categories", case_id), lambda: sorted(conn.scalars(
        select(t.findings.c.category).distinct().where(
            t.findings.c.exhibit_id.in_(cases.exhibit_ids(conn, case_id))))))
    return set(_policy_categories()) | {str(c) for c in found}


def review_scope(conn: Connection, sc: Scope) -> ScopeReview:
    """What ``sc`` would expose if authorised."""
    names = {pid: f"{name} ({staff})" for pid, staff, name in cases.subjects(conn, sc.case_id)}
    namer = Namer(conn, sc.case_id, sc.subjects)
    titles = {c.id: namer.redact(c.title) for c in cases.conversations(conn, sc.case_id)}
    inside = scope_clause(sc)
    senders = conn.scalars(select(t.messages.c.sender_id).distinct().where(
        inside, t.messages.c.sender_id.is_not(None)))
    shown = sorted({namer.name(int(s)).label for s in senders})
    messages = conn.scalar(select(func.count()).where(inside)) or 0
    found = select(func.count()).select_from(t.findings.join(
        t.messages, t.messages.c.id == t.findings.c.message_id)).where(inside)
    if sc.categories:
        found = found.where(t.findings.c.category.in_(sc.categories))
    return ScopeReview(tuple(names.get(s, f"person {s}") for s in sc.subjects),
                       tuple(titles.get(c, f"conversation {c}") for c in sc.conversations),
                       tuple(shown), int(messages), int(conn.scalar(found) or 0))
