"""Exhibits in cases, and one conversation held by several exhibits.

An exhibit belongs to every case it is linked to in ``case_exhibits`` (the same phone is
often evidence in several inquiries). A conversation is the same as one in another exhibit
when a sample of its messages is found there too (a phone database and its text export, or
the phones of several members of one group): :func:`link_conversations` records it at
ingest, and :func:`people_across_exhibits` says which participants are one person, so that
the review can give them one pseudonym and count shared messages once.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, and_, func, insert, or_, select, union

from conductlens.store import tables as t

SAMPLE = 50  # distinct texts sampled from a conversation to look for elsewhere
MIN_TEXT = 12  # shorter texts ("ok", "lol") say nothing about which chat they came from
SAME_SHARE = 0.6  # share of the sample found in another conversation to call it the same


def exhibits_of(case_id: Any) -> Any:
    """The ids of the exhibits of case ``case_id`` (a value or a column): those linked to it,
    and those filed under it as their first case (rows written before links existed)."""
    ce = t.case_exhibits
    return union(select(ce.c.exhibit_id).where(ce.c.case_id == case_id),
                 select(t.exhibits.c.id).where(t.exhibits.c.case_id == case_id))


def link_case(conn: Connection, case_id: int, exhibit_id: int, added_by: str) -> bool:
    """Link an exhibit to a case; False when it was linked already."""
    ce = t.case_exhibits
    linked = conn.scalar(select(ce.c.id).where(ce.c.case_id == case_id,
                                               ce.c.exhibit_id == exhibit_id))
    if linked is not None:
        return False
    conn.execute(insert(ce).values(case_id=case_id, exhibit_id=exhibit_id, added_by=added_by,
                                   added_at=datetime.now(UTC)))
    first = t.exhibits.update().where(t.exhibits.c.id == exhibit_id,
                                      t.exhibits.c.case_id.is_(None))
    conn.execute(first.values(case_id=case_id))
    return True


def cases_of(conn: Connection, exhibit_id: int) -> list[str]:
    """References of the cases an exhibit is evidence in, oldest link first."""
    ce = t.case_exhibits
    return list(conn.scalars(
        select(t.cases.c.reference).join(ce, ce.c.case_id == t.cases.c.id)
        .where(ce.c.exhibit_id == exhibit_id).order_by(ce.c.id)))


def _sample(conn: Connection, conversation_id: int) -> list[str]:
    m = t.messages.c
    return list(conn.scalars(
        select(m.text).where(m.conversation_id == conversation_id, m.kind != "system",
                             func.length(m.text) >= MIN_TEXT)
        .group_by(m.text).order_by(func.min(m.seq)).limit(SAMPLE)))


def link_conversations(conn: Connection, exhibit_id: int) -> int:
    """Record which of this exhibit's conversations other exhibits also hold; returns links."""
    made = 0
    m = t.messages.c
    for conversation_id in conn.scalars(
        select(t.conversations.c.id).where(t.conversations.c.exhibit_id == exhibit_id)
    ):
        texts = _sample(conn, conversation_id)
        if len(texts) < 3:
            continue
        found = conn.execute(
            select(m.conversation_id, func.count(func.distinct(m.text)))
            .where(m.text.in_(texts), m.exhibit_id != exhibit_id).group_by(m.conversation_id)
        ).all()
        for other, shared in found:
            if shared >= SAME_SHARE * len(texts):
                for a, b in ((conversation_id, other), (other, conversation_id)):
                    conn.execute(insert(t.conversation_links).values(
                        conversation_id=a, same_as_id=b, shared=int(shared), sampled=len(texts)))
                made += 1
    return made


def also_in(conn: Connection, exhibit_id: int) -> list[str]:
    """References of other exhibits holding a conversation this one holds."""
    mine, theirs = _MINE, _THEIRS
    cl = t.conversation_links
    return list(conn.scalars(
        select(t.exhibits.c.reference).distinct()
        .join(theirs, theirs.c.exhibit_id == t.exhibits.c.id)
        .join(cl, cl.c.same_as_id == theirs.c.id)
        .join(mine, mine.c.id == cl.c.conversation_id)
        .where(mine.c.exhibit_id == exhibit_id).order_by(t.exhibits.c.reference)))


