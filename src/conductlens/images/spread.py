"""Where a picture went: the same picture (same bytes, or PDQ within 31 bits) wherever it was
shared inside the scope, oldest first, so the first poster and the forwarders stand out.
Occurrences outside the scope are only counted, never described."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select

from conductlens.images.pdq import MATCH_DISTANCE, MIN_QUALITY, as_words, distances
from conductlens.review import scope
from conductlens.review.pseudonyms import Namer
from conductlens.store import tables as t
from conductlens.store.groups import exhibits_of
from conductlens.store.tables_images import images


@dataclass(frozen=True, slots=True)
class Sighting:
    attachment_id: int
    when: datetime | None
    sender: str
    conversation: str
    exhibit: str
    forwarded: bool
    distance: int  # 0: the same bytes


def same_pictures(conn: Connection, sha256: str) -> dict[str, int]:
    """SHA-256 -> distance for every stored picture that is this one to PDQ (itself: 0)."""
    row = conn.execute(select(images.c.pdq, images.c.pdq_quality)
                       .where(images.c.sha256 == sha256)).first()
    found = {sha256: 0}
    if row is None or row.pdq is None or int(row.pdq_quality or 0) <= MIN_QUALITY:
        return found
    others = conn.execute(select(images.c.sha256, images.c.pdq).where(
        images.c.pdq.is_not(None), images.c.pdq_quality > MIN_QUALITY)).all()
    near = distances(row.pdq, as_words([o.pdq for o in others]))
    for other, d in zip(others, near, strict=True):
        if d <= MATCH_DISTANCE:
            found.setdefault(str(other.sha256), int(d))
    return found


def spread(conn: Connection, sc: scope.Scope, case_id: int, sha256: str
           ) -> tuple[list[Sighting], int]:
    """The sightings inside the scope, oldest first, and how many lie outside it."""
    near = same_pictures(conn, sha256)
    m, a = t.messages, t.attachments
    carrying = a.c.sha256.in_(list(near))
    in_case = m.c.exhibit_id.in_(exhibits_of(case_id))
    rows = conn.execute(
        select(a.c.id, a.c.sha256, m.c.ts_local, m.c.ts_utc, m.c.sender_id, m.c.forwarded,
               t.conversations.c.title, t.exhibits.c.reference)
        .join(m, m.c.id == a.c.message_id)
        .join(t.conversations, t.conversations.c.id == m.c.conversation_id)
        .join(t.exhibits, t.exhibits.c.id == m.c.exhibit_id)
        .where(carrying, scope.scope_clause(sc))).all()
    total = conn.scalar(select(func.count()).select_from(a.join(m, m.c.id == a.c.message_id))
                        .where(carrying, in_case)) or 0
    namer = Namer(conn, case_id, sc.subjects)
    shown = [Sighting(int(r.id), r.ts_local or r.ts_utc, namer.name(r.sender_id).label,
                      str(r.title or "untitled"), str(r.reference), bool(r.forwarded),
                      near[str(r.sha256)]) for r in rows]
    shown.sort(key=lambda s: (s.when is None, s.when or datetime.min, s.attachment_id))
    return shown, int(total) - len(shown)
