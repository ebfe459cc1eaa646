"""One conversation as the dynamics package sees it: posts in order, people, group events.

Reads ids, senders, times, kinds and reply links only; message text is read separately, and
only for the messages a response window needs (see :mod:`conductlens.dynamics.responses`).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from conductlens.model import SourceRef
from conductlens.store import tables as t


@dataclass(frozen=True, slots=True)
class Post:
    """One message of the conversation (system lines included, with ``kind`` "system")."""

    id: int
    seq: int
    sender: int | None
    when: datetime | None
    kind: str
    reply_to: int | None


@dataclass(frozen=True, slots=True)
class Who:
    """A participant row: ``name`` is how ``export-messages`` shows them; ``key`` is the
    exhibit's own key for them (a JID, a Telegram ``user123``, a Slack id, or the name)."""

    id: int
    name: str
    phone: str | None
    is_owner: bool
    key: str = ""


@dataclass(frozen=True, slots=True)
class GroupEvent:
    """A membership event placed in the message order: ``position`` is the seq of its own
    system line when one matches its source, else just after the last earlier message."""

    id: int
    kind: str
    actor: int | None
    target: int | None
    when: datetime | None
    detail: str | None
    source: str
    position: float
    message_id: int | None


@dataclass(frozen=True, slots=True)
class Flow:
    """Everything about one conversation except its text."""

    conversation_id: int
    exhibit_id: int
    exhibit_reference: str
    title: str
    posts: tuple[Post, ...]
    people: dict[int, Who]
    events: tuple[GroupEvent, ...]

    def index_of(self, message_id: int) -> int:
        """Position of ``message_id`` in :attr:`posts`."""
        for i, post in enumerate(self.posts):
            if post.id == message_id:
                return i
        raise KeyError(message_id)


def naive(when: datetime | None) -> datetime | None:
    """Times compared within one exhibit: wall-clock as stored, zone dropped."""
    return when.replace(tzinfo=None) if when is not None else None


def load_flow(conn: Connection, conversation_id: int) -> Flow:
    """Read one conversation's posts, participants and membership events."""
    m, conv = t.messages.c, t.conversations
    head = conn.execute(
        select(conv.c.exhibit_id, conv.c.title, conv.c.key, t.exhibits.c.reference)
        .join(t.exhibits, t.exhibits.c.id == conv.c.exhibit_id)
        .where(conv.c.id == conversation_id)).one()
    rows = conn.execute(
        select(m.id, m.seq, m.sender_id, m.ts_local, m.ts_utc, m.kind, m.reply_to_id,
               m.src_path, m.src_line, m.src_line_end, m.src_offset, m.src_table, m.src_row,
               m.src_pointer)
        .where(m.conversation_id == conversation_id).order_by(m.seq)).all()
    posts = tuple(Post(r.id, r.seq, r.sender_id, naive(r.ts_local or r.ts_utc), r.kind,
                       r.reply_to_id) for r in rows)
    by_source = {_describe(r): (r.seq, r.id) for r in rows if r.kind == "system"}
    people = _people(conn, head.exhibit_id)
    events = _events(conn, conversation_id, posts, by_source)
    return Flow(conversation_id, head.exhibit_id, head.reference, head.title or head.key,
                posts, people, events)


def _describe(r: object) -> str:
    m = r._mapping  # type: ignore[attr-defined]
    return SourceRef(m["src_path"] or "", m["src_line"], m["src_line_end"], m["src_offset"],
                     m["src_table"], m["src_row"], m["src_pointer"]).describe()


def _people(conn: Connection, exhibit_id: int) -> dict[int, Who]:
    p = t.participants.c
    rows = conn.execute(select(p.id, p.key, p.name, p.phone, p.is_owner)
                        .where(p.exhibit_id == exhibit_id)).all()
    return {r.id: Who(r.id, r.name if r.name is not None else r.key, r.phone, bool(r.is_owner),
                      r.key) for r in rows}


def _events(conn: Connection, conversation_id: int, posts: tuple[Post, ...],
            by_source: dict[str, tuple[int, int]]) -> tuple[GroupEvent, ...]:
    e = t.membership_events.c
    rows = conn.execute(select(t.membership_events).where(e.conversation_id == conversation_id)
                        .order_by(e.seq, e.id)).all()
    times = [(p.when, p.seq) for p in posts if p.when is not None]
    keys = [w for w, _ in times]
    out = []
    for r in rows:
        when = naive(r.ts_local or r.ts_utc)
        matched = by_source.get(r.source)
        if matched is not None:
            position, mid = float(matched[0]), matched[1]
        else:
            at = bisect_right(keys, when) if when is not None else 0
            position, mid = (times[at - 1][1] + 0.5 if at else 0.5), None
        out.append(GroupEvent(r.id, r.kind, r.actor_id, r.target_id, when, r.detail, r.source,
                              position, mid))
    return tuple(sorted(out, key=lambda g: (g.position, g.id)))


def conversations_of(conn: Connection, message_ids: list[int]) -> dict[int, int]:
    """message id -> conversation id, for the ids that exist."""
    rows = conn.execute(select(t.messages.c.id, t.messages.c.conversation_id)
                        .where(t.messages.c.id.in_(message_ids)))
    return {int(i): int(c) for i, c in rows}

