"""Engagement evidence the store holds: reactions (who, emoji, when) and replies.

Each piece names its source row: a reaction by its ``reactions`` id (and the exhibit row it
came from, in ``source``), a reply by its message id, a read receipt by its exhibit row
(``receipt_user#12``). Receipts exist only where the exhibit is the sender's own phone (Android
``receipt_user`` / ``receipt_device``), so "read" is shown where they exist and claimed nowhere
else.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from conductlens.dynamics.flow import Flow, naive
from conductlens.dynamics.membership import Roster
from conductlens.store import tables as t


@dataclass(frozen=True, slots=True)
class Reaction:
    """One reaction row: ``source`` is where the exhibit holds it (e.g. ``message_add_on#4``)."""

    id: int
    message_id: int
    sender: int | None
    emoji: str
    when: datetime | None
    source: str


def reactions_to(conn: Connection, message_ids: list[int]) -> dict[int, list[Reaction]]:
    """The reactions to each message, oldest first."""
    r = t.reactions.c
    out: dict[int, list[Reaction]] = {}
    if not message_ids:
        return out
    rows = conn.execute(select(t.reactions).where(r.message_id.in_(message_ids))
                        .order_by(r.ts_utc, r.ts_local, r.id))
    for row in rows:
        out.setdefault(int(row.message_id), []).append(Reaction(
            row.id, row.message_id, row.sender_id, row.emoji,
            naive(row.ts_local or row.ts_utc), row.source))
    return out


def conversation_reactions(conn: Connection, conversation_id: int) -> list[Reaction]:
    """Every reaction in a conversation that points at a stored message."""
    r = t.reactions.c
    rows = conn.execute(select(t.reactions).where(r.conversation_id == conversation_id,
                                                  r.message_id.is_not(None)).order_by(r.id))
    return [Reaction(row.id, row.message_id, row.sender_id, row.emoji,
                     naive(row.ts_local or row.ts_utc), row.source) for row in rows]


@dataclass(frozen=True, slots=True)
class ReadReceipt:
    """A receipt row saying ``recipient`` read ``message_id`` (``when``), from ``source``."""

    id: int
    message_id: int
    recipient: int | None
    when: datetime | None
    source: str


def conversation_reads(conn: Connection, conversation_id: int) -> dict[int, list[ReadReceipt]]:
    """Per message, the receipts that record a read (or a play), oldest first."""
    r = t.receipts.c
    rows = conn.execute(select(t.receipts).where(
        r.conversation_id == conversation_id, r.message_id.is_not(None),
        r.read_utc.is_not(None) | r.played_utc.is_not(None)).order_by(r.id))
    out: dict[int, list[ReadReceipt]] = {}
    for row in rows:
        out.setdefault(int(row.message_id), []).append(ReadReceipt(
            row.id, row.message_id, row.recipient_id, naive(row.read_utc or row.played_utc),
            row.source))
    return out


@dataclass(frozen=True, slots=True)
class Edge:
    """``source`` replied to or reacted to ``target`` ``count`` times."""

    source: int
    target: int
    kind: str  # "reply" or "reaction"
    count: int


def participation(flow: Flow, roster: Roster, reactions: list[Reaction]) -> list[Edge]:
    """Who replies to and reacts to whom (members, not rows), most frequent first."""
    author = {p.id: roster.member_of(p.sender) for p in flow.posts}
    counts: Counter[tuple[int, int, str]] = Counter()
    for p in flow.posts:
        if p.reply_to is not None:
            _count(counts, roster.member_of(p.sender), author.get(p.reply_to), "reply")
    for r in reactions:
        _count(counts, roster.member_of(r.sender), author.get(r.message_id), "reaction")
    return [Edge(s, d, k, n) for (s, d, k), n in counts.most_common()]


def _count(counts: Counter[tuple[int, int, str]], src: int | None, dst: int | None,
           kind: str) -> None:
    if src is not None and dst is not None and src != dst:
        counts[(src, dst, kind)] += 1