def same_conversations(conn: Connection, conversation_ids: list[int]) -> dict[int, int]:
    """Each conversation mapped to the lowest id of its group across exhibits."""
    cl = t.conversation_links
    parent = {c: c for c in conversation_ids}
    pairs = conn.execute(select(cl.c.conversation_id, cl.c.same_as_id).where(
        or_(cl.c.conversation_id.in_(conversation_ids), cl.c.same_as_id.in_(conversation_ids))
    )).all()
    for a, b in pairs:
        parent.setdefault(a, a)
        parent.setdefault(b, b)
    for a, b in sorted(pairs):  # union-find by lowest id; the groups are small
        ra, rb = _root(parent, a), _root(parent, b)
        parent[max(ra, rb)] = min(ra, rb)
    return {c: _root(parent, c) for c in conversation_ids}


def _root(parent: dict[int, int], c: int) -> int:
    while parent[c] != c:
        c = parent[c]
    return c


def people_across_exhibits(conn: Connection, exhibit_ids: list[int]) -> dict[int, str]:
    """Participant id -> one key per person across the given exhibits.

    Two participants of linked conversations are one person when they share a phone number,
    else when they are shown under the same name (case and spacing ignored). Everyone else
    keeps a key of their own. The door gives one pseudonym per key.
    """
    p = t.participants.c
    rows = conn.execute(select(p.id, p.exhibit_id, p.phone, p.name, p.key, p.is_owner)
                        .where(p.exhibit_id.in_(exhibit_ids))).all()
    linked = _linked_exhibits(conn, exhibit_ids)
    seen: dict[tuple[int, str], tuple[str, set[int]]] = {}  # (group, phone or name) -> person
    out: dict[int, str] = {}
    for pid, exhibit, phone, name, key, _owner in sorted(rows, key=lambda r: r[0]):
        group = linked.get(int(exhibit), int(exhibit))
        marks = [(group, f"name:{' '.join(str(name or key).casefold().split())}")]
        if phone:
            marks.insert(0, (group, f"phone:{phone}"))
        # Never merge two people of one exhibit: its own keys already tell them apart.
        found = [seen[m] for m in marks if m in seen and int(exhibit) not in seen[m][1]]
        person = found[0][0] if found else f"person:{pid}"
        for mark in marks:
            entry = seen.setdefault(mark, (person, set()))
            if entry[0] == person:
                entry[1].add(int(exhibit))
        out[int(pid)] = person
    return out


# Built once: an alias copies every column and foreign key (a tenth of a second a page).
_MINE = t.conversations.alias("mine")
_THEIRS = t.conversations.alias("theirs")


def _linked_exhibits(conn: Connection, exhibit_ids: list[int]) -> dict[int, int]:
    """Each exhibit mapped to the lowest exhibit id it shares a conversation with."""
    mine, theirs = _MINE, _THEIRS
    cl = t.conversation_links
    pairs = conn.execute(
        select(mine.c.exhibit_id, theirs.c.exhibit_id)
        .join(cl, cl.c.conversation_id == mine.c.id)
        .join(theirs, and_(theirs.c.id == cl.c.same_as_id))
        .where(mine.c.exhibit_id.in_(exhibit_ids), theirs.c.exhibit_id.in_(exhibit_ids))
    ).all()
    parent: dict[int, int] = defaultdict(int)
    for e in exhibit_ids:
        parent[e] = e
    for a, b in sorted(pairs):
        ra, rb = _root(parent, a), _root(parent, b)
        parent[max(ra, rb)] = min(ra, rb)
    return {e: _root(parent, e) for e in exhibit_ids}


def copies_of_messages(conn: Connection, exhibit_ids: list[int]) -> dict[int, int]:
    """Message id -> id of the first copy of the same message in another exhibit.

    Only messages of linked conversations are compared: by the platform's key where both
    copies have one, else by person, minute and text (a text export has no keys and no
    seconds). The first copy (lowest exhibit id) maps to nothing; every copy keeps its own
    provenance, so review can show a finding once and say where else it is.
    """
    return {c.message_id: c.first_id for c in _copies(conn, exhibit_ids)}


class _Copy(NamedTuple):
    message_id: int
    exhibit_id: int
    first_id: int
    first_conversation_id: int


def _copies(conn: Connection, exhibit_ids: list[int]) -> list[_Copy]:
    m = t.messages.c
    conversation_ids = list(conn.scalars(select(t.conversations.c.id).where(
        t.conversations.c.exhibit_id.in_(exhibit_ids))))
    groups = same_conversations(conn, conversation_ids)
    shared = [c for c in conversation_ids if any(
        g == groups[c] and o != c for o, g in groups.items())]
    if not shared:
        return []
    people = people_across_exhibits(conn, exhibit_ids)
    first: dict[tuple[object, ...], tuple[int, int, int]] = {}
    copies: list[_Copy] = []
    rows = conn.execute(
        select(m.id, m.exhibit_id, m.conversation_id, m.sender_id, m.ts_local, m.text,
               m.platform_key, m.kind)
        .where(m.conversation_id.in_(shared)).order_by(m.exhibit_id, m.seq))
    for mid, exhibit, conv, sender, local, text_, key, kind in rows:
        who = people.get(int(sender)) if sender is not None else f"system:{kind}"
        minute = local.replace(second=0, microsecond=0) if local is not None else None
        for mark in ((groups[conv], "key", key) if key else None,
                     (groups[conv], who, minute, text_)):
            if mark is None:
                continue
            held = first.get(mark)
            if held is not None and held[1] != exhibit:
                copies.append(_Copy(int(mid), int(exhibit), held[0], held[2]))
                break
            first.setdefault(mark, (int(mid), int(exhibit), int(conv)))
    return copies


def record_copies(conn: Connection, exhibit_id: int) -> int:
    """Record which of this exhibit's messages an earlier exhibit of the same conversation
    holds (``message_copies``); returns how many. Call after :func:`link_conversations`."""
    mine = t.conversations.alias("mine")
    linked = {int(e) for e in conn.scalars(
        select(t.conversations.c.exhibit_id).distinct()
        .join(t.conversation_links, t.conversation_links.c.same_as_id == t.conversations.c.id)
        .join(mine, mine.c.id == t.conversation_links.c.conversation_id)
        .where(mine.c.exhibit_id == exhibit_id))} - {exhibit_id}
    if not linked:
        return 0
    rows = [{"message_id": c.message_id, "first_id": c.first_id,
             "first_conversation_id": c.first_conversation_id}
            for c in _copies(conn, [*sorted(linked), exhibit_id]) if c.exhibit_id == exhibit_id]
    for start in range(0, len(rows), 500):
        conn.execute(insert(t.message_copies), rows[start:start + 500])
    return len(rows)


def copy_references(conn: Connection, message_id: int, exhibit_ids: list[int]) -> list[str]:
    """References of the other exhibits (of ``exhibit_ids``) holding a copy of this message."""
    mc, m = t.message_copies.c, t.messages.c
    first = conn.scalar(select(mc.first_id).where(mc.message_id == message_id)) or message_id
    # The copies' ids first (a few rows by index): an OR with a subquery made PostgreSQL
    # walk the exhibits' messages (150 ms at a million messages).
    ids = {int(first), *(int(i) for i in conn.scalars(
        select(mc.message_id).where(mc.first_id == first)))} - {message_id}
    if not ids:
        return []
    return list(conn.scalars(
        select(t.exhibits.c.reference).distinct()
        .join(t.messages, m.exhibit_id == t.exhibits.c.id)
        .where(m.id.in_(ids), m.exhibit_id.in_(exhibit_ids))
        .order_by(t.exhibits.c.reference)))
